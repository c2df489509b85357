"""closed prices: MLIT's transaction and contract prices of used condos, and v_closed_prices

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models
from db.views import view_sql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The view as this revision creates it (db/view_sql/0006/, frozen).
VIEWS_SHA256 = "690ad887c9dafd0605902cb1bf829aa0a075ca00ac5e402ce1107fbda6db0d93"


def upgrade() -> None:
    op.create_table(
        "closed_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("price_category", sa.String(length=16), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("municipality", sa.String(length=64), nullable=True),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("district_code", sa.String(length=16), nullable=True),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("price_yen", sa.BigInteger(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("area_capped", sa.Boolean(), nullable=False),
        sa.Column("price_per_m2", sa.Float(), nullable=True),
        sa.Column("layout", sa.String(length=32), nullable=True),
        sa.Column("built_year", sa.Integer(), nullable=True),
        sa.Column("built_prewar", sa.Boolean(), nullable=False),
        sa.Column("structure", sa.String(length=32), nullable=True),
        sa.Column("renovated", sa.Boolean(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("special_sale", sa.Boolean(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("imported_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_prices")),
        sa.UniqueConstraint("record_key", name=op.f("uq_closed_prices_record_key")),
    )
    with op.batch_alter_table("closed_prices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closed_prices_quarter"), ["quarter"], unique=False)
        batch_op.create_index(batch_op.f("ix_closed_prices_ward_code"), ["ward_code"], unique=False)
    for statement in view_sql(op.get_bind().dialect.name, "0006", VIEWS_SHA256).values():
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_closed_prices")
    with op.batch_alter_table("closed_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closed_prices_ward_code"))
        batch_op.drop_index(batch_op.f("ix_closed_prices_quarter"))
    op.drop_table("closed_prices")
