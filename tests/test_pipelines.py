"""The item pipelines and the run recorder, one by one, in the alltheplaces style: a crawler from
``get_crawler``, an item through ``process_item``, assertions on the item and on the stats."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, select

from db.engine import session_scope
from db.models import CrawlRun, Listing
from scraper import settings as project_settings
from scraper.extensions import CrawlRunRecorder
from scraper.items import ListingEnded, ListingItem
from scraper.pipelines import (
    CleanItemPipeline,
    DedupeItemPipeline,
    FieldStatsPipeline,
    PersistItemPipeline,
    ValidateItemPipeline,
)
from scraper.spiders.suumo_chuko import SuumoChukoSpider

NOW = dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC)


def crawler_for(**settings: Any) -> Crawler:
    project = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    crawler = get_crawler(SuumoChukoSpider, project | {"DATABASE_URL": "", "LOG_LEVEL": "WARNING"} | settings)
    crawler.spider = SuumoChukoSpider.from_crawler(crawler, wards="koto")
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return crawler


def item(listing_id: str = "70000001", **values: Any) -> ListingItem:
    base: dict[str, Any] = {
        "source": "suumo",
        "property_type": "used",
        "page_kind": "list",
        "listing_id": listing_id,
        "url": f"https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_{listing_id}/",
        "scraped_at": NOW,
        "building_name": "テストタワー豊洲",
        "address": "東京都江東区豊洲５",
        "ward_code": 13108,
        "ward_name": "江東区",
        "district": "豊洲",
        "price_status": "fixed",
        "price_yen": 98_000_000,
        "price_min_yen": 98_000_000,
        "price_max_yen": 98_000_000,
        "area_m2": 70.5,
        "layout": "3LDK",
        "rooms": 3,
        "built_year": 2008,
    }
    return ListingItem(**(base | values))


def stat(crawler: Crawler, key: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(key)


def test_clean_turns_empty_text_into_none_and_strips() -> None:
    crawler = crawler_for()
    cleaned = CleanItemPipeline.from_crawler(crawler).process_item(item(building_name="  ", layout=" 3LDK\u3000"))
    assert cleaned.building_name is None
    assert cleaned.layout == "3LDK"
    assert stat(crawler, "clean/building_name/empty") == 1


def test_validate_nulls_an_implausible_price_and_counts_it() -> None:
    crawler = crawler_for()
    checked = ValidateItemPipeline.from_crawler(crawler).process_item(item(price_yen=980, area_m2=70.5))
    assert checked.price_yen is None
    assert checked.area_m2 == 70.5
    assert stat(crawler, "validate/price_yen/implausible") == 1
    assert stat(crawler, "validate/items_ok") == 1


def test_validate_swaps_an_inverted_range_and_drops_an_item_without_id() -> None:
    crawler = crawler_for()
    pipeline = ValidateItemPipeline.from_crawler(crawler)
    swapped = pipeline.process_item(item(price_min_yen=90_000_000, price_max_yen=50_000_000))
    assert (swapped.price_min_yen, swapped.price_max_yen) == (50_000_000, 90_000_000)
    with pytest.raises(DropItem):
        pipeline.process_item(item(listing_id=""))
    assert stat(crawler, "validate/dropped/no_listing_id") == 1
    assert stat(crawler, "validate/price_range/inverted") == 1


def test_dedupe_drops_the_second_card_of_a_listing_but_keeps_its_detail_page() -> None:
    crawler = crawler_for()
    pipeline = DedupeItemPipeline.from_crawler(crawler)
    pipeline.process_item(item())
    pipeline.process_item(item(page_kind="detail"))
    with pytest.raises(DropItem):
        pipeline.process_item(item())
    assert stat(crawler, "dedupe/dropped") == 1


def test_field_stats_count_filled_fields_per_page_kind_not_identity() -> None:
    crawler = crawler_for()
    pipeline = FieldStatsPipeline.from_crawler(crawler)
    pipeline.process_item(item(floor=None))
    pipeline.process_item(item("70000002", floor=12))
    assert stat(crawler, "fields/list/items") == 2
    assert stat(crawler, "fields/list/price_yen/filled") == 2
    assert stat(crawler, "fields/list/floor/filled") == 1
    assert stat(crawler, "fields/list/listing_id/filled") is None


def test_without_a_database_nothing_is_stored_and_no_run_is_recorded() -> None:
    crawler = crawler_for()
    with pytest.raises(NotConfigured):
        PersistItemPipeline.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        CrawlRunRecorder.from_crawler(crawler)


def _koto_walked(crawler: Crawler, cards: int) -> None:
    assert crawler.stats is not None
    crawler.stats.set_value("suumo/hits/koto", cards)
    crawler.stats.set_value("suumo/cards/koto/unique", cards)
    crawler.stats.set_value("suumo/ward_done/koto", True)


def test_a_run_is_opened_written_in_batches_judged_and_closed(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    crawler = crawler_for(DATABASE_URL=url, CONDO_BATCH_SIZE=2)
    spider = crawler.spider
    recorder = CrawlRunRecorder.from_crawler(crawler)
    recorder.spider_opened(spider)
    run_id = stat(crawler, "db/run_id")
    assert isinstance(run_id, int)

    persist = PersistItemPipeline.from_crawler(crawler)
    items = [item("70000001"), item("70000002", price_yen=55_000_000), item("70000003", layout="1LDK")]
    for each in items:
        assert persist.process_item(each) is each
    assert stat(crawler, "db/batches") == 1  # two items: one batch written, one waiting
    ended = ListingEnded("suumo", "used", "69999999", "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_69999999/", NOW)
    assert persist.process_item(ended) is ended  # passes through: the recorder judges it at the close
    recorder.item_scraped(ended, spider)
    persist.close_spider(spider)
    assert stat(crawler, "db/items_written") == 3
    assert stat(crawler, "db/new_listings") == 3

    _koto_walked(crawler, 3)
    recorder.spider_closed(spider, "finished")
    assert stat(crawler, "db/verdict") == "complete_healthy"
    assert stat(crawler, "db/ended") == 0  # an ended page of a listing the database never had
    with session_scope(engine) as session:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        assert (run.verdict, run.new_listings, run.finish_reason) == ("complete_healthy", 3, "finished")
        assert run.stats is not None and run.stats["db/items_written"] == 3
        assert len(session.scalars(select(Listing)).all()) == 3


def test_a_walk_short_of_the_site_count_is_judged_incomplete(engine: Engine) -> None:
    crawler = crawler_for(DATABASE_URL=engine.url.render_as_string(hide_password=False))
    recorder = CrawlRunRecorder.from_crawler(crawler)
    recorder.spider_opened(crawler.spider)
    _koto_walked(crawler, 0)
    assert crawler.stats is not None
    crawler.stats.set_value("suumo/hits/koto", 300)
    recorder.spider_closed(crawler.spider, "finished")
    assert stat(crawler, "db/verdict") == "incomplete"


def test_a_database_that_cannot_be_reached_stops_the_crawl_before_it_fetches() -> None:
    crawler = crawler_for(DATABASE_URL="postgresql+psycopg://condo@127.0.0.1:1/condo?connect_timeout=2")
    crawler.engine = mock.Mock()
    recorder = CrawlRunRecorder.from_crawler(crawler)
    recorder.spider_opened(crawler.spider)
    crawler.engine.close_spider.assert_called_once_with(crawler.spider, "database_error")
    assert stat(crawler, "db/run_id") is None
    recorder.spider_closed(crawler.spider, "database_error")  # nothing to close, no error


def test_persisting_without_an_open_run_is_an_error_not_a_silent_loss(tmp_path: Any) -> None:
    crawler = crawler_for(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", CONDO_BATCH_SIZE=1)
    persist = PersistItemPipeline.from_crawler(crawler)
    with pytest.raises(RuntimeError, match="no crawl run is open"):
        persist.process_item(item())
