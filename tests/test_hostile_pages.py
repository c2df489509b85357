"""Hostile and odd pages (issue 17, item 7): each gets a tested answer, a counted skip or the right value."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from parsel import Selector

from condo.cli import main
from scraper import settings
from scraper.offline import UnknownPageError, parse_file, parse_html
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.money import parse_price, parse_yen
from scraper.suumo.detail import parse_detail
from tests.conftest import FROZEN_NOW, read_shared

LIST_URL = "https://suumo.jp/ms/chuko/tokyo/sc_chiyoda/"
DETAIL_URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/"


def test_deeply_nested_page_does_not_exhaust_the_stack() -> None:
    """5,000 nested divs around the real list: no RecursionError. libxml2 stops building the tree past
    its depth limit (2,047 levels, measured), so the cards are lost: the page is *unrecognised* (the site
    says it has listings and shows no card), which the spider counts as a failed list page and the ward
    as incomplete, never as a ward that emptied."""
    html = read_shared("suumo/chuko-list-chiyoda-2026-09.html")
    start = html.index('<div id="js-bukkenList"')
    html = html[:start] + "<div>" * 5000 + html[start:].replace("</body>", "</div>" * 5000 + "</body>", 1)
    parsed = parse_html(html, LIST_URL)
    assert parsed.items == []
    assert (parsed.verdict.kind.value, parsed.verdict.reason) == ("unrecognised", "hits_without_cards")


def test_cards_nested_deeper_than_python_s_recursion_limit_are_all_found() -> None:
    """1,500 divs between the list and its cards: past Python's recursion limit (1,000; the recursive
    card walk crashed here), inside libxml2's; the iterative walk finds all 20 cards."""
    html = read_shared("suumo/chuko-list-chiyoda-2026-09.html")
    opening = html.index(">", html.index('<div id="js-bukkenList"')) + 1
    first_card = html.index('<div class="property_unit', opening)
    html = html[:first_card] + "<div>" * 1500 + html[first_card:]
    # Close them after the last card: before the list's own closing tag (its footer pager follows).
    last = html.rindex('<div class="property_unit')
    after = html.index("<!-- ", last)
    html = html[:after] + "</div>" * 1500 + html[after:]
    parsed = parse_html(html, LIST_URL)
    assert parsed.verdict.kind.value == "list" and len(parsed.items) == 20


def test_deep_nesting_without_cards_is_classified_not_crashed() -> None:
    html = "<html><body><div id='js-bukkenList'>" + "<div>" * 5000 + "suumo" + "</div>" * 5000 + "</div></body></html>"
    parsed = parse_html(html, LIST_URL)
    assert parsed.items == []


def test_shift_jis_page_is_decoded_by_its_declared_charset(tmp_path: Path) -> None:
    html = read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html")
    html = html.replace('charset="utf-8"', 'charset="Shift_JIS"').replace("charset=utf-8", "charset=Shift_JIS")
    assert "Shift_JIS" in html
    page = tmp_path / "sjis.html"
    page.write_bytes(html.encode("shift_jis", errors="replace"))
    item = parse_file(page).items[0]
    assert (item.building_name, item.price_yen, item.ward_name) == (
        "パークホームズ豊洲ザ・レジデンス",
        108_000_000,
        "江東区",
    )


def test_a_page_past_the_download_cap_is_refused_quickly(tmp_path: Path) -> None:
    assert settings.DOWNLOAD_MAXSIZE == 8 * 2**20  # Scrapy's default (1 GiB) would let a 57 MB page through
    page = tmp_path / "huge.html"
    page.write_bytes(b"<html>" + b" " * (settings.DOWNLOAD_MAXSIZE + 1) + b"</html>")
    with pytest.raises(UnknownPageError, match="DOWNLOAD_MAXSIZE"):
        parse_file(page, DETAIL_URL)
    result = CliRunner().invoke(main, ["parse", str(page), "--url", DETAIL_URL])
    assert result.exit_code == 2 and "larger than any page the spiders accept" in result.output


@pytest.mark.parametrize("text", ["-3980万円", "－3980万円", "−3980万円", "価格 -1億円"])
def test_a_negative_price_is_not_read(text: str) -> None:
    assert parse_price(text) is None
    assert parse_yen(text) is None


@pytest.mark.parametrize(
    ("text", "yen"),
    [("2980万円→2780万円", 27_800_000), ("1億円⇒9800万円", 98_000_000), ("3980万円 → 3780万円（値下げ）", 37_800_000)],
)
def test_a_reduction_display_gives_the_price_asked_now(text: str, yen: int) -> None:
    price = parse_price(text)
    assert price is not None and (price.status, price.yen) == ("fixed", yen)


def _detail_with(replace_from: str, replace_to: str) -> tuple[object, FieldLog]:
    html = read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html").replace(replace_from, replace_to)
    fields = FieldLog()
    return parse_detail(Selector(text=html), DETAIL_URL, "used", FROZEN_NOW, fields), fields


def test_negative_price_on_a_page_is_unknown_and_counted() -> None:
    item, fields = _detail_with("<p>\n\t\t\t\t\t\t\t\t1億800万円", "<p>\n\t\t\t\t\t\t\t\t-3980万円")
    # The table's price is unread (counted, logged); the script object's plain price stands.
    assert ("price", "-3980万円") in fields.unparsed
    assert item.price_yen == 108_000_000


def test_control_characters_are_dropped_from_names() -> None:
    html = read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html")
    at = html.index("パークホームズ豊洲ザ・レジデンス", html.index('<div class="fl">物件名</div>'))
    html = (
        html[:at]
        + "パークホームズ\x1b[31m豊洲\x07ザ・レジデンス"
        + html[at + len("パークホームズ豊洲ザ・レジデンス") :]
    )
    item = parse_detail(Selector(text=html), DETAIL_URL, "used", FROZEN_NOW, FieldLog())
    assert item.building_name == "パークホームズ[31m豊洲ザ・レジデンス"
