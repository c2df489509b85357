"""``condo``: command-line entry point. Each command is a thin wrapper over a library function."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from condo.jobs import JOBS
from db.verdicts import Verdict
from scraper.offline import UnknownPageError, parse_file
from scraper.runner import spider_names
from simulator.market import DEMO_NIGHTS, DEMO_SEED
from simulator.site import FAULTS as DEMO_FAULTS

if TYPE_CHECKING:
    from simulator.replay import Night


class SpiderChoice(click.Choice):
    """``click.Choice`` over the project's spiders, asked of Scrapy's spider loader when first needed:
    loading every spider module at start-up would slow every command."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(spider_names())

    @choices.setter
    def choices(self, _value: object) -> None:
        return


DATABASE_URL_OPTION = click.option(
    "--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL (default: sqlite:///data/condo.sqlite3)."
)


class CondoGroup(click.Group):
    """The ``condo`` command: a database that cannot be reached or named ends a command with one line
    saying so and what to check (exit 1), never with a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from alembic.util import CommandError
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

        from db.engine import MissingDriverError, NoDatabaseError

        check = " Check the database URL: --database-url, DATABASE_URL, or database_url in the scheduler's config."
        try:
            return super().invoke(ctx)
        except (NoDatabaseError, MissingDriverError) as error:
            problem, check = str(error), ""
        except CommandError as error:
            problem, check = f"the schema cannot be migrated: {str(error).splitlines()[0]}", ""
        except NoSuchModuleError as error:
            dialect = str(error).rsplit(":", 1)[-1].strip()
            problem = f"no database driver for {dialect!r} (a URL starts sqlite:/// or postgresql+psycopg://)"
        except ArgumentError:
            problem = "the database URL cannot be read (sqlite:///path/to/file or postgresql+psycopg://user@host/db)"
        except DBAPIError as error:
            first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
            if _no_schema(first):
                problem, check = (
                    "the database has no tables yet: run `condo db upgrade` (then `condo crawl` or `condo demo`)",
                    "",
                )
            elif error.connection_invalidated or "connect" in first.lower():
                problem = f"the database cannot be reached: {first}"
            else:
                raise
        click.echo(f"Error: {problem}.{check}", err=True)
        ctx.exit(1)


NO_TABLES = "the database has no tables yet: run `condo db upgrade` (then `condo crawl` or `condo demo`)"


def _no_schema(message: str) -> bool:
    """Whether a driver's error says a table is missing (SQLite, PostgreSQL)."""
    return message.startswith("no such table") or ("relation" in message and "does not exist" in message)


