"""Which detail pages a spider fetches.

A policy is any class with ``should_fetch(item) -> bool`` (and optionally ``from_crawler``), named by
the ``SUUMO_DETAIL_POLICY`` setting. The list card decides the question: a policy sees the list item
(id, price, …) and answers whether its detail page is worth a request tonight.
"""

from __future__ import annotations

from typing import Protocol

from scraper.items import ListingItem


class DetailPolicy(Protocol):
    def should_fetch(self, item: ListingItem) -> bool: ...


class FetchAll:
    """Fetch every detail page (the default until the database can say what changed)."""

    def should_fetch(self, item: ListingItem) -> bool:
        return True


class FetchNone:
    """Fetch no detail page: list pages only."""

    def should_fetch(self, item: ListingItem) -> bool:
        return False
