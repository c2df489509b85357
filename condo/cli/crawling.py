"""``condo crawl`` and ``condo demo``: the crawl of the site, and of a simulated one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from condo.cli.base import DATABASE_URL_OPTION, SpiderChoice, database
from db.verdicts import Verdict
from scraper.runner import spider_names
from simulator.market import DEMO_NIGHTS, DEMO_SEED
from simulator.site import FAULTS as DEMO_FAULTS

if TYPE_CHECKING:
    from simulator.replay import Night


@click.command("crawl")
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

    from db.locks import DatabaseLocked
    from scraper.settings_check import check_settings

    try:
        check_settings(settings)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="-s") from error
    try:
        with database(database_url) as engine:
            result = crawl(engine, spiders or tuple(spider_names()), wards, settings, time_limit, on_progress=show)
    except DatabaseLocked as error:
        click.echo(f"Not crawling: {error}. One crawl (or maintenance) per database at a time.", err=True)
        sys.exit(3)
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


@click.command("demo")
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
    from condo.demo import LABEL, DemoFolderError, example_queries, prepare_out_dir, run_demo, write_demo_report
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
    from reports.weekly import ReportError

    try:
        report, report_files = write_demo_report(result)
    except ReportError as error:
        report_line = f"\n  weekly report not built: {error}"
    else:
        click.echo(f"\nWeekly report, findings [{LABEL}]")
        for finding in report.findings:
            click.echo(f"  - {finding}")
        report_line = (
            f"\n  weekly report {report_files['html']}   (and report.md, summary.csv, metrics.csv/.parquet, "
            "index.csv/.parquet)"
        )
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
