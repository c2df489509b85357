"""The real new-condo list page (Minato, 2026-09): all 30 cards, field by field.

Expected values were read off the HTML by hand: sale-phase prices (``cassette_price-accent``),
descriptions, basics and per-type rows. Where a project has several sale phases the item's price is
the span of every phase that has one (see docs/data-format.md).
"""

from __future__ import annotations

import pytest
from parsel import Selector

from scraper.suumo.common import ListPage
from scraper.suumo.shinchiku_list import parse_shinchiku_list
from tests.conftest import FROZEN_NOW, read_shared

PAGE = "suumo/shinchiku-list-minato-2026.html"
URL = "https://suumo.jp/ms/shinchiku/tokyo/sc_minato/"
M = 10_000  # 1万円

# id, name, district, area group, (line, station, walk), delivery (text, year, month),
# price (status, min, max, planned), rooms (min, max), area (min, max), number of plan rows
PROJECTS = [
    ("67732747", "リビオタワー芝公園", "芝公園", None, ("JR山手線", "浜松町", 7), ("2028年1月下旬予定", 2028, 1), ("undecided", None, None, False), (1, 2), (57.64, 81.22), 3),
    ("67726518", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("2027年4月上旬予定", 2027, 4), ("range", 9448 * M, 25498 * M, False), (1, 3), (42.1, 103.39), 3),
    ("67734044", "アトラス三田", "三田", None, ("都営三田線", "三田", 8), ("2027年8月下旬予定", 2027, 8), ("band", 16000 * M, 20000 * M, True), (2, 2), (52.76, 57.5), 3),
    ("67731846", "ブランズシティ品川ルネ キャナル", "港南", None, ("JR山手線", "品川", 14), ("2026年12月下旬予定", 2026, 12), ("range", 12890 * M, 19800 * M, False), (2, 4), (58.59, 80.68), 0),
    ("67731397", "ブランズシティ品川テラス", "港南", None, ("JR山手線", "品川", 13), ("2027年1月下旬予定", 2027, 1), ("range", 8890 * M, 14240 * M, False), (2, 4), (64.05, 80.57), 3),
    ("67737026", "グランスイート麻布六本木", "六本木", None, ("東京メトロ南北線", "六本木一丁目", 4), ("即引渡可", None, None), ("range", 9950 * M, 39450 * M, False), (1, 2), (31.42, 76.72), 2),
    ("67729384", "CITY TOWER THE RAINBOW", "海岸", None, ("JR山手線", "田町", 14), ("2028年9月下旬予定", 2028, 9), ("band", 10500 * M, 21200 * M, True), (1, 3), (42.77, 72.53), 2),
    ("67729383", "シティタワー東京田町", "芝浦", None, ("JR山手線", "田町", 10), ("2028年4月下旬予定", 2028, 4), ("band", 11800 * M, 26400 * M, True), (1, 3), (43.3, 72.34), 3),
    ("67731395", "ブランズ芝浦", "芝浦", None, ("JR山手線", "田町", 14), ("即引渡可", None, None), ("range", 28990 * M, 33000 * M, False), (3, 3), (93.37, 93.37), 1),
    ("67735757", "ピアース白金台パークフロント", "白金台", None, ("東京メトロ南北線", "白金台", 7), ("2028年7月下旬予定", 2028, 7), ("undecided", None, None, False), (1, 1), (40.32, 70.33), 3),
    ("67736125", "パークホームズ虎ノ門", "西新橋", None, ("東京メトロ銀座線", "虎ノ門", 6), ("2028年3月下旬予定", 2028, 3), ("range", 16890 * M, 45000 * M, True), (2, 3), (55.67, 114.71), 3),
    ("67719514", "グランドヒルズ南青山", "南青山", "3A-Aoyama", ("東京メトロ銀座線", "表参道", 12), ("2028年1月下旬予定", 2028, 1), ("range", 26000 * M, 35000 * M, False), (2, 2), (72.0, 80.02), 3),
    ("67732748", "リビオ三田レジデンス", "芝", None, ("都営三田線", "三田", 5), ("2027年8月下旬予定", 2027, 8), ("range", 12990 * M, 55990 * M, False), (1, 3), (40.12, 118.87), 3),
    ("67735185", "アスコットパークグラン白金高輪", "三田", None, ("東京メトロ南北線", "白金高輪", 7), ("2027年3月中旬予定", 2027, 3), ("range", 12000 * M, 80000 * M, False), (1, 4), (45.62, 166.92), 3),
    ("67723431", "シティタワー虎ノ門", "虎ノ門", None, ("東京メトロ日比谷線", "神谷町", 2), ("2028年1月下旬予定", 2028, 1), ("range", 19900 * M, 35500 * M, False), (1, 3), (60.06, 75.13), 3),
    ("67734009", "ルジェンテ白金高輪", "三田", None, ("東京メトロ南北線", "白金高輪", 7), ("2027年3月下旬予定", 2027, 3), ("range", 8990 * M, 19990 * M, False), (1, 2), (37.35, 62.08), 3),
    ("67733584", "パークコート麻布十番東京 ザ タワー ノース／ザ タワー サウス", "三田", None, ("都営大江戸線", "麻布十番", 2), ("2029年10月下旬予定、2030年6月下旬予定", 2029, 10), ("undecided", None, None, False), (1, 3), (30.0, 205.77), 0),
    ("67730114", "パークコート青山高樹町 ザ タワー", "南青山", "3A-Aoyama", ("東京メトロ銀座線", "表参道", 9), ("2026年10月上旬予定", 2026, 10), ("undecided", None, None, False), (2, 2), (61.7, 70.43), 2),
]

