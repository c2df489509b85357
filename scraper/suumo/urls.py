"""SUUMO URL scheme: ward slugs, list URLs, listing ids (see shared/reference/suumo-site.md §1)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from db.places.wards import WARDS, Ward
from scraper.items import PropertyType

DEFAULT_BASE_URL = "https://suumo.jp"
LARGEST_PAGE_SIZE = 100
"""The largest value of the list pages' ``pc`` (page size) select: 10/20/30/50/100."""


__all__ = ["WARDS", "Ward", "list_url", "listing_id_from_url", "parse_wards", "with_page_size"]

_PATH_SEGMENT = {"used": "chuko", "new": "shinchiku"}
_LISTING_ID = re.compile(r"/nc_(\d+)/")
_TYPE_IN_PATH = re.compile(r"/ms/(chuko|shinchiku)/")
_WARD_IN_PATH = re.compile(r"/sc_([a-z]+)/")


def parse_wards(value: str | None) -> list[Ward]:
    """Turn ``"koto,bunkyo"`` into wards; ``None`` or empty means all three.

    Raises ``ValueError`` naming the valid choices for an unknown ward.
    """
    if value is None or not value.strip():
        return list(WARDS.values())
    wards = []
    for slug in (part.strip().lower() for part in value.split(",")):
        if not slug:
            continue
        if slug not in WARDS:
            raise ValueError(f"unknown ward {slug!r}: choose from {', '.join(WARDS)} (comma-separated)")
        if WARDS[slug] not in wards:
            wards.append(WARDS[slug])
    if not wards:
        raise ValueError(f"no ward given: choose from {', '.join(WARDS)} (comma-separated)")
    return wards


def list_url(base_url: str, property_type: PropertyType, ward: Ward, page_size: int = LARGEST_PAGE_SIZE) -> str:
    """First list page of a ward, in the search-engine path form that robots.txt allows.

    >>> list_url("https://suumo.jp", "used", WARDS["koto"])
    'https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100'
    """
    path = f"/ms/{_PATH_SEGMENT[property_type]}/tokyo/sc_{ward.slug}/"
    return urljoin(base_url.rstrip("/") + "/", path.lstrip("/")) + f"?pc={page_size}"


def with_page_size(url: str, page_size: int = LARGEST_PAGE_SIZE) -> str:
    """Keep the page size on a pager link (the site's own 次へ link may drop it)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "pc"]
    query.insert(0, ("pc", str(page_size)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def listing_id_from_url(url: str) -> str | None:
    """SUUMO's ``nc`` number from a detail URL.

    >>> listing_id_from_url("https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/")
    '73305798'
    """
    match = _LISTING_ID.search(url if url.endswith("/") else url + "/")
    return match.group(1) if match else None


def property_type_from_url(url: str) -> PropertyType | None:
    """``used`` for /ms/chuko/, ``new`` for /ms/shinchiku/, else ``None``."""
    match = _TYPE_IN_PATH.search(url)
    if not match:
        return None
    return "used" if match.group(1) == "chuko" else "new"


def ward_from_url(url: str) -> Ward | None:
    match = _WARD_IN_PATH.search(url)
    return WARDS.get(match.group(1)) if match else None


def is_detail_url(url: str) -> bool:
    return listing_id_from_url(url) is not None
