"""The real used-condo detail page (Koto, パークホームズ豊洲ザ・レジデンス, 2024-02), field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from parsel import Selector

from scraper.items import RESALE_FIELDS, ListingItem
from scraper.parsing.fieldlog import FieldLog
from scraper.suumo.detail import detail_table, js_object, parse_detail
from tests.conftest import FROZEN_NOW, read_shared

PAGE = "suumo/chuko-detail-koto-nc73305798-2024-02.html"
URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/"


@pytest.fixture(scope="module")
def html() -> str:
    return read_shared(PAGE)


def test_detail_item_field_by_field(html: str) -> None:
    fields = FieldLog()
    item = parse_detail(Selector(text=html), URL, "used", FROZEN_NOW, fields)
    # The resale rows are held field by field in tests/test_resale_signals.py.
    assert item is not None
    item = dataclasses.replace(item, **dict.fromkeys(RESALE_FIELDS))
    assert item == ListingItem(
        source="suumo",
        property_type="used",
        page_kind="detail",
        listing_id="73305798",
        url=URL,
        scraped_at=FROZEN_NOW,
        listing_scope="unit",
        building_name="パークホームズ豊洲ザ・レジデンス",
        address="東京都江東区豊洲5",
        ward_code=13108,
        ward_name="江東区",
        district="豊洲",
        area_group=None,
        price_yen=108_000_000,
        price_min_yen=108_000_000,
        price_max_yen=108_000_000,
        price_status="fixed",
        price_planned=False,
        most_common_price_yen=None,  # "-" on this page
        area_m2=74.04,
        area_basis="wall_center",
        balcony_m2=11.88,
        layout="3LDK",
        rooms=3,
        floor=4,
        floor_top=None,
        direction="北西",
        total_floors=22,
        basement_floors=0,
        structure="RC",
        built_year=2016,
        built_month=10,
        total_units=693,
        units_on_sale=1,
        line="東京メトロ有楽町線",
        station="豊洲",
        walk_minutes=5,
        management_fee_yen=19_620,
        repair_reserve_yen=9_230,
        agent="野村の仲介+西葛西センター野村不動産ソリューションズ(株)",
        delivery="相談",
        info_date=dt.date(2024, 2, 10),
        next_update_date=dt.date(2024, 2, 18),  # "情報提供より８日以内に更新"
        land_tenure="ownership",
        land_tenure_raw="所有権",
    )
    assert dict(fields.counts) == {("most_common_price", "blank"): 1}


def test_table_labels_lose_hint_links_and_keep_values(html: str) -> None:
    cells = detail_table(Selector(text=html))
    assert cells["価格"] == ["1億800万円"]  # "[ □支払シミュレーション ]" removed
    assert cells["所在階/構造・階建"] == ["4階/RC22階建"]
    assert cells["管理費"] == ["1万9620円／月（委託(通勤)）"]
    assert cells["交通"][:2] == ["東京メトロ有楽町線「豊洲」歩5分", "新交通ゆりかもめ「豊洲」歩4分"]
    assert not any("ヒント" in label for label in cells)


def test_structured_script_object(html: str) -> None:
    js = js_object(html)
    assert js["headerKakakuDisp"] == "108000000"
    assert js["soKukakusuDisp"] == "693"
    assert js["muki"] == "北西"
    assert js["bukkenCd"] == "73305798"
    assert js["chikunengetsu"] == "201610"
    assert js["shikugunCd"] == "108"


def test_script_object_fills_gaps_when_a_table_row_is_gone(html: str) -> None:
    """A layout change that drops table rows falls back on the script object, and is counted."""
    selector = Selector(text=html)
    for th in selector.xpath("//th[.//text()[contains(., '総戸数') or contains(., '向き')]]"):
        th.root.getparent().remove(th.root)
    fields = FieldLog()
    item = parse_detail(Selector(text=selector.get()), URL, "used", FROZEN_NOW, fields)
    assert item is not None
    assert (item.total_units, item.direction) == (693, "北西")
    assert fields.counts[("total_units", "missing")] == 1
    assert fields.counts[("direction", "missing")] == 1


def test_price_disagreement_between_table_and_script_is_counted(html: str) -> None:
    edited = html.replace('headerKakakuDisp : ["108000000"]', 'headerKakakuDisp : ["98000000"]')
    fields = FieldLog()
    item = parse_detail(Selector(text=edited), URL, "used", FROZEN_NOW, fields)
    assert item is not None and item.price_yen == 108_000_000  # the visible table wins
    assert fields.counts[("price", "unparsed")] == 1
