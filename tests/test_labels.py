"""Label matching (scraper/parsing/labels.py) against the variants SUUMO uses, and renamed labels."""

from __future__ import annotations

import datetime as dt

import pytest
from parsel import Selector

from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.labels import ALIASES, Labels, label_key
from scraper.suumo.detail import parse_detail
from tests.conftest import FROZEN_NOW, read_shared

URL = "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/"


def variants(label: str) -> list[str]:
    """The ways SUUMO has printed a label: widths, hint text, 予定, colons, link fragments, spaces."""
    wide = label.replace("(", "（").replace(")", "）").replace("/", "／")
    return [
        label,
        wide,
        f"{label}ヒント",
        f" {wide} \n ヒント ",
        f"{label}:",
        f"{wide}：",
        f"{label} [ □支払シミュレーション ]",
        label.replace("日", "予定日") if label.endswith("日") else f"{label}予定",
        "\u3000".join(label),
    ]


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_every_alias_matches_in_every_variant(name: str) -> None:
    for alias in ALIASES[name]:
        for printed in variants(alias):
            table = Labels([(printed, ["value"])])
            assert table.text(name) == "value", (name, printed)
            assert table.unknown() == []


def test_first_row_of_a_label_wins_and_blank_cells_are_empty() -> None:
    table = Labels([("価格", ["1億800万円"]), ("価格", ["8700万円"]), ("向き", [])])
    assert table.text("price") == "1億800万円"
    assert table.text("direction") == ""
    assert table.text("land_tenure") is None


def test_a_renamed_label_is_a_counted_miss_not_silence() -> None:
    """If SUUMO renamed 管理費 to 管理費等, the fee would be missing and the new label counted and kept."""
    html = read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html").replace(">管理費<", ">管理費等<")
    fields = FieldLog()
    item = parse_detail(Selector(text=html), URL, "used", FROZEN_NOW, fields)
    assert item is not None and item.management_fee_yen is None
    assert fields.counts[("management_fee", "missing")] == 1
    assert fields.counts[("label", "unparsed")] == 1
    assert ("label", "管理費等") in fields.unparsed


def test_2026_label_on_a_2024_page() -> None:
    """The 2024 page with its labels written the 2026 way still gives every date."""
    html = read_shared("suumo/chuko-detail-koto-nc73305798-2024-02.html")
    html = html.replace(">次回更新日<", ">次回更新予定日<").replace("次回更新日:", "次回更新予定日:")
    fields = FieldLog()
    item = parse_detail(Selector(text=html), URL, "used", FROZEN_NOW, fields)
    assert item is not None and item.next_update_date == dt.date(2024, 2, 18)


def test_label_key_is_idempotent() -> None:
    for labels in ALIASES.values():
        for label in labels:
            key = label_key(label)
            assert key is not None and label_key(key) == key
