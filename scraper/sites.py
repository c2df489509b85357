"""The property portals this project knows, and which of them a spider reads.

``condo parse`` uses it to say where a saved page comes from. Only SUUMO has spiders; the others are
known from one saved page each, and docs/other-portals.md says what their pages hold and what a
spider for them would need.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    name: str
    host: str
    spider: str | None
    """The spider that reads the site's pages (one per property type for SUUMO); ``None``: none yet."""


SITES: tuple[Site, ...] = (
    Site("SUUMO", "suumo.jp", "suumo_chuko, suumo_shinchiku"),
    Site("LIFULL HOME'S", "www.homes.co.jp", None),
    Site("Mitsui Rehouse (三井のリハウス)", "www.rehouse.co.jp", None),
    Site("Tokyu Livable (東急リバブル)", "www.livable.co.jp", None),
    Site("Nomucom (ノムコム)", "www.nomu.com", None),
    Site("at home", "www.athome.co.jp", None),
    Site("Yahoo!不動産", "realestate.yahoo.co.jp", None),
)


def site_for_url(url: str) -> Site | None:
    """The known site a URL belongs to (its host or a subdomain of it), or ``None``.

    >>> site_for_url("https://www.nomu.com/mansion/id/R7149429/").name
    'Nomucom (ノムコム)'
    >>> site_for_url("https://suumo.jp/ms/chuko/tokyo/sc_koto/").spider
    'suumo_chuko, suumo_shinchiku'
    >>> site_for_url("https://example.com/") is None
    True
    """
    host = (urlsplit(url).hostname or "").lower()
    for site in SITES:
        bare = site.host.removeprefix("www.")
        if host == site.host or host == bare or host.endswith("." + bare):
            return site
    return None
