"""Extensions: the crawl checks itself against the site's own numbers when it closes."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class CoverageGuard:
    """Truncation and drift guard.

    At close, for each ward, compare the unique listing cards seen with the hit count the site
    printed. Sets ``suumo/coverage/<ward>`` (cards ÷ hits, 0–1+) and logs an error when cards are
    missing (a truncated or interrupted walk through the pages) and a warning when there are more
    cards than hits (the site's count or our card selector drifted).
    """

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoverageGuard:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        prefix = getattr(spider, "stats_prefix", None)
        wards: list[Any] = getattr(spider, "wards", [])
        if prefix is None:
            return
        for ward in wards:
            hits = self.stats.get_value(f"{prefix}/hits/{ward.slug}")
            cards = self.stats.get_value(f"{prefix}/cards/{ward.slug}/unique", 0)
            if hits is None:
                logger.error("No hit count was read for %s: the ward's list was not crawled", ward.slug)
                continue
            coverage = 1.0 if hits == 0 else cards / hits
            self.stats.set_value(f"{prefix}/coverage/{ward.slug}", round(coverage, 4))
            if cards < hits:
                self.stats.set_value(f"{prefix}/truncated/{ward.slug}", True)
                logger.error(
                    "Coverage for %s: %d of %d listings seen (%.1f%%): the crawl is incomplete",
                    ward.slug,
                    cards,
                    hits,
                    100 * coverage,
                )
            elif cards > hits:
                logger.warning("Coverage for %s: %d cards seen but the site reported %d hits", ward.slug, cards, hits)
            else:
                logger.info("Coverage for %s: %d of %d listings seen", ward.slug, cards, hits)


class StatsFile:
    """Write the crawl's final stats as JSON to the ``STATS_FILE`` setting's path (if set).

    This is the monitoring contract in machine-readable form: the crawl runner and the tests read it.
    """

    def __init__(self, stats: StatsCollector, path: str):
        self.stats = stats
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured
        assert crawler.stats is not None
        extension = cls(crawler.stats, path)
        # Low priority handlers run last; connect after CoverageGuard so its figures are included.
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        import json
        from pathlib import Path

        stats = dict(self.stats.get_stats())
        stats["finish_reason"] = reason
        Path(self.path).write_text(json.dumps(stats, default=str, ensure_ascii=False, indent=1, sort_keys=True))
