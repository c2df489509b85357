"""The 2026 SUUMO pages, field by field: six used-condo detail pages and a new-condo project page.

One is raw server HTML (江戸川区); five are browser DOM snapshots. The parser reads only what the server
sends: the snapshot-only markup (map styles, rewritten asset URLs) is never looked at, and
``test_snapshot_markup_is_not_needed`` checks that the fields survive with it removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from parsel import Selector

from scraper.items import RESALE_FIELDS, ListingItem
from scraper.parsing.fieldlog import FieldLog
from scraper.suumo.detail import parse_detail
from tests.conftest import FROZEN_NOW, read_shared

BASE = "https://suumo.jp/ms/chuko/tokyo"
# Values read off each page by eye (the 物件詳細情報, 物件概要, 共通概要 and 情報提供日 tables).
COMMON: dict[str, Any] = {
    "source": "suumo",
    "property_type": "used",
    "page_kind": "detail",
    "listing_scope": "unit",
    "price_status": "fixed",
    "price_planned": False,
    "most_common_price_yen": None,  # "-" on every used-condo page
    "units_on_sale": 1,
    "land_tenure": "ownership",
    "land_tenure_raw": "所有権",
    "lease_years_remaining": None,
    "energy_performance": None,  # "-" on every page so far
    "insulation_performance": None,
    "utility_cost": None,
    "sale_schedule": None,
    "sale_phase": None,
}
PAGES: dict[str, dict[str, Any]] = {
    "suumo/chuko-detail-edogawa-nc78138673-2026-02.html": {
        "listing_id": "78138673",
        "url": f"{BASE}/sc_edogawa/nc_78138673/",
        "building_name": "プラウド船堀ファースト",
        "address": "東京都江戸川区船堀3",
        "ward_code": 13123,
        "ward_name": "江戸川区",
        "district": "船堀",
        "price_yen": 87_000_000,
        "layout": "2LDK",
        "rooms": 2,
        "area_m2": 66.13,
        "area_basis": "wall_center",
        "balcony_m2": 3.53,
        "floor": 12,
        "total_floors": 13,
        "basement_floors": 1,
        "structure": "RC",
        "built_year": 2011,
        "built_month": 2,
        "total_units": 38,
        "direction": "北西",
        "line": "都営新宿線",
        "station": "船堀",
        "walk_minutes": 1,
        "management_fee_yen": 18_000,
        "repair_reserve_yen": 17_580,
        "agent": "野村の仲介+西葛西センター野村不動産ソリューションズ(株)",
        "delivery": "相談",
        "info_date": dt.date(2026, 2, 2),
        "next_update_date": dt.date(2026, 2, 10),  # 次回更新予定日 2026年2月10日 (summary: 26/2/10)
    },
    "suumo/chuko-detail-koto-nc20050927-2026-02.dom.html": {
        "listing_id": "20050927",
        "url": f"{BASE}/sc_koto/nc_20050927/",
        "building_name": "ハ ピ ー ハ イ ツ 亀 戸",  # the page spaces it out; db.identity joins it
        "address": "東京都江東区亀戸1",
        "ward_code": 13108,
        "ward_name": "江東区",
        "district": "亀戸",
        "price_yen": 25_800_000,
        "layout": "2LDK",
        "rooms": 2,
        "area_m2": 46.18,
        "area_basis": "wall_center",
        "balcony_m2": 8.0,
        "floor": 3,
        "total_floors": 10,
        "basement_floors": 1,
        "structure": "SRC",
        "built_year": 1974,
        "built_month": 5,
        "total_units": 60,
        "direction": "西",
        "line": "JR総武線",
        "station": "亀戸",
        "walk_minutes": 3,
        "management_fee_yen": 12_880,  # 1万2880円／月（委託(通勤)）
        "repair_reserve_yen": 14_450,
        "agent": "(株)SKCrew",
        "delivery": "即引渡可",
        "info_date": dt.date(2026, 2, 16),
        "next_update_date": dt.date(2026, 2, 24),
    },
    "suumo/chuko-detail-bunkyo-nc78243269-2026-02.dom.html": {
        "listing_id": "78243269",
        "url": f"{BASE}/sc_bunkyo/nc_78243269/",
        "building_name": "パルムハウス文京",
        "address": "東京都文京区水道2",
        "ward_code": 13105,
        "ward_name": "文京区",
        "district": "水道",
        "price_yen": 31_800_000,
        "layout": "2DK",
        "rooms": 2,
        "area_m2": 47.43,
        "area_basis": "wall_center",
        "balcony_m2": 5.5,
        "floor": 3,
        "total_floors": 7,
        "basement_floors": 0,
        "structure": "RC",
        "built_year": 1978,
        "built_month": 12,
        "total_units": 10,
        "direction": "南",
        "line": "東京メトロ有楽町線",
        "station": "江戸川橋",
        "walk_minutes": 7,
        "management_fee_yen": 10_500,  # 1万500円／月（委託(管理員なし)）
        "repair_reserve_yen": 25_000,
        "agent": "住友不動産ステップ(株)本社営業センター1課",
        "delivery": "相談",
        "info_date": dt.date(2026, 2, 17),
        "next_update_date": dt.date(2026, 2, 25),
    },
    "suumo/chuko-detail-bunkyo-nc79060154-2026-02.dom.html": {
        "listing_id": "79060154",
        "url": f"{BASE}/sc_bunkyo/nc_79060154/",
        "building_name": "ハイツ音羽",
        "address": "東京都文京区音羽1-14-8",
        "ward_code": 13105,
        "ward_name": "文京区",
        "district": "音羽",
        "price_yen": 29_990_000,
        "layout": "1LDK",
        "rooms": 1,
        "area_m2": 37.44,
        "area_basis": "wall_center",
        "balcony_m2": 2.3,
        "floor": 2,
        "total_floors": 10,
        "basement_floors": 0,
        "structure": "SRC",
        "built_year": 1978,
        "built_month": 10,
        "total_units": 25,
        "direction": "南",
        "line": "東京メトロ有楽町線",
        "station": "護国寺",
        "walk_minutes": 3,
        "management_fee_yen": 15_270,
        "repair_reserve_yen": 9_900,  # 諸費用 自治会費：200円／月 is not the reserve
        "agent": "(株)クローバー",
        "delivery": "即引渡可",
        "info_date": dt.date(2026, 2, 18),
        "next_update_date": dt.date(2026, 2, 26),
    },
    "suumo/chuko-detail-toshima-nc20035299-2026-02.dom.html": {
        "listing_id": "20035299",
        "url": f"{BASE}/sc_toshima/nc_20035299/",
        "building_name": "光建ハイツ目白",
        "address": "東京都豊島区目白5",
        "ward_code": 13116,
        "ward_name": "豊島区",
        "district": "目白",
        "price_yen": 27_500_000,
        "layout": "2DK",
        "rooms": 2,
        "area_m2": 49.77,
        "area_basis": "wall_center",
        "balcony_m2": 7.22,
        "floor": 4,
        "total_floors": 4,
        "basement_floors": 0,
        "structure": "RC",
        "built_year": 1981,
        "built_month": 3,
        "total_units": 10,
        "direction": "南東",
        "line": "西武池袋線",
        "station": "椎名町",
        "walk_minutes": 7,
        "management_fee_yen": 10_000,
        "repair_reserve_yen": 0,  # 修繕積立金 "無": the page says there is none
        "agent": "三井のリハウス池袋センター三井不動産リアルティ(株)",
        "delivery": "相談",
        "info_date": dt.date(2026, 2, 17),
        "next_update_date": dt.date(2026, 2, 25),
    },
    "suumo/chuko-detail-nakano-nc78515092-2026-02.dom.html": {
        "listing_id": "78515092",
        "url": f"{BASE}/sc_nakano/nc_78515092/",
        "building_name": "大江戸コーポ",
        "address": "東京都中野区中央2",
        "ward_code": 13114,
        "ward_name": "中野区",
        "district": "中央",
        "price_yen": 29_800_000,
        "layout": "1LDK",
        "rooms": 1,
        "area_m2": 46.28,
        "area_basis": "inner",  # 46.28m2（13.99坪）（登記）: the registered area is measured inside the walls
        "balcony_m2": 3.6,
        "floor": 3,
        "total_floors": 6,
        "basement_floors": 0,
        "structure": "RC",
        "built_year": 1970,
        "built_month": 11,
        "total_units": 34,
        "direction": "南",
        "line": "東京メトロ丸ノ内線",
        "station": "中野坂上",
        "walk_minutes": 1,
        "management_fee_yen": 15_000,
        "repair_reserve_yen": 13_000,
        "agent": "ME Group/ME不動産西東京(株)",
        "delivery": "相談",
        "info_date": dt.date(2026, 2, 18),
        "next_update_date": dt.date(2026, 2, 26),
    },
}


def _expected(values: dict[str, Any]) -> ListingItem:
    fields = {**COMMON, **values}
    fields.setdefault("price_min_yen", fields["price_yen"])
    fields.setdefault("price_max_yen", fields["price_yen"])
    return ListingItem(scraped_at=FROZEN_NOW, **fields)


def _parse(html: str, url: str, kind: str = "used") -> tuple[ListingItem | None, FieldLog]:
    """The page's item, its resale rows left out (held field by field in tests/test_resale_signals.py)."""
    fields = FieldLog()
    item = parse_detail(Selector(text=html), url, kind, FROZEN_NOW, fields)  # type: ignore[arg-type]
    if item is not None:
        item = dataclasses.replace(item, **dict.fromkeys(RESALE_FIELDS))
    return item, fields


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_field_of_a_2026_page(page: str) -> None:
    item, fields = _parse(read_shared(page), PAGES[page]["url"])
    assert item == _expected(PAGES[page])
    # Nothing unread, no unknown label: the only count is the blank 最多価格帯 ("-").
    assert dict(fields.counts) == {("most_common_price", "blank"): 1}, fields.unparsed


