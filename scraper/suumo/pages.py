"""Tell listing pages from the pages that are not: ended listings, errors, empty results, blocks.

A crawl must never read a block page or an error page as "no listings": the verdict below lets the
spider count each kind in its own stat and yield no item for any of them.
"""

from __future__ import annotations

import enum
import re
import weakref
from dataclasses import dataclass

from lxml import etree
from parsel import Selector

from scraper.suumo.urls import is_detail_url

BLOCK_STATUSES = frozenset({403, 429, 503})
_ENDED_MARKERS = ("掲載が終了", "掲載終了")
_BLOCK_MARKERS = (
    "captcha",
    "recaptcha",
    "hcaptcha",
    "アクセスが集中",
    "不正なアクセス",
    "アクセスを制限",
    "access denied",
    "request unsuccessful",
    "too many requests",
    "are you a robot",
)
_HIT_COUNT = re.compile(r"(\d[\d,]*)\s*件")


class PageKind(enum.Enum):
    LIST = "list"
    DETAIL = "detail"
    GONE = "gone"  # the site's "listing ended" page
    EMPTY = "empty"  # a list page with zero hits
    ERROR = "error"  # SUUMO's own error page, or another HTTP error
    BLOCKED = "blocked"  # 403/429/503, a captcha, or a 200 that is not a SUUMO page
    UNRECOGNISED = "unrecognised"  # looks like SUUMO but lacks the expected structure (layout drift)


@dataclass(frozen=True)
class PageVerdict:
    kind: PageKind
    reason: str


_LIST_ID = "js-bukkenList"
_CARD_CLASS = "property_unit"
_HIT_CLASSES = ("pagination_set-hit", "hitbox-number")  # used-condo list, new-condo list
_NEXT_TEXT = "次へ"
# libxml2's id index finds the list without walking the page; the walk is the fallback.
_LIST = etree.XPath("id($list)")
_LIST_BY_WALK = etree.XPath("//*[@id = $list]")
# Cheap substring tests that return a handful of elements; the exact class or text is checked below.
_HIT_BOXES = etree.XPath("//div[contains(@class, 'pagination_set-hit') or contains(@class, 'hitbox-number')]")
_NEXT_LINKS = etree.XPath("//a[contains(., $next)]")


@dataclass(frozen=True)
class PageScan:
    """The elements of a page that the classifier and the list parsers look at."""

    cards: list[etree._Element]
    """``#js-bukkenList div.property_unit``, in page order."""
    hit_boxes: dict[str, etree._Element]
    """The first ``div`` of each hit-count class."""
    next_href: str | None
    """The first 次へ link's ``href``."""


_SCANS: weakref.WeakKeyDictionary[Selector, PageScan] = weakref.WeakKeyDictionary()


def elements(found: object) -> list[etree._Element]:
    """The elements among an XPath result (which may hold strings or be a number)."""
    return [element for element in found if isinstance(element, etree._Element)] if isinstance(found, list) else []


def has_class(element: etree._Element, name: str) -> bool:
    """``name`` is one of the element's class tokens (CSS ``.name``)."""
    return name in (element.get("class") or "").split()


def _cards_under(node: etree._Element, cards: list[etree._Element]) -> None:
    """The ``div.property_unit`` elements under ``node`` in page order; a card's own subtree is not
    searched (cards do not nest), which keeps the walk to the list's outline, not every element.

    The walk keeps its own stack: a hostile page nested thousands deep must not exhaust Python's
    recursion limit (it did, with a recursive walk)."""
    stack = [iter(node.iterchildren(tag=etree.Element))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "div" and has_class(child, _CARD_CLASS):
            cards.append(child)
        else:
            stack.append(iter(child.iterchildren(tag=etree.Element)))


def scan_page(selector: Selector) -> PageScan:
    """Find the cards, hit counts and next link once per selector (classifying a page and parsing it
    share the result)."""
    known = _SCANS.get(selector)
    if known is not None:
        return known
    root = selector.root
    cards: list[etree._Element] = []
    for listing in elements(_LIST(root, list=_LIST_ID)) or elements(_LIST_BY_WALK(root, list=_LIST_ID)):
        _cards_under(listing, cards)
    hit_boxes: dict[str, etree._Element] = {}
    for box in elements(_HIT_BOXES(root)):
        for name in _HIT_CLASSES:
            if has_class(box, name):
                hit_boxes.setdefault(name, box)
    next_href = next(
        (
            str(link.get("href"))
            for link in elements(_NEXT_LINKS(root, next=_NEXT_TEXT))
            if link.get("href") is not None and " ".join("".join(link.itertext()).split()) == _NEXT_TEXT
        ),
        None,
    )
    scan = PageScan(cards, hit_boxes, next_href)
    _SCANS[selector] = scan
    return scan


def page_title(selector: Selector) -> str:
    return " ".join(selector.css("title::text").getall()).strip()


def hit_count(selector: Selector) -> int | None:
    """The site's own count of matching listings (``585件``), on used and new list pages."""
    boxes = scan_page(selector).hit_boxes
    for name in _HIT_CLASSES:
        box = boxes.get(name)
        if box is not None:
            match = _HIT_COUNT.search("".join(box.itertext()).replace("\u3000", " "))
            if match:
                return int(match.group(1).replace(",", ""))
    return None


def list_cards(selector: Selector) -> list[Selector]:
    """Listing cards of a used-condo or new-condo list page (``#js-bukkenList div.property_unit``)."""
    return [Selector(root=card, type="html") for card in scan_page(selector).cards]


def _is_detail_page(selector: Selector, title: str) -> bool:
    script = "".join(selector.xpath("//script[contains(., 'gapSuumoPcForKr')]/text()").getall())
    return bool(script) or title.startswith("【SUUMO】")


def classify_page(status: int, url: str, html: str, selector: Selector | None = None) -> PageVerdict:
    """Decide what kind of page a response is.

    ``html`` is the decoded body; ``url`` decides whether a listing page must be a list or a detail.
    Pass the page's ``selector`` when it has one, so the page's tree is built once.
    """
    if status in BLOCK_STATUSES:
        return PageVerdict(PageKind.BLOCKED, f"http_{status}")
    if selector is None or not html:
        selector = Selector(text=html or "<html></html>")
    title = page_title(selector)
    # Structure first: free text on a real listing page (an agent's comment) may contain any word.
    if status < 400:
        if is_detail_url(url):
            if _is_detail_page(selector, title) and "エラー" not in title:
                return PageVerdict(PageKind.DETAIL, "detail_page")
        elif list_cards(selector):
            return PageVerdict(PageKind.LIST, "list_page")
    lowered = html.lower()
    if any(marker in html for marker in _ENDED_MARKERS):
        return PageVerdict(PageKind.GONE, "listing_ended_page")
    if any(marker in lowered for marker in _BLOCK_MARKERS):
        return PageVerdict(PageKind.BLOCKED, "block_or_captcha_page")
    if status >= 400:
        return PageVerdict(PageKind.ERROR, f"http_{status}")
    if "エラー" in title:
        return PageVerdict(PageKind.ERROR, "suumo_error_page")
    if not is_detail_url(url):
        hits = hit_count(selector)
        if hits == 0:
            return PageVerdict(PageKind.EMPTY, "zero_hits")
        if hits is not None:
            # The site says there are listings but shows no card: the card markup changed.
            return PageVerdict(PageKind.UNRECOGNISED, "hits_without_cards")
    if "suumo" in lowered:
        return PageVerdict(PageKind.UNRECOGNISED, "suumo_page_without_listing_structure")
    return PageVerdict(PageKind.BLOCKED, "not_a_suumo_page")
