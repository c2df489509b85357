"""The page archive (issue 16, first part): every response a crawl receives kept as WARC, identical
bodies stored once as revisit records, a file cut short still readable up to its last whole record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scraper.archive.warc import ArchiveWriter, archive_size, payload_digest, read_records
from scraper.runner import run_spider_process
from tests.conftest import read_handwritten, read_shared
from tests.support.site import StaticSite, serve

T0 = dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC)
LIST_PATH = "/ms/chuko/tokyo/sc_koto/?pc=100"
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "RETRY_TIMES": "0"}


def exchange(writer: ArchiveWriter, url: str, body: bytes, status: int = 200) -> object:
    return writer.write(
        url,
        "GET",
        [("User-Agent", "tokyo-condo-tracker")],
        status,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        body,
        T0,
    )


def test_identical_bodies_are_stored_once_across_runs(tmp_path: Path) -> None:
    first = ArchiveWriter(tmp_path, "run-1")
    exchange(first, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_1/", "詳細ページ".encode())
    exchange(first, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_2/", b"<html>other</html>")
    first.close()
    second = ArchiveWriter(tmp_path, "run-2")
    again = exchange(second, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_1/", "詳細ページ".encode())
    blocked = exchange(second, "https://suumo.jp/ms/chuko/tokyo/sc_koto/?pc=100", b"captcha", status=403)
    second.close()
    assert again.revisit and not blocked.revisit
    records = list(read_records(sorted(tmp_path.glob("*.warc.gz"))))
    kinds = [(r.kind, r.status) for r in records]
    assert kinds == [("response", 200), ("response", 200), ("revisit", 200), ("response", 403)]
    revisit = records[2]
    assert revisit.body == "詳細ページ".encode() and revisit.refers_to == (records[0].url, records[0].date)
    assert ("Content-Encoding", "gzip") not in records[0].headers  # the body is kept decoded
    assert archive_size(tmp_path)[0] == 2
    assert payload_digest(b"captcha").startswith("sha1:")


def test_a_file_cut_short_reads_up_to_its_last_whole_record(tmp_path: Path) -> None:
    writer = ArchiveWriter(tmp_path, "killed")
    for number in range(3):
        exchange(writer, f"https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_{number}/", f"page {number}".encode() * 200)
    writer.close()
    data = writer.path.read_bytes()
    records = list(read_records([writer.path]))
    assert len(records) == 3
    # The crawl killed while the third response was being written: the file ends mid-record.
    writer.path.write_bytes(data[: len(data) - 40])
    cut = list(read_records([writer.path]))
    assert [r.url for r in cut] == [r.url for r in records[:2]]


def test_a_crawl_archives_every_response_it_receives(tmp_path: Path) -> None:
    site = StaticSite()
    site.add("/robots.txt", read_shared("suumo/robots-suumo.txt"), content_type="text/plain")
    full = read_shared("suumo/chuko-list-chiyoda-2026-09.html").replace("千代田区", "江東区")
    site.add(LIST_PATH, full.replace('<a href="/ms/chuko/tokyo/sc_chiyoda/?page=2">次へ</a>', ""))
    site.add("/ms/chuko/tokyo/sc_bunkyo/?pc=100", read_handwritten("block-captcha.html"), status=403)
    folder = tmp_path / "archive"
    with serve(site):
        run = run_spider_process(
            "suumo_chuko",
            wards="koto,bunkyo",
            settings={
                **FAST,
                "SUUMO_BASE_URL": site.base_url,
                "SUUMO_DETAIL_POLICY": "scraper.detail_policy.FetchNone",
                "CONDO_ARCHIVE_DIR": str(folder),
            },
            time_limit=120,
            log_path=tmp_path / "crawl.log",
        )
    assert run.returncode == 0, (tmp_path / "crawl.log").read_text()[-2000:]
    records = list(read_records(sorted(folder.glob("*.warc.gz"))))
    urls = {(r.url.split("/", 3)[-1], r.status) for r in records}
    assert ("robots.txt", 200) in urls
    assert ("ms/chuko/tokyo/sc_koto/?pc=100", 200) in urls
    assert ("ms/chuko/tokyo/sc_bunkyo/?pc=100", 403) in urls  # a block is kept too
    assert run.stats["archive/records"] == len(records) and run.stats["archive/file"].endswith(".warc.gz")
    koto = next(r for r in records if r.url.endswith("sc_koto/?pc=100"))
    assert koto.body is not None and "江東区".encode() in koto.body


def test_condo_parse_reads_the_archived_pages(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from condo.cli import main

    writer = ArchiveWriter(tmp_path, "night")
    page = read_shared("suumo/chuko-list-chiyoda-2026-09.html").encode()
    exchange(writer, "https://suumo.jp/ms/chuko/tokyo/sc_chiyoda/?pc=100", page)
    exchange(writer, "https://suumo.jp/robots.txt", b"User-agent: *")
    writer.close()
    result = CliRunner().invoke(main, ["parse", "--warc", str(writer.path), "--no-summary"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 20 and '"scraped_at": "2026-11-30T17:30:00+00:00"' in lines[0]
    assert "1 archived page(s) parsed, 20 item(s); 1 other record(s)" in result.stderr
