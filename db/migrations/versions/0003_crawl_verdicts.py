"""crawl verdicts: nights, ward baselines, field fill rates, held removals

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.views import view_sql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS_0001_SHA256 = "af17360f5ea7bb980dcf641417d8ce70ee5f035522fadaecfc7afb13ec4b3201"


def upgrade() -> None:
    op.create_table(
        "crawl_run_fields",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page_kind", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_run_fields_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("run_id", "page_kind", "field", name=op.f("pk_crawl_run_fields")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("night", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removals_held", sa.Integer(), nullable=True))
    with op.batch_alter_table("crawl_run_wards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verdict", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("list_pages", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stored", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("exact", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("removed", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removals_held", sa.Integer(), nullable=True))
    # Runs recorded before this revision: their night from their start (noon-to-noon JST, see db.nights).
    bind = op.get_bind()
    crawl_runs = sa.table("crawl_runs", sa.column("id", sa.Integer()), sa.column("started_at", sa.DateTime()))
    import datetime as dt

    rows = bind.execute(sa.select(crawl_runs.c.id, crawl_runs.c.started_at)).all()
    for run_id, started_at in rows:
        if isinstance(started_at, str):
            started_at = dt.datetime.fromisoformat(started_at)
        if started_at.tzinfo is None:
            started_at = started_at.replace(tzinfo=dt.UTC)
        night = (started_at.astimezone(dt.timezone(dt.timedelta(hours=9))) + dt.timedelta(hours=12)).date()
        bind.execute(sa.text("UPDATE crawl_runs SET night = :night WHERE id = :id"), {"night": night, "id": run_id})


def downgrade() -> None:
    # SQLite drops a column by rebuilding the table, which a view that reads the table forbids.
    op.execute("DROP VIEW IF EXISTS v_crawl_runs")
    with op.batch_alter_table("crawl_run_wards", schema=None) as batch_op:
        for column in ("removals_held", "removed", "exact", "stored", "list_pages", "verdict"):
            batch_op.drop_column(column)
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        for column in ("removals_held", "ended", "night"):
            batch_op.drop_column(column)
    op.drop_table("crawl_run_fields")
    # As revision 0001 created it (frozen: db/view_sql/0001/).
    frozen = view_sql(op.get_bind().dialect.name, "0001", VIEWS_0001_SHA256)
    op.execute(frozen["v_crawl_runs"])
