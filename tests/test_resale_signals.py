"""The resale signals of every real used-condo detail page, field by field (issue 27): handover,
parking, zoning, the agent's licence and its renewal count, the feature tags, 特記事項 and 担当者より,
and the flags read from them (none of these pages says 未入居, 賃貸中 or 中国語), with handmade pages
for what no saved page shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from parsel import Selector

from scraper.items import ListingItem
from scraper.parsing.fieldlog import FieldLog
from scraper.parsing.resale import marketed_in_chinese, parse_handover, parse_licence, parse_parking, rented, unoccupied
from scraper.suumo.detail import parse_detail
from tests.conftest import read_shared
from tests.test_detail_agreement import REAL_PAGES

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
NO_FLAGS = {
    "unoccupied": False,
    "unoccupied_source": None,
    "rented": False,
    "rented_source": None,
    "marketed_in_chinese": False,
    "marketed_in_chinese_source": None,
}
EXPECTED: dict[str, dict[str, Any]] = {
    "suumo/chuko-detail-bunkyo-nc78243269-2026-02.dom.html": {
        "handover": "negotiable",
        "parking": "full",  # 空無
        "zoning_raw": "準工業",
        "agent_licence": "国土交通大臣（13）第002077号",
        "agent_licence_renewals": 13,
        "tags": (11, "２沿線以上利用可", "エレベーター"),
        "remarks": "担当者：三浦 隆瑛",
        "agent_comment": "担当者 三浦 隆瑛",
    },
    "suumo/chuko-detail-bunkyo-nc79060154-2026-02.dom.html": {
        "handover": "immediate",  # 即引渡可
        "parking": "none",  # 無
        "zoning_raw": None,  # -
        "agent_licence": "東京都知事（3）第095156号",
        "agent_licence_renewals": 3,
        "tags": (13, "即引渡可", "食器洗乾燥機"),
        "remarks": "担当者：酒本 駿",
        "agent_comment": "担当者 宅建 酒本 駿 年齢：30代 業界経験：9年 不動産購入のはじめの一歩は",
    },
    "suumo/chuko-detail-edogawa-nc78138673-2026-02.html": {
        "handover": "negotiable",
        "parking": None,  # -
        "zoning_raw": "商業",
        "agent_licence": "国土交通大臣（6）第006101号",
        "agent_licence_renewals": 6,
        "tags": (14, "スーパー 徒歩10分以内", "整備された歩道"),
        "remarks": "担当者：木村 勇翔",
        "agent_comment": "担当者 宅建 木村 勇翔 年齢：20代 業界経験：3年 どのようなご相談にも",
    },
    "suumo/chuko-detail-koto-nc20050927-2026-02.dom.html": {
        "handover": "immediate",
        "parking": "none",
        "zoning_raw": None,
        "agent_licence": "東京都知事（1）第107658号",  # an agency under five years old
        "agent_licence_renewals": 1,
        "tags": (54, "建築確認完了検査済証", "高機能トイレ"),
        "remarks": "担当者：渡邊",
        "agent_comment": "担当者 宅建 渡邊 年齢：30代 業界経験：10年 弊社の特徴は諸費用欄を確認下さい",
    },
    "suumo/chuko-detail-koto-nc73305798-2024-02.html": {
        "handover": "negotiable",
        "parking": "full",
        "zoning_raw": "準工業",
        "agent_licence": "国土交通大臣（5）第006101号",
        "agent_licence_renewals": 5,
        "tags": (23, "２沿線以上利用可", "浄水器"),
        "remarks": "担当者：奥村 壮吾",
        "agent_comment": "担当者 宅建 奥村 壮吾 年齢：40代 お客様の想いやご希望を形に出来るよう",
    },
    "suumo/chuko-detail-nakano-nc78515092-2026-02.dom.html": {
        "handover": "negotiable",
        "parking": None,
        "zoning_raw": "１種中高",
        "agent_licence": "東京都知事（1）第107558号",
        "agent_licence_renewals": 1,
        "tags": (6, "陽当り良好", "エレベーター"),
        "remarks": "担当者：室岡 克輝",
        "agent_comment": "担当者 宅建 室岡 克輝 年齢：30代 業界経験：10年 元気よく明るく",
    },
    "suumo/chuko-detail-toshima-nc20035299-2026-02.dom.html": {
        "handover": "negotiable",
        "parking": None,
        "zoning_raw": "１種住居",
        "agent_licence": "国土交通大臣（15）第000777号",
        "agent_licence_renewals": 15,
        "tags": (7, "２沿線以上利用可", "駐輪場"),
        "remarks": None,  # -
        "agent_comment": None,  # no 担当者より row
    },
}


def parsed(page: str) -> ListingItem:
    item = parse_detail(Selector(text=read_shared(page)), REAL_PAGES[page], "used", AT, FieldLog())
    assert item is not None
    return item


def test_every_real_detail_page_has_expectations() -> None:
    assert set(EXPECTED) == set(REAL_PAGES)


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_resale_signals_of_a_real_page(page: str) -> None:
    item, want = parsed(page), EXPECTED[page]
    for name in ("handover", "parking", "zoning_raw", "agent_licence", "agent_licence_renewals", "remarks"):
        assert getattr(item, name) == want[name], name
    if want["agent_comment"] is None:
        assert item.agent_comment is None
    else:
        assert item.agent_comment is not None and item.agent_comment.startswith(want["agent_comment"])
    count, first, last = want["tags"]
    tags = (item.feature_tags or "").split(" / ")
    assert (len(tags), tags[0], tags[-1]) == (count, first, last)
    assert {name: getattr(item, name) for name in NO_FLAGS} == NO_FLAGS


def test_a_project_page_has_no_resale_signals() -> None:
    page = "suumo/shinchiku-detail-itabashi-nc67734880-2026-09.partial.html"
    url = "https://suumo.jp/ms/shinchiku/tokyo/sc_itabashi/nc_67734880/"
    item = parse_detail(Selector(text=read_shared(page)), url, "new", AT, FieldLog(), "project")
    assert item is not None
    assert (item.handover, item.parking, item.unoccupied, item.rented, item.feature_tags) == (None,) * 5


def test_flags_and_where_they_were_read() -> None:
    places = [
        ("tags", "即引渡可 / 未入居 / 南向き"),
        ("remarks", "オーナーチェンジ物件（賃貸中：月額15万円）"),
        ("agent_comment", "中国語対応可能なスタッフがおります。"),
        ("title", "パークタワー晴海"),
    ]
    assert unoccupied(places).source == "tags"
    assert rented(places).source == "remarks"
    assert marketed_in_chinese(places).source == "agent_comment"
    assert not rented([("remarks", "賃貸中ではありません")]).found
    assert not marketed_in_chinese([("remarks", "中国語不可")]).found
    assert marketed_in_chinese([("agent_comment", "欢迎咨询，提供中文服务")]).source == "agent_comment"


@pytest.mark.parametrize(
    ("text", "handover"),
    [
        ("即引渡可", "immediate"),
        ("即入居可", "immediate"),
        ("相談", "negotiable"),
        ("2027年3月下旬予定", "2027-03"),
        ("-", None),
        ("引渡時期未定", None),
    ],
)
def test_handover(text: str, handover: str | None) -> None:
    assert parse_handover(text) == handover


@pytest.mark.parametrize(
    ("text", "parking"),
    [("空有 月額2万8000円", "available"), ("空無", "full"), ("無", "none"), ("近隣 月額3万円", "nearby"), ("-", None)],
)
def test_parking(text: str, parking: str | None) -> None:
    assert parse_parking(text) == parking


def test_a_prefectural_licence_from_another_prefecture() -> None:
    licence = parse_licence("＜仲介＞ 神奈川県知事（2）第031234号 (公社)全日本不動産協会")
    assert licence is not None and (licence.text, licence.renewals) == ("神奈川県知事（2）第031234号", 2)
