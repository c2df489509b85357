"""Run every benchmark and write the results: ``python -m benchmarks`` (see benchmarks/README.md).

Each benchmark measures its own floor in the same run and reports the ratio against the issue's
target; a missed target comes with a profile of where the time goes. The scale pass repeats each
measurement at half the work, so each figure is shown next to the figure for twice the work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks import archive_index, archive_size, index_accuracy, nightly_requests, parse, report, store
from benchmarks.harness import machine, progress
from simulator.market import BIASES, DEMO_NIGHTS

ROOT = Path(__file__).resolve().parent
DEFAULT_PAGES = ROOT.parent.parent / "shared" / "fixtures" / "pages"
ALL = ("parse", "store", "requests", "report")
"""The speed benchmarks, run by default."""
ACCURACY = ("index", "archive", "archive-index")
"""Run when named: the index's accuracy (``--only index --seeds 1-20``), the page archive's cost
(``--only archive [--nights N]``) and its revisits over a year (``--only archive-index``)."""

SIZES: dict[str, dict[str, Any]] = {
    # The sizes, and half of them for the scale pass ("×2" compares half with full).
    "full": {
        "parse_repeats": 30,
        "store_live": 10_000,
        "store_repeats": 3,
        "requests_live": 10_500,
        "requests_weeks": None,  # twice the detail refresh age, at least 4 (nightly_requests.history_weeks)
        "requests_nights": 2,
        "report_live": 30_000,
        "report_days": 1_095,
    },
    # A few seconds each: for the tests of the harness and a quick look, never for published figures.
    "quick": {
        "parse_repeats": 3,
        "store_live": 300,
        "store_repeats": 1,
        "requests_live": 300,
        "requests_weeks": 1,
        "requests_nights": 1,
        "report_live": 600,
        "report_days": 35,
    },
}


def _scale(full: dict[str, Any], half: dict[str, Any], keys: list[tuple[str, ...]]) -> dict[str, Any]:
    """How each figure grows from half the work to the full work (2.0 = linear, below = better)."""
    out: dict[str, Any] = {}
    for path in keys:
        a: Any = half
        b: Any = full
        for key in path:
            a, b = a.get(key) if isinstance(a, dict) else None, b.get(key) if isinstance(b, dict) else None
        if isinstance(a, int | float) and isinstance(b, int | float):
            # A figure that rounds to zero at half size (a sub-second load on the quick size) has no growth.
            out["/".join(path)] = {"half": a, "full": b, "growth": round(b / a, 2) if a else None}
    return out


def run(
    only: tuple[str, ...],
    size: str,
    pages_dir: Path,
    work_dir: Path,
    with_postgres: bool,
    scale: bool,
    requests_weeks: int | None = None,
    detail_max_age_days: float | None = None,
    seeds: list[int] | None = None,
    index_nights: int = DEMO_NIGHTS,
    index_scale: float = 1.0,
    archive_nights: int = 14,
    index_without: tuple[str, ...] = (),
    building_effects: bool = True,
) -> dict[str, Any]:
    sizes = SIZES[size] | ({"requests_weeks": requests_weeks} if requests_weeks else {})
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "size": size,
        "machine": machine(),
        "simulated_data": "store, requests and report run on the SIMULATED market (simulator/), parse on real pages",
        "benchmarks": {},
    }
    started = time.perf_counter()
    bench = results["benchmarks"]
    if "parse" in only:
        progress("parse: real saved pages")
        bench["parse"] = parse.run(pages_dir, repeats=sizes["parse_repeats"])
        if scale:
            bench["parse"]["scale"] = _scale(
                parse.run(pages_dir, repeats=sizes["parse_repeats"], size=2),
                bench["parse"],
                [("listings_per_s",), ("ratio",)],
            )
    if "store" in only:
        live = sizes["store_live"]
        engines: dict[str, Any] = {}
        progress(f"store: SQLite, {live} live listings")
        with store.sqlite_urls(work_dir) as databases:
            engines["sqlite"] = store.measure(databases, live, sizes["store_repeats"])
            if scale:
                half = store.measure(databases, live // 2, sizes["store_repeats"], profile_if_missed=False)
                engines["sqlite"]["scale"] = _scale(engines["sqlite"], half, _store_keys())
        if with_postgres:
            progress(f"store: PostgreSQL 15, {live} live listings")
            with store.postgres_urls() as databases:
                engines["postgresql"] = store.measure(databases, live, sizes["store_repeats"])
                if scale:
                    half = store.measure(databases, live // 2, sizes["store_repeats"], profile_if_missed=False)
                    engines["postgresql"]["scale"] = _scale(engines["postgresql"], half, _store_keys())
        bench["store"] = engines | {"target_ratio": store.TARGET}
    if "requests" in only:
        live, weeks, nights = sizes["requests_live"], sizes["requests_weeks"], sizes["requests_nights"]
        # The fetch-everything night costs a request per listing whatever the size; with the scale pass
        # it is crawled on the half-size market (a full-size one takes minutes of the 15 the run may use).
        bench["requests"] = nightly_requests.measure(work_dir, live, weeks, nights, not scale, detail_max_age_days)
        if scale:
            half = nightly_requests.measure(work_dir, live // 2, weeks, 1, True, detail_max_age_days)
            if "fetch_all_night" in half:
                everything = half["fetch_all_night"] | {
                    "measured_on": f"the half-size market (about {live // 2:,} live)"
                }
                bench["requests"]["fetch_all_night"] = everything
                if bench["requests"].get("requests_per_listing"):
                    bench["requests"]["ratio_fetch_all_to_policy"] = round(
                        everything["requests_per_listing"] / bench["requests"]["requests_per_listing"], 2
                    )
            bench["requests"]["scale"] = _scale(
                bench["requests"],
                half,
                [("requests_per_listing",), ("ratio_to_list_floor",), ("load_seconds",)],
            )
    if "report" in only:
        live, days = sizes["report_live"], sizes["report_days"]
        # The databases are set up first, two at a time (set-up is most of this benchmark's time).
        histories = report.prepare_all(
            work_dir, [(live, days), (live // 2, days), (live, days // 2)][: 3 if scale else 1]
        )
        # A profile costs one more build: at full size it is taken on the half-history run.
        bench["report"] = report.measure(histories[0], profile_if_missed=not scale)
        if scale:
            # The scale pass times the report alone (its floor was read at full size).
            listings_half = report.measure(histories[1], profile_if_missed=False, with_floor=False)
            history_half = report.measure(
                histories[2],
                with_floor=False,
                always_profile=not bench["report"]["meets_target"],
            )
            if "profile" in history_half:
                bench["report"]["profile"] = f"(taken on the {days // 2}-night run)\n" + history_half["profile"]
            keys = [("report", "median_s"), ("peak_rss_mib",)]
            bench["report"]["scale"] = {
                "listings_x2": _scale(bench["report"], listings_half, keys),
                "history_x2": _scale(bench["report"], history_half, keys),
            }
    if "index" in only:
        chosen = seeds or list(range(1, 21))
        progress(
            f"index: accuracy on {len(chosen)} SIMULATED markets (seeds {chosen[0]}-{chosen[-1]}, "
            f"{index_nights} nights each)"
        )
        bench["index"] = index_accuracy.measure(
            chosen, days=index_nights, scale=index_scale, without=index_without, building_effects=building_effects
        )
    if "archive" in only:
        bench["archive"] = archive_size.measure(archive_nights)
    if "archive-index" in only:
        bench["archive_index"] = archive_index.measure(**({} if size == "full" else {"nights": 20, "listings": 20}))
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    return results


def _store_keys() -> list[tuple[str, ...]]:
    return [
        (night, figure)
        for night in ("first_night", "steady_state_night")
        for figure in ("observations_per_s", "ratio", "peak_rss_mib")
    ]


def summary(results: dict[str, Any]) -> str:
    """The results as a Markdown table (what README's Performance section shows)."""
    bench = results["benchmarks"]
    lines = [
        f"Measured {results['date']} on {results['machine']['cpu']} ({results['machine']['cores']} cores, "
        f"{results['machine']['memory_gib']} GiB), Python {results['machine']['python']}, "
        f"code {results['machine'].get('code') or 'unknown'}, size `{results['size']}`, "
        f"{results.get('total_seconds')} s in all.",
    ]
    if any(name in bench for name in ALL):
        lines += ["", "| Benchmark | Figure | Floor | Ratio | Target | Met |", "|---|---|---|---|---|---|"]

    def met(flag: Any, where: str = "profile") -> str:
        return "yes" if flag else f"**no** ({where} in the results)"

    if "parse" in bench:
        p = bench["parse"]
        lines.append(
            f"| Parse (real pages) | {p['listings_per_s']:,.0f} listings/s | {p['floor_listings_per_s']:,.0f}/s "
            f"(lxml tree) | {p['ratio']} | ≥ 0.5 | {met(p['meets_target'])} |"
        )
    if "store" in bench:
        for engine in ("sqlite", "postgresql"):
            if engine not in bench["store"]:
                continue
            for night in ("first_night", "steady_state_night"):
                s = bench["store"][engine][night]
                lines.append(
                    f"| Store, {engine}, {night.replace('_', ' ')} ({s['observations']:,} obs.; "
                    f"peak {s['peak_rss_mib']} MiB) | {s['observations_per_s']:,.0f} obs./s | "
                    f"{s['floor_observations_per_s']:,.0f}/s (executemany) | {s['ratio']} | ≥ 0.333 | "
                    f"{met(s['meets_target'])} |"
                )
    if "requests" in bench:
        r = bench["requests"]
        every = r.get("fetch_all_night", {})
        lines.append(
            f"| Requests per steady-state night ({r['live_listings']:,} live, SIMULATED) | "
            f"{r.get('requests_per_listing')} per listing | {r['steady_state_nights'][0]['floor_per_listing']} "
            f"(list pages only) | {r.get('ratio_to_list_floor')} | ≤ 1.5 | {met(r.get('meets_target'), 'breakdown')} |"
        )
        if r.get("new_details_bound_ratio") is not None:
            lines.append(
                f"| Least possible with a detail page per new listing (list pages + new listings) | — | — | "
                f"{r['new_details_bound_ratio']} | — | — |"
            )
        if every:
            where = f", on {every['measured_on']}" if every.get("measured_on") else ""
            lines.append(
                f"| Fetching every detail page instead{where} | {every['requests_per_listing']} per listing | — | "
                f"{every['ratio_to_list_floor']} | — | — |"
            )
    if "report" in bench:
        r = bench["report"]
        lines.append(
            f"| Weekly report ({r['live_listings']:,} live, {r['nights']} nights, "
            f"{r['price_observations']:,} price rows, SIMULATED; peak {r['peak_rss_mib']} MiB) | "
            f"{r['report']['median_s']} s | {r['floor_pandas_read']['median_s']} s (pandas read of the rows "
            f"it needs; peak {r['floor_peak_rss_mib']} MiB) | {r['ratio']} | ≤ {report.TARGET:g} | "
            f"{met(r['meets_target'])} |"
        )
        growth = r.get("scale", {}).get("history_x2", {}).get("report/median_s", {}).get("growth")
        if growth is not None:
            lines.append(
                f"| Weekly report when the history doubles | × {growth} | — | — | ≤ {report.HISTORY_GROWTH_TARGET} | "
                f"{met(growth <= report.HISTORY_GROWTH_TARGET)} |"
            )
        lines.append(
            f"| Database bytes per live listing and night ({r['nights']} nights, SIMULATED) | "
            f"{r['bytes_per_listing_night']} | — | — | ≤ {report.BYTES_TARGET} | "
            f"{met(r['bytes_per_listing_night'] <= report.BYTES_TARGET)} |"
        )
    if "requests" in bench and bench["requests"].get("where_requests_go"):
        lines += ["", f"Requests: {bench['requests']['where_requests_go']}"]
    if "index" in bench:
        lines += ["", *index_accuracy.summary_lines(bench["index"])]
    if "archive" in bench:
        lines += ["", *archive_size.summary_lines(bench["archive"])]
    if "archive_index" in bench:
        lines += ["", *archive_index.summary_lines(bench["archive_index"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Run the benchmarks (parse, store, requests, report) with their floors and write the results.",
    )
    parser.add_argument(
        "--only",
        default=",".join(ALL),
        help=f"comma-separated subset of {', '.join(ALL + ACCURACY)} (default: {', '.join(ALL)})",
    )
    parser.add_argument(
        "--seeds", default="1-20", help="index only: the seeds of the simulated markets, A-B (default 1-20)"
    )
    parser.add_argument(
        "--nights",
        type=int,
        default=DEMO_NIGHTS,
        help=f"index: nights of each simulated market (default {DEMO_NIGHTS}, the demo's); archive: nights "
        "crawled (default 14)",
    )
    parser.add_argument(
        "--arrivals-scale",
        type=float,
        default=1.0,
        help="index only: new listings a day as a multiple of the demo's (default 1; SUUMO's real wards are larger)",
    )
    parser.add_argument(
        "--biases-off",
        default="",
        help="index only: comma-separated biases of simulator.market.BIASES to switch off (default: none)",
    )
    parser.add_argument(
        "--no-building-effects",
        action="store_true",
        help="index only: fit the index without its building effects (to measure what they do)",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full", help="full (the issue's sizes) or quick")
    parser.add_argument("--no-scale", action="store_true", help="skip the half-size pass that shows the growth")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL store benchmark")
    parser.add_argument(
        "--requests-weeks",
        type=int,
        help="weeks of history before the crawled nights (default: twice the detail refresh age and at "
        "least 4; quick: 1)",
    )
    parser.add_argument(
        "--detail-max-age-days",
        type=float,
        help="requests benchmark only: try another detail refresh age than SUUMO_DETAIL_MAX_AGE_DAYS",
    )
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="the real saved pages (../shared/...)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "latest.json", help="results file (a .md summary beside it)"
    )
    args = parser.parse_args(argv)
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = [name for name in only if name not in ALL + ACCURACY]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (choose from {', '.join(ALL + ACCURACY)})")
    try:
        seeds = index_accuracy.parse_seeds(args.seeds)
    except ValueError as error:
        parser.error(f"--seeds: {error}")
    biases_off = tuple(name.strip() for name in args.biases_off.split(",") if name.strip())
    wrong = [name for name in biases_off if name not in BIASES]
    if wrong:
        parser.error(f"--biases-off: unknown bias(es) {', '.join(wrong)} (choose from {', '.join(BIASES)})")
    if "index" in only and args.nights < 7 * 10:
        parser.error("--nights must be at least 70 (a four-week burn-in, then two four-week windows)")
    if "archive" in only and args.nights < 2:
        parser.error("--nights must be at least 2 for the archive (a first night, then steady ones)")
    if not 0.25 <= args.arrivals_scale <= 10:
        parser.error("--arrivals-scale must be between 0.25 and 10")
    if args.requests_weeks is not None and args.requests_weeks < 1:
        parser.error("--requests-weeks must be at least 1")
    if args.detail_max_age_days is not None and args.detail_max_age_days <= 0:
        parser.error("--detail-max-age-days must be more than 0")
    if "parse" in only and not args.pages.is_dir():
        parser.error(f"{args.pages}: the real saved pages are not there (pass --pages)")
    with ExitStack() as stack:
        if "CONDO_DATA_DIR" not in os.environ:  # the crawls' data folder: a temporary one, removed after
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="condo-bench-data-"))
            stack.callback(os.environ.pop, "CONDO_DATA_DIR", None)
            os.environ["CONDO_DATA_DIR"] = data_dir
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="condo-bench-"))
        results = run(
            only,
            args.size,
            args.pages,
            Path(work),
            not args.no_postgres,
            not args.no_scale,
            args.requests_weeks,
            args.detail_max_age_days,
            seeds,
            args.nights,
            args.arrivals_scale,
            args.nights if "archive" in only and "--nights" in " ".join(argv or sys.argv) else 14,
            biases_off,
            not args.no_building_effects,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    table = summary(results)
    args.out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    print(f"Results written to {args.out} and {args.out.with_suffix('.md')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
