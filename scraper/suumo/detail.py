"""Detail pages (``…/nc_<id>/``): label tables and the page's structured JavaScript object.

The 物件概要 tables of a used-condo page are ``table.bdGrayT`` with ``th``/``td`` pairs; a new-condo
project page has ``table.overview_table`` instead; both pages have a summary list
(``dl.definitionlist``: 情報提供日, 次回更新日). Labels are matched through :mod:`scraper.parsing.labels`
(hint text, ``[ … ]`` link fragments, 予定, bracket widths and colons folded away), and a label no field
knows is counted. The page's ``gapSuumoPcFor…`` object in ``<head>`` (``…ForKr`` on used-condo pages,
``…ForMs`` on project pages) holds some of the same facts in plain form (price in yen, unit count,
direction, agent) and fills gaps when a table row is missing. Only server-rendered markup is read:
nothing that only a browser's DOM snapshot has.
"""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree
from parsel import Selector

from scraper.items import ListingItem, ListingScope, PropertyType
from scraper.parsing.area import parse_area, parse_area_range, parse_balcony
from scraper.parsing.dates import parse_date, parse_next_update, parse_year_month
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.floors import parse_floor, parse_floor_and_structure, parse_structure
from scraper.parsing.labels import Labels
from scraper.parsing.layout import parse_layout, parse_layout_range
from scraper.parsing.money import parse_monthly_fee, parse_price, parse_yen
from scraper.parsing.resale import (
    marketed_in_chinese,
    parse_handover,
    parse_licence,
    parse_parking,
    rented,
    split_tags,
    unoccupied,
)
from scraper.parsing.tenure import parse_tenure
from scraper.parsing.text import clean, fold, is_blank, squash
from scraper.suumo.common import SOURCE, apply_access, apply_address, apply_price
from scraper.suumo.urls import listing_id_from_url

_JS_OBJECT = re.compile(r"var\s+gapSuumoPcFor(?:Kr|Ms)\s*=\s*\[\s*\{(.*?)\}\s*\]\s*;", re.S)
_JS_PAIR = re.compile(r'^(\w+)\s*:\s*(?:\[\s*"([^"]*)"[^\]]*\]|"([^"]*)")')
_JS_OPEN = re.compile(r"[\[{]")
_JS_CLOSE = re.compile(r"[\]}]")
_JS_STRING = re.compile(r'"[^"]*"')
_BRACKET_LINKS = re.compile(r"\[[^\[\]]*\]")
_COUNT = re.compile(r"(\d+)戸")
_TITLE_NAME = re.compile(r"【SUUMO】(.+?)\s*(?:\|\s*)?(?:中古マンション|新築マンション)")
_DIRECTIONS = ("北東", "北西", "南東", "南西", "東", "西", "南", "北")
_TABLES = "table.bdGrayT, table.overview_table"
# Link texts inside value cells (a map link beside a project's address).
_LINK_LINES = frozenset({"地図を見る", "地図", "周辺環境を見る"})


def js_object(html: str) -> dict[str, str]:
    """The top-level ``key : "value"`` pairs of the page's ``gapSuumoPcFor…`` object (first value of a
    list). Keys of nested objects (a project page's ``bukkenList`` of other units) are not read.

    >>> js_object('var gapSuumoPcForKr = [{\\n muki : "北西",\\n kakakuDisp : ["108000000"]\\n}];')
    {'muki': '北西', 'kakakuDisp': '108000000'}
    >>> js_object('var gapSuumoPcForMs = [{\\n a : [\\n {\\n bukkenCd : "1"\\n }\\n ],\\n projectCd : "2"\\n}];')
    {'projectCd': '2'}
    """
    match = _JS_OBJECT.search(html)
    if not match:
        return {}
    pairs: dict[str, str] = {}
    depth = 0
    for line in match.group(1).splitlines():
        stripped = line.strip()
        if depth == 0:
            pair = _JS_PAIR.match(stripped)
            if pair:
                key, list_value, plain_value = pair.groups()
                value = list_value if list_value is not None else (plain_value or "")
                pairs.setdefault(key, value)
        # Brackets inside quoted values do not count.
        unquoted = _JS_STRING.sub("", stripped)
        depth += len(_JS_OPEN.findall(unquoted)) - len(_JS_CLOSE.findall(unquoted))
        depth = max(depth, 0)
    return pairs


