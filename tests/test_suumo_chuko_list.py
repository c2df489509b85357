"""The real used-condo list page (Chiyoda, 2026-09): every card, field by field.

Expected values were read off the page's HTML by hand (dt/dd pairs of each card), not produced by
the parser under test.
"""

from __future__ import annotations

import pytest
from parsel import Selector

from scraper.items import ListingItem
from scraper.suumo.chuko_list import parse_chuko_list
from scraper.suumo.common import ListPage
from tests.conftest import FROZEN_NOW, read_shared

PAGE = "suumo/chuko-list-chiyoda-2026-09.html"
URL = "https://suumo.jp/ms/chuko/tokyo/sc_chiyoda/"

# id, building, price (万円), address (NFKC), district, line, station, walk, m², basis, layout, rooms,
# balcony, built year, built month, agent
W = "wall_center"
CARDS = [
    ("21457575", "グランスイートＴＯＫＹＯマークス", 3980, "東京都千代田区神田多町2-8-20", "神田多町", "東京メトロ丸ノ内線", "淡路町", 2, 25.98, W, "1K", 1, 2.69, 2004, 2, "(株)長谷工リアルエステート上野センター"),
    ("20907011", "コーポ麹町", 4980, "東京都千代田区三番町", "三番町", "東京メトロ南北線", "市ケ谷", 7, 38.82, W, "1LDK", 1, None, 1970, 6, "センチュリー21(株)ワイズ・ホーム"),
    ("21276964", "ダイアパレス水道橋◆水道橋駅3分◆南向きバルコニー◆…", 4990, "東京都千代田区神田三崎町3", "神田三崎町", "都営三田線", "水道橋", 3, 30.17, W, "1LDK", 1, 4.45, 1998, 9, "一心エステート(株)"),
    ("21576955", "秀和富士見町レジデンス", 6180, "東京都千代田区富士見1", "富士見", "JR総武線", "飯田橋", 7, 38.24, W, "1LDK", 1, 1.6, 1969, 4, "東宝ハウスライフソリューションズグループ(株)東宝ハウス東京"),
    ("21611810", "シティインデックス千代田神保町", 6800, "東京都千代田区神田神保町1-18-2", "神田神保町", "東京メトロ半蔵門線", "神保町", 2, 32.51, None, "1LDK", 1, 6.37, 2014, 1, "東京マンション(株)新宿住友ビル本社"),
    ("21343312", "シティインデックス千代田神保町", 6800, "東京都千代田区神田神保町1", "神田神保町", "東京メトロ半蔵門線", "神保町", 2, 32.51, W, "1LDK", 1, 6.37, 2014, 1, "東宝ハウスライフソリューションズグループ(株)東宝ハウス東京"),
    ("78119138", "デュオ・スカーラ麹町", 7380, "東京都千代田区麹町2", "麹町", "東京メトロ有楽町線", "麹町", 3, 36.62, W, "1DK", 1, 5.65, 2003, 6, "(株)大京穴吹不動産番町レジデンスサロン/電話受付→本社:東京"),
    ("77422070", "アピス一番町", 7480, "東京都千代田区一番町3-10", "一番町", "東京メトロ半蔵門線", "半蔵門", 3, 34.28, W, "1K", 1, 3.63, 2010, 3, "オークラヤ住宅(株)新宿営業所"),
    ("20954963", "デュオ・スカーラ御茶ノ水", 7580, "東京都千代田区神田小川町2-10-3", "神田小川町", "東京メトロ千代田線", "新御茶ノ水", 2, 40.01, W, "1LDK", 1, 4.54, 2001, 2, "グローバルベイス(株)"),
    ("20907005", "ランドステージお茶の水", 7680, "東京都千代田区神田錦町3", "神田錦町", "都営新宿線", "小川町", 5, 39.64, W, "1LDK", 1, 7.7, 2002, 12, "センチュリー21(株)ワイズ・ホーム"),
    ("21093149", "ＣＯＮＯＥ一番町", 7780, "東京都千代田区一番町", "一番町", "東京メトロ有楽町線", "麹町", 4, 31.26, W, "1LDK", 1, 3.36, 2012, 2, "東宝ハウスライフソリューションズグループ(株)東宝ハウス東京"),
    ("21552600", "アンビックス神田", 7980, "東京都千代田区神田鍛冶町3-7-8", "神田鍛冶町", "JR山手線", "神田", 2, 35.99, W, "1LDK", 1, 2.81, 2012, 5, "(株)大京穴吹不動産飯田橋店/電話受付→本社:東京"),
    ("21394246", "朝日九段マンション", 8380, "東京都千代田区九段北1", "九段北", "東京メトロ東西線", "九段下", 2, 54.29, W, "1LDK+S", 1, 6.75, 1978, 8, "野村の仲介プラス 飯田橋センター野村不動産ソリューションズ(株)"),
    ("20853247", "グランドメゾン一番町 半蔵門駅徒歩1分 番町に住まう", 8900, "東京都千代田区一番町", "一番町", "東京メトロ半蔵門線", "半蔵門", 1, 49.42, W, "1LDK", 1, 1.92, 1984, 3, "一心エステート(株)"),
    ("21233449", "フォレシティ神田多町", 8980, "東京都千代田区神田多町2", "神田多町", "東京メトロ丸ノ内線", "淡路町", 2, 40.4, W, "1LDK", 1, None, 2007, 10, "住友林業ホームサービス(株)東京支店"),
    ("20396588", "ライオンズ千代田岩本町ミレス", 9000, "東京都千代田区岩本町2-6-13", "岩本町", "都営新宿線", "岩本町", 4, 40.15, W, "1DK+S", 1, 7.28, 2018, 1, "(株)大京穴吹不動産飯田橋店/電話受付→本社:東京"),
    ("20960442", "ローヤルシティ神田佐久間町", 9480, "東京都千代田区神田佐久間町3", "神田佐久間町", "東京メトロ日比谷線", "秋葉原", 4, 46.76, W, "1LDK", 1, 8.61, 2003, 11, "(株)リアルエージェント恵比寿センター"),
    ("21431297", "パークリュクス神田多町", 9980, "東京都千代田区神田多町2", "神田多町", "JR山手線", "神田", 6, 36.15, W, "1LDK", 1, 5.94, 2024, 3, "(株)ウィル赤坂見附営業所"),
    ("21525719", "ベラカーサ秋葉原", 9990, "東京都千代田区神田佐久間町4", "神田佐久間町", "JR山手線", "秋葉原", 6, 46.53, W, "1LDK", 1, 5.6, 2006, 7, "東宝ハウスライフソリューションズグループ(株)東宝ハウス溝の口"),
    ("20725515", "ライオンズマンション飯田橋駅前", 9998, "東京都千代田区飯田橋3-2-10", "飯田橋", "東京メトロ東西線", "飯田橋", 2, 50.8, W, "1LDK+S", 1, 6.28, 1999, 9, "(株)大京穴吹不動産飯田橋店/電話受付→本社:東京"),
]


