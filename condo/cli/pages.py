"""``condo parse``, ``condo reparse`` and ``condo explain``: pages read offline, the archive read again, a
listing's story."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from condo.cli.base import DATABASE_URL_OPTION, database
from scraper.offline import UnknownPageError, parse_file


@click.command("parse")
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


def _corrections(folder: Path, dry_run: bool, database_url: str | None) -> None:
    from scraper.reparse import ReparseError, corrections

    try:
        with database(database_url, must_exist=True) as engine:
            report = corrections(engine, folder, dry_run)
    except ReparseError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    verb = "would correct" if dry_run else "corrected"
    fields = ", ".join(f"{name} {count}" for name, count in sorted(report.fields.items())) or "nothing"
    click.echo(f"{report.listings} listing(s) read again from the archive; {verb}: {fields}.")
    if report.prices_differ:
        click.echo(f"{report.prices_differ} listing(s) whose latest price reads differently: reported, not changed.")
    if report.unknown_listings:
        click.echo(f"{report.unknown_listings} archived listing(s) this database does not know: not added.")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@click.command("reparse")
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
    from db.engine import data_dir
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

    try:
        with database(database_url) as engine:
            done = reparse(
                engine,
                folder,
                data_dir() / "logs",
                first.date() if first else None,
                last.date() if last else None,
                show,
            )
    except ReparseError as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    failed = [run for run in done if run.returncode != 0]
    click.echo(f"{len(done) - len(failed)} of {len(done)} run(s) re-parsed into {engine.url.render_as_string()}")
    if failed:
        sys.exit(1)


@click.command("explain")
@click.argument("listing_id")
@DATABASE_URL_OPTION
def explain_command(listing_id: str, database_url: str | None) -> None:
    """A listing's story: each price and event with its night, the price before and after, and the
    archived page (WARC file and record) that showed it. LISTING_ID is the site's id (SUUMO's nc).

    \b
    Example:
      condo explain 73305798 --database-url sqlite:///data/demo/demo.sqlite3
    """
    from db.engine import session_scope
    from db.explain import listing_story
    from reports.formatting import man_yen

    with database(database_url, must_exist=True) as engine, session_scope(engine) as session:
        story = listing_story(session, listing_id)
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