def _label(th: etree._Element) -> str:
    return "".join(th.itertext())


def _lines(td: etree._Element) -> list[str]:
    """The cell's text lines with bracketed link fragments removed."""
    text = "\n".join(t.strip() for t in td.itertext())
    text = _BRACKET_LINKS.sub("\n", text.replace("&nbsp;", " "))
    return [line for line in (clean(part) for part in text.split("\n")) if line and line not in _LINK_LINES]


def _next_element(node: etree._Element) -> etree._Element | None:
    """The next sibling element, skipping comments (XPath's ``following-sibling::*[1]``)."""
    sibling = node.getnext()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext()
    return sibling


def page_labels(selector: Selector) -> Labels:
    """Every label/value row of the page: its detail tables first (``th``/``td`` pairs; a row can
    hold two), then the summary list (``dt``/``dd``). The first row of a label wins."""
    labels = Labels()
    for table in selector.css(_TABLES):
        for th in table.root.iterfind(".//tr/th"):
            td = _next_element(th)
            if td is not None and td.tag == "td":
                labels.add(_label(th), _lines(td))
    for dt_node in selector.css("dl.definitionlist dt.definitionlist-title"):
        dd = _next_element(dt_node.root)
        if dd is not None and dd.tag == "dd":
            labels.add(_label(dt_node.root), _lines(dd))
    return labels


def detail_table(selector: Selector) -> dict[str, list[str]]:
    """Label key (see :func:`scraper.parsing.labels.label_key`) → cell lines for every row of the
    page's detail tables and summary list."""
    return dict(page_labels(selector).as_dict())


def parse_direction(text: str) -> str | None:
    """A compass direction (``北西``) or ``None``."""
    flat = squash(text)
    if flat is None:
        return None
    return next((d for d in _DIRECTIONS if flat.startswith(d)), None)


def parse_count(text: str) -> int | None:
    """``693戸`` → 693; ``388戸（募集対象外住戸14戸含む）`` → 388 (the first count is the total)."""
    flat = squash(text)
    match = _COUNT.search(flat or "")
    return int(match.group(1)) if match else None


def _header_tenure(selector: Selector) -> str | None:
    """A project page's tenure note beside its price (``価格未定 (（一般定期借地権）)``) or in the
    物件概要 heading (``物件概要　（一般定期借地権）``)."""
    for css in ("div.section_h1-price", "h2.section_h2-title"):
        for node in selector.css(css):
            text = "".join(node.xpath(".//text()").getall())
            if "借地" in text or "地上権" in text:
                inner = re.findall(r"[（(]+([^（()）]*(?:借地|地上権)[^（()）]*)[)）]+", text)
                return clean(inner[0]) if inner else clean(text)
    return None


def _optional_text(value: str | None) -> str | None:
    return None if is_blank(value) else clean(value)