@click.group(cls=CondoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tokyo-condo-tracker")
def main() -> None:
    """Track Tokyo condo asking prices (Koto, Bunkyo, Minato) from SUUMO.

    \b
    Example:
      condo parse page.html --url https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/
    """


@main.command("parse")
@click.argument("pages", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The URL the page was saved from (default: the page's own canonical/footer URL).")
@click.option("--warc", is_flag=True, help="The PAGES are WARC files of the page archive: parse every page in them.")
@click.option(
    "--summary/--no-summary",
    default=True,
    show_default=True,
    help="Print a per-page summary (page kind, hit count, items, unread fields) on stderr.",
)
def parse_command(pages: tuple[Path, ...], url: str | None, warc: bool, summary: bool) -> None:
    """Parse saved SUUMO pages offline and print their items as JSON lines.

    The spider that owns the URL parses the page: a list page gives one line per listing card, a
    detail page gives one line. Pages that are not listings (listing ended, error, block) give no
    line; the summary says what they are. Nothing is fetched from the network.

    A page of another portal (LIFULL HOME'S, Mitsui Rehouse, Tokyu Livable, Nomucom, at home,
    Yahoo!不動産) is named and skipped: no spider reads those sites yet (docs/other-portals.md).
    Pages are decoded in the charset they declare; a file over the spiders' download cap
    (DOWNLOAD_MAXSIZE, 8 MiB) is skipped.

    Exit status: 0 when at least one page was parsed; 2 when none could be (every page skipped:
    not a page, another portal's page, too large) or the options are wrong.

    \b
    Examples:
      condo parse saved/nc_73305798.html --url https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/
      condo parse ../shared/fixtures/pages/suumo/*.html
      condo parse --warc data/archive/suumo_chuko-20261130T173000Z-4242.warc.gz
    """
    if warc:
        _parse_warc(list(pages), summary)
        return
    if url and len(pages) > 1:
        raise click.UsageError("--url names one page's URL: give it with a single PAGE")
    failures = 0
    for path in pages:
        try:
            parsed = parse_file(path, url)
        except UnknownPageError as error:
            click.echo(f"{path.name}: skipped: {error}", err=True)
            failures += 1
            continue
        for item in parsed.items:
            click.echo(json.dumps(item.to_json_dict(), ensure_ascii=False))
        if summary:
            unread = sum(n for (_, outcome), n in parsed.fields.counts.items() if outcome == "unparsed")
            parts = [f"{path.name}: {parsed.verdict.kind.value} page ({parsed.spider})", f"{len(parsed.items)} item(s)"]
            if parsed.hit_count is not None:
                parts.append(f"site hit count {parsed.hit_count}")
            parts.append(f"{unread} unreadable field value(s)")
            click.echo(", ".join(parts), err=True)
            for name, raw in parsed.fields.unparsed:
                click.echo(f"  could not read {name} from {raw!r}", err=True)
    if failures == len(pages):
        sys.exit(2)


def _parse_warc(files: list[Path], summary: bool) -> None:
    from scraper.offline import parse_archive

    pages = items = others = 0
    for page_url, parsed in parse_archive(files):
        if parsed is None:
            others += 1
            continue
        pages += 1
        items += len(parsed.items)
        for item in parsed.items:
            click.echo(json.dumps(item.to_json_dict(), ensure_ascii=False))
        if summary:
            click.echo(f"{page_url}: {parsed.verdict.kind.value} page, {len(parsed.items)} item(s)", err=True)
    click.echo(f"{pages} archived page(s) parsed, {items} item(s); {others} other record(s)", err=True)
    if not pages:
        click.echo("Error: no SUUMO page in these files (are they WARC files of the page archive?).", err=True)
        sys.exit(2)


@main.group("db")
def db_group() -> None:
    """Manage the price-history database (SQLite under ./data by default, or DATABASE_URL).

    \b
    Example:
      condo db upgrade
      DATABASE_URL=postgresql+psycopg://condo@localhost/condo condo db upgrade
    """


def _database_url(url: str | None) -> str:
    from db.engine import database_url

    return database_url(url)


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
    from db.engine import make_engine, session_scope
    from db.removal import release_held

    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        with session_scope(engine) as session:
            released = release_held(session, run_id)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    finally:
        engine.dispose()
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
    from db.engine import make_engine
    from db.migrate import current_revision, require_revision, upgrade

    require_revision(revision)
    url = _database_url(database_url)
    engine = make_engine(url)
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    click.echo(f"{shown}: schema at revision {after}" + (f" (was {before})" if before != after else " (unchanged)"))


@main.command("crawl")
@click.option(
    "--spider",
    "spiders",
    multiple=True,
    type=SpiderChoice(),
    help="Spider to run (repeat for several; default: all).",
)
@click.option("--wards", help="Comma-separated wards: koto, bunkyo, minato (default: all three).")
@DATABASE_URL_OPTION
@click.option(
    "--base-url", envvar="SUUMO_BASE_URL", help="Where SUUMO is (default https://suumo.jp; a local replay for tests)."
)
@click.option(
    "--time-limit",
    type=float,
    default=3 * 3600,
    show_default=True,
    help="Seconds after which a spider is closed (and killed two minutes later).",
)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Extra Scrapy setting.")
def crawl_command(
    spiders: tuple[str, ...],
    wards: str | None,
    database_url: str | None,
    base_url: str | None,
    time_limit: float,
    overrides: tuple[str, ...],
) -> None:
    """Crawl SUUMO into the database: each spider in its own process, then a summary of each run.

    Progress shows list pages done and listings seen against the site's hit count. The summary gives
    new listings, price changes, removals, relistings, blocks and the run's verdict (only complete and
    healthy runs can mark listings removed). The full logs are under data/logs/.

    \b
    Example:
      condo crawl --wards koto --spider suumo_chuko
      condo crawl --base-url http://127.0.0.1:8000 -s DOWNLOAD_DELAY=0
    """
    from condo.crawl import crawl
    from scraper.runner import Progress
    from scraper.statkeys import StatKeys
    from scraper.suumo.urls import parse_wards

    try:
        parse_wards(wards)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--wards") from error
    settings: dict[str, str] = {}
    for override in overrides:
        name, sep, value = override.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {override!r}", param_hint="-s")
        settings[name] = value
    if base_url:
        settings["SUUMO_BASE_URL"] = base_url

    def show(spider: str, progress: Progress) -> None:
        of = f" of {progress.hits}" if progress.hits is not None else ""
        click.echo(f"  {spider} {progress.ward}: page {progress.page}, {progress.cards}{of} listings", err=True)

    from db.engine import make_engine
    from db.locks import DatabaseLocked
    from scraper.settings_check import check_settings

    try:
        check_settings(settings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="-s") from error
    engine = make_engine(_database_url(database_url))
    try:
        result = crawl(engine, spiders or tuple(spider_names()), wards, settings, time_limit, on_progress=show)
    except DatabaseLocked as error:
        click.echo(f"Not crawling: {error}. One crawl (or maintenance) per database at a time.", err=True)
        sys.exit(3)
    finally:
        engine.dispose()
    for run in result.runs:
        if run.returncode != 0 or run.killed_after_time_limit:
            why = "killed after the time limit" if run.killed_after_time_limit else f"exit code {run.returncode}"
            click.echo(f"{run.spider}: the crawl process failed ({why}); log: {run.log_path}", err=True)
    for summary in result.summaries:
        click.echo("\n".join(summary.lines()))
    for run in result.runs:
        if run.stats.get("finish_reason") == "timeouts":
            click.echo(
                f"{run.spider}: the site stopped answering ({run.stats.get(StatKeys().timeouts) or 0} requests "
                "timed out, the last ones in a row): it may be dropping packets; the night ended early and "
                "nothing was removed.",
                err=True,
            )
        if run.stats.get("finish_reason") == "unreachable":
            failures = run.stats.get(StatKeys().unreachable) or 0
            click.echo(
                f"{run.spider}: the site could not be reached at {base_url or 'SUUMO_BASE_URL'} ({failures} connection "
                "failures in a row): check --base-url and the network; nothing was removed.",
                err=True,
            )
    if not result.ok:
        sys.exit(1)
    if any(summary.verdict != Verdict.COMPLETE_HEALTHY for summary in result.summaries):
        click.echo("Not every run is complete and healthy: nothing was removed where it was not.", err=True)
        sys.exit(4)


@main.command("demo")
@click.option(
    "--nights",
    type=click.IntRange(1, 400),
    default=DEMO_NIGHTS,
    show_default=True,
    help=f"Simulated nights to crawl ({DEMO_NIGHTS} = {DEMO_NIGHTS // 7} weeks).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="Folder for the demo database, ground truth and logs: a new or empty folder, or one an earlier "
    "condo demo made (replaced); any other folder is refused and left alone.",
)
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True, help="Seed of the simulated market.")
@click.option(
    "--faults",
    "fault_specs",
    multiple=True,
    metavar="NAME[@NIGHT[-NIGHT]]",
    help="Rehearse a failure on those nights (numbered from 1; no night: every night). Repeatable. "
    "Faults: " + ", ".join(DEMO_FAULTS) + ".",
)
def demo_command(nights: int, out_dir: Path, seed: int, fault_specs: tuple[str, ...]) -> None:
    """Offline demo on SIMULATED data: crawl a simulated SUUMO for N nights into a fresh database.

    A seeded market of used condos in Koto, Bunkyo and Minato (listings arrive, cut prices, are sold by
    several agents, leave and come back) and of new-condo projects sold in phases is served as SUUMO
    pages on 127.0.0.1; the real spiders (used condos, then new condos), pipelines and database record
    it night by night. Nothing is fetched from the internet. Every number shown is simulated. It ends
    by comparing the database with the simulator's truth (OUT/truth-check.json: false removals, missed
    price changes, wrong values, each project-night's price range and phase, each night's verdicts).

    \b
    Examples:
      condo demo --nights 14 --out data/demo
      condo demo --nights 9 --faults zero-hits@5-6 --out data/drill   # rehearse a 0件 site
    """
    from condo.demo import LABEL, DemoFolderError, example_queries, prepare_out_dir, run_demo
    from simulator.drills import parse_fault, truth_lines

    try:
        faults = [parse_fault(spec, nights) for spec in fault_specs]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--faults") from error
    try:
        prepare_out_dir(out_dir)  # before anything runs: a folder that is not the demo's is left alone
    except DemoFolderError as error:
        raise click.BadParameter(str(error), param_hint="--out") from error

    click.echo(f"[{LABEL}] Building a simulated market (seed {seed}) and crawling {nights} night(s)...", err=True)

    def show(night: Night) -> None:
        s = night.summary
        status = (
            f"{s.verdict}; new {s.new_listings}, price changes {s.price_changes}, removed {s.removed}, "
            f"relisted {s.relisted}"
            if s
            else f"crawl failed (exit {night.run.returncode})"
        )
        new_condos = night.new_condo_run
        if new_condos is not None and new_condos.returncode != 0:
            status += f"; new-condo crawl failed (exit {new_condos.returncode})"
        click.echo(f"  [{LABEL}] night {night.day + 1}/{nights} ({night.date}): {status}", err=True)

    result = run_demo(out_dir, nights, seed, on_night=show, faults=faults)
    click.echo(f"\n=== {LABEL}: every figure below comes from a simulated market, not from SUUMO ===")
    click.echo(f"\nThe database against the simulator's truth [{LABEL}]")
    for line in truth_lines(result.truth_check):
        click.echo(f"  {line}")
    if result.closed_prices is not None:
        fetched = result.closed_prices
        click.echo(f"\nClosed prices from a local stand-in of MLIT's XIT001 API [{LABEL}]")
        quarters = ", ".join(sorted(fetched.imported.quarters)) or "no quarter"
        click.echo(
            f"  {fetched.imported.added} sale record(s) of {quarters} fetched by condo mlit fetch's client; "
            "every sale closed 4-8 % below its last asking price"
        )
    for title, columns, rows in example_queries(result.database_url):
        click.echo(f"\n{title} [{LABEL}]")
        click.echo("  " + " | ".join(columns))
        for row in rows:
            click.echo("  " + " | ".join("" if v is None else str(v) for v in row))
    from db.engine import make_engine
    from reports.weekly import ReportError, build_report, write_report

    engine = make_engine(result.database_url)
    try:
        report = build_report(engine)
        report_files = write_report(report, out_dir / "reports")
        click.echo(f"\nWeekly report, findings [{LABEL}]")
        for finding in report.findings:
            click.echo(f"  - {finding}")
        report_line = (
            f"\n  weekly report {report_files['html']}   (and report.md, summary.csv, metrics.csv/.parquet, "
            "index.csv/.parquet)"
        )
    except ReportError as error:
        report_line = f"\n  weekly report not built: {error}"
    finally:
        engine.dispose()
    click.echo(f"""
Where everything is:{report_line}
  database      {result.database_url}   (the views: v_listings, v_units, v_price_history, v_crawl_runs,
                v_presence, v_weekly_panel, v_closed_prices, v_projects, v_project_history; docs/schema.md)
  browse it     condo browse --database-url {result.database_url}
  export it     condo export --database-url {result.database_url}
  page archive  {result.out_dir / "archive"}   (every page the crawl received, as WARC: condo parse --warc FILE)
  closed prices {result.out_dir / "mlit" / "raw"}   (the simulated XIT001 bodies, as fetched)
  ground truth  {result.truth_path}   (the simulator's own record of every listing and price)
  truth check   {result.truth_check_path}   (the database compared with the truth)
  crawl logs    {result.out_dir / "logs"}
""")
    if any(night.run.returncode != 0 for night in result.nights):
        sys.exit(1)


@main.group("report")
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
    from db.engine import make_engine
    from reports.weekly import ReportError, build_report, parse_week, write_report

    try:
        parsed = parse_week(week) if week else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--week") from error
    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        report = build_report(engine, parsed, lang)
    except ReportError as error:
        click.echo(f"Error: no report: {str(error).rstrip('.')}.", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    files = write_report(report, out_dir)
    label = " [SIMULATED DATA]" if report.simulated else ""
    click.echo(f"Weekly report {report.week[0]}-W{report.week[1]:02d}{label}:")
    for finding in report.findings:
        click.echo(f"  - {finding}")
    for kind, path in files.items():
        click.echo(f"  {kind:16} {path}")


@main.command("export")
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
    from db.engine import make_engine
    from reports.exports import FORMATS, write_export

    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)}, not {formats!r}", param_hint="--format")
    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        export = write_export(engine, out_dir, chosen)
    finally:
        engine.dispose()
    label = " [SIMULATED DATA]" if export.simulated else ""
    click.echo(f"Export {export.folder}{label}:")
    for view, count in export.rows.items():
        click.echo(f"  {view:16} {count:>9,} rows")
    click.echo(f"  dictionary       {export.folder / 'dictionary.md'}")


@main.command("browse")
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
    from sqlalchemy.engine import make_url

    from db.engine import data_dir, make_engine
    from reports.browse import serve, write_metadata
    from reports.exports import write_export

    url = _database_url(database_url)
    engine = make_engine(url, must_exist=True)
    try:
        with engine.connect():
            pass  # a database that cannot be reached is one line, before anything else is said
        if make_url(url).get_backend_name() == "sqlite":
            path = Path(str(engine.url.database))
        else:
            click.echo("PostgreSQL: writing a read-only SQLite snapshot of the views for Datasette...", err=True)
            path = write_export(engine, data_dir() / "browse", ("sqlite",)).folder / "views.sqlite3"
        simulated = write_metadata(engine, path, data_dir() / "browse" / f"{path.stem}-metadata.json")
    finally:
        engine.dispose()
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: anyone who can reach this machine can read the data.", err=True)
    label = " [SIMULATED DATA]" if simulated else ""
    click.echo(f"Browsing {path}{label} at http://{host}:{port}/ (read-only). Ctrl-C stops.", err=True)
    sys.exit(serve(path, data_dir() / "browse" / f"{path.stem}-metadata.json", host, port))


@main.group("mlit")
def mlit_group() -> None:
    """Closed prices from MLIT's Real Estate Information Library (XIT001): what used condos sold for,
    per ward and quarter, months late. Source: MLIT, which does not guarantee the data's currency or
    accuracy.

    \b
    Example:
      condo mlit import xit001-koto-2024q1.json
    """


@mlit_group.command("fetch")
@click.option(
    "--wards",
    default="koto,bunkyo,minato",
    show_default=True,
    help="Comma-separated wards (koto, bunkyo, minato) or 5-digit municipality codes (13102: Chuo).",
)
@click.option(
    "--from", "first", default="2021Q1", show_default=True, help="First quarter (contract prices start 2021)."
)
@click.option("--to", "last", default=None, help="Last quarter (default: the quarter before today's).")
@click.option(
    "--base-url",
    envvar="CONDO_MLIT_BASE_URL",
    default=None,
    help="The XIT001 endpoint (default MLIT's; a local stand-in for tests).",
)
@click.option(
    "--raw-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the bodies are kept (default data/mlit/raw).",
)
@click.option("--pause", type=click.FloatRange(0), default=1.0, show_default=True, help="Seconds between requests.")
@DATABASE_URL_OPTION
def mlit_fetch_command(
    wards: str,
    first: str,
    last: str | None,
    base_url: str | None,
    raw_dir: Path | None,
    pause: float,
    database_url: str | None,
) -> None:
    """Ask MLIT's XIT001 API for every ward and quarter, keep each body, and import it. The API key
    comes from CONDO_MLIT_API_KEY (free from MLIT on application) and is never printed or stored.

    \b
    Example:
      CONDO_MLIT_API_KEY=... condo mlit fetch --wards koto,bunkyo,minato --from 2021Q1
    """
    import datetime as dt

    from db.engine import data_dir, make_engine
    from db.migrate import upgrade
    from db.places.wards import WARDS
    from scraper.closed_prices.client import (
        DEFAULT_BASE_URL,
        Client,
        FetchError,
        api_key,
        fetch,
        last_complete_quarter,
        quarters,
    )

    cities = []
    for part in (p.strip() for p in wards.split(",") if p.strip()):
        if part in WARDS:
            cities.append(WARDS[part].code)
        elif part.isdigit() and len(part) == 5:
            cities.append(int(part))
        else:
            raise click.BadParameter(
                f"{part!r} is neither a ward ({', '.join(WARDS)}) nor a 5-digit code", param_hint="--wards"
            )
    last = last or last_complete_quarter(dt.date.today())
    try:
        planned = list(quarters(first, last))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from error
    try:
        client = Client(api_key(), base_url or DEFAULT_BASE_URL, pause_seconds=pause)
    except FetchError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)

    def show(city: int, year: int, quarter: int, imported: object) -> None:
        added = getattr(imported, "added", None)
        what = "no records" if imported is None else f"{added} added, {getattr(imported, 'already', 0)} already stored"
        click.echo(f"  {city:05d} {year}Q{quarter}: {what}", err=True)

    engine = make_engine(_database_url(database_url))
    try:
        upgrade(engine)
        click.echo(f"Asking XIT001 for {len(cities)} municipalit(ies) x {len(planned)} quarter(s)...", err=True)
        result = fetch(engine, client, cities, first, last, raw_dir or data_dir() / "mlit" / "raw", on_quarter=show)
    except FetchError as error:
        click.echo(f"Error: {error}. What was fetched before is kept.", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    click.echo(
        f"{result.requests} request(s), {result.empty} quarter(s) without records; {result.imported.added} record(s) "
        f"added, {result.imported.already} already stored. Source: MLIT (which does not guarantee the data's "
        "currency or accuracy)."
    )


@mlit_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATABASE_URL_OPTION
def mlit_import_command(files: tuple[Path, ...], database_url: str | None) -> None:
    """Load saved XIT001 responses (JSON, gzip or not): every used-condo record of any municipality.
    All or nothing: a bad file or record imports nothing. Importing a file again adds nothing.

    \b
    Example:
      condo mlit import data/mlit/raw/*.json.gz --database-url sqlite:///data/condo.sqlite3
    """
    from db.engine import make_engine, session_scope
    from db.migrate import upgrade
    from scraper.closed_prices.importer import ResponseRefused, check_files, import_files

    try:
        checked = check_files(list(files))  # before any database is opened: a bad file changes nothing
    except ResponseRefused as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    engine = make_engine(_database_url(database_url))
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            result = import_files(session, checked)
    finally:
        engine.dispose()
    quarters = ", ".join(sorted(result.quarters)) or "none"
    click.echo(
        f"{result.added} used-condo record(s) added, {result.already} already stored, "
        f"{result.other_types} of other kinds skipped (quarters: {quarters}). Source: MLIT."
    )


def _corrections(folder: Path, dry_run: bool, database_url: str | None) -> None:
    from db.engine import make_engine
    from scraper.reparse import ReparseError, corrections

    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        report = corrections(engine, folder, dry_run)
    except ReparseError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    verb = "would correct" if dry_run else "corrected"
    fields = ", ".join(f"{name} {count}" for name, count in sorted(report.fields.items())) or "nothing"
    click.echo(f"{report.listings} listing(s) read again from the archive; {verb}: {fields}.")
    if report.prices_differ:
        click.echo(f"{report.prices_differ} listing(s) whose latest price reads differently: reported, not changed.")
    if report.unknown_listings:
        click.echo(f"{report.unknown_listings} archived listing(s) this database does not know: not added.")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@main.command("reparse")
@click.option(
    "--archive",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The page archive's folder (data/archive, or a demo's <out>/archive).",
)
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First night to re-parse (UTC start date).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last night to re-parse (UTC start date).")
@click.option(
    "--corrections",
    is_flag=True,
    help="Into the live database: fill what an old parser missed, as corrections (never price changes or removals).",
)
@click.option("--dry-run", is_flag=True, help="With --corrections: count what would change, write nothing.")
@DATABASE_URL_OPTION
def reparse_command(
    folder: Path, first: Any, last: Any, corrections: bool, dry_run: bool, database_url: str | None
) -> None:
    """Crawl archived nights again, in order and each at its own time, with today's spiders and
    parsers, into an EMPTY database: the history the live crawls built, rebuilt from the pages. With
    --corrections, read the archived pages again into the live database instead: each field today's
    parsers read differently is recorded in the corrections table and appended as a corrected snapshot;
    prices are only reported. Run it with --dry-run first.

    \b
    Examples:
      condo reparse --archive data/demo/archive --database-url sqlite:///data/reparsed.sqlite3
      condo reparse --archive data/archive --corrections --dry-run
    """
    from db.engine import data_dir, make_engine
    from scraper.reparse import ReparseError, archived_runs, reparse

    if dry_run and not corrections:
        raise click.UsageError("--dry-run goes with --corrections (a rebuild writes into an empty database)")
    if corrections:
        _corrections(folder, dry_run, database_url)
        return

    runs = archived_runs(folder, first.date() if first else None, last.date() if last else None)
    if runs:
        click.echo(f"Re-parsing {len(runs)} archived run(s) from {folder}...", err=True)

    def show(run: Any, result: Any) -> None:
        verdict = result.stats.get("db/verdict", f"exit {result.returncode}")
        click.echo(f"  {run.started:%Y-%m-%d %H:%M} UTC {run.spider}: {verdict}", err=True)

    engine = make_engine(_database_url(database_url))
    try:
        done = reparse(
            engine, folder, data_dir() / "logs", first.date() if first else None, last.date() if last else None, show
        )
    except ReparseError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    failed = [run for run in done if run.returncode != 0]
    click.echo(f"{len(done) - len(failed)} of {len(done)} run(s) re-parsed into {engine.url.render_as_string()}")
    if failed:
        sys.exit(1)


