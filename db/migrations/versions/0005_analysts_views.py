"""analysts' views: Japan-time nights and ISO weeks, ages at the observation, nightly presence, weekly panel

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 11:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.views import view_sql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The views as this revision creates them (db/view_sql/0005/, frozen), and as 0004 and 0001 made them.
VIEWS_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"
VIEWS_0004_SHA256 = "4f8ef018493abefd457d42dc5560a661b3380a0dc57cda241a1159a2f89ab93c"
VIEWS_0001_SHA256 = "af17360f5ea7bb980dcf641417d8ce70ee5f035522fadaecfc7afb13ec4b3201"
BEFORE = ("v_listings", "v_units", "v_price_history", "v_crawl_runs")
"""The views this revision replaces, in creation order (v_units reads v_listings)."""


def _drop(names: Sequence[str]) -> None:
    for name in reversed(names):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop(BEFORE)
    for statement in view_sql(op.get_bind().dialect.name, "0005", VIEWS_SHA256).values():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop((*BEFORE, "v_presence", "v_weekly_panel"))
    older = view_sql(dialect, "0001", VIEWS_0001_SHA256) | view_sql(dialect, "0004", VIEWS_0004_SHA256)
    for name in BEFORE:
        op.execute(older[name])