def parse_detail(
    selector: Selector,
    url: str,
    property_type: PropertyType,
    scraped_at: dt.datetime,
    fields: FieldLog,
    scope: ListingScope | None = None,
) -> ListingItem | None:
    """Parse a detail page into one item; ``None`` (counted) when it has no listing id at all.

    ``scope`` comes from the list card that led here (a new-condo project or a single unit). Without
    it, a new-condo page that carries the project object (``gapSuumoPcForMs`` with ``projectCd``) is a
    project and any other page a unit.
    """
    html = selector.get()
    js = js_object(html)
    if scope is None:
        scope = "project" if property_type == "new" and "gapSuumoPcForMs" in html and js.get("projectCd") else "unit"
    labels = page_labels(selector)
    for label in labels.unknown():
        fields.note_unparsed("label", label)
    listing_id = js.get("bukkenCd") or js.get("projectCd") or listing_id_from_url(url)
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
    heading = clean("".join(selector.css("span.section_h1-title ::text").getall()))
    item.building_name = (
        clean(labels.text("building_name")) or heading or (clean(title_match.group(1)) if title_match else None)
    )
    if item.building_name is None:
        fields.note_missing("building_name")

    price = fields.read("price", labels.text("price"), parse_price)
    js_price = parse_yen(js["headerKakakuDisp"] + "円") if js.get("headerKakakuDisp") else None
    apply_price(item, price)
    if price is not None:
        if js_price is not None and price.yen is not None and js_price != price.yen:
            fields.note_unparsed("price", f"table {price.yen} != script {js_price}")
    elif js_price is not None and js.get("kakaku_mitei_flg") != "1":
        item.price_status, item.price_yen = "fixed", js_price
        item.price_min_yen = item.price_max_yen = js_price

    def expected(*names: str) -> bool:
        """Whether a used-condo page must have the field (then its absence is counted) or the page has
        it anyway: a project page has no floor, balcony or fees of its own, and is not faulted for it."""
        return property_type == "used" or any(labels.lines(name) is not None for name in names)

    # 最多価格帯 is a band ("8900万円台（2戸）"): its lower bound.
    if property_type == "new" or labels.lines("most_common_price") is not None:
        band = fields.read("most_common_price", labels.text("most_common_price"), parse_price)
        item.most_common_price_yen = band.min_yen if band else None

    # One flat's layout and area, or a project's ranges (1LDK～3LDK, 37.01m2～152.01m2); only text that
    # is neither is read again, to be counted (missing, blank or unparsed).
    layout_text = labels.text("layout")
    layout = parse_layout(layout_text) if layout_text else None
    rooms = parse_layout_range(layout_text) if layout_text and layout is None else None
    if layout is not None:
        item.layout, item.rooms = layout.label, layout.rooms
    elif rooms is not None:
        item.layout, (item.rooms_min, item.rooms_max) = fold(layout_text), rooms
    else:
        fields.read("layout", layout_text, parse_layout)
    area_text = labels.text("area_m2")
    area = parse_area(area_text) if area_text else None
    span = parse_area_range(area_text) if area_text and area is None else None
    if area is not None:
        item.area_m2, item.area_basis = area.m2, area.basis
    elif span is not None:
        item.area_min_m2, item.area_max_m2 = span
    else:
        fields.read("area_m2", area_text, parse_area)
    if expected("balcony_m2"):
        item.balcony_m2 = fields.read("balcony_m2", labels.text("balcony_m2"), parse_balcony)

    floor, building = parse_floor_and_structure(labels.text("floor_and_structure"))
    if expected("floor", "structure"):
        if floor is None:
            floor = fields.read("floor", labels.text("floor"), parse_floor)
        if building is None:
            building = fields.read("structure", labels.text("structure"), parse_structure)
    if floor is not None:
        item.floor, item.floor_top = floor.floor, floor.top
    if building is not None:
        item.structure, item.total_floors = building.structure, building.floors
        item.basement_floors = building.basement_floors

    if expected("built"):
        built = fields.read("built", labels.text("built"), parse_year_month)
        if built is not None:
            item.built_year, item.built_month = built
    item.total_units = fields.read("total_units", labels.text("total_units"), parse_count)
    if item.total_units is None and (js.get("soKukakusuDisp") or "").isdigit():
        item.total_units = int(js["soKukakusuDisp"])
    units_text = labels.text("units_on_sale")
    item.units_on_sale = fields.read("units_on_sale", units_text, parse_count) if units_text is not None else None
    if item.units_on_sale is None and units_text is None and (js.get("hanbai_kosuu") or "").isdigit():
        item.units_on_sale = int(js["hanbai_kosuu"])

    apply_address(item, labels.text("address"), fields)
    apply_access(item, labels.first_line("access"), fields)
    js_ward = js.get("shikugunCd")
    if item.ward_code is not None and js_ward and f"13{js_ward}" != str(item.ward_code):
        fields.note_unparsed("ward_code", f"address ward {item.ward_code} != script ward 13{js_ward}")

    if expected("management_fee"):
        item.management_fee_yen = fields.read("management_fee", labels.text("management_fee"), parse_monthly_fee)
        item.repair_reserve_yen = fields.read("repair_reserve", labels.text("repair_reserve"), parse_monthly_fee)
    direction_text = labels.text("direction")
    if expected("direction"):
        item.direction = fields.read("direction", direction_text, parse_direction)
    if item.direction is None and direction_text is None and js.get("muki"):
        item.direction = parse_direction(js["muki"])

    item.agent = clean(js.get("kaisha_nm")) or clean(labels.first_line("contact"))
    delivery = labels.text("delivery")
    item.delivery = None if is_blank(delivery) else fold(delivery)
    when = parse_year_month(delivery)
    if when is not None:
        item.delivery_year, item.delivery_month = when

    tenure_text = labels.text("land_tenure")
    if tenure_text is None:
        tenure_text = _header_tenure(selector)
    tenure = fields.read("land_tenure", tenure_text, parse_tenure)
    item.land_tenure_raw = _optional_text(tenure_text)
    if tenure is not None:
        item.land_tenure, item.lease_years_remaining = tenure.kind, tenure.lease_years_remaining
    item.energy_performance = _optional_text(labels.text("energy_performance"))
    item.insulation_performance = _optional_text(labels.text("insulation_performance"))
    item.utility_cost = _optional_text(labels.text("utility_cost"))
    item.sale_schedule = _optional_text(labels.text("sale_schedule"))

    if scope == "unit" and property_type == "used":
        read_resale_signals(selector, labels, item, fields)

    item.info_date = fields.read("info_date", labels.text("info_date"), parse_date)
    item.next_update_date = fields.read(
        "next_update_date", labels.text("next_update_date"), lambda text: parse_next_update(text, item.info_date)
    )
    return item


