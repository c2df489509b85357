"""A site that drops packets (every request times out, none is refused) ends the night after
``CONDO_MAX_CONSECUTIVE_TIMEOUTS`` timeouts in a row, with its own close reason, instead of backing off
for an hour (issue 26). The drill ``packet-drop`` runs it end to end (tests/test_drills.py)."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from scraper.middlewares import BackoffRetryMiddleware


class Engine:
    def __init__(self) -> None:
        self.closed: list[str] = []
        self.downloader = type("Downloader", (), {"slots": {}, "get_slot_key": lambda self, request: "site"})()

    def close_spider(self, spider: Any, reason: str) -> None:
        self.closed.append(reason)


def middleware(**settings: Any) -> tuple[BackoffRetryMiddleware, Engine, Any]:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 20, **settings})
    crawler.spider = Spider.from_crawler(crawler, "suumo_chuko")
    engine = Engine()
    crawler.engine = engine  # type: ignore[assignment]
    return BackoffRetryMiddleware.from_crawler(crawler), engine, crawler.stats


def test_timeouts_in_a_row_close_the_spider_with_their_own_reason() -> None:
    mw, engine, stats = middleware(CONDO_MAX_CONSECUTIVE_TIMEOUTS=4)
    request = Request("http://127.0.0.1/ms/chuko/tokyo/sc_koto/")
    for _ in range(3):
        assert mw.process_exception(request, DownloadTimeoutError("took longer than 1.5 seconds")) is not None
    assert engine.closed == []
    assert mw.process_exception(request, DownloadTimeoutError("took longer than 1.5 seconds")) is None
    assert engine.closed == ["timeouts"] and stats.get_value("suumo/timeouts") == 4


def test_an_answer_between_timeouts_starts_the_count_again() -> None:
    mw, engine, _ = middleware(CONDO_MAX_CONSECUTIVE_TIMEOUTS=3)
    request = Request("http://127.0.0.1/ms/chuko/tokyo/sc_koto/")
    for _ in range(5):
        mw.process_exception(request, DownloadTimeoutError("slow"))
        mw.process_exception(request, DownloadTimeoutError("slow"))
        mw.process_response(request, Response(request.url, status=200, request=request))
    assert engine.closed == []


def test_the_setting_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="CONDO_MAX_CONSECUTIVE_TIMEOUTS must be at least 1"):
        middleware(CONDO_MAX_CONSECUTIVE_TIMEOUTS=0)
