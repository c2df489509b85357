"""Land tenure and new-condo projects in the database and the analysts' views, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from tests.test_db_history import item, night


def project(listing_id: str, low_man: int | None, high_man: int | None, **extra: Any) -> dict[str, Any]:
    values = item(
        listing_id,
        property_type="new",
        listing_scope="project",
        url=f"https://suumo.jp/ms/shinchiku/tokyo/sc_koto/nc_{listing_id}/",
        building_name="ベイタワー有明",
        district="有明",
        price_status="range" if low_man else "undecided",
        price_yen=None,
        price_min_yen=low_man * 10_000 if low_man else None,
        price_max_yen=high_man * 10_000 if high_man else None,
        area_m2=None,
        area_min_m2=45.0,
        area_max_m2=90.0,
        layout="1LDK~3LDK",
        rooms=None,
        built_year=None,
        built_month=None,
        total_units=600,
        delivery="2028年3月下旬予定",
        delivery_year=2028,
        delivery_month=3,
        land_tenure="fixed_term_leasehold",
        land_tenure_raw="一般定期借地権",
    )
    values.update(extra)
    return values


def rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_land_tenure_is_stored_and_shown(engine: Engine) -> None:
    night(
        engine,
        0,
        [
            item("10000001", land_tenure="ownership", land_tenure_raw="所有権"),
            item(
                "10000002",
                land_tenure="leasehold",
                land_tenure_raw="旧法借地権（残存期間：約30年）",
                lease_years_remaining=30,
            ),
            item("10000003"),
        ],
    )
    got = rows(
        engine,
        "SELECT source_listing_id, land_tenure, land_tenure_raw, lease_years_remaining FROM v_listings ORDER BY 1",
    )
    assert got == [
        ("10000001", "ownership", "所有権", None),
        ("10000002", "leasehold", "旧法借地権（残存期間：約30年）", 30),
        ("10000003", None, None, None),
    ]
    panel = rows(engine, "SELECT listing_id, land_tenure FROM v_weekly_panel ORDER BY 1")
    assert [tenure for _, tenure in panel] == ["ownership", "leasehold", None]
    presence = rows(engine, "SELECT listing_id, land_tenure FROM v_presence ORDER BY 1")
    assert [tenure for _, tenure in presence] == ["ownership", "leasehold", None]


def test_a_project_s_price_range_phases_and_units_over_time(engine: Engine) -> None:
    night(engine, 0, [project("90000001", None, None, sale_phase="第1期")])
    night(engine, 1, [project("90000001", None, None, sale_phase="第1期")])  # nothing new
    night(engine, 2, [project("90000001", 7980, 15800, sale_phase="第1期", units_on_sale=40)])
    night(engine, 3, [project("90000001", 8280, 16800, sale_phase="第2期", units_on_sale=25)])
    night(engine, 4, [project("90000001", 8280, 16800, sale_phase="第2期 / 先着順", units_on_sale=25)])
    history = rows(
        engine,
        "SELECT first_seen, price_range_changed, phase_changed, units_changed, price_status, price_min_yen,"
        " price_max_yen, previous_price_min_yen, sale_phase, previous_sale_phase, units_on_sale"
        " FROM v_project_history ORDER BY changed_at",
    )
    assert history == [
        (1, 0, 0, 0, "undecided", None, None, None, "第1期", None, None),
        (0, 1, 0, 1, "range", 79_800_000, 158_000_000, None, "第1期", "第1期", 40),
        (0, 1, 1, 1, "range", 82_800_000, 168_000_000, 79_800_000, "第2期", "第1期", 25),
        (0, 0, 1, 0, "range", 82_800_000, 168_000_000, 82_800_000, "第2期 / 先着順", "第2期", 25),
    ]
    current = rows(
        engine,
        "SELECT building_name, ward_name, price_min_yen, price_max_yen, price_min_per_m2, price_max_per_m2,"
        " units_on_sale, total_units, sale_phase, delivery_year, land_tenure, status, price_changes FROM v_projects",
    )
    assert current == [
        (
            "ベイタワー有明",
            "江東区",
            82_800_000,
            168_000_000,
            82_800_000 / 45.0,
            168_000_000 / 90.0,
            25,
            600,
            "第2期 / 先着順",
            2028,
            "fixed_term_leasehold",
            "active",
            2,
        )
    ]


def test_used_flats_and_resold_new_units_are_not_projects(engine: Engine) -> None:
    night(engine, 0, [item("10000001"), project("90000002", 9000, 9000, listing_scope="unit")])
    assert rows(engine, "SELECT COUNT(*) FROM v_projects") == [(0,)]
    assert rows(engine, "SELECT COUNT(*) FROM v_project_history") == [(0,)]
