"""Every crawl stat key, built in one place (docs/stats.md says what each means).

The spiders, middlewares and pipelines write these keys; the coverage guard, the verdict
(scraper.health) and the run recorder read them. Crawler stats are the monitoring contract: a key is
renamed here or nowhere.

>>> keys = StatKeys("suumo")
>>> keys.hits("koto")
'suumo/hits/koto'
>>> keys("cards_skipped")
'suumo/cards_skipped'
>>> fields_filled("detail", "floor")
'fields/detail/floor/filled'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StatKeys:
    """The keys of one source's spiders, all under ``<prefix>/`` (``suumo/``)."""

    prefix: str = "suumo"

    def __call__(self, *parts: object) -> str:
        return "/".join((self.prefix, *(str(part) for part in parts)))

    # --- per ward -------------------------------------------------------------------------------
    def hits(self, ward: str) -> str:
        return self("hits", ward)

    def cards_seen(self, ward: str) -> str:
        return self("cards", ward, "seen")

    def cards_unique(self, ward: str) -> str:
        return self("cards", ward, "unique")

    def cards_other_ward(self, ward: str) -> str:
        return self("cards", ward, "other_ward")

    def coverage(self, ward: str) -> str:
        return self("coverage", ward)

    def truncated(self, ward: str) -> str:
        return self("truncated", ward)

    def ward_done(self, ward: str) -> str:
        return self("ward_done", ward)

    def list_pages_parsed(self, ward: str) -> str:
        return self("list_pages_parsed", ward)

    def list_pages_failed(self, ward: str) -> str:
        return self("list_pages_failed", ward)

    def list_pages_empty_after_cards(self, ward: str) -> str:
        return self("list_pages_empty_after_cards", ward)

    def footer_mismatch(self, ward: str) -> str:
        return self("footer_ids", "mismatch", ward)

    # --- per page and field ---------------------------------------------------------------------
    def pages(self, role: str, kind: str) -> str:
        """Responses of a role (``list``, ``detail``) by verdict (``list``, ``blocked``, …)."""
        return self(f"{role}_pages", kind)

    def field(self, name: str, outcome: str) -> str:
        """A parsed field's outcome: ``missing``, ``blank`` or ``unparsed``."""
        return self("field", name, outcome)

    # --- the whole run --------------------------------------------------------------------------
    @property
    def wards(self) -> str:
        return self("wards")

    @property
    def blocked(self) -> str:
        return self("blocked")

    @property
    def stopped_on_block(self) -> str:
        return self("stopped_on_block")

    @property
    def unreachable(self) -> str:
        return self("unreachable")

    @property
    def timeouts(self) -> str:
        return self("timeouts")

    def list_pages_repeated(self, ward: str) -> str:
        return self("list_pages_repeated", ward)

    def list_pages_cut(self, ward: str) -> str:
        return self("list_pages_cut", ward)

    def detail_mismatch(self, field: str) -> str:
        return self("detail", "mismatch", field)

    def verify(self, ward: str, outcome: str) -> str:
        """Removal checks: ``candidates``, ``requested``, ``gone``, ``on_sale``, ``failed``."""
        return self("verify", ward, outcome)

    def pages_total(self, stats: Mapping[str, Any], role: str) -> int:
        """All responses of a role, whatever their verdict."""
        start = self(f"{role}_pages", "")
        return sum(v for k, v in stats.items() if k.startswith(start) and isinstance(v, int))


# Written by the item pipelines (scraper.pipelines), not by a source's spiders.
def fields_items(kind: str) -> str:
    return f"fields/{kind}/items"


def fields_filled(kind: str, name: str) -> str:
    return f"fields/{kind}/{name}/filled"


def parse_fields_filled(key: str) -> tuple[str, str] | None:
    """(page kind, field) of a ``fields/<kind>/<field>/filled`` key, else None.

    >>> parse_fields_filled("fields/list/price_yen/filled"), parse_fields_filled("fields/list/items")
    (('list', 'price_yen'), None)
    """
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == "fields" and parts[3] == "filled":
        return parts[1], parts[2]
    return None


# Written by the persist pipeline and the run recorder (the database's side of the crawl).
DB_RUN_ID = "db/run_id"
DB_VERDICT = "db/verdict"
DB_ITEMS_WRITTEN = "db/items_written"
DB_BATCHES = "db/batches"
DB_WRITE_RETRIES = "db/write_retries"
DB_WRITE_FAILURES = "db/write_failures"
DB_ITEMS_UNWRITTEN = "db/items_unwritten"
DB_REMOVED = "db/removed"
DB_ENDED = "db/ended"
DB_COUNTS = ("new_listings", "price_changes", "relisted")
"""What the history writer found, each counted as ``db/<name>``."""


def db_count(name: str) -> str:
    return f"db/{name}"


FINISH_REASON = "finish_reason"
"""Not a Scrapy stat: the close reason, added to the stats the verdict reads and the stats file keeps."""


# Written by the page archive (scraper.extensions.PageArchive).
ARCHIVE_FILE = "archive/file"
ARCHIVE_RECORDS = "archive/records"
ARCHIVE_REVISITS = "archive/revisits"
ARCHIVE_BYTES = "archive/bytes"
ARCHIVE_WRITE_FAILED = "archive/write_failed"
"""Responses the page archive could not write (disk full, read-only, gone): the crawl goes on."""
ARCHIVE_WRITE_ERROR = "archive/write_error"
"""The first archive failure's cause (``No space left on device: /data/archive/…``)."""