@main.command("explain")
@click.argument("listing_id")
@DATABASE_URL_OPTION
def explain_command(listing_id: str, database_url: str | None) -> None:
    """A listing's story: each price and event with its night, the price before and after, and the
    archived page (WARC file and record) that showed it. LISTING_ID is the site's id (SUUMO's nc).

    \b
    Example:
      condo explain 73305798 --database-url sqlite:///data/demo/demo.sqlite3
    """
    from db.engine import make_engine, session_scope
    from db.explain import listing_story
    from reports.formatting import man_yen

    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        with session_scope(engine) as session:
            story = listing_story(session, listing_id)
    finally:
        engine.dispose()
    if story is None:
        click.echo(
            f"Error: no listing {listing_id!r} in this database (give the site's id, SUUMO's nc number).", err=True
        )
        sys.exit(1)
    latest = story.latest
    click.echo(f"Listing {listing_id} ({story.listing.source} {story.listing.property_type}): {story.listing.url}")
    click.echo(
        f"  {latest.get('building_name') or '?'}, {latest.get('ward_name') or ''}{latest.get('district') or ''}, "
        f"{latest.get('layout') or '?'}, {latest.get('area_m2') or '?'} m², floor {latest.get('floor') or '?'}"
    )
    click.echo(f"  seen on {story.nights_seen} night(s), {story.first_night} to {story.last_night} (Japan nights)")
    for step in story.steps:
        if step.what == "price":
            change = ""
            if step.previous_yen and step.price_yen:
                delta = step.price_yen - step.previous_yen
                change = f" (from {man_yen(step.previous_yen)}, {'+' if delta > 0 else '−'}{man_yen(abs(delta))})"
            where = f"  page: {step.archive_file or 'not archived'}"
            if step.archive_record:
                where += f" {step.archive_record}"
            click.echo(f"  {step.night}  price {_step_price(step, man_yen)}{change}{where}")
        else:
            click.echo(f"  {step.night}  {step.what}{f' ({step.note})' if step.note else ''}")
    if story.building is not None:
        for line in _building_lines(story.building, man_yen):
            click.echo(line)


