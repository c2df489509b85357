from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.access import Access, parse_access
from tests.strategies import any_text, full_width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東京メトロ丸ノ内線「淡路町」徒歩2分", Access("東京メトロ丸ノ内線", "淡路町", 2)),
        ("東京メトロ有楽町線「豊洲」歩5分", Access("東京メトロ有楽町線", "豊洲", 5)),
        ("ＪＲ山手線/浜松町 徒歩7分", Access("JR山手線", "浜松町", 7)),
        ("「豊洲」歩5分", Access(None, "豊洲", 5)),
        ("ＪＲ京浜東北線「大森」バス10分 停歩3分", Access("JR京浜東北線", "大森", None, 10, 3)),
        ("都営大江戸線「勝どき」バス7分停歩2分", Access("都営大江戸線", "勝どき", None, 7, 2)),
        ("ＪＲ山手線「田町」徒歩１４分", Access("JR山手線", "田町", 14)),
        ("東京メトロ有楽町線「豊洲」車5.2km", None),
        ("-", None),
    ],
)
def test_parse_access(text: str, expected: Access | None) -> None:
    assert parse_access(text) == expected


@given(any_text)
def test_parse_access_never_raises(text: str | None) -> None:
    parse_access(text)


@given(st.integers(1, 60), st.sampled_from(["徒歩", "歩"]), st.booleans())
def test_any_walk_time_reads_back(minutes: int, word: str, wide: bool) -> None:
    text = f"東京メトロ南北線「白金高輪」{word}{minutes}分"
    access = parse_access(full_width(text) if wide else text)
    assert access == Access("東京メトロ南北線", "白金高輪", minutes)


@given(st.integers(1, 60), st.integers(0, 30))
def test_bus_trips_have_no_walk_to_the_station(bus: int, walk: int) -> None:
    access = parse_access(f"ＪＲ山手線「品川」バス{bus}分 停歩{walk}分")
    assert access == Access("JR山手線", "品川", None, bus, walk)
