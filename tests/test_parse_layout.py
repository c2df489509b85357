from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.layout import Layout, parse_layout, parse_layout_range
from tests.strategies import any_text, full_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1R", Layout("1R", 1)),
        ("ワンルーム", Layout("1R", 1)),
        ("1K", Layout("1K", 1)),
        ("1DK", Layout("1DK", 1)),
        ("3LDK", Layout("3LDK", 3)),
        ("３ＬＤＫ", Layout("3LDK", 3)),
        ("2LDK+S（納戸）", Layout("2LDK+S", 2, storage_room=True)),
        ("1DK+S(納戸)", Layout("1DK+S", 1, storage_room=True)),
        ("3SLDK", Layout("3LDK+S", 3, storage_room=True)),
        ("4LDK+2S", Layout("4LDK+2S", 4, storage_room=True)),
        ("1LDK…", Layout("1LDK", 1)),
        ("0LDK", None),
        ("-", None),
        ("メゾネット", None),
    ],
)
def test_parse_layout(text: str, expected: Layout | None) -> None:
    assert parse_layout(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1LDK～3LDK", (1, 3)),
        ("1LDK・2LDK", (1, 2)),
        ("1R～3LDK", (1, 3)),
        ("1LDK+S（納戸）～3LDK", (1, 3)),
        ("-", None),
    ],
)
def test_parse_layout_range(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_layout_range(text) == expected


@given(any_text)
def test_layout_parsers_never_raise(text: str | None) -> None:
    parse_layout(text)
    parse_layout_range(text)


@given(st.integers(1, 9), st.sampled_from(["K", "DK", "LDK", "LK"]), st.booleans(), st.booleans())
def test_any_layout_reads_back(rooms: int, kind: str, storage: bool, wide: bool) -> None:
    text = f"{rooms}{kind}" + ("+S（納戸）" if storage else "")
    layout = parse_layout(full_width(text) if wide else text)
    assert layout == Layout(f"{rooms}{kind}" + ("+S" if storage else ""), rooms, storage)
