"""Formats the real pages lack, on hand-written pages named for the format (tests/pages/)."""

from __future__ import annotations

import datetime as dt

from parsel import Selector

from scraper.parsing.fieldlog import FieldLog
from scraper.suumo.chuko_list import parse_chuko_list
from scraper.suumo.detail import parse_detail
from tests.conftest import FROZEN_NOW, read_handwritten

LIST_URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100"


def test_full_width_digits_eras_bus_access_one_room_and_tsubo() -> None:
    page = parse_chuko_list(
        Selector(text=read_handwritten("chuko-list-fullwidth-eras-bus-oneroom-tsubo.html")), LIST_URL, FROZEN_NOW
    )
    wide, bus, taxed = page.items
    assert (wide.price_yen, wide.area_m2, wide.area_basis, wide.layout, wide.balcony_m2) == (
        39_800_000,
        65.32,
        "inner",
        "3LDK",
        12.5,
    )
    assert (wide.built_year, wide.built_month, wide.walk_minutes, wide.station) == (2016, 10, 4, "市場前")
    assert (bus.price_yen, bus.layout, bus.rooms, bus.area_m2, bus.area_basis) == (100_000_000, "1R", 1, 66.12, None)
    assert (bus.walk_minutes, bus.bus_minutes, bus.bus_stop_walk_minutes) == (None, 10, 3)
    assert (bus.built_year, bus.built_month, bus.balcony_m2) == (1980, 3, None)
    assert (taxed.price_yen, taxed.layout, taxed.area_m2, taxed.built_year) == (54_800_000, "2LDK+S", 70.12, 2020)
    assert [(i.district, i.ward_code) for i in page.items] == [("豊洲", 13108), ("有明", 13108), ("東雲", 13108)]
    assert dict(page.fields.counts) == {("balcony_m2", "blank"): 1}


def test_layout_drift_is_counted_not_guessed() -> None:
    """A renamed price label and unreadable text leave the price unknown, with stats and raw text."""
    page = parse_chuko_list(Selector(text=read_handwritten("chuko-list-layout-drift.html")), LIST_URL, FROZEN_NOW)
    renamed, unreadable = page.items
    assert renamed.price_yen is None and renamed.price_status is None
    assert unreadable.price_yen is None and unreadable.area_m2 is None
    assert page.fields.counts[("price", "missing")] == 1
    assert page.fields.counts[("price", "unparsed")] == 1
    assert page.fields.counts[("area_m2", "unparsed")] == 1
    assert ("price", "要相談") in page.fields.unparsed
    # The footer names an id that has no card: the spider compares the two lists.
    assert page.footer_ids == ["90000011", "90000012", "99999999"]
    assert page.next_url == "https://suumo.jp/ms/chuko/tokyo/sc_koto/?page=2"


def test_basement_floor_era_dates_and_no_management_fee() -> None:
    fields = FieldLog()
    item = parse_detail(
        Selector(text=read_handwritten("chuko-detail-basement-era-dates-fees-none.html")),
        "https://suumo.jp/ms/chuko/tokyo/sc_minato/nc_90000101/",
        "used",
        FROZEN_NOW,
        fields,
    )
    assert item is not None
    assert (item.floor, item.floor_top, item.total_floors, item.basement_floors, item.structure) == (
        -1,
        None,
        5,
        1,
        "RC",
    )
    assert (item.built_year, item.built_month) == (2003, 3)  # 平成15年3月
    assert item.info_date == dt.date(2024, 2, 10)  # 令和6年2月10日
    assert item.next_update_date == dt.date(2024, 2, 20)  # an explicit date, not a promise
    assert (item.management_fee_yen, item.repair_reserve_yen) == (0, 12_000)  # なし is a real zero
    assert (item.area_m2, item.area_basis, item.balcony_m2) == (61.5, "inner", 8.1)  # 専用庭 is not the balcony
    assert (item.district, item.area_group, item.walk_minutes) == ("南麻布", "3A-Azabu", 12)
    assert fields.unparsed == []


def test_maisonette_floor_span() -> None:
    fields = FieldLog()
    item = parse_detail(
        Selector(text=read_handwritten("chuko-detail-maisonette.html")),
        "https://suumo.jp/ms/chuko/tokyo/sc_minato/nc_90000102/",
        "used",
        FROZEN_NOW,
        fields,
    )
    assert item is not None
    assert (item.floor, item.floor_top, item.total_floors, item.structure) == (12, 13, 15, "SRC")
    assert item.next_update_date == dt.date(2026, 9, 9)
    assert fields.unparsed == []


def test_new_condo_project_detail_with_most_common_price_band() -> None:
    """Hand-written in the detail-table template: no real new-condo detail page has been saved."""
    fields = FieldLog()
    item = parse_detail(
        Selector(text=read_handwritten("shinchiku-detail-most-common-price-band.html")),
        "https://suumo.jp/ms/shinchiku/tokyo/sc_minato/nc_90000201/",
        "new",
        FROZEN_NOW,
        fields,
        scope="project",
    )
    assert item is not None
    assert (item.property_type, item.listing_scope, item.listing_id) == ("new", "project", "90000201")
    assert item.most_common_price_yen == 129_000_000  # 1億2900万円台（3戸）: the band's lower bound
    assert (item.units_on_sale, item.total_units) == (12, 815)
    assert (item.price_status, item.price_yen, item.price_min_yen, item.price_max_yen) == (
        "range",
        None,
        94_480_000,
        254_980_000,
    )
    assert (item.total_floors, item.basement_floors, item.structure) == (34, 1, "RC")
    assert (item.built_year, item.built_month, item.delivery_year, item.delivery_month) == (2027, 3, 2027, 4)
    # A project's areas and layouts are ranges: kept as ranges, not as one value.
    assert item.area_m2 is None and item.rooms is None
    assert (item.area_min_m2, item.area_max_m2, item.rooms_min, item.rooms_max) == (42.1, 75.1, 1, 3)
    # A range of fees is not one value: unknown, and counted.
    assert item.management_fee_yen is None
    assert {name for name, _ in fields.unparsed} == {"management_fee"}