def _step_price(step: Any, man_yen: Any) -> str:
    """A price step as words: one amount, or the range, rough amount or undecided price it was."""
    if step.price_yen:
        return str(man_yen(step.price_yen))
    low, high, status = step.price_min_yen, step.price_max_yen, step.price_status
    if status == "approximate" and low:
        return f"about {man_yen(low)} (printed {step.price_text or '?'}; not an exact price)"
    if status in ("range", "band") and low and high:
        return f"{man_yen(low)} to {man_yen(high)} ({'bands' if status == 'band' else 'range'})"
    if status == "undecided":
        return "not decided yet (価格未定)"
    return "unknown"


def _building_lines(building: Any, man_yen: Any) -> list[str]:
    """The building's story under a listing's: completion, height, its project's phases, its resales."""
    facts = building.facts
    kind = "tower" if facts["is_tower"] else ("low-rise" if facts["is_low_rise"] else "building")
    built = f"{facts['completion_year']}-{facts['completion_month']:02d}" if facts["completion_month"] else "?"
    lines = [
        f"Building {facts['building_id']}: {facts['building_name']}, {kind} of {facts['total_floors'] or '?'} floors, "
        f"{facts['total_units'] or '?'} units, completed {built}"
    ]
    if facts["project_listing_id"] is None:
        lines.append("  no new-condo project of it was crawled")
    for phase in building.phases:
        low, high = phase["price_min_yen"], phase["price_max_yen"]
        offer = f"{man_yen(low)} to {man_yen(high)}" if low and high else "price not decided"
        units = f", {phase['units_on_sale']} units" if phase["units_on_sale"] else ""
        lines.append(f"  {phase['night_jst']}  sold new: {phase['sale_phase'] or 'first seen'}, {offer}{units}")
    resales = building.resales
    lines.append(
        f"  {len(resales)} used listing(s), {facts['units_listed_12m']} flat(s) offered in the last 12 months, "
        f"{facts['early_resales_12m']} within 12 months of completion; on sale now: {facts['listings_on_sale']} "
        f"({facts['unoccupied_on_sale']} never lived in, {facts['rented_on_sale']} with a tenant)"
    )
    for resale in resales[:10]:
        flags = [name for name in ("unoccupied", "rented") if resale[name]]
        price = man_yen(resale["price_yen"]) if resale["price_yen"] else "price unknown"
        state = ", ".join([resale["status"], *flags])
        lines.append(
            f"  {resale['first_seen_night_jst']}  resale {resale['source_listing_id']}: "
            f"floor {resale['floor'] or '?'}, {resale['layout'] or '?'}, {price} ({state})"
        )
    if len(resales) > 10:
        lines.append(f"  … and {len(resales) - 10} more (v_listings WHERE building_id = {facts['building_id']})")
    return lines


