"""The benchmark harness runs end to end at a small size and reports what it claims.

No timing is asserted here (figures are measured by ``python -m benchmarks``, never in tests); these
tests check that every benchmark measures its work and its floor, computes the ratio from them and
judges the target from the ratio, and that the results file and its summary are written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import harness, nightly_requests, report
from benchmarks.__main__ import _scale, main
from benchmarks.harness import peak_memory, repeat
from tests.conftest import shared_page


def test_repeat_times_each_run_and_takes_the_median(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a clock that each run of the work moves by a known amount, the timings are those amounts (the
    setup untimed) and the median is the middle one."""
    now = [0.0]
    durations = iter([5.0, 1.0, 4.0, 2.0, 3.0])
    calls: list[str] = []

    def work() -> None:
        calls.append("work")
        now[0] += next(durations)

    def setup() -> None:
        calls.append("setup")
        now[0] += 100.0

    monkeypatch.setattr(harness.time, "perf_counter", lambda: now[0])
    timing = repeat(work, 5, setup=setup)
    assert calls == ["setup", "work"] * 5
    assert timing.seconds == [5.0, 1.0, 4.0, 2.0, 3.0]
    assert timing.median == 3.0


def test_interleaved_alternates_the_work_and_its_floor() -> None:
    from benchmarks.harness import interleaved

    calls: list[str] = []
    work, floor = interleaved(
        lambda: calls.append("work"),
        lambda: calls.append("floor"),
        3,
        work_setup=lambda: calls.append("work setup"),
        floor_setup=lambda: calls.append("floor setup"),
    )
    assert calls == ["work setup", "work", "floor setup", "floor"] * 3
    assert len(work.seconds) == len(floor.seconds) == 3


def test_requests_history_reaches_the_steady_refresh_rate() -> None:
    """Twice the refresh age of history (at least four weeks), so the wave of first refreshes of the
    listings that were all new on night 0 has passed before the measured nights."""
    assert nightly_requests.history_weeks(30) == 9
    assert nightly_requests.history_weeks(90) == 26
    assert nightly_requests.history_weeks(7) == 4


