"""resale signals of used-condo detail pages: handover, parking, zoning, the agent's licence, feature
tags, remarks, the agent's comment, and the unoccupied / rented / marketed-in-Chinese flags

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:45:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("handover", sa.String(length=16)),
    ("parking", sa.String(length=16)),
    ("zoning_raw", sa.Text()),
    ("agent_licence", sa.Text()),
    ("agent_licence_renewals", sa.Integer()),
    ("feature_tags", sa.Text()),
    ("remarks", sa.Text()),
    ("agent_comment", sa.Text()),
    ("unoccupied", sa.Boolean()),
    ("unoccupied_source", sa.String(length=16)),
    ("rented", sa.Boolean()),
    ("rented_source", sa.String(length=16)),
    ("marketed_in_chinese", sa.Boolean()),
    ("marketed_in_chinese_source", sa.String(length=16)),
)


def upgrade() -> None:
    # Plain ADD COLUMN on both engines: the views name the columns they read, so none is made again.
    for name, type_ in COLUMNS:
        op.add_column("listing_snapshots", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.execute(f"ALTER TABLE listing_snapshots DROP COLUMN {name}")
