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
import re
from collections.abc import Callable
from pathlib import Path

VIEW_NAMES = (
    "v_listings",
    "v_units",
    "v_price_history",
    "v_crawl_runs",
    "v_presence",
    "v_weekly_panel",
    "v_closed_prices",
    "v_projects",
    "v_project_history",
    "v_buildings",
)
"""In creation order (v_units and v_projects read v_listings; v_weekly_panel reads v_presence;
v_buildings reads v_listings and v_projects)."""

STORAGE_VIEWS = ("sightings",)
"""Views that keep a table's old shape over compact storage (``sightings`` over ``sighting_spans``,
0012): made before the analysts' views, which read them; not exported (one row per listing and night)."""

SQL_DIR = Path(__file__).with_name("view_sql")

_CURRENT_YEAR = {
    "postgresql": "CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS INTEGER)",
    "sqlite": "CAST(strftime('%Y', 'now') AS INTEGER)",
}

# The few things SQLite and PostgreSQL write differently, as macros the view files use. They are part
# of every frozen folder that uses them: their meaning never changes (tests/test_db_views.py pins them).
_MACROS: dict[str, dict[str, Callable[[str], str]]] = {
    "sqlite": {
        # The crawl's night (db.nights): the Japan date of the morning, noon to noon.
        "NIGHT_JST": lambda t: f"date({t}, '+21 hours')",
        # ISO 8601 week of a date, 'YYYY-Www' (the Thursday of its week decides the year).
        "ISO_WEEK": lambda d: (
            f"(strftime('%Y', {d}, '-3 days', 'weekday 4') || '-W' || "
            f"printf('%02d', (CAST(strftime('%j', {d}, '-3 days', 'weekday 4') AS INTEGER) - 1) / 7 + 1))"
        ),
        "YEAR_OF": lambda d: f"CAST(strftime('%Y', {d}) AS INTEGER)",
        "MONTH_OF": lambda d: f"CAST(strftime('%m', {d}) AS INTEGER)",
        # The calendar quarter of a date, 'YYYYQn' (MLIT's quarters).
        "QUARTER_OF": lambda d: f"(strftime('%Y', {d}) || 'Q' || ((CAST(strftime('%m', {d}) AS INTEGER) + 2) / 3))",
        # Whole days from the first date to the second.
        "DAYS_BETWEEN": lambda a_b: "CAST(julianday({1}) - julianday({0}) AS INTEGER)".format(*_two(a_b)),
    },
    "postgresql": {
        "NIGHT_JST": lambda t: f"CAST(({t} AT TIME ZONE 'Asia/Tokyo') + INTERVAL '12 hours' AS DATE)",
        "ISO_WEEK": lambda d: f"to_char({d}, 'IYYY-\"W\"IW')",
        "YEAR_OF": lambda d: f"CAST(EXTRACT(YEAR FROM {d}) AS INTEGER)",
        "MONTH_OF": lambda d: f"CAST(EXTRACT(MONTH FROM {d}) AS INTEGER)",
        "QUARTER_OF": lambda d: f"to_char({d}, 'YYYY\"Q\"Q')",
        "DAYS_BETWEEN": lambda a_b: "(({1}) - ({0}))".format(*_two(a_b)),
    },
}
_MACRO = re.compile(r"\b(NIGHT_JST|ISO_WEEK|YEAR_OF|MONTH_OF|QUARTER_OF|DAYS_BETWEEN)\(")


def _two(arguments: str) -> list[str]:
    """Split a macro's two arguments at the comma outside parentheses."""
    depth = 0
    for index, char in enumerate(arguments):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            return [arguments[:index].strip(), arguments[index + 1 :].strip()]
    raise ValueError(f"DAYS_BETWEEN takes two arguments, not {arguments!r}")


def expand(sql: str, dialect: str) -> str:
    """The view file's SQL for ``dialect``: ``{current_year}`` and the macros written out (innermost
    first, so they nest).

    >>> print(expand("ISO_WEEK(NIGHT_JST(s.seen_at))", "postgresql"))
    to_char(CAST((s.seen_at AT TIME ZONE 'Asia/Tokyo') + INTERVAL '12 hours' AS DATE), 'IYYY-"W"IW')
    """
    engine = "postgresql" if dialect == "postgresql" else "sqlite"
    return _expand_macros(sql.replace("{current_year}", _CURRENT_YEAR[engine]), _MACROS[engine])


def _expand_macros(sql: str, macros: dict[str, Callable[[str], str]]) -> str:
    out, position = [], 0
    while (match := _MACRO.search(sql, position)) is not None:
        depth, end = 1, match.end()
        while depth:
            if end >= len(sql):
                raise ValueError(f"unbalanced parentheses after {match.group(1)}")
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        inner = _expand_macros(sql[match.end() : end - 1], macros)
        out += [sql[position : match.start()], macros[match.group(1)](inner.strip())]
        position = end
    return "".join(out) + sql[position:]


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
    out: dict[str, str] = {}
    for name in (*STORAGE_VIEWS, *VIEW_NAMES):
        path = next((folder / f"{name}.sql" for folder in folders if (folder / f"{name}.sql").is_file()), None)
        if path is not None:
            out[name] = expand(path.read_text(encoding="utf-8"), dialect)
    return out
