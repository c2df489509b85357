"""v_units reads the listings once: the view took 51 s on the 91-night demo's 5,536 listings

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 03:45:00

The view joined ``units`` to ``v_listings`` on the listing's unit, which v_listings takes from its latest
unit link (a LEFT JOIN): SQLite could not look the listings of a unit up, so it computed every listing
again for each unit (units × listings: 4,583 × 5,536 on the demo's database, 51 s; hours at all-Tokyo
size). The listings with a unit are now ``MATERIALIZED`` once (SQLite 3.35+, PostgreSQL 12+) and units
and buildings joined to them: 0.05 s there, the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.views import view_sql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS_SHA256 = "7a11259b114c74e52fda37733bda496afbcbe5aba2e304f6ee46fd2d97adadab"
VIEWS_0005_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_units")
    op.execute(view_sql(op.get_bind().dialect.name, "0014", VIEWS_SHA256)["v_units"])


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_units")
    op.execute(view_sql(op.get_bind().dialect.name, "0005", VIEWS_0005_SHA256)["v_units"])
