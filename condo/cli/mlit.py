"""``condo mlit``: MLIT's closed prices, fetched from the XIT001 API or imported from saved responses."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from condo.cli.base import DATABASE_URL_OPTION, database


@click.group("mlit")
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

    from db.engine import data_dir
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

    try:
        with database(database_url) as engine:
            upgrade(engine)
            click.echo(f"Asking XIT001 for {len(cities)} municipalit(ies) x {len(planned)} quarter(s)...", err=True)
            result = fetch(engine, client, cities, first, last, raw_dir or data_dir() / "mlit" / "raw", on_quarter=show)
    except FetchError as error:
        click.echo(f"Error: {error}. What was fetched before is kept.", err=True)
        sys.exit(1)
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
    from db.engine import session_scope
    from db.migrate import upgrade
    from scraper.closed_prices.importer import ResponseRefused, check_files, import_files

    try:
        checked = check_files(list(files))  # before any database is opened: a bad file changes nothing
    except ResponseRefused as error:
        click.echo(f"Error: {error}.", err=True)
        sys.exit(1)
    with database(database_url) as engine:
        upgrade(engine)
        with session_scope(engine) as session:
            result = import_files(session, checked)
    quarters = ", ".join(sorted(result.quarters)) or "none"
    click.echo(
        f"{result.added} used-condo record(s) added, {result.already} already stored, "
        f"{result.other_types} of other kinds skipped (quarters: {quarters}). Source: MLIT."
    )
