from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from condo.cli import main
from tests.conftest import HANDWRITTEN, shared_page


def run(*args: str) -> tuple[int, list[dict], str]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, list(args))
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_parse_detail_page_gives_one_line() -> None:
    page = shared_page("suumo/chuko-detail-koto-nc73305798-2024-02.html")
    code, items, err = run("parse", str(page), "--url", "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/")
    assert code == 0
    assert len(items) == 1
    item = items[0]
    assert (item["listing_id"], item["price_yen"], item["area_m2"], item["floor"], item["total_floors"]) == (
        "73305798",
        108_000_000,
        74.04,
        4,
        22,
    )
    assert item["info_date"] == "2024-02-10" and item["scraped_at"].endswith("+00:00")
    assert "detail page (suumo_chuko), 1 item(s)" in err


def test_parse_list_pages_without_url_use_the_pages_own_url() -> None:
    used = shared_page("suumo/chuko-list-chiyoda-2026-09.html")
    new = shared_page("suumo/shinchiku-list-minato-2026.html")
    code, items, err = run("parse", str(used), str(new))
    assert code == 0
    assert len(items) == 50
    assert {i["property_type"] for i in items[:20]} == {"used"} and {i["property_type"] for i in items[20:]} == {"new"}
    assert "site hit count 585" in err and "site hit count 131" in err


def test_listing_ended_page_gives_no_item_and_says_what_it_is() -> None:
    page = shared_page("suumo/chuko-detail-gone-2026.html")
    code, items, err = run("parse", str(page), "--url", "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_1/")
    assert code == 0 and items == []
    assert "gone page" in err


def test_unreadable_fields_are_reported_with_their_raw_text() -> None:
    code, items, err = run("parse", str(HANDWRITTEN / "chuko-list-layout-drift.html"))
    assert code == 0 and len(items) == 2
    assert "could not read price from '要相談'" in err


def test_url_of_another_site_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text("<html></html>")
    code, items, err = run("parse", str(page), "--url", "https://example.com/mansion/b-1/")
    assert code == 2 and items == []
    assert "no spider owns https://example.com/mansion/b-1/" in err


def test_url_with_several_pages_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("")
    (tmp_path / "b.html").write_text("")
    code, _, err = run(
        "parse", str(tmp_path / "a.html"), str(tmp_path / "b.html"), "--url", "https://suumo.jp/ms/chuko/"
    )
    assert code == 2 and "--url names one page's URL" in err


def _commands(group: click.Group) -> list[click.Command]:
    return list(group.commands.values())


@pytest.mark.parametrize("command", _commands(main), ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command: click.Command) -> None:
    assert command.help and "Example" in command.help
    result = CliRunner().invoke(main, [command.name or "", "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout
