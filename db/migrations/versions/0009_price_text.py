"""price_text: the asking price as printed when it is not one exact amount (約1億円, ranges, bands)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines (SQLite supports it): the views name their columns, so none of
    # them has to be dropped and made again.
    op.add_column("price_history", sa.Column("price_text", sa.Text(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both engines (SQLite 3.35 and later): a batch copy of the table would
    # break the views that read it.
    op.execute("ALTER TABLE price_history DROP COLUMN price_text")