_SNAPSHOT_ONLY = re.compile(r"<style[^>]*>.*?</style>|<link[^>]*>|<img[^>]*>", re.S | re.I)


@pytest.mark.parametrize("page", sorted(p for p in PAGES if p.endswith(".dom.html")))
def test_snapshot_markup_is_not_needed(page: str) -> None:
    """A DOM snapshot's script-added markup (styles, rewritten asset links, images) carries nothing read."""
    stripped = _SNAPSHOT_ONLY.sub("", read_shared(page))
    item, _ = _parse(stripped, PAGES[page]["url"])
    assert item == _expected(PAGES[page])


def test_the_raw_2026_page_reads_dates_from_the_summary_list_too() -> None:
    """Without the 情報提供日・更新日 table, the summary list's ``26/2/2`` and ``26/2/10`` give the dates."""
    html = read_shared("suumo/chuko-detail-edogawa-nc78138673-2026-02.html")
    start = html.index('<h3 class="secTitleInnerK">情報提供日・更新日</h3>')
    end = html.index("</table>", start)
    item, _ = _parse(html[:start] + html[end:], PAGES["suumo/chuko-detail-edogawa-nc78138673-2026-02.html"]["url"])
    assert item is not None
    assert (item.info_date, item.next_update_date) == (dt.date(2026, 2, 2), dt.date(2026, 2, 10))


