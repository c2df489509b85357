"""The price history on both engines: idempotent replays, price changes, removals only after K
complete and healthy runs, nothing removed by blocked / truncated / killed runs, relisting, several
agents' listings of one flat linked to one unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, func, select, text

from db.engine import session_scope
from db.history import record_observation
from db.models import (
    SIGHTINGS,
    Building,
    CrawlRun,
    Listing,
    ListingEvent,
    ListingSnapshot,
    ListingUnitLink,
    PriceChange,
    SightingSpan,
    Unit,
)
from db.removal import ANALYZED_TABLES
from db.runs import start_run
from scraper.health import finish_run

T0 = dt.datetime(2026, 11, 1, 17, 30, tzinfo=dt.UTC)
KOTO = ("koto", 13108)


def item(listing_id: str, price_man: int = 8000, **extra: Any) -> dict[str, Any]:
    base = {
        "source": "suumo",
        "property_type": "used",
        "page_kind": "list",
        "listing_scope": "unit",
        "listing_id": listing_id,
        "url": f"https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_{listing_id}/",
        "building_name": "パークホームズ豊洲ザ・レジデンス",
        "address": "東京都江東区豊洲5",
        "ward_code": 13108,
        "ward_name": "江東区",
        "district": "豊洲",
        "price_status": "fixed",
        "price_yen": price_man * 10_000,
        "price_min_yen": price_man * 10_000,
        "price_max_yen": price_man * 10_000,
        "area_m2": 74.04,
        "layout": "3LDK",
        "rooms": 3,
        "built_year": 2016,
        "built_month": 10,
    }
    base.update(extra)
    return base


def healthy_stats(cards: int, hits: int | None = None, **extra: Any) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "finish_reason": "finished",
        "suumo/hits/koto": cards if hits is None else hits,
        "suumo/cards/koto/unique": cards,
        "suumo/ward_done/koto": True,
        "item_scraped_count": cards,
    }
    stats.update(extra)
    return stats


def night(
    engine: Engine,
    day: int,
    items: Iterable[dict[str, Any]],
    stats: dict[str, Any] | None = None,
    finish: bool = True,
    k: int = 2,
    ended: Iterable[str] = (),
    hours: float = 0,
) -> int:
    """One crawl run: open, record the items, close with the stats (a healthy full walk by default).
    ``ended``: listing ids whose "listing ended" page the run read; ``hours``: later in the night."""
    now = T0 + dt.timedelta(days=day, hours=hours)
    items = list(items)
    with session_scope(engine) as session:
        run = start_run(session, "suumo_chuko", "suumo", "used", ["koto"], now)
        run_id = run.id
    counts = {"new_listings": 0, "price_changes": 0, "relisted": 0}
    with session_scope(engine) as session:
        for observation in items:
            outcome = record_observation(session, run_id, {**observation, "scraped_at": now}, now)
            counts["new_listings"] += outcome.new_listing
            counts["price_changes"] += outcome.price_changed
            counts["relisted"] += outcome.relisted
    if finish:
        with session_scope(engine) as session:
            run = session.get(CrawlRun, run_id)
            assert run is not None
            finish_run(
                session,
                run,
                {**(stats or healthy_stats(len(items))), **{f"db/{name}": value for name, value in counts.items()}},
                [KOTO],
                now + dt.timedelta(minutes=30),
                removal_runs=k,
                ended=[("suumo", listing_id, now) for listing_id in ended],
            )
    return run_id


def count(engine: Engine, model: Any) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def status(engine: Engine, listing_id: str) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT status FROM v_listings WHERE source_listing_id = :id"), {"id": listing_id}
            ).scalar()
        )


def events(engine: Engine, listing_id: str) -> list[str]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(ListingEvent.kind)
                .join(Listing)
                .where(Listing.source_listing_id == listing_id)
                .order_by(ListingEvent.id)
            )
        )


def test_replaying_the_same_items_changes_nothing(engine: Engine) -> None:
    listings = [item("10000001"), item("10000002", 9000, building_name="別のマンション")]
    run_id = night(engine, 0, listings, finish=False)
    tables = (Listing, PriceChange, ListingSnapshot, ListingEvent, SightingSpan, Building, Unit, ListingUnitLink)
    before = {model.__tablename__: count(engine, model) for model in tables} | {"sightings": count(engine, SIGHTINGS)}
    with session_scope(engine) as session:  # the same run replays its pages
        for observation in listings:
            record_observation(session, run_id, {**observation, "scraped_at": T0}, T0)
    assert {model.__tablename__: count(engine, model) for model in tables} | {
        "sightings": count(engine, SIGHTINGS)
    } == before
    # A second night with the same pages adds only that night's sightings (new spans: the first run
    # never finished, so no span runs through it).
    night(engine, 1, listings)
    after = {model.__tablename__: count(engine, model) for model in tables} | {"sightings": count(engine, SIGHTINGS)}
    assert after == {**before, "sightings": before["sightings"] + 2, "sighting_spans": before["sighting_spans"] + 2}


def test_price_changes_are_appended_with_the_previous_price(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000)])
    night(engine, 1, [item("10000001", 8000)])
    night(engine, 2, [item("10000001", 7680)])
    night(engine, 3, [item("10000001", 7680)])
    night(engine, 4, [item("10000001", 7980)])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT price_yen, previous_price_yen, change_yen FROM v_price_history ORDER BY seen_at")
        ).all()
        current = connection.execute(text("SELECT price_yen FROM v_listings")).scalar()
    assert [tuple(r) for r in rows] == [
        (80_000_000, None, None),
        (76_800_000, 80_000_000, -3_200_000),
        (79_800_000, 76_800_000, 3_000_000),
    ]
    assert current == 79_800_000


def test_unknown_price_is_not_a_price_change(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000)])
    unreadable = item("10000001", 8000, price_status=None, price_yen=None, price_min_yen=None, price_max_yen=None)
    night(engine, 1, [unreadable])
    assert count(engine, PriceChange) == 1


def test_the_planned_mark_is_kept_and_its_removal_is_a_new_price_row(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000, price_planned=True)])
    night(engine, 1, [item("10000001", 8000, price_planned=True)])
    night(engine, 2, [item("10000001", 8000, price_planned=False)])  # 予定 dropped: the price is final
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT price_yen, price_planned, change_yen FROM v_price_history ORDER BY seen_at")
        ).all()
        current = connection.execute(text("SELECT price_planned FROM v_listings")).scalar()
    assert [(r[0], bool(r[1]), r[2]) for r in rows] == [(80_000_000, True, None), (80_000_000, False, 0)]
    assert not current


def test_a_price_stored_before_the_planned_mark_was_kept_is_no_change(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000, price_planned=False)])
    with engine.begin() as connection:
        connection.execute(text("UPDATE price_history SET price_planned = NULL"))  # as migration 0004 left it
    night(engine, 1, [item("10000001", 8000, price_planned=False)])
    assert count(engine, PriceChange) == 1


def test_removed_only_after_k_complete_healthy_runs(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002", building_name="別のマンション")])
    night(engine, 1, [item("10000001")])  # 10000002 absent once
    assert status(engine, "10000002") == "active"
    night(engine, 2, [item("10000001")])  # absent from 2 complete and healthy runs
    assert status(engine, "10000002") == "removed"
    assert status(engine, "10000001") == "active"
    assert events(engine, "10000002") == ["first_seen", "removed"]


def test_removals_refresh_the_planner_statistics_on_postgresql(engine: Engine) -> None:
    """Stale statistics made the removal query nest loops (22 s for three wards of 10,000 listings on
    the second night of a new database): the tables it reads are analysed before it runs."""
    night(engine, 0, [item("10000001"), item("10000002", building_name="別のマンション")])
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        analysed = dict(
            connection.execute(
                text("SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ANY(:names)"),
                {"names": list(ANALYZED_TABLES)},
            ).all()
        )
    assert analysed == dict.fromkeys(ANALYZED_TABLES, True)


def test_k_is_configurable(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002", building_name="別のマンション")], k=3)
    night(engine, 1, [item("10000001")], k=3)
    night(engine, 2, [item("10000001")], k=3)
    assert status(engine, "10000002") == "active"
    night(engine, 3, [item("10000001")], k=3)
    assert status(engine, "10000002") == "removed"


def test_blocked_truncated_and_killed_runs_remove_nothing(engine: Engine) -> None:
    everyone = [item(f"1000000{i}", building_name=f"マンション{i}") for i in range(5)]
    night(engine, 0, everyone)
    # Blocked: the list page was a captcha; nothing seen.
    night(engine, 1, [], {"finish_reason": "finished", "suumo/blocked": 1, "suumo/list_pages_failed/koto": 1})
    # Truncated: the site says 5, we saw 1 (pager ended early).
    night(engine, 2, everyone[:1], healthy_stats(1, hits=5))
    # Killed: the process died mid-way (no finish), then a run that crashed (finish_reason != finished).
    night(engine, 3, everyone[:2], finish=False)
    night(engine, 4, everyone[:1], healthy_stats(1, finish_reason="shutdown"))
    # Unhealthy: a full walk, but half the prices unreadable (a template change).
    night(engine, 5, everyone[:1], healthy_stats(1, **{"suumo/field/price/unparsed": 1}))
    assert [status(engine, f"1000000{i}") for i in range(5)] == ["active"] * 5
    with engine.connect() as connection:
        verdicts = connection.execute(text("SELECT verdict FROM v_crawl_runs ORDER BY run_id")).scalars().all()
    assert verdicts == [
        "complete_healthy",
        "incomplete_unhealthy",
        "incomplete",
        "interrupted",
        "incomplete",
        "unhealthy",
    ]


def test_unhealthy_runs_neither_count_nor_reset(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002", building_name="別のマンション")])
    night(engine, 1, [item("10000001")])  # healthy, 10000002 absent (1 of 2)
    night(engine, 2, [item("10000001")], healthy_stats(1, **{"suumo/blocked": 3}))  # unhealthy: ignored
    assert status(engine, "10000002") == "active"
    night(engine, 3, [item("10000001")])  # healthy, absent (2 of 2)
    assert status(engine, "10000002") == "removed"


def test_listing_seen_by_an_unhealthy_run_inside_the_window_is_kept(engine: Engine) -> None:
    both = [item("10000001"), item("10000002", building_name="別のマンション")]
    night(engine, 0, both)
    night(engine, 1, [item("10000001")])
    night(engine, 2, both, healthy_stats(2, **{"suumo/blocked": 1}))  # saw it, but unhealthy
    night(engine, 3, [item("10000001")])
    assert status(engine, "10000002") == "active"


def test_relisting_records_the_gap(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002", building_name="別のマンション")])
    night(engine, 1, [item("10000001")])
    night(engine, 2, [item("10000001")])
    assert status(engine, "10000002") == "removed"
    night(engine, 9, [item("10000001"), item("10000002", building_name="別のマンション")])
    assert status(engine, "10000002") == "active"
    assert events(engine, "10000002") == ["first_seen", "removed", "relisted"]
    with session_scope(engine) as session:
        gap = session.scalars(select(ListingEvent.gap_days).where(ListingEvent.kind == "relisted")).one()
    assert gap == 9.0


def test_listing_ended_page_removes_at_once_and_only_once(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002")])
    # Night 1: the list no longer shows 10000001 and its page says "listing ended"; 99999999 was never seen.
    night(engine, 1, [item("10000002")], ended=["10000001", "99999999"])
    assert status(engine, "10000001") == "removed"
    night(engine, 2, [item("10000002")], ended=["10000001"])  # said again: nothing new
    assert events(engine, "10000001") == ["first_seen", "ended"]


def test_several_agents_one_flat_are_linked_not_merged(engine: Engine) -> None:
    detail = {"page_kind": "detail", "floor": 4, "total_floors": 22, "direction": "北西"}
    agents = [
        item("10000001", 10800, **detail),
        item("10000002", 10780, **{**detail, "area_m2": 74.1}),  # within 0.5 m²
        item("10000003", 10800, building_name="パークホームズ豊洲ザ・レジデンス◆眺望良好◆", **detail),
        item("10000004", 10800, **{**detail, "floor": 5}),  # another flat, one floor up
        item("10000005", 10800, **{**detail, "direction": "南東"}),  # another flat, other side
    ]
    night(engine, 0, agents)
    with engine.connect() as connection:
        units = connection.execute(
            text(
                "SELECT floor, direction, listings, active_listings, cheapest_price_yen"
                " FROM v_units ORDER BY floor, direction"
            )
        ).all()
        listings = connection.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT unit_id), COUNT(DISTINCT building_id) FROM v_listings")
        ).one()
    assert [tuple(u) for u in units] == [
        (4, "北西", 3, 3, 107_800_000),
        (4, "南東", 1, 1, 108_000_000),
        (5, "北西", 1, 1, 108_000_000),
    ]
    assert tuple(listings) == (5, 3, 1)


def test_a_flat_back_under_a_new_listing_id_joins_its_unit(engine: Engine) -> None:
    detail = {"page_kind": "detail", "floor": 4, "total_floors": 22, "direction": "北西"}
    night(engine, 0, [item("10000001", **detail)])
    night(engine, 1, [])
    night(engine, 2, [])
    night(engine, 3, [item("20000001", 7900, **detail)])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT source_listing_id, unit_id, status FROM v_listings ORDER BY source_listing_id")
        ).all()
    (old_id, old_unit, old_status), (new_id, new_unit, new_status) = rows
    assert (old_id, new_id) == ("10000001", "20000001")
    assert old_unit == new_unit and (old_status, new_status) == ("removed", "active")


def test_list_card_without_floor_keeps_the_unit_the_detail_gave(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000001", page_kind="detail", floor=4, total_floors=22)])
    night(engine, 1, [item("10000001")])
    with session_scope(engine) as session:
        links = session.scalars(select(ListingUnitLink)).all()
        snapshot = session.scalars(select(ListingSnapshot).order_by(ListingSnapshot.id.desc())).first()
    # One link a night: the detail page's flat replaced the card's building link of night 0; night 1's
    # card (no floor) adds none.
    assert [link.unit_id is not None for link in links] == [True]
    assert snapshot is not None and snapshot.floor == 4


def test_different_built_year_is_a_different_building(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), item("10000002", built_year=1999)])
    assert count(engine, Building) == 2


def test_times_are_utc_on_both_engines(engine: Engine) -> None:
    night(engine, 0, [item("10000001")])
    with session_scope(engine) as session:
        listing = session.scalars(select(Listing)).one()
    assert listing.first_seen_at == T0 and listing.first_seen_at.tzinfo is not None


def test_snapshot_hash_is_sha256_of_sorted_key_json() -> None:
    """The stored content hash keeps its definition (rows written by earlier versions compare equal)."""
    import hashlib
    import json

    from db.models import SNAPSHOT_FIELDS
    from db.rows import content_hash

    values = {name: None for name in SNAPSHOT_FIELDS} | {
        "building_name": "パークホームズ豊洲ザ・レジデンス",
        "area_m2": 74.04,
        "floor": 4,
        "info_date": dt.date(2024, 2, 10),
        "plans": [{"type_name": "J", "area_m2": 57.64}],
    }
    expected = json.dumps(
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()},
        sort_keys=True,
        ensure_ascii=False,
    )
    assert content_hash(values) == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert content_hash(values) != content_hash(values | {"floor": 5})


def _sightings(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT l.source_listing_id, s.run_id, s.page_kind, s.archive_record FROM sightings s"
                    " JOIN listings l ON l.id = s.listing_id ORDER BY s.run_id, l.source_listing_id, s.page_kind"
                )
            )
        ]


def test_consecutive_nights_are_one_span_and_the_view_gives_every_night_back(engine: Engine) -> None:
    """Nights 0-2 seen, night 3 absent, night 4 seen: two spans; the view has a row per night seen,
    the ends of each span with their archived page, the nights inside with the run's end as time."""
    runs = []
    for day in (0, 1, 2, 3, 4):
        listings = [item("10000001")] if day != 3 else [item("10000002")]
        runs.append(night(engine, day, [{**i, "archive_record": f"<urn:uuid:night-{day}>"} for i in listings]))
    with engine.connect() as connection:
        spans = connection.execute(
            text(
                "SELECT l.source_listing_id, s.first_run_id, s.last_run_id, s.first_archive_record,"
                " s.last_archive_record FROM sighting_spans s JOIN listings l ON l.id = s.listing_id"
                " ORDER BY s.first_run_id, l.source_listing_id"
            )
        ).all()
        inside = connection.execute(
            text(
                "SELECT s.seen_at, r.finished_at FROM sightings s JOIN crawl_runs r ON r.id = s.run_id WHERE r.id = :r"
            ),
            {"r": runs[1]},
        ).one()
    assert [tuple(row) for row in spans] == [
        ("10000001", runs[0], runs[2], "<urn:uuid:night-0>", "<urn:uuid:night-2>"),
        ("10000002", runs[3], runs[3], "<urn:uuid:night-3>", "<urn:uuid:night-3>"),
        ("10000001", runs[4], runs[4], "<urn:uuid:night-4>", "<urn:uuid:night-4>"),
    ]
    assert _sightings(engine) == [
        ("10000001", runs[0], "list", "<urn:uuid:night-0>"),
        ("10000001", runs[1], "list", None),
        ("10000001", runs[2], "list", "<urn:uuid:night-2>"),
        ("10000002", runs[3], "list", "<urn:uuid:night-3>"),
        ("10000001", runs[4], "list", "<urn:uuid:night-4>"),
    ]
    assert inside[0] == inside[1]  # the run's end: later than anything the run stored