@main.group("archive")
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
    from db.engine import make_engine
    from scraper.archive.prune import prune

    folder = folder or archive_dir()
    if not folder.is_dir():
        click.echo(f"Error: no page archive at {folder} (see docs/archive.md).", err=True)
        sys.exit(1)
    engine = make_engine(_database_url(database_url), must_exist=True)
    try:
        gone = gone_listings(engine, keep_days)
    finally:
        engine.dispose()
    result = prune(folder, gone, dry_run)
    verb = "would drop" if dry_run else "dropped"
    click.echo(
        f"{result.files} WARC file(s): {verb} {result.records_dropped} record(s) of {len(result.listings)} listing(s) "
        f"gone over {keep_days} days; {result.bytes_before / 1e6:,.1f} MB -> {result.bytes_after / 1e6:,.1f} MB"
    )


@main.command("schedule")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file with [scheduler] and [jobs.<name>] sections (default: built-in defaults).",
)
@click.option("--list", "list_jobs", is_flag=True, help="Show the jobs and their next run times, then exit.")
@click.option(
    "--run",
    "run_now",
    type=click.Choice(JOBS),
    help="Run one job now in the foreground, then exit.",
)
def schedule_command(config_path: Path | None, list_jobs: bool, run_now: str | None) -> None:
    """Run the scheduler: nightly crawl 02:30 JST, weekly report Monday 06:00 JST, maintenance Sunday 04:00 JST.

    Jobs persist in the database; a job missed while the machine slept runs once on wake (within the
    misfire grace time); a running job is never started twice, even by a second scheduler; failed jobs
    are retried with back-off, and every run is recorded (see `condo status`). Logs go to the console
    and data/logs/scheduler.log. SIGTERM stops after the running job. Same as `python scheduler.py`.

    \b
    Examples:
      condo schedule --list
      condo schedule --run nightly_crawl
      condo schedule --config /etc/condo/scheduler.toml
    """
    from condo.scheduling import (
        ConfigError,
        Locked,
        dispose_engines,
        load_config,
        planned_jobs,
        run_job,
        serve,
        setup_logging,
    )

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    if list_jobs:
        for job in planned_jobs(config):
            when = job.next_run.isoformat() if job.next_run else "disabled"
            click.echo(f"{job.name:15} {job.cron:15} next run {when}")
        return
    log = setup_logging()
    if run_now:
        try:
            outcome = run_job(run_now, str(config_path) if config_path else None)
        finally:
            dispose_engines()
        click.echo(f"{run_now}: {outcome} (log: {log})")
        from db.models import JobOutcome

        sys.exit(0 if outcome == JobOutcome.SUCCESS else 1)
    try:
        serve(config)
    except Locked as error:
        click.echo(f"Not started: {error} (a scheduler is already running)", err=True)
        sys.exit(1)


