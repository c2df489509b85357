"""The real spiders crawl a local copy of SUUMO built from the real saved pages (and edited copies)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, read_handwritten, read_shared
from tests.crawling import FAST, run_spider
from tests.support.site import StaticSite, serve

pytestmark = pytest.mark.slow

CHUKO = "/ms/chuko/tokyo/sc_{ward}/"
LIST_NEXT = '<a href="/ms/chuko/tokyo/sc_chiyoda/?page=2">次へ</a>'


@pytest.fixture
def pages() -> dict[str, str]:
    return {
        "list": read_shared("suumo/chuko-list-chiyoda-2026-09.html"),
        "detail": read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html"),
        "gone": read_shared("suumo/chuko-detail-gone-2026.html"),
        "robots": read_shared("suumo/robots-suumo.txt"),
        "new": read_shared("suumo/shinchiku-list-minato-2026.html"),
    }


def chiyoda_ids(html: str) -> list[str]:
    return re.findall(r'"fp":\[([^\]]*)\]', html)[0].replace('"', "").split(",")


def koto_site(pages: dict[str, str], hits: int = 40) -> StaticSite:
    """Koto = the real Chiyoda list page twice (page 1 and an edited last page 2), real detail page
    for the first card, the real "listing ended" page for the rest."""
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    page1 = pages["list"].replace("585<span>件</span>", f"{hits}<span>件</span>")
    ids = chiyoda_ids(pages["list"])
    # Page 2: the same template with the second half of the ids renumbered, and no 次へ link.
    page2 = page1.replace(LIST_NEXT, "")
    for listing_id in ids:
        page2 = page2.replace(listing_id, "9" + listing_id[1:])
    site.add(CHUKO.format(ward="koto") + "?pc=100", page1)
    site.add("/ms/chuko/tokyo/sc_chiyoda/?pc=100&page=2", page2)
    for listing_id in ids + ["9" + i[1:] for i in ids]:
        site.add(f"/ms/chuko/tokyo/sc_chiyoda/nc_{listing_id}/", pages["gone"])
    site.add(f"/ms/chuko/tokyo/sc_chiyoda/nc_{ids[0]}/", pages["detail"])
    return site


@pytest.fixture
def tmp(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_used_condo_crawl_end_to_end(pages: dict[str, str], tmp: Path) -> None:
    with serve(koto_site(pages)) as site:
        result = run_spider("suumo_chuko", site.base_url, tmp, "-a", "wards=koto")
    assert result.returncode == 0, result.log
    stats, items = result.stats, result.items
    list_items = [i for i in items if i.get("page_kind") == "list"]
    detail_items = [i for i in items if i.get("page_kind") == "detail"]
    ended = [i for i in items if "page_kind" not in i]  # ListingEnded: the "listing ended" pages
    assert len(ended) == 39 and {i["listing_id"] for i in ended} < {i["listing_id"] for i in list_items}
    assert len(list_items) == 40 and len({i["listing_id"] for i in list_items}) == 40
    # The detail page served for the first Chiyoda card is another flat's whole page (Koto's nc_73305798):
    # it disagrees with its card (id, area, layout, name), so it is counted and not stored (issue 26).
    assert detail_items == []
    assert stats["suumo/detail/mismatch"] == 1 and stats["suumo/detail/mismatch/listing_id"] == 1
    # Stats are the monitoring contract.
    assert stats["suumo/hits/koto"] == 40
    assert stats["suumo/cards/koto/unique"] == 40
    assert stats["suumo/coverage/koto"] == 1.0
    assert "suumo/truncated/koto" not in stats
    assert stats["suumo/ward_done/koto"] is True
    assert stats["suumo/list_pages/list"] == 2
    assert stats["suumo/detail/requested"] == 40
    assert stats["suumo/detail_pages/detail"] == 1
    assert stats["suumo/detail_pages/gone"] == 39
    assert stats["suumo/items/list"] == 40 and "suumo/items/detail" not in stats and stats["suumo/items/ended"] == 39
    assert stats["suumo/field/balcony_m2/blank"] == 4
    assert stats["suumo/cards/koto/other_ward"] == 40  # the served page is Chiyoda's: flagged
    assert stats["validate/items_ok"] == 40
    # The detail page's id differs from the URL it was served under: counted, not hidden.
    assert stats["suumo/field/listing_id/unparsed"] == 1
    assert "suumo/blocked" not in stats


def test_requests_are_polite_and_keep_the_page_size(pages: dict[str, str], tmp: Path) -> None:
    with serve(koto_site(pages)) as site:
        result = run_spider(
            "suumo_chuko",
            site.base_url,
            tmp,
            "-a",
            "wards=koto",
            "-s",
            "SUUMO_DETAIL_POLICY=scraper.detail_policy.FetchNone",
        )
    assert result.returncode == 0, result.log
    paths = [path for path, _ in site.requests]
    assert paths[0] == "/robots.txt"
    assert paths[1:] == ["/ms/chuko/tokyo/sc_koto/?pc=100", "/ms/chuko/tokyo/sc_chiyoda/?pc=100&page=2"]
    assert all(agent.startswith("tokyo-condo-tracker/") for _, agent in site.requests)
    assert not any("/jj/bukken/ichiran/" in path for path in paths)
    assert result.stats["suumo/detail/skipped_by_policy"] == 40


def test_truncated_walk_is_flagged(pages: dict[str, str], tmp: Path) -> None:
    """The site says 585 listings but the pager ends after 40: the guard records the truncation."""
    with serve(koto_site(pages, hits=585)) as site:
        result = run_spider(
            "suumo_chuko",
            site.base_url,
            tmp,
            "-a",
            "wards=koto",
            "-s",
            "SUUMO_DETAIL_POLICY=scraper.detail_policy.FetchNone",
        )
    assert result.stats["suumo/truncated/koto"] is True
    assert result.stats["suumo/coverage/koto"] == round(40 / 585, 4)
    assert "40 of 585 listings seen" in result.log


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (403, "<html><title>Forbidden</title></html>", "http_403"),
        (429, "<html><title>Too Many Requests</title></html>", "http_429"),
        (200, "captcha", "block_or_captcha_page"),
    ],
)
def test_blocked_list_pages_yield_nothing_and_say_so(
    pages: dict[str, str], tmp: Path, status: int, body: str, reason: str
) -> None:
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    html = read_handwritten("block-captcha.html") if body == "captcha" else body
    site.add(CHUKO.format(ward="bunkyo") + "?pc=100", html, status=status)
    with serve(site):
        result = run_spider("suumo_chuko", site.base_url, tmp, "-a", "wards=bunkyo", "-s", "RETRY_TIMES=1")
    assert result.returncode == 0, result.log
    assert result.items == []
    assert result.stats["suumo/blocked"] >= 1
    assert result.stats[f"suumo/blocked/{reason}"] >= 1
    assert result.stats["suumo/list_pages_failed/bunkyo"] >= 1
    assert "suumo/ward_done/bunkyo" not in result.stats
    if status == 429:
        assert result.stats["retry/count"] == 1 and result.stats["suumo/backoff_delay_max"] > 0


def test_empty_ward_is_empty_not_blocked(pages: dict[str, str], tmp: Path) -> None:
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    site.add(CHUKO.format(ward="minato") + "?pc=100", read_handwritten("chuko-list-empty-results.html"))
    with serve(site):
        result = run_spider("suumo_chuko", site.base_url, tmp, "-a", "wards=minato")
    assert result.items == []
    assert result.stats["suumo/list_pages/empty"] == 1
    assert result.stats["suumo/hits/minato"] == 0
    assert result.stats["suumo/ward_done/minato"] is True
    assert "suumo/blocked" not in result.stats


def test_robots_txt_is_obeyed(pages: dict[str, str], tmp: Path) -> None:
    site = koto_site(pages)
    site.add("/robots.txt", "User-agent: *\nDisallow: /ms/chuko/\n", content_type="text/plain")
    with serve(site):
        result = run_spider("suumo_chuko", site.base_url, tmp, "-a", "wards=koto")
    assert [path for path, _ in site.requests] == ["/robots.txt"]
    assert result.stats["robotstxt/forbidden"] == 1


def test_new_condo_crawl(pages: dict[str, str], tmp: Path) -> None:
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    last_page = pages["new"].replace(
        '<a class="pager_button pager_button--next" href="/ms/shinchiku/tokyo/sc_minato/?page=2">次へ</a>', ""
    )
    site.add("/ms/shinchiku/tokyo/sc_minato/?pc=100", last_page.replace("131<span", "30<span"))
    with serve(site):
        result = run_spider("suumo_shinchiku", site.base_url, tmp, "-a", "wards=minato")
    assert result.returncode == 0, result.log
    assert len(result.items) == 30
    assert {i["listing_scope"] for i in result.items} == {"project", "unit"}
    assert result.stats["suumo/coverage/minato"] == 1.0
    # Detail pages are requested; this local site has none, so each is a counted 404 error, no item.
    assert result.stats["suumo/detail/requested"] == 30
    assert result.stats["suumo/detail_pages/error"] == 30


def test_unknown_ward_is_a_clear_error(tmp: Path) -> None:
    result = run_spider("suumo_chuko", "http://127.0.0.1:9", tmp, "-a", "wards=shibuya")
    assert result.returncode != 0
    assert "unknown ward 'shibuya': choose from koto, bunkyo, minato" in result.log


def _scrapy_check(base_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "check", "-s", f"SUUMO_BASE_URL={base_url}", *FAST],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scrapy_check_contracts_pass_against_the_local_site(pages: dict[str, str]) -> None:
    site = koto_site(pages)
    site.add("/ms/chuko/tokyo/sc_koto/nc_73305798/", pages["detail"])
    site.add("/ms/shinchiku/tokyo/sc_minato/?pc=100", pages["new"])
    with serve(site):
        done = _scrapy_check(site.base_url)
    assert done.returncode == 0, done.stderr
    # 3 contracts on each of the three contract-checked callbacks.
    assert "Ran 9 contracts" in done.stderr and done.stderr.rstrip().endswith("OK"), done.stderr


def test_scrapy_check_fails_when_the_site_serves_a_block_page(pages: dict[str, str]) -> None:
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    for path in ("/ms/chuko/tokyo/sc_koto/", "/ms/chuko/tokyo/sc_koto/nc_73305798/", "/ms/shinchiku/tokyo/sc_minato/"):
        site.add(path, read_handwritten("block-captcha.html"))
    with serve(site):
        done = _scrapy_check(site.base_url)
    assert done.returncode != 0
    assert "FAILED" in done.stderr


def test_an_oversized_page_is_a_counted_failure_not_a_parse(pages: dict[str, str], tmp: Path) -> None:
    """A response past DOWNLOAD_MAXSIZE is cancelled and counted; the list's items are still kept.

    The cap is lowered between the list page (237 KB) and the detail page (249 KB) here; the shipped cap is 8 MiB
    (tests/test_hostile_pages.py)."""
    with serve(koto_site(pages)) as site:
        result = run_spider("suumo_chuko", site.base_url, tmp, "-a", "wards=koto", "-s", "DOWNLOAD_MAXSIZE=245000")
    assert result.returncode == 0
    assert not [item for item in result.items if item.get("page_kind") == "detail"]
    assert len([item for item in result.items if item.get("page_kind") == "list"]) == 40
    assert result.stats["suumo/request_errors/detail"] == 1
    assert result.stats["suumo/request_errors/DownloadCancelledError"] == 1
    assert "larger than download max size" in result.log