def test_a_span_never_runs_through_a_run_of_another_spider_or_one_that_never_finished(engine: Engine) -> None:
    first = night(engine, 0, [item("10000001")])
    with session_scope(engine) as session:  # another spider's run between two nights: no effect
        start_run(session, "suumo_shinchiku", "suumo", "new", ["koto"], T0 + dt.timedelta(days=1))
    second = night(engine, 1, [item("10000001")], finish=False)
    third = night(engine, 2, [item("10000001")])
    with engine.connect() as connection:
        spans = connection.execute(text("SELECT first_run_id, last_run_id FROM sighting_spans ORDER BY id")).all()
    assert [tuple(row) for row in spans] == [(first, second), (third, third)]
    assert [row[1] for row in _sightings(engine)] == [first, second, third]


def test_a_night_keeps_one_snapshot_and_one_link_whatever_pages_it_read(engine: Engine) -> None:
    """The list card and the detail page of one night merge into one snapshot and one link (the detail
    page's flat), in one batch or in two; a later night that changes something appends."""
    card, detail = item("10000001"), item("10000001", page_kind="detail", floor=4, total_floors=22)
    night(engine, 0, [card, detail])
    run_id = night(engine, 1, [item("10000002")], finish=False)
    with session_scope(engine) as session:  # the same run: the card in one batch, the detail in another
        record_observation(session, run_id, {**item("10000002"), "scraped_at": T0}, T0)
    with session_scope(engine) as session:
        record_observation(session, run_id, {**detail, "listing_id": "10000002", "scraped_at": T0}, T0)
    night(engine, 2, [item("10000001", 7900, page_kind="detail", floor=4, total_floors=22, balcony_m2=9.5)])
    with engine.connect() as connection:
        snapshots = connection.execute(
            text(
                "SELECT l.source_listing_id, s.floor, s.balcony_m2 FROM listing_snapshots s"
                " JOIN listings l ON l.id = s.listing_id ORDER BY s.id"
            )
        ).all()
        links = connection.execute(
            text(
                "SELECT l.source_listing_id, k.unit_id IS NOT NULL FROM listing_unit_links k"
                " JOIN listings l ON l.id = k.listing_id ORDER BY k.id"
            )
        ).all()
    assert [tuple(row) for row in snapshots] == [("10000001", 4, None), ("10000002", 4, None), ("10000001", 4, 9.5)]
    assert [(row[0], bool(row[1])) for row in links] == [("10000001", True), ("10000002", True)]
