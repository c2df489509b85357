"""price_planned: keep the 予定 (planned) mark of an asking price; the views show it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 11:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.views import view_sql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The views as this revision creates them (db/view_sql/0004/, frozen), and as 0001 made them.
VIEWS_SHA256 = "4f8ef018493abefd457d42dc5560a661b3380a0dc57cda241a1159a2f89ab93c"
VIEWS_0001_SHA256 = "af17360f5ea7bb980dcf641417d8ce70ee5f035522fadaecfc7afb13ec4b3201"
# v_units reads v_listings: dropped first, made again after it, unchanged (as 0001 made it).
CHANGED = ("v_listings", "v_units", "v_price_history")


def _drop_views() -> None:
    for name in ("v_units", "v_listings", "v_price_history"):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_planned", sa.Boolean(), nullable=True))
    dialect = op.get_bind().dialect.name
    changed = view_sql(dialect, "0004", VIEWS_SHA256)
    unchanged = view_sql(dialect, "0001", VIEWS_0001_SHA256)
    for name in CHANGED:
        op.execute(changed.get(name) or unchanged[name])


def downgrade() -> None:
    _drop_views()
    with op.batch_alter_table("price_history", schema=None) as batch_op:
        batch_op.drop_column("price_planned")
    frozen = view_sql(op.get_bind().dialect.name, "0001", VIEWS_0001_SHA256)
    for name in CHANGED:
        op.execute(frozen[name])
