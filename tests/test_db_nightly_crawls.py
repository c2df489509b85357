"""Several nights of real crawls into the database, on both engines.

A server on 127.0.0.1 serves the real saved list and detail pages and edited copies of them (a
changed price, a missing card, a block page); the real spiders crawl it through ``condo crawl``'s
library function into a migrated database; the analysts' views are checked after each night.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from condo.cli import main
from condo.crawl import crawl
from db.engine import make_engine
from tests.conftest import read_handwritten, read_shared
from tests.support.site import StaticSite, serve

pytestmark = pytest.mark.slow

LIST_PATH = "/ms/chuko/tokyo/sc_koto/?pc=100"
NEXT_LINK = '<a href="/ms/chuko/tokyo/sc_chiyoda/?page=2">次へ</a>'
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "RETRY_TIMES": "0"}
DETAIL_ID = "73305798"
FIRST_NIGHT = dt.datetime(2026, 9, 7, 17, 30, tzinfo=dt.UTC)


def koto_copy(html: str) -> str:
    """The Chiyoda page edited into a one-page Koto list: ward names, hit count, no next link."""
    return html.replace("千代田区", "江東区").replace(NEXT_LINK, "").replace("585<span>件</span>", "20<span>件</span>")


def ids_of(html: str) -> list[str]:
    return re.findall(r'"fp":\[([^\]]*)\]', html)[0].replace('"', "").split(",")


def without_card(html: str, listing_id: str) -> str:
    """Remove one card and its footer id, and lower the hit count: the listing left the site."""
    start = html.index(f'value="011{listing_id}"')
    # Cards open with '<div class="property_unit ' (a space); their inner blocks with 'property_unit-'.
    start = html.rindex('<div class="property_unit ', 0, start)
    end = html.index('<div class="property_unit ', start + 10)
    hits = int(re.search(r"(\d+)<span>件</span>", html).group(1))  # type: ignore[union-attr]
    html = html[:start] + html[end:]
    html = html.replace(f'"{listing_id}",', "").replace(f',"{listing_id}"', "")
    return html.replace(f"{hits}<span>件</span>", f"{hits - 1}<span>件</span>")


@pytest.fixture
def pages() -> dict[str, str]:
    full = koto_copy(read_shared("suumo/chuko-list-chiyoda-2026-09.html"))
    first = ids_of(full)[0]
    # The real detail page, edited to be this card's: its id, the facts the card also shows (name, area,
    # layout: a detail page that disagrees with its card is another flat's and is not stored) and, per
    # night, its price.
    detail = (
        read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html")
        .replace(DETAIL_ID, first)
        .replace("パークホームズ豊洲ザ・レジデンス", "グランスイートＴＯＫＹＯマークス")
        .replace("74.04m", "25.98m")
        .replace("3LDK", "1K")
    )
    return {
        "full": full,
        "first": first,
        "detail": detail,
        "robots": read_shared("suumo/robots-suumo.txt"),
        "block": read_handwritten("block-captcha.html"),
    }


def with_price(detail: str, man: int) -> str:
    return detail.replace("1億800万円", f"{man}万円").replace('"108000000"', f'"{man * 10_000}"')


def night(
    site: StaticSite,
    database_url: str,
    list_html: str,
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    detail: tuple[str, str] | None = None,
) -> str:
    site.add(LIST_PATH, list_html)
    if detail:
        site.add(*detail)
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp))
    # Each crawl is the next night (removals count nights, not runs): 02:30 JST, one day after the last.
    engine = make_engine(database_url)
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT COUNT(*) FROM crawl_runs")).scalar() or 0
    monkeypatch.setenv("CONDO_NOW", (FIRST_NIGHT + dt.timedelta(days=runs)).isoformat())
    try:
        result = crawl(engine, ["suumo_chuko"], "koto", {**FAST, "SUUMO_BASE_URL": site.base_url}, time_limit=120)
    finally:
        engine.dispose()
    assert result.ok, [run.log_path.read_text()[-3000:] for run in result.runs if run.log_path]
    (summary,) = result.summaries
    return summary.verdict


def query(engine: Engine, sql: str, **params: object) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def test_five_nights(engine: Engine, pages: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = engine.url.render_as_string(hide_password=False)
    full, first = pages["full"], pages["first"]
    ids = ids_of(full)
    cut_price = full.replace("3980万円", "3780万円")  # the first card (21457575) cuts its price
    missing = without_card(cut_price, ids[1])  # the second card (20907011) disappears
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    detail_path = f"/ms/chuko/tokyo/sc_chiyoda/nc_{first}/"
    site.add(detail_path, with_price(pages["detail"], 3980))
    with serve(site):
        # Night 1: the real page as it is.
        assert night(site, url, full, tmp_path, monkeypatch) == "complete_healthy"
        assert query(engine, "SELECT COUNT(*), SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) FROM v_listings") == [
            (20, 20)
        ]
        detail_row = query(
            engine,
            "SELECT price_yen, floor, total_floors, direction, management_fee_yen, unit_id IS NOT NULL"
            " FROM v_listings WHERE source_listing_id = :id",
            id=first,
        )
        # The detail page (edited to this card's id) gave the fields the card lacks, and a unit.
        assert detail_row == [(39_800_000, 4, 22, "北西", 19_620, True)]

        # Night 2: a price cut (on the card and its detail page) and a missing card.
        cut_detail = (detail_path, with_price(pages["detail"], 3780))
        assert night(site, url, missing, tmp_path, monkeypatch, cut_detail) == "complete_healthy"
        assert query(engine, "SELECT status FROM v_listings WHERE source_listing_id = :id", id=ids[1]) == [("active",)]

        # Night 3: the site answers with a captcha page: unhealthy, and nothing is removed.
        verdict = night(site, url, pages["block"], tmp_path, monkeypatch)
        assert verdict == "incomplete_unhealthy"
        assert query(engine, "SELECT COUNT(*) FROM v_listings WHERE status = 'removed'") == [(0,)]

        # Night 4: the card is still missing: absent from two complete and healthy runs → removed.
        assert night(site, url, missing, tmp_path, monkeypatch) == "complete_healthy"
        assert query(engine, "SELECT source_listing_id FROM v_listings WHERE status = 'removed'") == [(ids[1],)]

        # Night 5: it is back → relisted.
        assert night(site, url, cut_price, tmp_path, monkeypatch) == "complete_healthy"

    assert query(engine, "SELECT COUNT(*) FROM v_listings WHERE status = 'active'") == [(20,)]
    assert query(
        engine,
        "SELECT kind FROM listing_events e JOIN listings l ON l.id = e.listing_id"
        " WHERE l.source_listing_id = :id ORDER BY e.id",
        id=ids[1],
    ) == [("first_seen",), ("removed",), ("relisted",)]
    # The price history of the first card: the first price and the cut, once each.
    history = query(
        engine,
        "SELECT price_yen, previous_price_yen, change_yen FROM v_price_history"
        " WHERE source_listing_id = :id ORDER BY seen_at",
        id=ids[0],
    )
    assert history == [(39_800_000, None, None), (37_800_000, 39_800_000, -2_000_000)]
    runs = query(engine, "SELECT verdict, removed, relisted, coverage FROM v_crawl_runs ORDER BY run_id")
    assert [r[0] for r in runs] == [
        "complete_healthy",
        "complete_healthy",
        "incomplete_unhealthy",
        "complete_healthy",
        "complete_healthy",
    ]
    assert [r[1] for r in runs] == [0, 0, 0, 1, 0] and [r[2] for r in runs] == [0, 0, 0, 0, 1]
    assert runs[0][3] == 1.0 and runs[1][3] == 1.0
    # Incremental crawling: later nights fetch details only for listings that are new or whose detail is
    # stale (45-90 days); the first card's detail was fetched on night 1 and not again when its list price
    # changed (the card carries the price; SUUMO_DETAIL_ON_PRICE_CHANGE=True would fetch it).
    detail_sightings = query(
        engine,
        "SELECT COUNT(*) FROM sightings s JOIN listings l ON l.id = s.listing_id"
        " WHERE l.source_listing_id = :id AND s.page_kind = 'detail'",
        id=first,
    )
    assert detail_sightings == [(1,)]


def crawl_command(list_html: str, pages: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``condo crawl`` of Koto by suumo_chuko against a local site serving ``list_html``."""
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    site.add(LIST_PATH, list_html)
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp_path))
    database = f"sqlite:///{tmp_path / 'condo.sqlite3'}"
    with serve(site):
        return CliRunner().invoke(
            main,
            [
                *("crawl", "--spider", "suumo_chuko", "--wards", "koto", "--database-url", database),
                *("--base-url", site.base_url, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"),
            ],
        )


def test_condo_crawl_command_prints_the_summary(
    pages: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = crawl_command(pages["full"], pages, tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "suumo_chuko koto: page 1, 20 of 20 listings" in result.stderr
    assert "run 1 suumo_chuko: complete_healthy" in result.stdout
    assert "new 20, price changes 0, removed 0, relisted 0, blocked responses 0" in result.stdout
    assert "koto: 20 of 20 listings (complete, healthy)" in result.stdout
    assert list((tmp_path / "logs").glob("*-suumo_chuko.log"))


def test_condo_crawl_exits_4_when_the_night_is_not_trusted(
    pages: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = crawl_command(pages["block"], pages, tmp_path, monkeypatch)
    assert result.exit_code == 4, result.output
    assert "run 1 suumo_chuko: incomplete_unhealthy" in result.stdout
    assert "Not every run is complete and healthy" in result.stderr


def test_condo_crawl_rejects_a_bad_ward() -> None:
    result = CliRunner().invoke(main, ["crawl", "--wards", "shibuya"])
    assert result.exit_code == 2
    assert "unknown ward 'shibuya'" in result.output


def test_a_killed_crawl_leaves_a_consistent_database_and_the_next_night_recovers(
    engine: Engine, pages: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    url = engine.url.render_as_string(hide_password=False)
    site = StaticSite(delay=0.5)  # slow detail pages: the crawl is still running when it is killed
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    site.add(LIST_PATH, pages["full"])
    with serve(site):
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "suumo_chuko",
            "-a",
            "wards=koto",
            "-s",
            f"SUUMO_BASE_URL={site.base_url}",
            "-s",
            "CONDO_BATCH_SIZE=5",
            "-s",
            "SUUMO_DETAIL_POLICY=scraper.detail_policy.DatabaseDetailPolicy",
            *[f"-s{k}={v}" for k, v in FAST.items()],
        ]
        child = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DATABASE_URL": url},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            written = query(engine, "SELECT COUNT(*) FROM listings")[0][0]
            if written >= 20:
                break
            time.sleep(0.2)
        assert child.poll() is None, "the crawl ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

        # Consistent: every committed listing has its price, snapshot, first-seen event and sighting.
        assert query(engine, "SELECT COUNT(*) FROM listings") == [(20,)]
        assert query(engine, "SELECT COUNT(*) FROM v_listings WHERE price_yen IS NULL OR building_name IS NULL") == [
            (0,)
        ]
        assert query(engine, "SELECT COUNT(*) FROM listing_events WHERE kind = 'first_seen'") == [(20,)]
        assert query(engine, "SELECT verdict, finished_at FROM v_crawl_runs") == [("running_or_killed", None)]

        site.delay = 0
        assert night(site, url, pages["full"], tmp_path, monkeypatch) == "complete_healthy"
    assert query(engine, "SELECT verdict FROM v_crawl_runs ORDER BY run_id") == [
        ("interrupted",),
        ("complete_healthy",),
    ]
    assert query(engine, "SELECT COUNT(*) FROM v_listings WHERE status = 'active'") == [(20,)]
    assert query(engine, "SELECT COUNT(*) FROM listing_events WHERE kind = 'removed'") == [(0,)]


def command_lines() -> list[str]:
    """Every process's command line, as ``ps`` shows them to any user of the machine."""
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue
    return lines


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads command lines from /proc")
def test_no_password_on_any_command_line_during_a_postgresql_crawl(
    pages: dict[str, str], postgres: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(postgres.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE condo_ps TEMPLATE condo_template"))
    admin.dispose()
    secret = "s3cret-Passw0rd"
    # The test server trusts local connections, so any password opens it; what matters is where it travels.
    url = make_url(postgres.url("condo_ps")).set(password=secret)
    site = StaticSite()
    site.add("/robots.txt", pages["robots"], content_type="text/plain")
    site.add(LIST_PATH, pages["full"])
    monkeypatch.setenv("CONDO_DATA_DIR", str(tmp_path))
    seen: list[str] = []

    def look(_spider: str, _progress: object) -> None:
        seen.extend(line for line in command_lines() if "scrapy" in line)

    crawling = make_engine(url.render_as_string(hide_password=False))
    try:
        with serve(site):
            settings = {
                **FAST,
                "SUUMO_BASE_URL": site.base_url,
                "SUUMO_DETAIL_POLICY": "scraper.detail_policy.FetchNone",
            }
            result = crawl(crawling, ["suumo_chuko"], "koto", settings, time_limit=120, on_progress=look)
    finally:
        crawling.dispose()
    assert result.ok and result.summaries[0].verdict == "complete_healthy"
    assert seen, "the spider process was never seen running"
    assert not [line for line in seen if secret in line]
    assert all(secret not in line for line in command_lines())
