"""The database and what is read from it: ``condo db``, ``condo report``, ``condo export``, ``condo browse``
and ``condo archive``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from condo.cli.base import DATABASE_URL_OPTION, database


@click.group("db")
def db_group() -> None:
    """Manage the price-history database (SQLite under ./data by default, or DATABASE_URL).

    \b
    Example:
      condo db upgrade
      DATABASE_URL=postgresql+psycopg://condo@localhost/condo condo db upgrade
    """


@db_group.command("release-held")
@click.argument("run_id", type=int)
@DATABASE_URL_OPTION
def release_held_command(run_id: int, database_url: str | None) -> None:
    """Apply the removals a crawl run held for review, after a person has checked that those listings
    really left the site (too many removals in one ward and night are held: see `condo status`).

    \b
    Example:
      condo db release-held 412
    """
    from db.engine import session_scope
    from db.removal import release_held

    try:
        with database(database_url, must_exist=True) as engine, session_scope(engine) as session:
            released = release_held(session, run_id)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"Run {run_id}: {released} held removal(s) applied.")


@db_group.command("upgrade")
@DATABASE_URL_OPTION
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def db_upgrade(database_url: str | None, revision: str) -> None:
    """Create or migrate the database schema (tables and the analysts' views).

    \b
    Example:
      condo db upgrade --database-url sqlite:///data/condo.sqlite3
    """
    from db.migrate import current_revision, require_revision, upgrade

    require_revision(revision)
    with database(database_url) as engine:
        before = current_revision(engine)
        upgrade(engine, revision)
        after = current_revision(engine)
    shown = engine.url.render_as_string(hide_password=True)
    click.echo(f"{shown}: schema at revision {after}" + (f" (was {before})" if before != after else " (unchanged)"))


@click.group("report")
def report_group() -> None:
    """Build reports from the database.

    \b
    Example:
      condo report weekly --week 2026-W44 --out reports-out
    """


@report_group.command("weekly")
@click.option("--week", help="ISO week YYYY-Www (default: the week of the latest crawl).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/reports"),
    show_default=True,
    help="Folder; the report goes into <out>/<YYYY-Www>/.",
)
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True, help="Report language.")
@DATABASE_URL_OPTION
def report_weekly(week: str | None, out_dir: Path, lang: str, database_url: str | None) -> None:
    """The weekly ward report: findings, charts, tables, data quality, methods.

    Writes report.html (self-contained), report.md, and the metric and index tables as CSV and Parquet.

    \b
    Example:
      condo report weekly --week 2026-W44 --lang ja --database-url sqlite:///data/demo/demo.sqlite3
    """
    from reports.weekly import ReportError, build_report, parse_week, write_report

    try:
        parsed = parse_week(week) if week else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--week") from error
    try:
        with database(database_url, must_exist=True) as engine:
            report = build_report(engine, parsed, lang)
    except ReportError as error:
        click.echo(f"Error: no report: {str(error).rstrip('.')}.", err=True)
        sys.exit(1)
    files = write_report(report, out_dir)
    label = " [SIMULATED DATA]" if report.simulated else ""
    click.echo(f"Weekly report {report.week[0]}-W{report.week[1]:02d}{label}:")
    for finding in report.findings:
        click.echo(f"  - {finding}")
    for kind, path in files.items():
        click.echo(f"  {kind:16} {path}")


@click.command("export")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/exports"),
    show_default=True,
    help="Folder that receives the dated snapshot folder (condo-export-YYYY-MM-DD/).",
)
@click.option(
    "--format",
    "formats",
    default="parquet,csv",
    show_default=True,
    help="Comma-separated: parquet, csv, sqlite (one SQLite file of the views).",
)
@DATABASE_URL_OPTION
def export_command(out_dir: Path, formats: str, database_url: str | None) -> None:
    """Write a dated snapshot of the analysts' views as Parquet and CSV, with a data dictionary
    (dictionary.md, dictionary.json: every column's dtype and meaning), for pandas, R or DuckDB.

    \b
    Example:
      condo export --out data/exports --database-url sqlite:///data/demo/demo.sqlite3
    """
    from reports.exports import FORMATS, write_export

    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)}, not {formats!r}", param_hint="--format")
    with database(database_url, must_exist=True) as engine:
        export = write_export(engine, out_dir, chosen)
    label = " [SIMULATED DATA]" if export.simulated else ""
    click.echo(f"Export {export.folder}{label}:")
    for view, count in export.rows.items():
        click.echo(f"  {view:16} {count:>9,} rows")
    click.echo(f"  dictionary       {export.folder / 'dictionary.md'}")


@click.command("browse")
@DATABASE_URL_OPTION
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port to listen on.")
def browse_command(database_url: str | None, host: str, port: int) -> None:
    """Browse the database in Datasette (read-only): the views with their descriptions, and the
    questions analysts ask as ready queries. Ctrl-C stops it.

    A PostgreSQL database is browsed through a fresh SQLite snapshot of its views (under
    data/browse/), since Datasette reads SQLite.

    \b
    Example:
      condo browse --database-url sqlite:///data/demo/demo.sqlite3
    """
    from db.engine import data_dir
    from reports.browse import serve, write_metadata
    from reports.exports import write_export

    with database(database_url, must_exist=True) as engine:
        with engine.connect():
            pass  # a database that cannot be reached is one line, before anything else is said
        if engine.url.get_backend_name() == "sqlite":
            path = Path(str(engine.url.database))
        else:
            click.echo("PostgreSQL: writing a read-only SQLite snapshot of the views for Datasette...", err=True)
            path = write_export(engine, data_dir() / "browse", ("sqlite",)).folder / "views.sqlite3"
        simulated = write_metadata(engine, path, data_dir() / "browse" / f"{path.stem}-metadata.json")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: anyone who can reach this machine can read the data.", err=True)
    label = " [SIMULATED DATA]" if simulated else ""
    click.echo(f"Browsing {path}{label} at http://{host}:{port}/ (read-only). Ctrl-C stops.", err=True)
    sys.exit(serve(path, data_dir() / "browse" / f"{path.stem}-metadata.json", host, port))


@click.group("archive")
def archive_group() -> None:
    """The page archive: every response the crawl received, as WARC (docs/archive.md).

    \b
    Example:
      condo archive prune --keep-days 365 --dry-run
    """


@archive_group.command("prune")
@click.option(
    "--archive",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The archive's folder (default: CONDO_ARCHIVE_DIR, else data/archive).",
)
@click.option(
    "--keep-days",
    type=click.IntRange(0),
    default=365,
    show_default=True,
    help="Keep a listing's detail pages this many days after it is gone (list pages are kept for ever).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be dropped; change nothing.")
@DATABASE_URL_OPTION
def archive_prune_command(folder: Path | None, keep_days: int, dry_run: bool, database_url: str | None) -> None:
    """Apply the retention rule: drop the detail pages of listings gone longer than --keep-days; keep
    every list page, robots.txt, error and block page. Files are rewritten and replaced atomically.

    \b
    Example:
      condo archive prune --keep-days 365
    """
    from condo.crawl import archive_dir, gone_listings
    from scraper.archive.prune import prune

    folder = folder or archive_dir()
    if not folder.is_dir():
        click.echo(f"Error: no page archive at {folder} (see docs/archive.md).", err=True)
        sys.exit(1)
    with database(database_url, must_exist=True) as engine:
        gone = gone_listings(engine, keep_days)
    result = prune(folder, gone, dry_run)
    verb = "would drop" if dry_run else "dropped"
    click.echo(
        f"{result.files} WARC file(s): {verb} {result.records_dropped} record(s) of {len(result.listings)} listing(s) "
        f"gone over {keep_days} days; {result.bytes_before / 1e6:,.1f} MB -> {result.bytes_after / 1e6:,.1f} MB"
    )
