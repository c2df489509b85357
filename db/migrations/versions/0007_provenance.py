"""provenance: the archived response (WARC-Record-ID) behind each sighting, price and snapshot; corrections

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models
from db.views import view_sql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# v_price_history as this revision makes it (db/view_sql/0007/, frozen), and as 0005 made it.
VIEWS_SHA256 = "ed9b42c97ef8ca27b39f228c575db90b058e876450c17ee43ba807ffd2c46a52"
VIEWS_0005_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"
TABLES = ("sightings", "price_history", "listing_snapshots", "listing_events")
# Every view that reads these tables: SQLite rebuilds a table to drop a column, which a view forbids.
READERS = ("v_weekly_panel", "v_presence", "v_units", "v_listings", "v_price_history")


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_price_history")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("archive_record", sa.String(length=64), nullable=True))
    op.execute(view_sql(op.get_bind().dialect.name, "0007", VIEWS_SHA256)["v_price_history"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("stored_value", sa.Text(), nullable=True),
        sa.Column("archived_value", sa.Text(), nullable=True),
        sa.Column("archive_record", sa.String(length=64), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("corrected_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_corrections_listing_id_listings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrections_listing_id"), ["listing_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrections_listing_id"))
    op.drop_table("corrections")
    dialect = op.get_bind().dialect.name
    for name in READERS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("archive_record")
    views = view_sql(dialect, "0005", VIEWS_0005_SHA256)
    for name in reversed(READERS):
        op.execute(views[name])