# id, name, district, area group, (line, station, walk), delivery (text, year, month), price 万円, layout,
# area, basis
UNITS = [
    ("21353690", "ブランズ芝浦", "芝浦", None, ("JR山手線", "田町", 14), ("即引渡可", None, None), 8980, "1LDK", 38.14),
    ("78736162", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("相談", None, None), 9550, "1LDK", 42.51),
    ("78731226", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("2026年10月予定", 2026, 10), 9550, "1LDK", 42.51),
    ("21145351", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("相談", None, None), 13570, "2LDK", 56.27),
    ("21401931", "ブランズシティ品川ルネキャナル", "港南", None, ("東京モノレール", "天王洲アイル", 6), ("2027年1月予定", 2027, 1), 13980, "2LDK", 61.85),
    ("21199902", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("相談", None, None), 13980, "2LDK", 60.18),
    ("21113899", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("相談", None, None), 13998, "2LDK", 56.27),
    ("20969517", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("相談", None, None), 13998, "2LDK", 56.27),
    ("20962920", "ブランズ芝浦", "芝浦", None, ("JR山手線", "田町", 15), ("相談", None, None), 14200, "2LDK", 57.65),
    ("20730813", "ブランズ芝浦", "芝浦", None, ("JR京浜東北線", "田町", 14), ("即引渡可", None, None), 14200, "2LDK", 57.65),
    ("21263758", "リビオタワー品川", "港南", None, ("JR山手線", "品川", 13), ("2026年12月予定", 2026, 12), 14900, "2LDK", 56.27),
    ("21335162", "ピアース麻布十番ヴィアーレ", "南麻布", "3A-Azabu", ("東京メトロ南北線", "麻布十番", 6), ("2027年10月予定", 2027, 10), 14950, "1LDK", 40.75),
]


@pytest.fixture(scope="module")
def page() -> ListPage:
    return parse_shinchiku_list(Selector(text=read_shared(PAGE)), URL, FROZEN_NOW)


def _item(page: ListPage, listing_id: str):  # type: ignore[no-untyped-def]
    return next(item for item in page.items if item.listing_id == listing_id)


def test_page_level_numbers(page: ListPage) -> None:
    assert page.hit_count == 131
    assert page.cards_seen == 30 and len(page.items) == 30
    assert page.footer_ids == [item.listing_id for item in page.items]
    assert [item.listing_id for item in page.items] == [p[0] for p in PROJECTS] + [u[0] for u in UNITS]
    assert page.next_url == "https://suumo.jp/ms/shinchiku/tokyo/sc_minato/?page=2"
    assert dict(page.fields.counts) == {}


@pytest.mark.parametrize("project", PROJECTS, ids=[p[0] for p in PROJECTS])
def test_project_cards(page: ListPage, project: tuple) -> None:  # type: ignore[type-arg]
    listing_id, name, district, group, access, delivery, price, rooms, area, plan_rows = project
    item = _item(page, listing_id)
    assert (item.property_type, item.page_kind, item.listing_scope) == ("new", "list", "project")
    assert item.url == f"https://suumo.jp/ms/shinchiku/tokyo/sc_minato/nc_{listing_id}/"
    assert item.building_name == name
    assert (item.ward_name, item.ward_code, item.district, item.area_group) == ("港区", 13103, district, group)
    assert (item.line, item.station, item.walk_minutes) == access
    assert (item.delivery, item.delivery_year, item.delivery_month) == delivery
    assert (item.price_status, item.price_min_yen, item.price_max_yen, item.price_planned) == price
    assert item.price_yen is None  # a project has no single asking price
    assert (item.rooms_min, item.rooms_max) == rooms
    assert (item.area_min_m2, item.area_max_m2) == area
    assert item.area_m2 is None and item.rooms is None
    assert len(item.plans) == plan_rows


@pytest.mark.parametrize("unit", UNITS, ids=[u[0] for u in UNITS])
def test_unit_cards(page: ListPage, unit: tuple) -> None:  # type: ignore[type-arg]
    listing_id, name, district, group, access, delivery, price_man, layout, area = unit
    item = _item(page, listing_id)
    assert (item.property_type, item.page_kind, item.listing_scope) == ("new", "list", "unit")
    assert item.building_name == name
    assert item.address is not None and item.address.startswith("東京都港区")
    assert (item.ward_code, item.district, item.area_group) == (13103, district, group)
    assert (item.line, item.station, item.walk_minutes) == access
    assert (item.delivery, item.delivery_year, item.delivery_month) == delivery
    assert (item.price_status, item.price_yen, item.price_min_yen, item.price_max_yen) == (
        "fixed", price_man * M, price_man * M, price_man * M
    )
    assert (item.layout, item.area_m2, item.area_basis) == (layout, area, "wall_center")
    assert item.plans == []


def test_plan_rows_of_a_project(page: ListPage) -> None:
    plans = _item(page, "67726518").plans
    assert [(p.type_name, p.layout, p.area_m2, p.price_status, p.price_min_yen, p.price_max_yen) for p in plans] == [
        ("40Fw", "1LDK", 42.53, "range", 9448 * M, 9548 * M),
        ("55Bw", "2LDK", 56.89, "fixed", 14598 * M, 14598 * M),
        ("70Bw", "3LDK", 71.78, "fixed", 22598 * M, 22598 * M),
    ]
    undecided = _item(page, "67732747").plans
    assert [(p.type_name, p.price_status, p.price_min_yen) for p in undecided] == [
        ("J", "undecided", None), ("I", "undecided", None), ("K", "undecided", None)
    ]
