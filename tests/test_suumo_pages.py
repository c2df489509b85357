"""Pages that are not listings: each real and hand-written page gets the right verdict."""

from __future__ import annotations

import pytest

from scraper.suumo.pages import PageKind, classify_page
from tests.conftest import read_handwritten, read_shared

LIST_URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100"
DETAIL_URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/"


@pytest.mark.parametrize(
    ("page", "url", "kind"),
    [
        ("suumo/chuko-list-chiyoda-2026-09.html", LIST_URL, PageKind.LIST),
        ("suumo/shinchiku-list-minato-2026.html", "https://suumo.jp/ms/shinchiku/tokyo/sc_minato/", PageKind.LIST),
        ("suumo/chuko-detail-koto-nc73305798-2024-02.html", DETAIL_URL, PageKind.DETAIL),
        ("suumo/chuko-detail-gone-2026.html", DETAIL_URL, PageKind.GONE),
    ],
)
def test_real_pages(page: str, url: str, kind: PageKind) -> None:
    assert classify_page(200, url, read_shared(page)).kind is kind


def test_listing_ended_page_is_gone_even_with_an_error_status() -> None:
    html = read_shared("suumo/chuko-detail-gone-2026.html")
    assert classify_page(404, DETAIL_URL, html).kind is PageKind.GONE


@pytest.mark.parametrize("status", [403, 429, 503])
def test_block_statuses_are_blocks_whatever_the_body(status: int) -> None:
    html = read_shared("suumo/chuko-list-chiyoda-2026-09.html")
    verdict = classify_page(status, LIST_URL, html)
    assert (verdict.kind, verdict.reason) == (PageKind.BLOCKED, f"http_{status}")


@pytest.mark.parametrize(
    ("page", "url", "kind", "reason"),
    [
        ("block-captcha.html", LIST_URL, PageKind.BLOCKED, "block_or_captcha_page"),
        ("block-captcha.html", DETAIL_URL, PageKind.BLOCKED, "block_or_captcha_page"),
        ("not-suumo-page.html", LIST_URL, PageKind.BLOCKED, "not_a_suumo_page"),
        ("suumo-error-page.html", DETAIL_URL, PageKind.ERROR, "suumo_error_page"),
        ("chuko-list-empty-results.html", LIST_URL, PageKind.EMPTY, "zero_hits"),
        ("chuko-list-hits-without-cards.html", LIST_URL, PageKind.UNRECOGNISED, "hits_without_cards"),
        # A list page served where a detail page was asked for is not a detail page.
        (
            "chuko-list-fullwidth-eras-bus-oneroom-tsubo.html",
            DETAIL_URL,
            PageKind.UNRECOGNISED,
            "suumo_page_without_listing_structure",
        ),
    ],
)
def test_handwritten_pages(page: str, url: str, kind: PageKind, reason: str) -> None:
    verdict = classify_page(200, url, read_handwritten(page))
    assert (verdict.kind, verdict.reason) == (kind, reason)


def test_server_error_is_an_error_and_empty_body_is_a_block() -> None:
    assert classify_page(500, LIST_URL, "<html><title>500</title></html>").kind is PageKind.ERROR
    assert classify_page(200, LIST_URL, "").kind is PageKind.BLOCKED


def test_words_in_an_agents_comment_do_not_turn_a_listing_into_a_block() -> None:
    html = read_shared("suumo/chuko-list-chiyoda-2026-09.html").replace(
        "高い利便性と歴史の粋が調和する立地環境です。", "掲載終了間近！アクセスが集中しています。"
    )
    assert classify_page(200, LIST_URL, html).kind is PageKind.LIST


def test_page_scan_finds_what_the_css_selectors_did() -> None:
    """Cards at any depth under ``#js-bukkenList`` (none outside it, none inside a card, no class that
    only starts the same),
    the first box of each hit-count class, and only a link that reads exactly 次へ."""
    from parsel import Selector

    from scraper.suumo.common import next_page_url
    from scraper.suumo.pages import hit_count, list_cards

    html = """<html><body>
      <div class="property_unit">outside the list</div>
      <div class="pagination_set-hit-extra">9件</div><div class="pagination_set-hit">1,234<span>件</span></div>
      <a href="/x/?page=9">次へ進む</a><a>次へ</a><a href="/ms/chuko/tokyo/sc_koto/?page=2"> 次へ </a>
      <div id="js-bukkenList">
        <div class="property_unit property_unit--osusume" data-n="1"><div class="property_unit">nested</div></div>
        <ul><li><div class="cassette property_unit" data-n="2"></div></li></ul>
        <div class="property_unit-info" data-n="no"></div>
      </div></body></html>"""
    selector = Selector(text=html)
    assert [card.attrib["data-n"] for card in list_cards(selector)] == ["1", "2"]
    assert hit_count(selector) == 1234
    assert next_page_url(selector, LIST_URL) == "https://suumo.jp/ms/chuko/tokyo/sc_koto/?page=2"
    assert hit_count(Selector(text="<html><body><p>no list</p></body></html>")) is None