def _feature_tags(selector: Selector) -> str | None:
    """特徴ピックアップ: the tags under its heading (the heading's parent's next block), as printed."""
    for heading in selector.xpath("//h3[normalize-space()='特徴ピックアップ']"):
        block = heading.xpath("../following-sibling::div[1]")
        tags = split_tags(" ".join(block.css("::text").getall()))
        if tags:
            return " / ".join(tags)
    return None


def read_resale_signals(selector: Selector, labels: Labels, item: ListingItem, fields: FieldLog) -> None:
    """The rows that say how a used flat is resold (scraper.parsing.resale), and the flags read from
    them: never lived in, let to a tenant, marketed in Chinese, each with where it was read."""
    handover_text = labels.text("delivery")
    if handover_text is not None and not is_blank(handover_text):
        item.handover = fields.read("handover", handover_text, parse_handover)
    parking_text = labels.text("parking")
    if parking_text is not None and not is_blank(parking_text):
        item.parking = fields.read("parking", parking_text, parse_parking)
    item.zoning_raw = _optional_text(labels.text("zoning"))
    licence = parse_licence(labels.text("company"))
    if licence is not None:
        item.agent_licence, item.agent_licence_renewals = licence.text, licence.renewals
    item.feature_tags = _feature_tags(selector)
    item.remarks = _optional_text(labels.text("remarks"))
    item.agent_comment = _optional_text(labels.text("agent_comment"))
    places = [
        ("tags", item.feature_tags),
        ("remarks", item.remarks),
        ("agent_comment", item.agent_comment),
        ("title", item.title or item.building_name),
    ]
    for name, signal in (
        ("unoccupied", unoccupied(places)),
        ("rented", rented(places)),
        ("marketed_in_chinese", marketed_in_chinese(places)),
    ):
        setattr(item, name, signal.found)
        setattr(item, f"{name}_source", signal.source)
