"""What the SUUMO spiders share: ward selection, page verdicts, stats, the detail hook.

The spiders themselves are thin: a property type and a list-page parser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.python.failure import Failure

from scraper.detail_policy import DetailPolicy
from scraper.items import ListingEnded, ListingItem, ListingScope, PropertyType
from scraper.parsing.fieldlog import FieldLog
from scraper.removal_check import RemovalCheck
from scraper.statkeys import StatKeys
from scraper.suumo.agreement import disagreements
from scraper.suumo.common import SOURCE, ListPage, now_utc
from scraper.suumo.detail import parse_detail
from scraper.suumo.pages import PageKind, PageVerdict, classify_page
from scraper.suumo.urls import Ward, list_url, listing_id_from_url, parse_wards, with_page_size


class SuumoSpider(scrapy.Spider):
    """Base of the SUUMO spiders. Arguments: ``-a wards=koto,bunkyo,minato`` (default: all three)."""

    property_type: ClassVar[PropertyType]
    stats_prefix = "suumo"
    keys = StatKeys(stats_prefix)
    source = SOURCE
    # Error statuses reach the callbacks so that blocks and errors are counted, not silently dropped.
    handle_httpstatus_list: ClassVar[list[int]] = [403, 404, 410, 429, 500, 502, 503, 504]

    def __init__(self, *args: Any, wards: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.wards: list[Ward] = parse_wards(wards)
        self.ids_seen: dict[str, set[str]] = {ward.slug: set() for ward in self.wards}
        self.base_url = "https://suumo.jp"
        self.page_size = 100
        self.detail_policy: DetailPolicy | None = None
        self.allowed_domains: list[str] = []
        self.max_consecutive_blocks = 5
        self.consecutive_blocks = 0
        self.page_ids: dict[str, set[tuple[str, ...]]] = {ward.slug: set() for ward in self.wards}
        self.removal_check: RemovalCheck | None = None
        self.removals_checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SuumoSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = settings.get("SUUMO_BASE_URL", "https://suumo.jp").rstrip("/")
        spider.page_size = settings.getint("SUUMO_PAGE_SIZE", 100)
        host = urlsplit(spider.base_url).hostname
        spider.allowed_domains = [host] if host else []
        spider.detail_policy = build_from_crawler(load_object(settings["SUUMO_DETAIL_POLICY"]), crawler)
        spider.max_consecutive_blocks = settings.getint("CONDO_MAX_CONSECUTIVE_BLOCKS", 5)
        if spider.max_consecutive_blocks < 1:
            raise ValueError("CONDO_MAX_CONSECUTIVE_BLOCKS must be at least 1")
        spider.removal_check = RemovalCheck.from_crawler(crawler)
        crawler.signals.connect(spider.check_removals, signal=signals.spider_idle)
        return spider

    # --- requests -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.set_value(self.keys.wards, ",".join(w.slug for w in self.wards))
        for ward in self.wards:
            yield scrapy.Request(
                list_url(self.base_url, self.property_type, ward, self.page_size),
                callback=self.parse_list,
                errback=self.request_failed,
                cb_kwargs={"ward": ward.slug},
                meta={"page_role": "list", "ward": ward.slug},
            )

    def detail_request(self, item: ListingItem, ward: str) -> scrapy.Request:
        return scrapy.Request(
            item.url,
            callback=self.parse_detail,
            errback=self.request_failed,
            cb_kwargs={"ward": ward, "scope": item.listing_scope, "card": item},
            meta={"page_role": "detail", "ward": ward, "listing_id": item.listing_id},
        )

    # --- removals must be earned ----------------------------------------------------------------

    def check_removals(self) -> None:
        """When the list walk is over (the spider is idle for the first time): fetch the detail pages of
        a sample of the listings each walked ward would lose tonight (scraper.removal_check). A sample
        still on sale makes the ward's night suspect (scraper.health), so nothing is removed on it."""
        if self.removals_checked or self.removal_check is None:
            return
        self.removals_checked = True
        stats = self.crawler.stats
        requests = []
        for ward in self.wards:
            hits = stats.get_value(self.keys.hits(ward.slug))
            walked = (
                stats.get_value(self.keys.ward_done(ward.slug))
                and not stats.get_value(self.keys.list_pages_failed(ward.slug))
                and isinstance(hits, int)
                and len(self.ids_seen[ward.slug]) >= hits
            )
            if not walked:
                continue  # a walk that missed listings removes nothing anyway (db.removal): no page is spent
            candidates, sample = self.removal_check.sample(
                self.source, self.property_type, ward.code, self.ids_seen[ward.slug]
            )
            stats.set_value(self.keys.verify(ward.slug, "candidates"), candidates)
            stats.set_value(self.keys.verify(ward.slug, "requested"), len(sample))
            for listing_id, url in sample:
                requests.append(
                    scrapy.Request(
                        url,
                        callback=self.parse_removal_check,
                        errback=self.request_failed,
                        cb_kwargs={"ward": ward.slug, "listing_id": listing_id},
                        meta={"page_role": "verify", "ward": ward.slug, "listing_id": listing_id},
                        dont_filter=True,
                    )
                )
        if not requests:
            return
        self.logger.info("Checking %d listing(s) missing from tonight's lists before removing any", len(requests))
        assert self.crawler.engine is not None
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def parse_removal_check(self, response: Response, ward: str, listing_id: str) -> Iterator[ListingItem]:
        """A listing missing from the list: its detail page says it ended (or is not found), or it is
        still on sale (then its page is stored as a sighting: it is not removed on tonight's evidence)."""
        verdict = self.verdict(response, "verify")
        stats = self.crawler.stats
        if verdict.kind is PageKind.GONE or response.status in (404, 410):
            stats.inc_value(self.keys.verify(ward, "gone"))
            return
        if verdict.kind is not PageKind.DETAIL:
            stats.inc_value(self.keys.verify(ward, "failed"))
            return
        assert isinstance(response, TextResponse)
        fields = FieldLog()
        item = parse_detail(response.selector, response.url, self.property_type, now_utc(), fields, "unit")
        if item is None or item.listing_id != listing_id:
            stats.inc_value(self.keys.verify(ward, "failed"))
            return
        stats.inc_value(self.keys.verify(ward, "on_sale"))
        self.logger.warning("Missing from the %s list but still on sale: %s", ward, response.url)
        item.archive_record = response.meta.get("archive_record")
        yield item

    # --- bookkeeping ----------------------------------------------------------------------------

    def inc(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(self.keys(key), count)

    def verdict(self, response: Response, role: str) -> PageVerdict:
        if isinstance(response, TextResponse):
            verdict = classify_page(response.status, response.url, response.text, response.selector)
        else:
            verdict = classify_page(response.status, response.url, "")
        self.crawler.stats.inc_value(self.keys.pages(role, verdict.kind.value))
        if verdict.kind is PageKind.BLOCKED:
            self.inc("blocked")
            self.inc(f"blocked/{verdict.reason}")
            self.logger.error("Blocked on %s page %s (%s)", role, response.url, verdict.reason)
            self.consecutive_blocks += 1
            stopped = self.crawler.stats.get_value(self.keys.stopped_on_block)
            if self.consecutive_blocks >= self.max_consecutive_blocks and not stopped:
                # Asking again only tells the site we are still here: stop for the night.
                self.crawler.stats.set_value(self.keys.stopped_on_block, self.consecutive_blocks)
                self.logger.error(
                    "Stopping the crawl: %d blocked answers in a row (last: %s)",
                    self.consecutive_blocks,
                    verdict.reason,
                )
                raise CloseSpider("blocked")
            return verdict
        self.consecutive_blocks = 0
        if verdict.kind in (PageKind.ERROR, PageKind.UNRECOGNISED):
            self.logger.error("%s on %s page %s (%s)", verdict.kind.value, role, response.url, verdict.reason)
        elif verdict.kind is PageKind.GONE:
            self.logger.info("Listing ended: %s", response.url)
        elif verdict.kind is PageKind.EMPTY:
            self.logger.warning("No listings on %s", response.url)
        return verdict

    def record_fields(self, fields: FieldLog, url: str) -> None:
        for (name, outcome), count in fields.counts.items():
            self.crawler.stats.inc_value(self.keys.field(name, outcome), count)
        for name, raw in fields.unparsed:
            self.logger.warning("Could not read %s from %r on %s", name, raw, url)

    # --- callbacks ------------------------------------------------------------------------------

    def parse_list_page(
        self, selector: Selector, url: str, scraped_at: dt.datetime, html: str | None = None
    ) -> ListPage:
        """The subclass's list-page parser (a pure function in scraper.suumo)."""
        raise NotImplementedError

    def parse_list(self, response: Response, ward: str) -> Iterator[Any]:
        verdict = self.verdict(response, "list")
        if verdict.kind is PageKind.EMPTY:
            if self.crawler.stats.get_value(self.keys.list_pages_parsed(ward)):
                # A 0件 page after pages that had cards is the site failing, not the ward emptying: it must
                # not overwrite the hit count the earlier pages printed, nor end the ward's walk.
                self.crawler.stats.inc_value(self.keys.list_pages_empty_after_cards(ward))
                self.logger.error("0件 page %s after pages with listings: %s is incomplete", response.url, ward)
                return
            self.crawler.stats.max_value(self.keys.hits(ward), 0)
            self.crawler.stats.set_value(self.keys.ward_done(ward), True)
            return
        if verdict.kind is not PageKind.LIST:
            self.crawler.stats.inc_value(self.keys.list_pages_failed(ward))
            return
        assert isinstance(response, TextResponse)
        page = self.parse_list_page(response.selector, response.url, now_utc(), response.text)
        self.record_list_page(page, ward, response.url)
        archived = response.meta.get("archive_record")
        for item in page.items:
            item.archive_record = archived
            self.inc("items/list")
            yield item
            if self.detail_policy is not None and self.detail_policy.should_fetch(item):
                self.inc("detail/requested")
                yield self.detail_request(item, ward)
            else:
                self.inc("detail/skipped_by_policy")
        if page.next_url:
            yield response.follow(
                with_page_size(page.next_url, self.page_size),
                callback=self.parse_list,
                errback=self.request_failed,
                cb_kwargs={"ward": ward},
                meta={"page_role": "list", "ward": ward},
            )
        else:
            self.crawler.stats.set_value(self.keys.ward_done(ward), True)

    def record_list_page(self, page: ListPage, ward: str, url: str) -> None:
        stats = self.crawler.stats
        if page.hit_count is not None:
            stats.max_value(self.keys.hits(ward), page.hit_count)
        else:
            stats.inc_value(self.keys.field("hit_count", "missing"))
            self.logger.warning("No hit count on %s", url)
        stats.inc_value(self.keys.cards_seen(ward), page.cards_seen)
        if page.cards_skipped:
            self.inc("cards_skipped", page.cards_skipped)
        ward_code = next(w.code for w in self.wards if w.slug == ward)
        elsewhere = sum(1 for item in page.items if item.ward_code is not None and item.ward_code != ward_code)
        if elsewhere:
            # The site answered a different ward than asked (a redirect or a changed URL scheme).
            stats.inc_value(self.keys.cards_other_ward(ward), elsewhere)
            self.logger.warning("%d card(s) on %s are not in %s", elsewhere, url, ward)
        card_ids = [item.listing_id for item in page.items]
        if card_ids and tuple(card_ids) in self.page_ids[ward]:
            # The site answered a later page with an earlier one (a stuck pager, a cache).
            stats.inc_value(self.keys.list_pages_repeated(ward))
            self.logger.warning("List page %s repeats an earlier page of %s (%d cards)", url, ward, len(card_ids))
        self.page_ids[ward].add(tuple(card_ids))
        self.ids_seen[ward].update(card_ids)
        stats.set_value(self.keys.cards_unique(ward), len(self.ids_seen[ward]))
        if page.footer_ids is None:
            self.inc("footer_ids/missing")
            if card_ids and page.next_url is None and page.hit_count is not None:
                # A last page whose response ends before its footer: cut off in transit or by the site.
                stats.inc_value(self.keys.list_pages_cut(ward))
        elif page.footer_ids != card_ids:
            stats.inc_value(self.keys.footer_mismatch(ward))
            self.logger.warning(
                "Footer id list differs from the cards on %s: %d ids in footer, %d cards parsed",
                url,
                len(page.footer_ids),
                len(card_ids),
            )
        self.record_fields(page.fields, url)
        stats.inc_value(self.keys.list_pages_parsed(ward))
        self.logger.info(
            "progress ward=%s page=%d cards=%d hits=%s",
            ward,
            stats.get_value(self.keys.list_pages_parsed(ward)),
            len(self.ids_seen[ward]),
            page.hit_count,
        )

    def parse_detail(
        self, response: Response, ward: str, scope: ListingScope = "unit", card: ListingItem | None = None
    ) -> Iterator[ListingItem | ListingEnded]:
        verdict = self.verdict(response, "detail")
        if verdict.kind is PageKind.GONE:
            listing_id = response.meta.get("listing_id") or listing_id_from_url(response.url)
            if listing_id:
                self.inc("items/ended")
                yield ListingEnded(
                    self.source,
                    self.property_type,
                    str(listing_id),
                    response.url,
                    now_utc(),
                    response.meta.get("archive_record"),
                )
            return
        if verdict.kind is not PageKind.DETAIL:
            return
        assert isinstance(response, TextResponse)
        fields = FieldLog()
        item = parse_detail(response.selector, response.url, self.property_type, now_utc(), fields, scope)
        self.record_fields(fields, response.url)
        if item is None:
            self.inc("detail/unusable")
            return
        wrong = disagreements(card, item) if card is not None else []
        if wrong:
            # Another flat's page (a cache mix-up): its facts are not this listing's. The card stands.
            self.inc("detail/mismatch")
            for name in wrong:
                self.crawler.stats.inc_value(self.keys.detail_mismatch(name))
            self.logger.warning(
                "Detail page %s disagrees with its list card on %s: not stored", response.url, ", ".join(wrong)
            )
            return
        self.inc("items/detail")
        item.archive_record = response.meta.get("archive_record")
        yield item

    def request_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        role = request.meta.get("page_role", "unknown")
        self.inc(f"request_errors/{role}")
        self.inc(f"request_errors/{failure.type.__name__}")
        if role == "list":
            self.crawler.stats.inc_value(self.keys.list_pages_failed(request.meta.get("ward")))
        self.logger.error("Request failed for %s page %s: %r", role, request.url, failure.value)