def test_peak_memory_sees_a_large_allocation() -> None:
    with peak_memory() as memory:
        block = bytearray(200 * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page so it is resident
        del block
    if memory.peak_mib is None:
        pytest.skip("no /proc/self/clear_refs on this system")
    assert memory.added_mib is not None and memory.added_mib >= 150


def test_scale_reports_growth_from_half_to_full_work() -> None:
    full = {"a": {"rate": 300.0}, "b": 4.0}
    half = {"a": {"rate": 150.0}, "b": 0, "c": 1.0}
    assert _scale(full, half, [("a", "rate"), ("b",), ("c",)]) == {
        "a/rate": {"half": 150.0, "full": 300.0, "growth": 2.0},
        # A figure that rounds to zero at half size is kept, with no growth (not dropped, not divided by 0);
        # one missing from either side is left out.
        "b": {"half": 0, "full": 4.0, "growth": None},
    }


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    pages = shared_page("suumo/chuko-list-chiyoda-2026-09.html").parent.parent
    out = tmp_path_factory.mktemp("bench") / "results.json"
    assert main(["--size", "quick", "--no-scale", "--pages", str(pages), "--out", str(out)]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    results["_summary"] = out.with_suffix(".md").read_text(encoding="utf-8")
    return results


def test_results_describe_the_machine(quick_results: dict) -> None:
    assert quick_results["machine"]["cores"] >= 1
    assert quick_results["machine"]["versions"]["scrapy"]
    assert quick_results["machine"]["code"] is None or quick_results["machine"]["code"][:7].isalnum()
    assert "SIMULATED" in quick_results["simulated_data"]
    assert set(quick_results["benchmarks"]) == {"parse", "store", "requests", "report"}


def test_parse_ratio_is_floor_time_over_parse_time(quick_results: dict) -> None:
    parse = quick_results["benchmarks"]["parse"]
    for page in parse["pages"].values():
        assert page["listings_per_page"] >= 1
        assert page["ratio"] == pytest.approx(
            page["floor_lxml_tree"]["median_s"] / page["parse"]["median_s"], rel=1e-2, abs=1e-3
        )
    assert parse["meets_target"] == (parse["ratio"] >= 0.5)
    assert ("profile" in parse) != parse["meets_target"]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_store_measures_both_nights_on_both_engines(quick_results: dict, engine: str) -> None:
    store = quick_results["benchmarks"]["store"][engine]
    first, steady = store["first_night"], store["steady_state_night"]
    assert first["run"]["new_listings"] > 0 and first["run"]["verdict"] == "complete_healthy"
    assert steady["run"]["new_listings"] < first["run"]["new_listings"]
    for night in (first, steady):
        assert night["ratio"] == pytest.approx(
            night["observations_per_s"] / night["floor_observations_per_s"], rel=1e-2, abs=1e-3
        )
        assert night["meets_target"] == (night["ratio"] >= 1 / 3)
        assert night["peak_rss_mib"] is None or night["peak_rss_mib"] > 0


def test_requests_are_counted_from_real_crawls(quick_results: dict) -> None:
    requests = quick_results["benchmarks"]["requests"]
    night = requests["steady_state_nights"][0]
    assert night["verdict"] == "complete_healthy"
    assert night["list_pages"] == night["list_floor_requests"]
    assert night["requests"] == night["list_pages"] + night["detail_pages"] + night["other_requests"]
    assert night["detail_reasons"].get("skip", 0) > night["detail_pages"]  # a steady night skips most details
    every = requests["fetch_all_night"]
    assert every["detail_pages"] == every["tracked_listings"]
    assert every["requests_per_listing"] > requests["requests_per_listing"]
    assert requests["meets_target"] == (requests["ratio_to_list_floor"] <= 1.5)
    # The bound counts the list pages and the new listings' details, which the crawl fetched too.
    new = night["detail_reasons"].get("new", 0)
    assert night["new_details_bound_requests"] == night["list_floor_requests"] + new
    assert night["requests"] >= night["new_details_bound_requests"]
    assert f"{new} detail pages of new listings" in requests["where_requests_go"]


def test_report_is_built_and_compared_with_reading_the_tables(quick_results: dict) -> None:
    report = quick_results["benchmarks"]["report"]
    assert report["listing_nights"] > report["rows"]["sighting_spans"] > report["rows"]["listings"] > 0
    assert report["bytes_per_listing_night"] == pytest.approx(
        report["database_mib"] * 2**20 / report["listing_nights"], rel=1e-2
    )
    assert report["ratio"] == pytest.approx(
        report["report"]["median_s"] / report["floor_pandas_read"]["median_s"], rel=1e-2, abs=1e-3
    )
    assert report["meets_target"] == (report["ratio"] <= 2)


def test_summary_table_names_every_benchmark(quick_results: dict) -> None:
    summary = quick_results["_summary"]
    for words in (
        "Parse (real pages)",
        "Store, sqlite",
        "Store, postgresql",
        "Requests per steady-state night",
        "Weekly report",
    ):
        assert words in summary
    assert summary.count("SIMULATED") >= 2


def test_unknown_benchmark_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "parse,speed"])
    assert exit_info.value.code == 2
    assert "unknown benchmark(s): speed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--requests-weeks", "0"], "--requests-weeks must be at least 1"),
        (["--detail-max-age-days", "-3"], "--detail-max-age-days must be more than 0"),
    ],
)
def test_bad_requests_options_are_clear_errors(
    option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--only", "requests", *option])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_another_detail_refresh_age_reaches_the_crawl(tmp_path: Path) -> None:
    """A one-day refresh age makes every known listing stale on the crawled night: the setting is used
    by the loader and by the crawl (a separate process), not only written into the results."""
    result = nightly_requests.measure(tmp_path, live=300, weeks=1, nights=1, fetch_all=False, detail_max_age_days=1)
    night = result["steady_state_nights"][0]
    assert result["detail_max_age_days"] == 1
    assert night["detail_reasons"].get("skip", 0) == 0
    assert night["detail_reasons"]["stale"] == night["tracked_listings"] - night["detail_reasons"].get("new", 0)


def test_with_the_scale_pass_the_fetch_everything_night_is_crawled_at_half_size(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    assert main(["--size", "quick", "--only", "requests", "--out", str(out)]) == 0
    requests = json.loads(out.read_text(encoding="utf-8"))["benchmarks"]["requests"]
    every = requests["fetch_all_night"]
    assert every["measured_on"] == "the half-size market (about 150 live)"
    assert every["detail_pages"] == every["tracked_listings"]
    assert requests["ratio_fetch_all_to_policy"] == round(
        every["requests_per_listing"] / requests["requests_per_listing"], 2
    )
    assert set(requests["scale"]) == {"requests_per_listing", "ratio_to_list_floor", "load_seconds"}
    assert "on the half-size market (about 150 live)" in out.with_suffix(".md").read_text(encoding="utf-8")


def test_two_steady_nights_are_summarised_by_their_median_and_both_breakdowns() -> None:
    def night(requests: int, new: int, stale: int) -> dict:
        return {
            "requests": requests,
            "list_pages": 100,
            "list_floor_requests": 100,
            "other_requests": 1,
            "detail_reasons": {"new": new, "stale": stale, "skip": 9000},
            "requests_per_listing": requests / 10_000,
            "ratio_to_list_floor": requests / 100,
            "new_details_bound_ratio": (100 + new) / 100,
        }

    summary = nightly_requests.summarise_nights([night(450, 250, 99), night(400, 220, 79)])
    assert summary["requests_per_listing"] == 0.0425
    assert summary["ratio_to_list_floor"] == 4.25
    assert summary["new_details_bound_ratio"] == 3.35
    assert summary["meets_target"] is False
    assert summary["where_requests_go"].startswith("Night 1: 450 requests = 100 list pages")
    assert (
        "Night 2: 400 requests = 100 list pages (the floor: 100) + 220 detail pages of new listings"
        in (summary["where_requests_go"])
    )


def test_report_histories_set_up_in_parallel_are_the_ones_set_up_alone(tmp_path: Path) -> None:
    """The scale pass sets up its databases two at a time, largest first: each comes back in the order
    asked for and holds the rows a set-up of its own writes."""
    sizes = [(120, 14), (240, 14), (120, 7)]
    (tmp_path / "parallel").mkdir()
    (tmp_path / "alone").mkdir()
    histories = report.prepare_all(tmp_path / "parallel", sizes, workers=2)
    assert [(history.live, history.days) for history in histories] == sizes
    for history, (live, days) in zip(histories, sizes, strict=True):
        alone = report.prepare(tmp_path / "alone", live, days)
        assert history.path.parent == tmp_path / "parallel" and history.path.exists()
        assert history.rows == alone.rows and history.live_listings == alone.live_listings
        assert history.in_parallel and not alone.in_parallel
        assert history.rows["sighting_spans"] > 0 and history.listing_nights > history.rows["sighting_spans"]


def test_index_accuracy_summary_is_what_the_rows_say() -> None:
    from benchmarks.index_accuracy import summarise

    rows = [
        {"week": 0, "index": 100.0, "low": 100.0, "high": 100.0, "truth": 100.0, "raw_median": 100.0},
        {"week": 1, "index": 101.0, "low": 99.0, "high": 103.0, "truth": 100.5, "raw_median": 98.0},
        {"week": 2, "index": 99.0, "low": 98.0, "high": 100.0, "truth": 101.0, "raw_median": 104.0},
    ]
    figures = summarise(rows)
    assert figures["weeks"] == 2  # the base week is left out
    assert figures["mean_gap"] == pytest.approx((0.5 - 2.0) / 2)
    assert figures["max_abs_gap"] == pytest.approx(2.0)
    assert figures["coverage"] == 0.5  # 101 is outside 98-100
    assert figures["raw_median"] == {"mean_gap": pytest.approx((-2.5 + 3.0) / 2), "max_abs_gap": pytest.approx(3.0)}


@pytest.mark.slow
def test_index_accuracy_benchmark_on_two_seeds(tmp_path: Path) -> None:
    out = tmp_path / "index.json"
    assert main(["--only", "index", "--seeds", "101-102", "--out", str(out)]) == 0
    result = json.loads(out.read_text())["benchmarks"]["index"]
    assert result["seeds"] == [101, 102]
    assert set(result["areas"]) == {"Koto", "Bunkyo", "Minato", "3A"}
    overall = result["overall"]
    # 91 nights from a Monday: 13 weeks, the first four a burn-in, so 9 weeks of new flats make 6 four-week
    # windows; the base window is left out: 5 values, 4 areas, 2 seeds.
    assert overall["weeks"] == 2 * 4 * 5
    assert 0 <= overall["coverage"] <= 1
    # The quality-adjusted index is much closer to the injected trend than the raw median (whose mix
    # drifts) in its worst week, and its interval holds the truth in most weeks.
    assert overall["max_abs_gap"] < overall["raw_median"]["max_abs_gap"]
    assert overall["coverage"] >= 0.75
    assert "Index accuracy on 2 SIMULATED markets" in out.with_suffix(".md").read_text()


def test_index_accuracy_seeds_are_checked() -> None:
    with pytest.raises(SystemExit):
        main(["--only", "index", "--seeds", "5-2"])


@pytest.mark.slow
def test_the_archive_benchmark_measures_size_overhead_and_reparse() -> None:
    from benchmarks.archive_size import measure, summary_lines

    result = measure(nights=2)
    assert result["first_night_bytes"] > result["steady_night_bytes_mean"] > 0
    assert result["bytes_per_live_listing_night"] > 0 and result["year_bytes_at_10000_live"] > 0
    assert result["reparse_nights_per_minute"] > 0 and result["crawl_nights_per_minute"] > 0
    assert "a year at 10,000 live listings" in "\n".join(summary_lines(result))
