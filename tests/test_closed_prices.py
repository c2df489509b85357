"""MLIT closed prices (issue 18): the real XIT001 responses in ../shared read field by field, imported
all or nothing and idempotently on both engines, bad responses refused with a clear message."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from db.engine import session_scope
from db.models import ClosedPriceRecord
from scraper.closed_prices.importer import ResponseRefused, check_files, import_body, import_files
from scraper.closed_prices.records import RecordError, normalise, quarter_of
from tests.conftest import shared_page

EN = "mlit/xit001-en-chuo-2024q2.json"
JA = "mlit/xit001-ja-chuo-2015q2.json"
NOW = dt.datetime(2026, 12, 4, 3, 0, tzinfo=dt.UTC)


def records(relative: str) -> list[dict[str, Any]]:
    return list(json.loads(shared_page(relative).read_text(encoding="utf-8"))["data"])


def test_a_japanese_transaction_record_field_by_field() -> None:
    # Record 44 of the 2015 Q2 Chuo response: 晴海, ２ＬＤＫ＋Ｓ, 70 m², 60,000,000 yen, built 2009.
    price = normalise(records(JA)[44])
    assert (price.price_category, price.ward_code, price.municipality, price.district) == (
        "transaction",
        13102,
        "中央区",
        "晴海",
    )
    assert (price.quarter, price.price_yen, price.area_m2, price.area_capped) == ("2015Q2", 60_000_000, 70.0, False)
    assert price.price_per_m2 == pytest.approx(60_000_000 / 70)
    assert (price.layout, price.built_year, price.built_prewar, price.structure) == ("2LDK+S", 2009, False, "SRC")
    assert (price.renovated, price.remarks, price.special_sale, price.district_code) == (False, None, False, None)


def test_a_court_sale_is_flagged() -> None:
    price = normalise(records(JA)[33])  # 日本橋馬喰町, 調停・競売等
    assert price.remarks == "調停・競売等" and price.special_sale
    assert price.layout == "1K" and price.price_yen == 21_000_000


def test_an_open_floor_plan_in_both_languages() -> None:
    assert normalise(records(JA)[3]).layout == "open floor"  # オープンフロア
    assert normalise(records(EN)[205]).layout == "open floor"  # Studio Apartment


def test_an_english_contract_record_field_by_field() -> None:
    price = normalise(records(EN)[54])  # Shintomi, 3LDK, 75 m², 140,000,000 yen, built 2001
    assert (price.price_category, price.district, price.district_code, price.quarter) == (
        "contract",
        "Shintomi",
        "131020070",
        "2024Q2",
    )
    assert (price.price_yen, price.area_m2, price.layout, price.built_year, price.structure) == (
        140_000_000,
        75.0,
        "3LDK",
        2001,
        "SRC",
    )
    assert price.renovated is None  # contract records never say
    assert price.raw["CityPlanning"] == "Commercial Zone"  # every key kept


@pytest.mark.parametrize(
    ("period", "quarter"),
    [
        ("2024年第1四半期", "2024Q1"),
        ("4th quarter 2023", "2023Q4"),
        ("平成25年第１四半期", "2013Q1"),
        ("令和元年第3四半期", "2019Q3"),
    ],
)
def test_periods(period: str, quarter: str) -> None:
    assert quarter_of(period) == quarter


def test_pre_war_buildings_capped_areas_and_unknown_keys() -> None:
    record = records(JA)[44] | {"BuildingYear": "戦前", "Area": "2000㎡以上", "NewKey2027": "x"}
    price = normalise(record)
    assert (price.built_year, price.built_prewar) == (None, True)
    assert (price.area_m2, price.area_capped, price.price_per_m2) == (2000.0, True, None)
    assert price.raw["NewKey2027"] == "x"
    assert normalise(records(EN)[54] | {"BuildingYear": "Before the war"}).built_prewar


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TradePrice": ""}, "trade price"),
        ({"Period": "sometime"}, "not a quarter"),
        ({"PriceCategory": "x"}, "category"),
    ],
)
def test_a_record_that_cannot_be_read_is_named(change: dict[str, str], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        normalise(records(JA)[44] | change)


def count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(ClosedPriceRecord)) or 0)


def test_every_used_condo_record_imports_once(engine: Engine) -> None:
    paths = [shared_page(EN), shared_page(JA)]
    with session_scope(engine) as session:
        first = import_files(session, check_files(paths), NOW)
    assert (first.added, first.already, first.other_types) == (505 + 153, 0, 24 + 23)
    assert first.quarters == {"2024Q2", "2015Q2"} and first.ward_codes == {13102}
    with session_scope(engine) as session:
        again = import_files(session, check_files(paths), NOW)
    assert (again.added, again.already) == (0, 505 + 153)
    assert count(engine) == 658  # sales published alike stay apart (18 of them here)
    with engine.connect() as connection:
        by_category = {
            category: number
            for category, number in connection.execute(
                text("SELECT price_category, COUNT(*) FROM v_closed_prices GROUP BY price_category")
            )
        }
        special = connection.execute(text("SELECT COUNT(*) FROM v_closed_prices WHERE special_sale")).scalar()
    assert by_category == {"contract": 316, "transaction": 189 + 153}
    assert special == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"status": "ERROR", "message": "invalid key"}', "status 'ERROR' invalid key"),
        (b"<html>Service Unavailable</html>", "not JSON"),
        (b'{"data": []}', "no status"),
        (b'{"status": "OK", "data": "none"}', "not a list of records"),
    ],
)
def test_a_bad_response_is_refused(engine: Engine, body: bytes, message: str) -> None:
    with pytest.raises(ResponseRefused, match=message), session_scope(engine) as session:
        import_body(session, body, "test.json", NOW)
    assert count(engine) == 0


def test_one_unreadable_record_imports_nothing_of_its_response(engine: Engine, tmp_path: Path) -> None:
    data = records(JA)
    data[100] = data[100] | {"TradePrice": "unknown"}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"status": "OK", "data": data}, ensure_ascii=False))
    with pytest.raises(ResponseRefused, match="record 101: trade price"), session_scope(engine) as session:
        import_files(session, check_files([shared_page(EN), broken]), NOW)
    assert count(engine) == 0  # not even the good file: all are checked before any is written


def test_a_gzip_body_is_read(engine: Engine) -> None:
    body = gzip.compress(shared_page(JA).read_bytes())
    with session_scope(engine) as session:
        assert import_body(session, body, "gzip", NOW).added == 153
