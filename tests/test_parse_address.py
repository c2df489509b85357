from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.parsing.address import AREA_GROUPS, WARD_CODES, Address, parse_address
from tests.strategies import any_text


@pytest.mark.parametrize(
    ("text", "ward", "code", "district", "group"),
    [
        ("東京都江東区豊洲５", "江東区", 13108, "豊洲", None),
        ("東京都江東区有明１-２－３", "江東区", 13108, "有明", None),
        ("港区南青山７", "港区", 13103, "南青山", "3A-Aoyama"),
        ("東京都港区元麻布三丁目", "港区", 13103, "元麻布", "3A-Azabu"),
        ("東京都港区麻布十番２", "港区", 13103, "麻布十番", "3A-Azabu"),
        ("東京都港区赤坂９", "港区", 13103, "赤坂", "3A-Akasaka"),
        ("東京都港区元赤坂１", "港区", 13103, "元赤坂", "3A-Akasaka"),
        ("東京都港区芝浦４", "港区", 13103, "芝浦", None),
        ("東京都文京区本駒込２", "文京区", 13105, "本駒込", None),
        ("東京都千代田区三番町", "千代田区", 13101, "三番町", None),
        ("東京都千代田区神田神保町１-18-2", "千代田区", 13101, "神田神保町", None),
        ("東京都北区赤羽１", "北区", 13117, "赤羽", None),
        # 赤坂 outside Minato is not 3A
        ("東京都新宿区赤坂", "新宿区", 13104, "赤坂", None),
    ],
)
def test_parse_address(text: str, ward: str, code: int, district: str, group: str | None) -> None:
    address = parse_address(text)
    assert address is not None
    assert (address.ward_name, address.ward_code, address.district, address.area_group) == (ward, code, district, group)


def test_address_is_nfkc_folded() -> None:
    assert parse_address("東京都千代田区神田多町２-８－２０") == Address(
        "東京都千代田区神田多町2-8-20", "千代田区", 13101, "神田多町", None
    )


def test_address_outside_the_23_wards_keeps_text_without_ward() -> None:
    assert parse_address("神奈川県横浜市港北区日吉") == Address("神奈川県横浜市港北区日吉", None, None, None, None)


@given(any_text)
def test_parse_address_never_raises(text: str | None) -> None:
    parse_address(text)


@given(st.sampled_from(sorted(AREA_GROUPS)), st.integers(1, 9), st.booleans())
def test_every_3a_district_is_grouped(district: str, block: int, kanji: bool) -> None:
    suffix = "一二三四五六七八九"[block - 1] + "丁目" if kanji else str(block)
    address = parse_address(f"東京都港区{district}{suffix}")
    assert address is not None
    assert (address.district, address.area_group) == (district, AREA_GROUPS[district])


@given(st.sampled_from(sorted(WARD_CODES)))
def test_every_ward_has_its_jis_code(ward: str) -> None:
    address = parse_address(f"東京都{ward}テスト町1")
    assert address is not None
    assert (address.ward_name, address.ward_code, address.district) == (ward, WARD_CODES[ward], "テスト町")
