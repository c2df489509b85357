"""A newcomer cannot hurt himself (issue 19): ``condo demo --out`` replaces only a folder a demo made
(``--out .`` must never wipe a folder), the commands that only read never create a database at a
mistyped path, ``condo parse`` names a file that is no page, and a bad database URL is one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from condo.cli import main
from condo.demo import MARKER, DemoFolderError, prepare_out_dir


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    precious = tmp_path / "thesis.tex"
    precious.write_text("three years of work")
    result = CliRunner().invoke(main, ["demo", "--nights", "1", "--out", str(tmp_path)])
    assert (
        result.exit_code == 2 and "not made by condo demo" in result.output and "nothing was deleted" in result.output
    )
    assert precious.read_text() == "three years of work" and not (tmp_path / MARKER).exists()


def test_an_empty_or_new_folder_becomes_the_demos(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_out_dir(empty)
    prepare_out_dir(tmp_path / "new" / "deeper")
    assert (empty / MARKER).is_file() and (tmp_path / "new" / "deeper" / MARKER).is_file()


def test_a_folder_the_demo_made_is_replaced(tmp_path: Path) -> None:
    prepare_out_dir(tmp_path / "demo")
    (tmp_path / "demo" / "demo.sqlite3").write_text("an old run")
    prepare_out_dir(tmp_path / "demo")
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [MARKER]


def test_a_folder_of_an_older_demo_without_the_marker_is_replaced(tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "logs").mkdir(parents=True)
    for name in ("demo.sqlite3", "truth.json", "truth-check.json"):
        (old / name).write_text("x")
    prepare_out_dir(old)
    assert sorted(p.name for p in old.iterdir()) == [MARKER]
    (old / "notes.txt").write_text("mine")
    (old / MARKER).unlink()
    for name in ("demo.sqlite3", "truth.json"):
        (old / name).write_text("x")
    with pytest.raises(DemoFolderError):
        prepare_out_dir(old)  # a file the demo never writes: not a demo folder any more
    assert (old / "notes.txt").read_text() == "mine"


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(DemoFolderError, match="is a file"):
        prepare_out_dir(target)


@pytest.mark.parametrize("command", [["report", "weekly"], ["status"]])
def test_read_only_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "condo.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{missing}", "CONDO_DATA_DIR": str(tmp_path / "data")}
    out = ["--out", str(tmp_path / "out")] if command[0] == "report" else []
    result = CliRunner().invoke(main, [*command, *out], env=env)
    assert result.exit_code == 1
    assert f"no database at {missing}" in result.output.replace("\n", " ")
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"  \n", "the file is empty"), (bytes(range(256)) * 4, "not an HTML page")],
)
def test_parse_names_a_file_that_is_no_page(tmp_path: Path, content: bytes, message: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(content)
    result = CliRunner().invoke(main, ["parse", str(page)])
    assert result.exit_code == 2 and message in result.stderr and "blocked" not in result.stderr


BAD_URLS = {
    "garbage": "the database URL cannot be read",
    "nosuchdriver://x": "no database driver for 'nosuchdriver'",
    "postgresql+psycopg://condo:s3cret@127.0.0.1:1/condo": "the database cannot be reached",
}


@pytest.mark.parametrize("url", sorted(BAD_URLS))
@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["db", "release-held", "3"], ["status"], ["report", "weekly"]], ids=" ".join
)
def test_a_bad_database_url_is_one_line_not_a_traceback(tmp_path: Path, command: list[str], url: str) -> None:
    out = ["--out", str(tmp_path / "out")] if command[0] == "report" else []
    result = CliRunner().invoke(main, [*command, "--database-url", url, *out])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and BAD_URLS[url] in lines[0], result.stderr
    assert "Traceback" not in result.output and "s3cret" not in result.output


@pytest.mark.slow
def test_crawl_of_a_site_that_cannot_be_reached_stops_and_says_so(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'crawl.sqlite3'}"
    assert CliRunner().invoke(main, ["db", "upgrade", "--database-url", url]).exit_code == 0
    started = time.monotonic()
    result = CliRunner(env={"CONDO_DATA_DIR": str(tmp_path / "data")}).invoke(
        main,
        [
            "crawl",
            "--spider",
            "suumo_chuko",
            "--wards",
            "koto",
            "--database-url",
            url,
            "--base-url",
            f"http://127.0.0.1:{port}",
            "-s",
            "RETRY_BACKOFF_MAX_DELAY=0.1",
            "-s",
            "DOWNLOAD_DELAY=0",
        ],
    )
    assert result.exit_code == 4, result.output
    assert "the site could not be reached" in result.stderr and "connection failures in a row" in result.stderr
    assert time.monotonic() - started < 120