@main.command("status")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Scheduler TOML file.")
@click.option(
    "--notify",
    is_flag=True,
    help="Also send what needs attention to the alarm URLs ([alarm] urls or CONDO_ALARM_URLS).",
)
@click.option(
    "--database-url",
    help="SQLAlchemy URL of the database to look at (default: the scheduler config's, else DATABASE_URL, "
    "else sqlite:///data/condo.sqlite3).",
)
def status_command(config_path: Path | None, notify: bool, database_url: str | None) -> None:
    """Show the last run of each job and spider with its verdict, the next runs, and warnings to act on.

    Exit status 0 when nothing needs attention, 1 when something does (an untrusted night, held
    removals, a failed job, no trusted crawl for days): usable from cron and monitoring tools.

    \b
    Examples:
      condo status
      condo status --notify     # from cron: a message when something needs attention
      condo status --database-url sqlite:///data/demo/demo.sqlite3
    """
    from condo.alarm.notify import alarm_urls, send
    from condo.scheduling import ConfigError, load_config
    from condo.status import collect_status, status_lines

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--config") from error
    if database_url:
        config["scheduler"]["database_url"] = database_url
    status = collect_status(config)
    click.echo("\n".join(status_lines(status)))
    if notify and status.attention:
        urls = alarm_urls(config["alarm"]["urls"])
        if not urls:
            click.echo("No alarm URL configured ([alarm] urls or CONDO_ALARM_URLS): nothing sent.", err=True)
        elif send(urls, "condo status", status.attention):
            click.echo(f"Alarm sent to {len(urls)} URL(s).", err=True)
        else:
            click.echo("The alarm could not be sent: see the log above.", err=True)
    if status.needs_attention:
        sys.exit(1)
