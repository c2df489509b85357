"""v_listings shows the resale signals (0010); v_buildings: one row per building, from its launch to
its resales

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.views import view_sql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The views as this revision creates them (db/view_sql/0011/, frozen), and as 0005 and 0008 made the
# ones made again unchanged.
VIEWS_SHA256 = "dce73a253e637c67430f759339a6be4b39cd4a8239a31cda6044e8e0b589571b"
VIEWS_0008_SHA256 = "2057d9496e08e9cfd645eab5a9273dd54c72479b8c29c06a902bb11fe1b5f49b"
VIEWS_0005_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"
# v_listings changes; its readers (v_units as 0005 made it, v_projects as 0008 made it) are dropped first
# and made again unchanged; v_buildings (new) reads v_listings and v_projects.
DROP_ORDER = ("v_buildings", "v_projects", "v_units", "v_listings")


def _drop_views() -> None:
    for name in DROP_ORDER:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()
    dialect = op.get_bind().dialect.name
    new = view_sql(dialect, "0011", VIEWS_SHA256)
    at_0008 = view_sql(dialect, "0008", VIEWS_0008_SHA256)
    at_0005 = view_sql(dialect, "0005", VIEWS_0005_SHA256)
    op.execute(new["v_listings"])
    op.execute(at_0005["v_units"])
    op.execute(at_0008["v_projects"])
    op.execute(new["v_buildings"])


def downgrade() -> None:
    _drop_views()
    dialect = op.get_bind().dialect.name
    at_0008 = view_sql(dialect, "0008", VIEWS_0008_SHA256)
    at_0005 = view_sql(dialect, "0005", VIEWS_0005_SHA256)
    op.execute(at_0008["v_listings"])
    op.execute(at_0005["v_units"])
    op.execute(at_0008["v_projects"])