@pytest.fixture(scope="module")
def page() -> ListPage:
    return parse_chuko_list(Selector(text=read_shared(PAGE)), URL, FROZEN_NOW)


def test_page_level_numbers(page: ListPage) -> None:
    assert page.hit_count == 585
    assert page.cards_seen == 20 and page.cards_skipped == 0
    assert page.footer_ids == [card[0] for card in CARDS]
    assert page.next_url == "https://suumo.jp/ms/chuko/tokyo/sc_chiyoda/?page=2"
    # Every field of every card was read; the only gaps are the two balconies the site prints as "-".
    assert dict(page.fields.counts) == {("balcony_m2", "blank"): 2}
    assert page.fields.unparsed == []


def test_cards_in_page_order(page: ListPage) -> None:
    assert [item.listing_id for item in page.items] == [card[0] for card in CARDS]


@pytest.mark.parametrize("card", CARDS, ids=[card[0] for card in CARDS])
def test_card_fields(page: ListPage, card: tuple) -> None:  # type: ignore[type-arg]
    (listing_id, building, price_man, address, district, line, station, walk, area, basis,
     layout, rooms, balcony, built_year, built_month, agent) = card
    item = next(i for i in page.items if i.listing_id == listing_id)
    expected = ListingItem(
        source="suumo",
        property_type="used",
        page_kind="list",
        listing_id=listing_id,
        url=f"https://suumo.jp/ms/chuko/tokyo/sc_chiyoda/nc_{listing_id}/",
        scraped_at=FROZEN_NOW,
        listing_scope="unit",
        building_name=building,
        title=item.title,  # advertising copy, checked separately
        address=address,
        ward_code=13101,
        ward_name="千代田区",
        district=district,
        area_group=None,
        price_yen=price_man * 10_000,
        price_min_yen=price_man * 10_000,
        price_max_yen=price_man * 10_000,
        price_status="fixed",
        price_planned=False,
        area_m2=area,
        area_basis=basis,
        balcony_m2=balcony,
        layout=layout,
        rooms=rooms,
        built_year=built_year,
        built_month=built_month,
        line=line,
        station=station,
        walk_minutes=walk,
        agent=agent,
    )
    assert item == expected


def test_title_is_the_advert_not_the_building(page: ListPage) -> None:
    first = page.items[0]
    assert first.title == "◆現在空室◆最寄り駅から徒歩２分、８駅１０路線のマルチアクセス"
    assert first.building_name == "グランスイートＴＯＫＹＯマークス"


@pytest.mark.parametrize("index", range(len(CARDS)))
def test_card_invariants(page: ListPage, index: int) -> None:
    """City Bureau style: invariants that hold for every card on the page."""
    item = page.items[index]
    assert item.scraped_at == FROZEN_NOW and item.scraped_at.tzinfo is not None
    assert item.listing_id.isdigit() and len(item.listing_id) == 8
    assert item.url.endswith(f"/nc_{item.listing_id}/")
    assert item.price_yen is not None and 10_000_000 < item.price_yen < 1_000_000_000
    assert item.area_m2 is not None and item.price_yen / item.area_m2 > 500_000  # yen per m² in Chiyoda
    # Fields only the detail page has stay unknown on a list card.
    assert item.floor is None and item.direction is None and item.management_fee_yen is None
