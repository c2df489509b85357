"""Detail pages (``…/nc_<id>/``): label tables and the page's structured JavaScript object.

The 物件概要 tables are ``table.bdGrayT`` with ``th``/``td`` pairs; a ``th`` carries the label and an
optional ``ヒント`` link, and a ``td`` may end with ``[ 支払シミュレーション ]``-style link fragments,
both of which are stripped. The ``gapSuumoPcForKr`` object in ``<head>`` holds the same facts in plain
form (price in yen, unit count, direction, agent) and fills gaps when a table row is missing.
"""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree
from parsel import Selector

from scraper.items import ListingItem, ListingScope, PropertyType
from scraper.parsing.area import parse_area, parse_balcony
from scraper.parsing.dates import parse_date, parse_next_update, parse_year_month
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.floors import parse_floor, parse_floor_and_structure, parse_structure
from scraper.parsing.layout import parse_layout
from scraper.parsing.money import parse_monthly_fee, parse_price, parse_yen
from scraper.parsing.text import clean, fold, is_blank, squash
from scraper.suumo.common import SOURCE, apply_access, apply_address, apply_price
from scraper.suumo.urls import listing_id_from_url

_JS_OBJECT = re.compile(r"var\s+gapSuumoPcForKr\s*=\s*\[\s*\{(.*?)\}\s*\]\s*;", re.S)
_JS_PAIR = re.compile(r'^\s*(\w+)\s*:\s*(?:\[\s*"([^"]*)"[^\]]*\]|"([^"]*)")', re.M)
_BRACKET_LINKS = re.compile(r"\[[^\[\]]*\]")
_COUNT = re.compile(r"(\d+)戸")
_TITLE_NAME = re.compile(r"【SUUMO】(.+?)\s*(?:中古マンション|新築マンション)")
_DIRECTIONS = ("北東", "北西", "南東", "南西", "東", "西", "南", "北")


def js_object(html: str) -> dict[str, str]:
    """The flat ``key : "value"`` pairs of the ``gapSuumoPcForKr`` object (first value of a list).

    >>> js_object('var gapSuumoPcForKr = [{\\n muki : "北西",\\n kakakuDisp : ["108000000"]\\n}];')
    {'muki': '北西', 'kakakuDisp': '108000000'}
    """
    match = _JS_OBJECT.search(html)
    if not match:
        return {}
    pairs: dict[str, str] = {}
    for key, list_value, plain_value in _JS_PAIR.findall(match.group(1)):
        pairs.setdefault(key, list_value if list_value is not None and plain_value == "" else plain_value)
    return pairs


def _label(th: etree._Element) -> str | None:
    text = "".join(th.itertext()).replace("ヒント", "")
    return squash(_BRACKET_LINKS.sub("", text))


def _lines(td: etree._Element) -> list[str]:
    """The cell's text lines with bracketed link fragments removed."""
    text = "\n".join(t.strip() for t in td.itertext())
    text = _BRACKET_LINKS.sub("\n", text.replace("&nbsp;", " "))
    return [line for line in (clean(part) for part in text.split("\n")) if line]


def _next_element(node: etree._Element) -> etree._Element | None:
    """The next sibling element, skipping comments (XPath's ``following-sibling::*[1]``)."""
    sibling = node.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return sibling


def detail_table(selector: Selector) -> dict[str, list[str]]:
    """Label → cell lines for every row of the page's detail tables; the first row of a label wins.

    Labels are NFKC-folded without spaces, so ``完成時期（築年月）`` and ``完成時期(築年月)`` are one key.
    Rows are read from the lxml elements (the same text as ``.//text()``, a selector per table only).
    """
    cells: dict[str, list[str]] = {}
    for table in selector.css("table.bdGrayT"):
        for th in table.root.iterfind(".//tr/th"):
            # Each label's own cell is the td right after it (rows can hold two label/cell pairs).
            td = _next_element(th)
            label = _label(th)
            if td is not None and td.tag == "td" and label and label not in cells:
                cells[label] = _lines(td)
    return cells


def _cell(cells: dict[str, list[str]], *labels: str) -> str | None:
    for label in labels:
        lines = cells.get(squash(label) or label)
        if lines is not None:
            return " ".join(lines) if lines else ""
    return None


def _first_line(cells: dict[str, list[str]], label: str) -> str | None:
    lines = cells.get(label)
    if lines is None:
        return None
    return lines[0] if lines else ""


def _header_value(selector: Selector, label: str) -> str | None:
    for dt_node in selector.css("dl.definitionlist dt.definitionlist-title"):
        if label in "".join(dt_node.xpath(".//text()").getall()):
            return "".join(dt_node.xpath("following-sibling::dd[1]//text()").getall())
    return None


def parse_direction(text: str) -> str | None:
    """A compass direction (``北西``) or ``None``."""
    flat = squash(text)
    if flat is None:
        return None
    return next((d for d in _DIRECTIONS if flat.startswith(d)), None)


def parse_count(text: str) -> int | None:
    """``693戸`` → 693."""
    flat = squash(text)
    match = _COUNT.search(flat or "")
    return int(match.group(1)) if match else None


