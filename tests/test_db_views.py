"""The analysts' views on both engines: Japan-time nights and ISO weeks, ages at the observation, the
nightly presence view, the weekly panel and the market as of a date (issue 20)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from db.nights import night_of
from db.point_in_time import market_on
from db.views import expand
from tests.test_db_history import T0, item, night


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as connection:
        return connection.execute(text(expand(sql, engine.dialect.name)), params).scalar()


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_the_macros_keep_their_meaning() -> None:
    """Frozen view folders use these macros: what they expand to must never change."""
    assert expand("NIGHT_JST(t)", "sqlite") == "date(t, '+21 hours')"
    assert expand("NIGHT_JST(t)", "postgresql") == "CAST((t AT TIME ZONE 'Asia/Tokyo') + INTERVAL '12 hours' AS DATE)"
    assert expand("ISO_WEEK(d)", "postgresql") == "to_char(d, 'IYYY-\"W\"IW')"
    assert expand("YEAR_OF(d)", "sqlite") == "CAST(strftime('%Y', d) AS INTEGER)"
    assert expand("QUARTER_OF(d)", "postgresql") == "to_char(d, 'YYYY\"Q\"Q')"
    assert (
        expand("QUARTER_OF(d)", "sqlite")
        == "(strftime('%Y', d) || 'Q' || ((CAST(strftime('%m', d) AS INTEGER) + 2) / 3))"
    )
    assert expand("DAYS_BETWEEN(a, b)", "postgresql") == "((b) - (a))"
    assert expand("DAYS_BETWEEN(a, b)", "sqlite") == "CAST(julianday(b) - julianday(a) AS INTEGER)"


DATES = [dt.date(2020, 12, 24) + dt.timedelta(days=n) for n in range(0, 2300, 3)] + [
    dt.date(2026, 12, 28),
    dt.date(2027, 1, 3),
    dt.date(2027, 1, 4),
    dt.date(2020, 12, 31),
    dt.date(2021, 1, 3),
]


def test_iso_week_and_quarter_are_python_s_on_both_engines(engine: Engine) -> None:
    cast = "CAST(:d AS DATE)" if engine.dialect.name == "postgresql" else ":d"
    for day in DATES:
        year, week, _ = day.isocalendar()
        assert scalar(engine, f"SELECT ISO_WEEK({cast})", d=day.isoformat()) == f"{year}-W{week:02d}", day
        quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
        assert scalar(engine, f"SELECT QUARTER_OF({cast})", d=day.isoformat()) == quarter, day


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 9, 6, 17, 30, tzinfo=dt.UTC),  # 02:30 JST Monday 7 September: Monday's night
        dt.datetime(2026, 9, 6, 14, 0, tzinfo=dt.UTC),  # 23:00 JST Sunday: already Monday's night
        dt.datetime(2026, 9, 7, 2, 59, tzinfo=dt.UTC),  # 11:59 JST Monday
        dt.datetime(2026, 9, 7, 3, 1, tzinfo=dt.UTC),  # 12:01 JST Monday: Tuesday's night
        dt.datetime(2026, 12, 31, 15, 0, tzinfo=dt.UTC),  # midnight JST New Year
    ],
)
def test_night_jst_is_the_crawl_s_night(engine: Engine, moment: dt.datetime) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE moments (t TIMESTAMP WITH TIME ZONE)"))
        stored = moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment
        connection.execute(text("INSERT INTO moments VALUES (:t)"), {"t": stored})
    got = scalar(engine, "SELECT NIGHT_JST(t) FROM moments")
    assert str(got) == night_of(moment).isoformat()


def test_presence_has_each_listing_each_night_at_that_night_s_price(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000), item("10000002", 5000)])
    night(engine, 1, [item("10000001", 8000), item("10000002", 5000)])
    night(engine, 2, [item("10000001", 7800)])
    got = rows(
        engine,
        "SELECT l.source_listing_id, p.night_jst, p.week_jst, p.price_yen, p.ward_name, p.age_years"
        " FROM v_presence p JOIN listings l ON l.id = p.listing_id ORDER BY 1, 2",
    )
    first = night_of(T0)
    assert first == dt.date(2026, 11, 2) and first.isocalendar()[:2] == (2026, 45)
    nights = [str(first + dt.timedelta(days=n)) for n in range(3)]
    assert [(r[0], str(r[1]), r[2], r[3], r[4], r[5]) for r in got] == [
        ("10000001", nights[0], "2026-W45", 80_000_000, "江東区", 10),
        ("10000001", nights[1], "2026-W45", 80_000_000, "江東区", 10),
        ("10000001", nights[2], "2026-W45", 78_000_000, "江東区", 10),
        ("10000002", nights[0], "2026-W45", 50_000_000, "江東区", 10),
        ("10000002", nights[1], "2026-W45", 50_000_000, "江東区", 10),
    ]


def test_the_weekly_panel_has_one_row_per_flat_and_week_at_the_week_s_end(engine: Engine) -> None:
    # Two agents sell one flat (same building, floor, area, layout): one unit; a third flat alone.
    flat = {"page_kind": "detail", "floor": 12, "total_floors": 20, "direction": "南"}
    for day in range(9):  # Monday 2 November to Tuesday 10 November: two ISO weeks
        price = 8000 if day < 5 else 7900
        night(
            engine,
            day,
            [item("10000001", price, **flat), item("10000002", 8100, **flat), item("10000003", 5000)],
        )
    got = rows(
        engine,
        "SELECT week_jst, listings, nights_seen, price_yen, unit_id IS NOT NULL FROM v_weekly_panel"
        " ORDER BY week_jst, unit_key",
    )
    assert sorted(got, key=str) == sorted(
        [
            ("2026-W45", 2, 7, 79_000_000, True),  # Sunday's price, the cheaper of the two listings
            ("2026-W45", 1, 7, 50_000_000, False),
            ("2026-W46", 2, 2, 79_000_000, True),
            ("2026-W46", 1, 2, 50_000_000, False),
        ],
        key=str,
    )


def test_ages_are_at_the_observation_not_today(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000, built_year=2000)])
    assert scalar(engine, "SELECT age_years FROM v_listings") == 26
    assert scalar(engine, "SELECT age_years FROM v_presence") == 26
    assert scalar(engine, "SELECT days_on_market FROM v_listings") == 0


def test_the_market_as_of_a_date_is_the_last_night_on_or_before_it(engine: Engine) -> None:
    night(engine, 0, [item("10000001", 8000), item("10000002", 5000)])
    night(engine, 3, [item("10000001", 7500)])
    first = night_of(T0)
    on_first = market_on(engine, first)
    assert sorted(on_first["price_yen"]) == [50_000_000, 80_000_000]
    between = market_on(engine, first + dt.timedelta(days=2))  # no crawl that night: the last before it
    assert sorted(between["price_yen"]) == [50_000_000, 80_000_000]
    assert set(between["night_jst"].astype(str)) == {str(first)}
    later = market_on(engine, first + dt.timedelta(days=3))
    assert list(later["price_yen"]) == [75_000_000]
    assert market_on(engine, first - dt.timedelta(days=1)).empty
