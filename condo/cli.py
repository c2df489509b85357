"""``condo``: command-line entry point. Each command is a thin wrapper over a library function."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scraper.offline import UnknownPageError, parse_file


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--summary/--no-summary",
    default=True,
    show_default=True,
    help="Print a per-page summary (page kind, hit count, items, unread fields) on stderr.",
)
def parse_command(pages: tuple[Path, ...], url: str | None, summary: bool) -> None:
    """Parse saved SUUMO pages offline and print their items as JSON lines.

    The spider that owns the URL parses the page: a list page gives one line per listing card, a
    detail page gives one line. Pages that are not listings (listing ended, error, block) give no
    line; the summary says what they are. Nothing is fetched from the network.

    \b
    Examples:
      condo parse saved/nc_73305798.html --url https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/
      condo parse ../shared/fixtures/pages/suumo/*.html
    """
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
