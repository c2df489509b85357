"""v_buildings answers the same in a read of the view instead of minutes: its shared parts computed once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 01:45:00

At 30,000 live listings and 18 months of nights the view took over three minutes on SQLite: the
listings it reads (v_listings) were computed again for each building, by the fallback of a building's
unit count (a subquery per building) and by the projects it is matched against (a CROSS JOIN whose inner
side was not kept). Now those parts are ``MATERIALIZED`` (SQLite 3.35+, PostgreSQL 12+), the unit count
comes from the per-building figures already computed, and the latest night is read from the sighting
spans: 12.5 s on that database, the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.views import view_sql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS_SHA256 = "bb584fa52d814716dd34df2638fea4aee30bf3d6549492faf5b75c8851bc4564"
VIEWS_0011_SHA256 = "dce73a253e637c67430f759339a6be4b39cd4a8239a31cda6044e8e0b589571b"


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_buildings")
    op.execute(view_sql(op.get_bind().dialect.name, "0013", VIEWS_SHA256)["v_buildings"])


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_buildings")
    op.execute(view_sql(op.get_bind().dialect.name, "0011", VIEWS_0011_SHA256)["v_buildings"])
