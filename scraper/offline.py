"""Parse saved pages offline with the parser of the spider that owns their URL.

This is the library behind ``condo parse``: a maintainer checks a page after the site changes, the
tests read the real saved pages, and the README's first command shows what the parsers extract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parsel import Selector
from w3lib.encoding import html_to_unicode

from scraper.items import ListingItem
from scraper.parsing.fieldlog import FieldLog
from scraper.settings import DOWNLOAD_MAXSIZE
from scraper.sites import site_for_url
from scraper.suumo.chuko_list import parse_chuko_list
from scraper.suumo.common import footer_url, now_utc
from scraper.suumo.detail import parse_detail
from scraper.suumo.pages import PageKind, PageVerdict, classify_page
from scraper.suumo.shinchiku_list import parse_shinchiku_list
from scraper.suumo.urls import is_detail_url, property_type_from_url

_CANONICAL = re.compile(r'<link\s+rel="canonical"\s+href="([^"]+)"', re.I)


class UnknownPageError(ValueError):
    """The URL belongs to no spider of this project, or the file is no page at all (empty, binary)."""


class UnreadSiteError(UnknownPageError):
    """The page is from a portal this project knows but no spider reads yet (docs/other-portals.md)."""


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The page's text in the charset it declares (HTTP header, byte-order mark or ``<meta charset>``),
    as Scrapy decodes a response; UTF-8 when it declares none. A Shift_JIS page read as UTF-8 would
    be mojibake stored as text.

    >>> decode_page('<meta charset="shift_jis"><p>江東区</p>'.encode("shift_jis")).endswith("<p>江東区</p>")
    True
    """
    _, text = html_to_unicode(content_type, body)
    return text


@dataclass
class ParsedPage:
    """The result of parsing one saved page."""

    url: str
    spider: str
    verdict: PageVerdict
    items: list[ListingItem]
    fields: FieldLog = field(default_factory=FieldLog)
    hit_count: int | None = None
    footer_ids: list[str] | None = None
    next_url: str | None = None


def guess_url(html: str) -> str | None:
    """The page's own URL: its canonical link (detail pages) or its footer summary (list pages)."""
    match = _CANONICAL.search(html)
    return match.group(1) if match else footer_url(html)


def spider_for_url(url: str) -> str:
    """Name of the spider that owns a URL; raises :class:`UnknownPageError` for any other URL."""
    property_type = property_type_from_url(url)
    if property_type == "used":
        return "suumo_chuko"
    if property_type == "new":
        return "suumo_shinchiku"
    site = site_for_url(url)
    if site is not None and site.spider is None:
        raise UnreadSiteError(
            f"a page of {site.name} ({site.host}): no spider reads this site yet"
            " (docs/other-portals.md says what its pages hold and what a spider would need)"
        )
    raise UnknownPageError(
        f"no spider owns {url}: expected a SUUMO /ms/chuko/… or /ms/shinchiku/… list or nc_… detail URL"
    )


def parse_html(html: str, url: str, status: int = 200, scraped_at: dt.datetime | None = None) -> ParsedPage:
    """Parse one page's HTML as the spider owning ``url`` would."""
    spider = spider_for_url(url)
    scraped_at = scraped_at or now_utc()
    selector = Selector(text=html)
    verdict = classify_page(status, url, html, selector)
    parsed = ParsedPage(url=url, spider=spider, verdict=verdict, items=[])
    if verdict.kind is PageKind.DETAIL:
        property_type = property_type_from_url(url)
        assert property_type is not None
        item = parse_detail(selector, url, property_type, scraped_at, parsed.fields)
        parsed.items = [item] if item else []
    elif verdict.kind is PageKind.LIST and not is_detail_url(url):
        parser = parse_chuko_list if spider == "suumo_chuko" else parse_shinchiku_list
        page = parser(selector, url, scraped_at, html)
        parsed.items, parsed.fields = page.items, page.fields
        parsed.hit_count, parsed.footer_ids, parsed.next_url = page.hit_count, page.footer_ids, page.next_url
    return parsed


def parse_file(path: Path, url: str | None = None, scraped_at: dt.datetime | None = None) -> ParsedPage:
    """Parse a saved page; without ``url`` the page's own canonical or footer URL is used."""
    size = path.stat().st_size
    if size > DOWNLOAD_MAXSIZE:
        raise UnknownPageError(
            f"{path}: {size / 2**20:.1f} MiB is larger than any page the spiders accept"
            f" (DOWNLOAD_MAXSIZE, {DOWNLOAD_MAXSIZE / 2**20:.0f} MiB); a SUUMO page is under 1 MiB"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise UnknownPageError(f"{path}: the file is empty (a page saved before it finished loading?)")
    if b"\x00" in raw[:4096] or b"<" not in raw[:65536]:
        raise UnknownPageError(f"{path}: not an HTML page (binary or plain text): save the page's HTML source")
    html = decode_page(raw)
    url = url or guess_url(html)
    if url is None:
        # A page that is not a listing (ended, error, block) still says what it is without a URL.
        verdict = classify_page(200, "", html)
        if verdict.kind in (PageKind.GONE, PageKind.ERROR, PageKind.BLOCKED):
            return ParsedPage(url="", spider="none", verdict=verdict, items=[])
        raise UnknownPageError(f"{path}: the page names no URL of its own; pass --url")
    return parse_html(html, url, scraped_at=scraped_at)


def parse_archive(paths: list[Path]) -> Iterator[tuple[str, ParsedPage | None]]:
    """Every archived response of WARC files (archive/) parsed as the spider parsed it that night, at
    the time it was fetched: (URL, page), or (URL, None) for what is no SUUMO page (robots.txt)."""
    from scraper.archive.warc import read_records

    for record in read_records(paths):
        if record.body is None or "/robots.txt" in record.url:
            yield record.url, None
            continue
        scraped_at = dt.datetime.strptime(record.date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        content_type = next((value for name, value in record.headers if name.lower() == "content-type"), None)
        html = decode_page(record.body, content_type)
        try:
            yield record.url, parse_html(html, record.url, record.status, scraped_at=scraped_at)
        except UnknownPageError:
            yield record.url, None
