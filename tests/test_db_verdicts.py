"""The crawl verdict's rules on both engines, one at a time: baselines make a well-formed fall
suspect, removals count nights, only exact nights are evidence of absence, too many removals are held,
"listing ended" is taken only from a trusted night and never for a listing the list showed, the list
price wins over a lagging detail page, and a night that stored less than it read is not healthy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.baselines import Baseline, WardBaseline
from db.engine import session_scope
from db.removal import release_held
from scraper.health import Thresholds, judge_run
from tests.test_db_history import KOTO, events, healthy_stats, item, night, status


def ids(n: int, start: int = 0) -> list[str]:
    return [str(20000000 + i) for i in range(start, start + n)]


def listings(names: list[str]) -> list[dict[str, Any]]:
    return [item(name, 5000 + i) for i, name in enumerate(names)]


def verdict_of(engine: Engine, run_id: int) -> tuple[str, str | None]:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT verdict, verdict_reasons FROM crawl_runs WHERE id = :id"), {"id": run_id})
        verdict, reasons = row.one()
    return verdict, reasons


def test_a_zero_hit_night_after_healthy_nights_is_suspect_and_removes_nothing(engine: Engine) -> None:
    everyone = ids(30)
    for day in range(3):
        night(engine, day, listings(everyone))
    for day in (3, 4):  # the site answers a well-formed 0件 page, twice
        run_id = night(engine, day, [], stats=healthy_stats(0))
        verdict, reasons = verdict_of(engine, run_id)
        assert verdict == "suspect"
        assert reasons is not None and "koto: the site counted 0 listings, against 30 on recent nights" in reasons
    assert {status(engine, name) for name in everyone} == {"active"}


def test_half_the_ward_with_a_hit_count_that_agrees_is_suspect(engine: Engine) -> None:
    everyone = ids(40)
    for day in range(3):
        night(engine, day, listings(everyone))
    for day in (3, 4):
        run_id = night(engine, day, listings(everyone[:20]))
        assert verdict_of(engine, run_id)[0] == "suspect"
    assert {status(engine, name) for name in everyone} == {"active"}


def test_a_field_that_stops_being_filled_makes_the_night_suspect(engine: Engine) -> None:
    everyone = ids(12)
    filled = {"fields/detail/items": 12, "fields/detail/floor/filled": 12, "fields/detail/direction/filled": 12}
    for day in range(2):
        night(engine, day, listings(everyone), stats=healthy_stats(12, **filled))
    renamed = {**filled, "fields/detail/floor/filled": 0}
    run_id = night(engine, 2, listings(everyone), stats=healthy_stats(12, **renamed))
    verdict, reasons = verdict_of(engine, run_id)
    assert verdict == "suspect"
    assert (
        reasons is not None and "detail pages: floor filled on 0 of 12 items, against 100% on recent nights" in reasons
    )
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT items, filled FROM crawl_run_fields WHERE run_id = :id AND field = 'floor'"), {"id": run_id}
        ).one()
    assert tuple(kept) == (12, 0)  # the night's own fill rate is kept, 0 included


def test_removals_count_nights_not_runs(engine: Engine) -> None:
    everyone = ids(30)
    night(engine, 0, listings(everyone))
    night(engine, 1, listings(everyone[1:]))
    night(engine, 1, listings(everyone[1:]), hours=1.5)  # a re-run the same night
    assert status(engine, everyone[0]) == "active"
    night(engine, 2, listings(everyone[1:]))
    assert status(engine, everyone[0]) == "removed"


def test_a_night_that_missed_listings_inside_the_tolerance_is_no_evidence(engine: Engine) -> None:
    everyone = ids(100)
    night(engine, 0, listings(everyone))
    # 99 of 100 seen: complete (98 % tolerance), but which one was missed is unknown.
    night(engine, 1, listings(everyone[1:]), stats=healthy_stats(99, hits=100))
    night(engine, 2, listings(everyone[1:]), stats=healthy_stats(99, hits=100))
    assert status(engine, everyone[0]) == "active"
    night(engine, 3, listings(everyone[1:]))
    night(engine, 4, listings(everyone[1:]))
    assert status(engine, everyone[0]) == "removed"


def test_too_many_removals_in_one_night_are_held_then_released(engine: Engine) -> None:
    everyone = ids(100)
    night(engine, 0, listings(everyone))
    # 18 % of the ward gone at once: not enough of a fall to make the night suspect (20 %), more
    # removals than one night should bring (15 %).
    night(engine, 1, listings(everyone[18:]))
    run_id = night(engine, 2, listings(everyone[18:]))
    assert verdict_of(engine, run_id)[0] == "complete_healthy"
    assert {status(engine, name) for name in everyone[:18]} == {"active"}
    with engine.connect() as connection:
        held = connection.execute(
            text("SELECT removals_held, reasons FROM crawl_run_wards WHERE run_id = :id"), {"id": run_id}
        ).one()
    assert held[0] == 18 and "18 of 100 active listings would be removed in one night: held for review" in held[1]
    with session_scope(engine) as session:
        assert release_held(session, run_id) == 18
    assert {status(engine, name) for name in everyone[:18]} == {"removed"}
    with session_scope(engine) as session, pytest.raises(ValueError, match="holds no removals"):
        release_held(session, run_id)


def test_listing_ended_is_refused_while_listed_and_on_untrusted_nights(engine: Engine) -> None:
    everyone = ids(30)
    night(engine, 0, listings(everyone))
    # The detail page says "ended" but the list shows the listing that night: the list wins.
    run_id = night(engine, 1, listings(everyone), ended=[everyone[0]])
    assert status(engine, everyone[0]) == "active"
    assert '1 "listing ended" page(s) for listings the list still showed' in (verdict_of(engine, run_id)[1] or "")
    # An untrusted night (blocked) cannot end a listing either.
    night(engine, 2, listings(everyone[1:]), stats=healthy_stats(29, **{"suumo/blocked": 1}), ended=[everyone[0]])
    assert status(engine, everyone[0]) == "active"
    night(engine, 3, listings(everyone[1:]), ended=[everyone[0]])
    assert events(engine, everyone[0]) == ["first_seen", "ended"]


def test_the_list_price_wins_over_a_lagging_detail_page(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000)])
    # Night 1: the card says 7800, the detail page still says 8000 (a day behind).
    night(engine, 1, [item("10000001", 7800), item("10000001", 8000, page_kind="detail", floor=4)])
    with engine.connect() as connection:
        prices = (
            connection.execute(
                text("SELECT price_yen FROM v_price_history WHERE source_listing_id = '10000001' ORDER BY seen_at")
            )
            .scalars()
            .all()
        )
        floor = connection.execute(text("SELECT floor FROM v_listings WHERE source_listing_id = '10000001'")).scalar()
    assert prices == [80_000_000, 78_000_000]
    assert floor == 4  # the rest of the detail page is taken


def test_a_night_that_stored_less_than_it_read_is_not_healthy(engine: Engine) -> None:
    everyone = ids(30)
    night(engine, 0, listings(everyone))
    run_id = night(engine, 1, listings(everyone[:20]), stats=healthy_stats(30))  # 10 cards lost on the way
    verdict, reasons = verdict_of(engine, run_id)
    assert verdict == "unhealthy"
    assert reasons is not None and "koto: 20 of 30 listings seen were stored" in reasons
    assert {status(engine, name) for name in everyone} == {"active"}


def test_thresholds_come_from_settings_with_clear_errors() -> None:
    settings = {"CONDO_VERDICT_MAX_FALL": "0.3", "CONDO_VERDICT_BASELINE_NIGHTS": "14"}
    thresholds = Thresholds.from_settings(settings.get)
    assert (thresholds.max_fall, thresholds.baseline_nights, thresholds.min_coverage) == (0.3, 14, 0.98)
    with pytest.raises(ValueError, match="CONDO_VERDICT_MAX_FALL must be a float, not 'lots'"):
        Thresholds.from_settings({"CONDO_VERDICT_MAX_FALL": "lots"}.get)


@pytest.mark.parametrize(
    ("hits", "cards", "verdict"),
    [
        (280, 280, "complete_healthy"),
        (250, 250, "complete_healthy"),  # an 11 % fall: inside the natural variation
        (200, 200, "suspect"),  # 29 %
        (0, 0, "suspect"),
        (140, 140, "suspect"),  # half the ward, the count agreeing
    ],
)
def test_judge_against_the_baseline(hits: int, cards: int, verdict: str) -> None:
    stats = healthy_stats(cards, hits=hits)
    baseline = Baseline({KOTO[1]: WardBaseline(7, 280, 280)})
    assert judge_run(stats, [KOTO], baseline=baseline).verdict == verdict


def test_a_small_wards_fall_needs_enough_listings() -> None:
    baseline = Baseline({KOTO[1]: WardBaseline(7, 20, 20)})
    assert judge_run(healthy_stats(14), [KOTO], baseline=baseline).verdict == "complete_healthy"  # 6 fewer
    assert judge_run(healthy_stats(9), [KOTO], baseline=baseline).verdict == "suspect"  # 11 fewer


def test_night_of_is_noon_to_noon_in_japan() -> None:
    from db.nights import night_of

    assert night_of(dt.datetime(2026, 9, 7, 17, 30, tzinfo=dt.UTC)) == dt.date(2026, 9, 8)
    assert night_of(dt.datetime(2026, 9, 8, 3, 1, tzinfo=dt.UTC)) == dt.date(2026, 9, 9)


def test_default_thresholds_sit_above_the_simulated_markets_natural_variation() -> None:
    """No healthy simulated night may look suspect or hold its removals (python -m simulator.variation
    measures the same over 20 markets for docs/operations.md)."""
    from simulator.variation import measure, small_config

    thresholds = Thresholds()
    for seed in (1, 2, 3):
        variation = measure(small_config(seed))
        assert variation.largest_fall < thresholds.max_fall / 1.5, variation
        assert variation.largest_departure_share < thresholds.max_removal_share, variation
        assert variation.smallest_ward > 2 * thresholds.min_fall_listings  # half a ward is always a fall


# --- round 3: causes named, removals earned (issue 26) --------------------------------------------


def reasons_of(stats: dict[str, Any], baseline: Baseline | None = None) -> tuple[str, str]:
    verdict = judge_run(stats, [KOTO], baseline=baseline)
    return verdict.verdict, "; ".join(verdict.reasons)


def test_a_slow_decline_is_caught_by_the_longer_baseline() -> None:
    """The seven-night median has followed a shrinking site down (250); the 28-night one has not (300)."""
    slow = Baseline({KOTO[1]: WardBaseline(7, 230, 230, 28, 300)})
    verdict, reasons = reasons_of(healthy_stats(190), slow)  # 37 % below the 28-night median
    assert verdict == "suspect" and "against 300 over the last 28 trusted nights (a slow decline)" in reasons
    # A small ward's four weeks can move a quarter (simulator.variation): not suspect by itself.
    steady = Baseline({KOTO[1]: WardBaseline(7, 230, 230, 28, 300)})
    assert reasons_of(healthy_stats(225), steady)[0] == "complete_healthy"


@pytest.mark.parametrize(
    ("on_sale", "gone", "verdict"),
    [
        (0, 10, "complete_healthy"),
        (1, 9, "complete_healthy"),
        (2, 8, "suspect"),
        (5, 5, "suspect"),
        (2, 30, "complete_healthy"),
    ],
)
def test_listings_missing_from_the_list_but_still_on_sale_hold_the_night(on_sale: int, gone: int, verdict: str) -> None:
    stats = healthy_stats(280, **{"suumo/verify/koto/on_sale": on_sale, "suumo/verify/koto/gone": gone})
    got, reasons = reasons_of(stats)
    assert got == verdict
    if verdict == "suspect":
        assert f"koto: {on_sale} of {on_sale + gone} listings missing from the list are still on sale" in reasons


def test_a_repeated_or_cut_list_page_is_named_as_the_cause() -> None:
    repeated = healthy_stats(200, hits=280, **{"suumo/list_pages_repeated/koto": 1})
    verdict, reasons = reasons_of(repeated)
    assert verdict == "incomplete" and "koto: 1 list page(s) repeated an earlier page's listings" in reasons
    cut = healthy_stats(240, hits=280, **{"suumo/list_pages_cut/koto": 1})
    verdict, reasons = reasons_of(cut)
    assert (
        verdict == "incomplete" and "koto: 1 list page(s) cut off before their footer (a truncated response)" in reasons
    )
    # A last page without its footer ids on a walk that saw every listing is not a cause of anything.
    assert reasons_of(healthy_stats(280, **{"suumo/list_pages_cut/koto": 1}))[0] == "complete_healthy"


def test_detail_pages_of_another_flat_make_the_night_unhealthy() -> None:
    few = healthy_stats(280, **{"suumo/detail_pages/detail": 100, "suumo/detail/mismatch": 2})
    assert reasons_of(few)[0] == "complete_healthy"
    many = healthy_stats(280, **{"suumo/detail_pages/detail": 100, "suumo/detail/mismatch": 9})
    verdict, reasons = reasons_of(many)
    assert verdict == "unhealthy" and "9 of 100 detail page(s) disagree with their list card" in reasons


def test_an_archive_that_cannot_be_written_is_named() -> None:
    stats = healthy_stats(
        280, **{"archive/write_failed": 65, "archive/write_error": "No space left on device: /data/archive/x.warc.gz"}
    )
    verdict, reasons = reasons_of(stats)
    assert verdict == "unhealthy"
    assert "65 page(s) not archived: the page archive cannot be written (No space left on device" in reasons


def test_a_site_that_drops_packets_is_said_to_be_not_answering() -> None:
    stats = healthy_stats(120, hits=280, **{"finish_reason": "timeouts", "suumo/timeouts": 6})
    verdict, reasons = reasons_of(stats)
    assert verdict == "incomplete_unhealthy" and "stopped after requests timed out in a row (6 in all)" in reasons


def test_the_longer_baseline_is_read_from_the_trusted_nights(engine: Engine) -> None:
    """Ten nights of 100 listings, then a site that sheds 5 % a night: each night stays within 20 % of
    the seven-night median, which follows it down, but the ninth is 37 % below the longer median."""
    counts = [100] * 10 + [round(100 * 0.95**k) for k in range(1, 10)]
    run_ids = [night(engine, day, listings(ids(n))) for day, n in enumerate(counts)]
    assert all(verdict_of(engine, run_id)[0] == "complete_healthy" for run_id in run_ids[:-1])
    verdict, reasons = verdict_of(engine, run_ids[-1])
    assert verdict == "suspect" and "against 100 over the last 18 trusted nights (a slow decline)" in (reasons or "")


def test_once_caught_hiding_a_ward_needs_a_clean_check(engine: Engine) -> None:
    """A night whose removal check found listings still on sale makes the next night suspect on a single
    one (a sample of 10 can draw mostly real departures by chance); a check that finds none clears it."""
    everyone = ids(40)
    for day in range(3):
        night(engine, day, listings(everyone))
    caught = healthy_stats(40, **{"suumo/verify/koto/on_sale": 5, "suumo/verify/koto/gone": 5})
    assert verdict_of(engine, night(engine, 3, listings(everyone), stats=caught))[0] == "suspect"
    one = healthy_stats(40, **{"suumo/verify/koto/on_sale": 1, "suumo/verify/koto/gone": 9})
    run_id = night(engine, 4, listings(everyone), stats=one)
    verdict, reasons = verdict_of(engine, run_id)
    assert verdict == "suspect" and "after a night that found the list hiding listings" in (reasons or "")
    clean = healthy_stats(40, **{"suumo/verify/koto/on_sale": 0, "suumo/verify/koto/gone": 10})
    assert verdict_of(engine, night(engine, 5, listings(everyone), stats=clean))[0] == "complete_healthy"
    assert verdict_of(engine, night(engine, 6, listings(everyone), stats=one))[0] == "complete_healthy"
