"""Downloader middlewares."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, plus back-off: every retry doubles the delay of the site's download slot.

    A 503 or a timeout usually means the site is under load or is starting to refuse us; retrying at
    the same pace makes that worse. The delay doubles per retry up to ``RETRY_BACKOFF_MAX_DELAY``;
    AutoThrottle brings it back down once responses are healthy again.
    """

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.max_delay = settings.getfloat("RETRY_BACKOFF_MAX_DELAY", 120.0)
        self.base_delay = max(settings.getfloat("DOWNLOAD_DELAY", 0.0), 1.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            self._back_off(request)
        return retry

    def _back_off(self, request: Request) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return
        slot.delay = min(self.max_delay, max(slot.delay * 2, self.base_delay))
        stats = self.crawler.stats
        if stats is not None:
            stats.max_value("suumo/backoff_delay_max", slot.delay)
        logger.info("Backing off: delay for %s is now %.1f s", request.url, slot.delay)
