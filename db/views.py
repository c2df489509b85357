"""The analysts' views (stable names and columns, documented in docs/schema.md).

Their SQL lives in ``db/view_sql/<revision>/<view>.sql``, one folder per migration that creates or
changes views (holding the views that migration creates), written in SQL that SQLite and PostgreSQL
both run (only ``{current_year}`` differs by dialect). A folder is frozen once its migration exists:
the migration names the folder and the SHA-256 of its files, and refuses to run if they changed, so
that editing a view can never silently change a migration a database has already applied. To change
a view, add a folder and a migration (docs/development.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

VIEW_NAMES = ("v_listings", "v_units", "v_price_history", "v_crawl_runs")
"""In creation order (v_units reads v_listings)."""

SQL_DIR = Path(__file__).with_name("view_sql")

_CURRENT_YEAR = {
    "postgresql": "CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS INTEGER)",
    "sqlite": "CAST(strftime('%Y', 'now') AS INTEGER)",
}


class FrozenViewsChanged(RuntimeError):
    """The SQL a migration applies was edited after the migration was written."""


def revisions() -> list[str]:
    """The revisions that have view SQL, oldest first."""
    return sorted(path.name for path in SQL_DIR.iterdir() if path.is_dir())


def views_digest(revision: str) -> str:
    """SHA-256 over a revision's view files (names and contents, in name order)."""
    digest = hashlib.sha256()
    for path in sorted((SQL_DIR / revision).glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def view_sql(dialect: str, revision: str | None = None, sha256: str | None = None) -> dict[str, str]:
    """``CREATE VIEW`` statements by view name for ``dialect`` (``sqlite`` or ``postgresql``), in
    creation order: those of ``revision``'s folder (what that migration creates), or by default each
    view as its newest folder has it (the views of a database at head). A migration passes the digest
    it was written with (``sha256``): files that no longer match raise :class:`FrozenViewsChanged`.

    >>> list(view_sql("sqlite", "0001"))
    ['v_listings', 'v_units', 'v_price_history', 'v_crawl_runs']
    >>> "price_planned" in view_sql("sqlite")["v_listings"]
    True
    """
    if revision is not None and sha256 is not None and views_digest(revision) != sha256:
        raise FrozenViewsChanged(
            f"db/view_sql/{revision}/ was edited after its migration was written: restore it, and put "
            "changed views in a new folder with a new migration"
        )
    folders = [SQL_DIR / revision] if revision is not None else [SQL_DIR / name for name in reversed(revisions())]
    year = _CURRENT_YEAR["postgresql" if dialect == "postgresql" else "sqlite"]
    out: dict[str, str] = {}
    for name in VIEW_NAMES:
        path = next((folder / f"{name}.sql" for folder in folders if (folder / f"{name}.sql").is_file()), None)
        if path is not None:
            out[name] = path.read_text(encoding="utf-8").replace("{current_year}", year)
    return out