def parse_detail(
    selector: Selector,
    url: str,
    property_type: PropertyType,
    scraped_at: dt.datetime,
    fields: FieldLog,
    scope: ListingScope = "unit",
) -> ListingItem | None:
    """Parse a detail page into one item; ``None`` (counted) when it has no listing id at all.

    ``scope`` comes from the list card that led here (a new-condo project or a single unit): the
    detail page itself does not say.
    """
    html = selector.get()
    js = js_object(html)
    cells = detail_table(selector)
    listing_id = js.get("bukkenCd") or listing_id_from_url(url)
    if not listing_id:
        fields.note_missing("listing_id")
        return None
    url_id = listing_id_from_url(url)
    if url_id and url_id != listing_id:
        fields.note_unparsed("listing_id", f"page id {listing_id} != url id {url_id}")
    item = ListingItem(
        source=SOURCE,
        property_type=property_type,
        page_kind="detail",
        listing_id=listing_id,
        url=url,
        scraped_at=scraped_at,
        listing_scope=scope,
    )
    title_match = _TITLE_NAME.search(" ".join(selector.css("title::text").getall()))
    item.building_name = clean(_cell(cells, "物件名")) or (clean(title_match.group(1)) if title_match else None)
    if item.building_name is None:
        fields.note_missing("building_name")

    price = fields.read("price", _cell(cells, "価格"), parse_price)
    js_price = parse_yen(js["headerKakakuDisp"] + "円") if js.get("headerKakakuDisp") else None
    apply_price(item, price)
    if price is not None:
        if js_price is not None and price.yen is not None and js_price != price.yen:
            fields.note_unparsed("price", f"table {price.yen} != script {js_price}")
    elif js_price is not None and js.get("kakaku_mitei_flg") != "1":
        item.price_status, item.price_yen = "fixed", js_price
        item.price_min_yen = item.price_max_yen = js_price
    # 最多価格帯 is a band ("8900万円台（2戸）"): its lower bound.
    band = fields.read("most_common_price", _cell(cells, "最多価格帯"), parse_price)
    item.most_common_price_yen = band.min_yen if band else None

    layout = fields.read("layout", _cell(cells, "間取り"), parse_layout)
    if layout is not None:
        item.layout, item.rooms = layout.label, layout.rooms
    area = fields.read("area_m2", _cell(cells, "専有面積"), parse_area)
    if area is not None:
        item.area_m2, item.area_basis = area.m2, area.basis
    item.balcony_m2 = fields.read("balcony_m2", _cell(cells, "その他面積"), parse_balcony)

    floor, building = parse_floor_and_structure(_cell(cells, "所在階/構造・階建"))
    if floor is None:
        floor = fields.read("floor", _cell(cells, "所在階"), parse_floor)
    if building is None:
        building = fields.read("structure", _cell(cells, "構造・階建て", "構造・階建"), parse_structure)
    if floor is not None:
        item.floor, item.floor_top = floor.floor, floor.top
    if building is not None:
        item.structure, item.total_floors = building.structure, building.floors
        item.basement_floors = building.basement_floors

    built = fields.read("built", _cell(cells, "完成時期(築年月)", "築年月"), parse_year_month)
    if built is not None:
        item.built_year, item.built_month = built
    item.total_units = fields.read("total_units", _cell(cells, "総戸数"), parse_count)
    if item.total_units is None and (js.get("soKukakusuDisp") or "").isdigit():
        item.total_units = int(js["soKukakusuDisp"])
    item.units_on_sale = fields.read("units_on_sale", _cell(cells, "販売戸数"), parse_count)

    apply_address(item, _cell(cells, "住所", "所在地"), fields)
    apply_access(item, _first_line(cells, "交通"), fields)
    js_ward = js.get("shikugunCd")
    if item.ward_code is not None and js_ward and f"13{js_ward}" != str(item.ward_code):
        fields.note_unparsed("ward_code", f"address ward {item.ward_code} != script ward 13{js_ward}")

    item.management_fee_yen = fields.read("management_fee", _cell(cells, "管理費"), parse_monthly_fee)
    item.repair_reserve_yen = fields.read("repair_reserve", _cell(cells, "修繕積立金"), parse_monthly_fee)
    direction_text = _cell(cells, "向き")
    item.direction = fields.read("direction", direction_text, parse_direction)
    if item.direction is None and direction_text is None and js.get("muki"):
        item.direction = parse_direction(js["muki"])

    item.agent = clean(js.get("kaisha_nm")) or clean(_first_line(cells, "お問い合せ先"))
    delivery = _cell(cells, "引渡可能時期", "引渡時期", "入居時期")
    item.delivery = None if is_blank(delivery) else fold(delivery)
    when = parse_year_month(delivery)
    if when is not None:
        item.delivery_year, item.delivery_month = when

    info_text = _cell(cells, "情報提供日") or _header_value(selector, "情報提供日")
    item.info_date = fields.read("info_date", info_text, parse_date)
    next_text = _cell(cells, "次回更新日") or _header_value(selector, "次回更新日")
    item.next_update_date = fields.read(
        "next_update_date", next_text, lambda text: parse_next_update(text, item.info_date)
    )
    return item
