"""sightings stored as spans of consecutive runs (``sighting_spans``); ``sightings`` becomes a view of
the same columns

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:00:00

A listing on sale for 90 nights was 90 rows of ``sightings`` (about 136 bytes per live listing and
night with the rest of the history); it is now one row of ``sighting_spans`` per stretch of consecutive
runs of its spider. The ``sightings`` view gives every run of a stretch back: the first and last runs
with their exact time and archived page, the runs between with the run's end as the time (every price,
snapshot and link of the run is older, so the views' "as of" lookups give the same rows) and no
record (the run's WARC file holds the page: ``crawl_runs.stats['archive/file']``).

The existing rows are grouped with window functions on both engines: a stretch is a run of the
spider's consecutive run numbers (gaps and islands), broken at any run that never finished, so such a
run is never inside a stretch (its end time is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.models
from db.views import view_sql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The views as this revision creates them (db/view_sql/0012/, frozen), and as 0005, 0008 and 0011 made
# the ones made again unchanged.
VIEWS_SHA256 = "f173b10e35e08480729a19cd6500a969857941b7ebc8649779e722f812e04efe"
VIEWS_0011_SHA256 = "dce73a253e637c67430f759339a6be4b39cd4a8239a31cda6044e8e0b589571b"
VIEWS_0008_SHA256 = "2057d9496e08e9cfd645eab5a9273dd54c72479b8c29c06a902bb11fe1b5f49b"
VIEWS_0005_SHA256 = "b8071c10a8bba16a09ff7adbd53f93b8d38d880620925a6c4f21af63b69ba50d"
# Every view that reads sightings, or reads one that does, in the order they are dropped.
DROP_ORDER = ("v_buildings", "v_projects", "v_units", "v_weekly_panel", "v_presence", "v_listings")

SPANS_FROM_SIGHTINGS = """
INSERT INTO sighting_spans (listing_id, page_kind, first_run_id, last_run_id, first_seen_at, last_seen_at,
                            first_archive_record, last_archive_record)
WITH runs AS (
    SELECT id, spider,
           ROW_NUMBER() OVER (PARTITION BY spider ORDER BY id) AS position,
           SUM(CASE WHEN finished_at IS NULL THEN 1 ELSE 0 END)
               OVER (PARTITION BY spider ORDER BY id ROWS UNBOUNDED PRECEDING) AS unfinished_so_far
    FROM crawl_runs
),
numbered AS (
    SELECT s.listing_id, s.page_kind, s.run_id, r.spider, r.unfinished_so_far,
           r.position - ROW_NUMBER() OVER (PARTITION BY s.listing_id, s.page_kind, r.spider ORDER BY s.run_id)
               AS island
    FROM sightings s
    JOIN runs r ON r.id = s.run_id
),
spans AS (
    SELECT listing_id, page_kind, MIN(run_id) AS first_run_id, MAX(run_id) AS last_run_id
    FROM numbered
    GROUP BY listing_id, page_kind, spider, unfinished_so_far, island
)
SELECT p.listing_id, p.page_kind, p.first_run_id, p.last_run_id, f.seen_at, l.seen_at,
       f.archive_record, l.archive_record
FROM spans p
JOIN sightings f ON f.run_id = p.first_run_id AND f.listing_id = p.listing_id AND f.page_kind = p.page_kind
JOIN sightings l ON l.run_id = p.last_run_id AND l.listing_id = p.listing_id AND l.page_kind = p.page_kind
ORDER BY p.first_run_id, p.listing_id, p.page_kind
"""


def _drop_views() -> None:
    for name in DROP_ORDER:
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _make_readers(dialect: str, v_listings: str) -> None:
    at_0011 = view_sql(dialect, "0011", VIEWS_0011_SHA256)
    at_0008 = view_sql(dialect, "0008", VIEWS_0008_SHA256)
    at_0005 = view_sql(dialect, "0005", VIEWS_0005_SHA256)
    op.execute(v_listings)
    op.execute(at_0008["v_presence"])
    op.execute(at_0008["v_weekly_panel"])
    op.execute(at_0005["v_units"])
    op.execute(at_0008["v_projects"])
    op.execute(at_0011["v_buildings"])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "sighting_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("page_kind", sa.String(length=8), nullable=False),
        sa.Column("first_run_id", sa.Integer(), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_archive_record", sa.String(length=64), nullable=True),
        sa.Column("last_archive_record", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["crawl_runs.id"], name=op.f("fk_sighting_spans_first_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["crawl_runs.id"], name=op.f("fk_sighting_spans_last_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_sighting_spans_listing_id_listings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sighting_spans")),
    )
    op.execute(SPANS_FROM_SIGHTINGS)
    op.create_index(op.f("ix_sighting_spans_listing_id"), "sighting_spans", ["listing_id"], unique=False)
    op.create_index(op.f("ix_sighting_spans_last_run_id"), "sighting_spans", ["last_run_id"], unique=False)
    op.create_index("ix_crawl_runs_spider_id", "crawl_runs", ["spider", "id"], unique=False)
    _drop_views()
    op.drop_index(op.f("ix_sightings_listing_id"), table_name="sightings")
    op.drop_table("sightings")
    new = view_sql(dialect, "0012", VIEWS_SHA256)
    op.execute(new["sightings"])
    _make_readers(dialect, new["v_listings"])
    if dialect == "sqlite":
        op.execute("ANALYZE")


def _sightings_columns() -> list[sa.Column[object]]:
    """The columns of the table as 0001 and 0007 made it."""
    return [
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("page_kind", sa.String(length=8), nullable=False),
        sa.Column("seen_at", db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archive_record", sa.String(length=64), nullable=True),
    ]


def downgrade() -> None:
    """The table again, one row per run, listing and page kind, from the view: a run inside a stretch
    gets the run's end as its time and no archived record (what the spans kept)."""
    dialect = op.get_bind().dialect.name
    _drop_views()
    op.create_table("sightings_expanded", *_sightings_columns())
    op.execute(
        "INSERT INTO sightings_expanded (run_id, listing_id, page_kind, seen_at, archive_record)"
        " SELECT run_id, listing_id, page_kind, seen_at, archive_record FROM sightings"
    )
    op.execute("DROP VIEW sightings")
    op.create_table(
        "sightings",
        *_sightings_columns(),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_sightings_listing_id_listings")),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_sightings_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("run_id", "listing_id", "page_kind", name=op.f("pk_sightings")),
    )
    op.execute(
        "INSERT INTO sightings (run_id, listing_id, page_kind, seen_at, archive_record)"
        " SELECT run_id, listing_id, page_kind, seen_at, archive_record FROM sightings_expanded"
        " ORDER BY run_id, listing_id, page_kind"
    )
    op.drop_table("sightings_expanded")
    op.create_index(op.f("ix_sightings_listing_id"), "sightings", ["listing_id"], unique=False)
    op.drop_index("ix_crawl_runs_spider_id", table_name="crawl_runs")
    op.drop_index(op.f("ix_sighting_spans_last_run_id"), table_name="sighting_spans")
    op.drop_index(op.f("ix_sighting_spans_listing_id"), table_name="sighting_spans")
    op.drop_table("sighting_spans")
    _make_readers(dialect, view_sql(dialect, "0011", VIEWS_0011_SHA256)["v_listings"])
