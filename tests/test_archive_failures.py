"""A page archive that cannot be written (disk full, read-only, its folder gone) must not stop the crawl
or spill tracebacks: it is counted, its cause named once, and the night's verdict says so (issue 26)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.extensions import PageArchive
from scraper.health import judge_run
from scraper.statkeys import ARCHIVE_RECORDS, ARCHIVE_WRITE_ERROR, ARCHIVE_WRITE_FAILED


def exchange(number: int) -> tuple[HtmlResponse, Request]:
    url = f"http://127.0.0.1/ms/chuko/tokyo/sc_koto/nc_{70000000 + number}/"
    request = Request(url)
    return HtmlResponse(url, body=f"<html><p>{number}</p></html>".encode(), request=request), request


def archive_of(folder: Path) -> tuple[PageArchive, Any, Spider]:
    crawler = get_crawler(Spider, {"CONDO_ARCHIVE_DIR": str(folder)})
    spider = Spider("suumo_chuko")
    extension = PageArchive.from_crawler(crawler)
    extension.spider_opened(spider)
    return extension, crawler.stats, spider


def test_a_disk_that_fills_part_way_through_the_night(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    extension, stats, spider = archive_of(tmp_path / "archive")
    assert extension.writer is not None
    write, calls = extension.writer.write, []

    def filling(*args: Any) -> Any:
        calls.append(args)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "archive" / "x.warc.gz"))
        return write(*args)

    extension.writer.write = filling  # type: ignore[method-assign]
    requests = []
    for number in range(6):
        response, request = exchange(number)
        extension.response_received(response, request, spider)
        requests.append(request)
    extension.spider_closed(spider, "finished")
    assert stats.get_value(ARCHIVE_RECORDS) == 2 and stats.get_value(ARCHIVE_WRITE_FAILED) == 4
    assert str(stats.get_value(ARCHIVE_WRITE_ERROR)).startswith("No space left on device: ")
    assert [bool(r.meta.get("archive_record")) for r in requests] == [True, True, False, False, False, False]
    assert len(calls) == 3, "archiving stops after the first failure (a WARC cut mid-record hides the rest)"
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "cannot be written" in errors[0].getMessage()
    verdict = judge_run(
        {
            "finish_reason": "finished",
            "suumo/hits/koto": 6,
            "suumo/cards/koto/unique": 6,
            "suumo/ward_done/koto": True,
            **stats.get_stats(),
        },
        [("koto", 13108)],
    )
    assert verdict.verdict == "unhealthy"
    assert any("4 page(s) not archived: the page archive cannot be written (No space" in r for r in verdict.reasons)


def test_an_archive_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive's folder should be")
    extension, stats, spider = archive_of(blocker / "archive")
    for number in range(3):
        extension.response_received(*exchange(number), spider)
    extension.spider_closed(spider, "finished")
    assert stats.get_value(ARCHIVE_WRITE_FAILED) == 3 and not stats.get_value(ARCHIVE_RECORDS)
    assert "Not a directory" in str(stats.get_value(ARCHIVE_WRITE_ERROR))
