"""The district-group table (db/places/groups.toml): what ships, and clear errors for a bad edit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from condo.cli import main
from db.engine import make_engine
from db.migrate import upgrade
from db.places.groups import PlaceTableError, load_groups
from scraper.parsing.address import AREA_GROUPS, parse_address


def test_the_shipped_groups_cover_the_places_of_the_story() -> None:
    groups = {group.key: group for group in load_groups()}
    assert {"koto-bay", "3A", "3A-Azabu", "3A-Akasaka", "3A-Aoyama", "bunkyo-schools"} <= set(groups)
    assert {"豊洲", "有明", "東雲", "辰巳", "青海"} <= groups["koto-bay"].districts
    assert (
        groups["3A"].districts
        == groups["3A-Azabu"].districts | groups["3A-Akasaka"].districts | groups["3A-Aoyama"].districts
    )
    assert groups["3A-Aoyama"].parent == "3A" and groups["3A"].name("ja") == "港区3A"
    assert groups["koto-bay"].contains(13108, "豊洲") and not groups["koto-bay"].contains(13103, "豊洲")


def test_the_parser_reads_3a_from_the_same_table() -> None:
    assert AREA_GROUPS["南青山"] == "3A-Aoyama" and AREA_GROUPS["元赤坂"] == "3A-Akasaka"
    assert parse_address("東京都港区西麻布3").area_group == "3A-Azabu"  # type: ignore[union-attr]


def test_a_table_of_ones_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "groups.toml"
    table.write_text(
        '[[group]]\nkey = "kiba"\nward_code = 13108\nname_en = "Kiba"\nname_ja = "木場"\n'
        'districts = ["木場"]\nwhy = "A test."\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CONDO_PLACE_GROUPS", str(table))
    assert [group.key for group in load_groups()] == ["kiba"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[group]\n", "not valid TOML"),
        ('title = "no groups"\n', "no [[group]] entries"),
        ('[[group]]\nkey = "a b"\n', "`key` must be"),
        ('[[group]]\nkey = "a"\nward_code = 13108\nname_en = "A"\nname_ja = "A"\nwhy = "w"\n', "either `districts`"),
        (
            '[[group]]\nkey = "a"\nward_code = 13108\nname_en = "A"\nname_ja = "A"\nwhy = "w"\nmembers = ["b"]\n',
            "not groups of districts",
        ),
        ('[[group]]\nkey = "a"\nward_code = "江東区"\nname_en = "A"\nname_ja = "A"\nwhy = "w"\n', "JIS code"),
    ],
)
def test_a_bad_table_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    table = tmp_path / "bad.toml"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(PlaceTableError, match=re.escape(message)) as error:
        load_groups(table)
    assert str(table) in str(error.value)


def test_a_missing_table_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlaceTableError, match="no such district-group table"):
        load_groups(tmp_path / "nowhere.toml")


def test_the_report_stops_on_a_bad_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[group]\n", encoding="utf-8")
    monkeypatch.setenv("CONDO_PLACE_GROUPS", str(bad))
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(make_engine(url))
    result = CliRunner().invoke(main, ["report", "weekly", "--database-url", url, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "district-group table is wrong" in result.stderr and str(bad) in result.stderr
