"""land tenure, 2026 energy rows, new-condo sale phases and schedule; project views

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from db.views import view_sql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The views as this revision creates them (db/view_sql/0008/, frozen), and as 0005 made the changed ones.
VIEWS_SHA256 = "2057d9496e08e9cfd645eab5a9273dd54c72479b8c29c06a902bb11fe1b5f49b"
VIEWS_0005_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"
COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("sale_phase", sa.Text()),
    ("sale_schedule", sa.Text()),
    ("land_tenure", sa.String(length=24)),
    ("land_tenure_raw", sa.Text()),
    ("lease_years_remaining", sa.Integer()),
    ("energy_performance", sa.Text()),
    ("insulation_performance", sa.Text()),
    ("utility_cost", sa.Text()),
)
# Changed (v_listings, v_presence, v_weekly_panel), their readers made again unchanged (v_units, as
# 0005 made it), and new (v_projects, v_project_history); dropped readers first.
DROP_ORDER = ("v_project_history", "v_projects", "v_weekly_panel", "v_presence", "v_units", "v_listings")
CHANGED = ("v_listings", "v_presence", "v_weekly_panel")
NEW = ("v_projects", "v_project_history")


def _drop_views() -> None:
    for name in DROP_ORDER:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    dialect = op.get_bind().dialect.name
    new = view_sql(dialect, "0008", VIEWS_SHA256)
    old = view_sql(dialect, "0005", VIEWS_0005_SHA256)
    for name in ("v_listings", "v_units", "v_presence", "v_weekly_panel", *NEW):
        op.execute(new.get(name) or old[name])


def downgrade() -> None:
    _drop_views()
    with op.batch_alter_table("listing_snapshots", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
    old = view_sql(op.get_bind().dialect.name, "0005", VIEWS_0005_SHA256)
    for name in ("v_listings", "v_units", "v_presence", "v_weekly_panel"):
        op.execute(old[name])
