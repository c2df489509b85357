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


DETAIL_1 = "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_1/"


def _three_runs(folder: Path) -> list[Path]:
    """Night 1 holds the body; nights 2 and 3 revisit it (and night 3 has a page of its own first)."""
    paths = []
    for night in (1, 2, 3):
        writer = ArchiveWriter(folder, f"run-{night}")
        if night == 3:
            exchange(writer, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_3/", b"<html>three</html>" * 50)
        exchange(writer, DETAIL_1, "詳細ページ".encode() * 100)
        writer.close()
        paths.append(writer.path)
    return paths


def test_a_revisit_is_resolved_from_the_digest_index_without_the_earlier_files(tmp_path: Path) -> None:
    """Reading one night's file alone gives its revisits their bodies: the digest index names the file
    and the byte offset of the one record that holds it."""
    import sqlite3

    first, _, third = _three_runs(tmp_path)
    records = list(read_records([third]))
    assert [r.kind for r in records] == ["response", "revisit"]
    assert records[1].body == "詳細ページ".encode() * 100
    with sqlite3.connect(tmp_path / "digests.sqlite3") as connection:
        file, offset = connection.execute(
            "SELECT file, offset FROM digests WHERE digest = ?", (payload_digest("詳細ページ".encode() * 100),)
        ).fetchone()
    assert file == first.name and offset > 0  # after the warcinfo and the request records
    # The index is used, not a read of the first file: a copy of the third file elsewhere (no index) has
    # no body for its revisit.
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    (elsewhere / third.name).write_bytes(third.read_bytes())
    assert [r.body for r in read_records([elsewhere / third.name])][1] is None


def test_an_index_without_offsets_or_with_a_stale_one_still_resolves(tmp_path: Path) -> None:
    """An index written before offsets were kept gets the column and reads the named file; a wrong
    offset is never trusted (the body is checked against its digest) and the file is read instead."""
    import sqlite3

    _, _, third = _three_runs(tmp_path)
    body = "詳細ページ".encode() * 100
    with sqlite3.connect(tmp_path / "digests.sqlite3") as connection:
        connection.execute("UPDATE digests SET offset = 3")
    assert list(read_records([third]))[1].body == body
    with sqlite3.connect(tmp_path / "digests.sqlite3") as connection:  # as the old code made it
        rows = connection.execute("SELECT digest, uri, date, record_id, file FROM digests").fetchall()
        connection.execute("DROP TABLE digests")
        connection.execute(
            "CREATE TABLE digests (digest TEXT PRIMARY KEY, uri TEXT, date TEXT, record_id TEXT, file TEXT)"
        )
        connection.executemany("INSERT INTO digests VALUES (?, ?, ?, ?, ?)", rows)
    assert list(read_records([third]))[1].body == body


def test_pruning_a_file_moves_the_offsets_of_the_bodies_it_keeps(tmp_path: Path) -> None:
    """Night 4's file is rewritten without the detail page of a gone listing (nc_9): the body of nc_4
    after it moves up, the index follows, and every revisit still reads its body."""
    import sqlite3

    from scraper.archive.prune import prune

    third = _three_runs(tmp_path)[2]
    writer = ArchiveWriter(tmp_path, "run-4")
    exchange(writer, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_9/", b"<html>nine</html>" * 40)
    exchange(writer, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_4/", b"<html>four</html>" * 40)
    writer.close()
    writer = ArchiveWriter(tmp_path, "run-5")
    exchange(writer, "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_4/", b"<html>four</html>" * 40)
    writer.close()
    four = payload_digest(b"<html>four</html>" * 40)

    def offset() -> int:
        with sqlite3.connect(tmp_path / "digests.sqlite3") as connection:
            return int(connection.execute("SELECT offset FROM digests WHERE digest = ?", (four,)).fetchone()[0])

    before = offset()
    result = prune(tmp_path, {"9"})
    assert result.records_dropped == 2 and offset() < before  # nc_9 went, nc_4's record moved up
    assert [r.body for r in read_records([writer.path])] == [b"<html>four</html>" * 40]
    assert list(read_records([third]))[1].body == "詳細ページ".encode() * 100
