"""Tell listing pages from the pages that are not: ended listings, errors, empty results, blocks.

A crawl must never read a block page or an error page as "no listings": the verdict below lets the
spider count each kind in its own stat and yield no item for any of them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

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


def page_title(selector: Selector) -> str:
    return " ".join(selector.css("title::text").getall()).strip()


def hit_count(selector: Selector) -> int | None:
    """The site's own count of matching listings (``585件``), on used and new list pages."""
    for css in ("div.pagination_set-hit", "div.hitbox-number"):
        text = "".join(selector.css(f"{css} ::text").getall())
        match = _HIT_COUNT.search(text.replace("\u3000", " "))
        if match:
            return int(match.group(1).replace(",", ""))
    return None


def list_cards(selector: Selector) -> list[Selector]:
    """Listing cards of a used-condo or new-condo list page."""
    return list(selector.css("#js-bukkenList div.property_unit"))


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