PROJECT_URL = "https://suumo.jp/ms/shinchiku/tokyo/sc_itabashi/nc_67734880/"


def test_new_condo_project_page_field_by_field() -> None:
    """The real (partial) project page: 価格未定, a fixed-term leasehold, 388 units, delivery 2028-01."""
    item, fields = _parse(
        read_shared("suumo/shinchiku-detail-itabashi-nc67734880-2026-09.partial.html"), PROJECT_URL, "new"
    )
    assert item == ListingItem(
        source="suumo",
        property_type="new",
        page_kind="detail",
        listing_id="67734880",  # projectCd, not the bukkenCd of the unit in bukkenList
        url=PROJECT_URL,
        scraped_at=FROZEN_NOW,
        listing_scope="project",  # the page carries the project object (gapSuumoPcForMs)
        building_name="プラウドタワー板橋",
        address="東京都板橋区板橋1-3001、3002(地番)",  # the map link's text is not part of it
        ward_code=13119,
        ward_name="板橋区",
        district="板橋",
        price_status="undecided",
        price_text="未定",  # as printed: the price is not one amount
        price_planned=False,
        layout="1LDK~3LDK",
        rooms_min=1,
        rooms_max=3,
        area_min_m2=37.01,
        area_max_m2=152.01,
        total_units=388,  # 388戸（募集対象外住戸14戸含む）
        line="JR埼京線",
        station="板橋",
        walk_minutes=1,
        agent="野村不動産",
        delivery="2028年1月中旬予定",
        delivery_year=2028,
        delivery_month=1,
        sale_schedule="販売開始予定 2026年12月上旬",
        land_tenure="fixed_term_leasehold",  # from the price header: (（一般定期借地権）)
        land_tenure_raw="一般定期借地権",
    )
    # The partial page has no 最多価格帯, 販売戸数 or dates: counted as missing, nothing unread.
    assert fields.unparsed == []
    assert ("most_common_price", "missing") in fields.counts
