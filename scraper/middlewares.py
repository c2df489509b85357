"""Downloader middlewares."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    NotConfigured,
)
from scrapy.http import HtmlResponse, Response
from scrapy.http.headers import Headers
from scrapy.settings import BaseSettings
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
    TCPTimedOutError,
)
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from scraper.archive.replay import ArchivedSite, page_key
from scraper.statkeys import StatKeys

UNREACHABLE = (
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
    ConnectError,
)
"""Failures that say the site cannot be reached at all (not a slow or overloaded site: timeouts and
5xx answers are retried with back-off as before)."""
TIMEOUTS = (DownloadTimeoutError, TwistedTimeoutError, TCPTimedOutError)
"""Requests the site never answered in time. A few are a slow site; many in a row are a site that
drops packets (a firewall, a dead route): ``CONDO_MAX_CONSECUTIVE_TIMEOUTS`` ends the night then."""

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
        self.max_unreachable = settings.getint("CONDO_MAX_CONSECUTIVE_UNREACHABLE", 5)
        if self.max_unreachable < 1:
            raise ValueError("CONDO_MAX_CONSECUTIVE_UNREACHABLE must be at least 1")
        self.unreachable = 0
        self.max_timeouts = settings.getint("CONDO_MAX_CONSECUTIVE_TIMEOUTS", 6)
        if self.max_timeouts < 1:
            raise ValueError("CONDO_MAX_CONSECUTIVE_TIMEOUTS must be at least 1")
        self.timeouts = 0

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        self.unreachable = self.timeouts = 0  # the site answered (whatever it said)
        return super().process_response(request, response)

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if isinstance(exception, UNREACHABLE):
            self.unreachable += 1
            # The site cannot be reached: stop now, with a reason the runner and the verdict read,
            # instead of backing off for minutes without a word.
            problem = f"connection failures in a row ({type(exception).__name__}): the site cannot be reached"
            if self._stop_after(request, "unreachable", self.unreachable, self.max_unreachable, problem):
                return None
        if isinstance(exception, TIMEOUTS):
            self.timeouts += 1
            # Every wait is the download timeout and the back-off doubles between them: a site that drops
            # packets would keep the night going for an hour. Stop with a reason that says so.
            problem = "requests in a row timed out: the site is not answering (dropping packets?)"
            if self._stop_after(request, "timeouts", self.timeouts, self.max_timeouts, problem):
                return None
        return super().process_exception(request, exception)

    def _stop_after(self, request: Request, reason: str, in_a_row: int, most: int, problem: str) -> bool:
        """Count one more failure of a kind (stat ``<prefix>/<reason>``); after ``most`` in a row, close
        the spider with ``reason`` as its close reason and say so. Whether it was closed."""
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(StatKeys(getattr(self.crawler.spider, "stats_prefix", "suumo"))(reason))
        if in_a_row < most or self.crawler.engine is None:
            return False
        logger.error("%s: %d %s; closing the spider", request.url, in_a_row, problem)
        self.crawler.engine.close_spider(self.crawler.spider, reason)  # type: ignore[arg-type]
        return True

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


class ArchiveReplayMiddleware:
    """Answer every request from the page archive instead of the network (``condo reparse``): the
    response the night's crawl received for the same path and query, with its status, headers and body,
    at the request's own URL; a request the night never made is answered 404. Enabled by
    ``CONDO_REPLAY_WARC``: the night's WARC file (its revisits are resolved through the archive's digest
    index), then optionally (separated by ``os.pathsep``) earlier files to resolve them from instead (an
    archive copied without its index)."""

    def __init__(self, files: list[Path]):
        self.site = ArchivedSite.from_files(files[:1], files[1:])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveReplayMiddleware:
        value = crawler.settings.get("CONDO_REPLAY_WARC")
        if not value:
            raise NotConfigured
        return cls([Path(part) for part in str(value).split(os.pathsep) if part])

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        page = self.site.pages.get(page_key(request.url))
        if page is None:
            return Response(request.url, status=404, request=request)
        status, headers, body = page
        kept = Headers([(name, value) for name, value in headers if name.lower() != "content-encoding"])
        return HtmlResponse(request.url, status=status, headers=kept, body=body, request=request)
