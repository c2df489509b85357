"""A simulated SUUMO: renders the simulated market as SUUMO pages, served on 127.0.0.1.

The markup follows the real saved pages (class names, labels, the footer id list, the detail tables
and the ``gapSuumoPcForKr`` object) so that the real spiders and parsers read it unchanged; every page
says it is SIMULATED. Fault modes make the site misbehave the way real sites do (see docs/simulator.md).
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from simulator.market import WARDS, Listing, Market
from simulator.projects import Project, build_projects

SITE_FAULTS = (
    "unavailable",
    "timeouts",
    "blocked",
    "forbidden",
    "truncated",
    "drift",
    "slow",
    "zero-hits",
    "zero-hits-late",
    "half-hits",
    "ended-while-listed",
    "detail-label-rename",
    "detail-field-missing",
    "shifting-pages",
    "repeated-block",
    "detail-lag",
    "shrinking",
    "detail-mixup",
    "detail-other-listing",
    "repeated-page",
    "cut-page",
    "other-ward",
    "packet-drop",
)
"""How the site misbehaves (docs/simulator.md):

- unavailable: some requests answer 503; timeouts: some requests hang past the crawler's timeout;
  slow: every response waits ``slow_seconds``;
- blocked: every page is a captcha page (HTTP 200); forbidden: every page is HTTP 403;
  repeated-block: after the first ``block_after`` requests of the night, every page is a captcha page;
- truncated: the first list page of each ward has no 次へ link; drift: the list cards' price label is
  renamed;
- zero-hits: every list page is a well-formed 0件 page; zero-hits-late: every list page after the first
  (page ``zero_hits_from_page`` on) is;
- half-hits: the site shows half of each ward, with a hit count that agrees;
- ended-while-listed: the detail page of one listing in ``ended_every`` says "listing ended" while the
  list still shows it;
- detail-label-rename: the detail pages write 所在階数 where they wrote 所在階 (the floor vanishes);
- detail-field-missing: the detail pages lose the direction (向き row and script value);
- shifting-pages: the night's new listings are pushed in at the top of a ward's list while the crawl
  pages through it (page N shows N-1 of them more above the rest, and the hit count grows with them);
- detail-lag: the detail pages show yesterday's asking price (the list shows today's);
- shrinking: each ward's list sheds ``shrink_step`` (4 %) more of its listings every night the fault
  lasts (the same listings first, chosen by id), with a hit count that agrees; their detail pages still
  answer (a search index rotting slowly: each night stays under the verdict's 20 % rule);
- detail-mixup: one detail page in ``mixup_every`` carries the asked listing's ids with another flat's
  facts (a cache mix-up); detail-other-listing: one in ``mixup_every`` is another listing's whole page;
- repeated-page: every list page after the first repeats the first page's cards (a pager stuck);
- cut-page: every list page is cut off after half its cards, footer id list and pager included;
- other-ward: the second list page of each ward shows another ward's cards;
- packet-drop: every request hangs past the crawler's timeout (the site drops packets, refusing none).
"""
REPLAY_FAULTS = ("write-lock", "rerun-same-night")
"""Faults of the night rather than the site (simulator.replay): write-lock holds the database's write
lock past the crawl's busy timeout, twice during the crawl; rerun-same-night crawls the night twice."""
FAULTS = SITE_FAULTS + REPLAY_FAULTS

ROBOTS = "User-agent: *\nDisallow: /jj/\nCrawl-delay: 0\n"
BANNER = '<p class="simulated-banner">SIMULATED SITE: generated data for offline testing, not real listings.</p>'


def yen_text(value: int) -> str:
    """``108000000`` → ``1億800万円`` (SUUMO's way of writing prices and fees)."""
    oku, rest = divmod(value, 100_000_000)
    man, yen = divmod(rest, 10_000)
    text = (f"{oku}億" if oku else "") + (f"{man}万" if man else "") + (f"{yen}" if yen or not (oku or man) else "")
    return text + "円"


@dataclass
class SimulatedSuumo:
    """The site on one simulated day. Change ``day`` and ``faults`` between crawls."""

    market: Market
    day: int = 0
    faults: set[str] = field(default_factory=set)
    fault_rate: float = 0.3
    timeout_seconds: float = 3.0
    slow_seconds: float = 0.2
    block_after: int = 5
    zero_hits_from_page: int = 2
    ended_every: int = 6
    shrink_step: float = 0.04
    mixup_every: int = 10
    requests: int = 0
    night_requests: int = 0
    """Requests since ``day`` or ``faults`` were last set (see ``start_night``)."""

    def __post_init__(self) -> None:
        self.shrink_nights = 0
        self.rng = random.Random(self.market.config.seed)
        self.lock = threading.Lock()
        self.projects: dict[str, Project] = {p.listing_id: p for p in build_projects(self.market.config)}

    def start_night(self, day: int, faults: set[str]) -> None:
        self.day, self.faults, self.night_requests = day, set(faults), 0
        # How many nights in a row the site has been shrinking (its share hidden grows with them).
        self.shrink_nights = self.shrink_nights + 1 if "shrinking" in faults else 0

    # --- routing --------------------------------------------------------------------------------

    def respond(self, raw_path: str) -> tuple[int, str, str, float]:
        """(status, body, content type, seconds to wait before answering) for a request path."""
        with self.lock:
            self.requests += 1
            self.night_requests += 1
            night_requests = self.night_requests
            roll = self.rng.random()
        parts = urlsplit(raw_path)
        if parts.path == "/robots.txt":
            return 200, ROBOTS, "text/plain; charset=utf-8", 0.0
        delay = self.slow_seconds if "slow" in self.faults else 0.0
        if ("timeouts" in self.faults and roll < self.fault_rate) or "packet-drop" in self.faults:
            delay = self.timeout_seconds
        if "unavailable" in self.faults and roll < self.fault_rate:
            return 503, "<html><title>503 Service Unavailable</title></html>", "text/html", delay
        if "forbidden" in self.faults:
            return 403, "<html><title>403 Forbidden</title></html>", "text/html", delay
        if "blocked" in self.faults or ("repeated-block" in self.faults and night_requests > self.block_after):
            return 200, self.captcha_page(), "text/html; charset=utf-8", delay
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) >= 4 and segments[:3] == ["ms", "shinchiku", "tokyo"] and segments[3].startswith("sc_"):
            ward = segments[3][3:]
            if ward not in WARDS:
                return 404, self.gone_page(), "text/html; charset=utf-8", delay
            if len(segments) == 5 and segments[4].startswith("nc_"):
                return (*self.project_page(ward, segments[4][3:]), delay)
            if len(segments) == 4:
                return 200, self.new_list_page(ward), "text/html; charset=utf-8", delay
        if len(segments) >= 4 and segments[:3] == ["ms", "chuko", "tokyo"] and segments[3].startswith("sc_"):
            ward = segments[3][3:]
            if ward not in WARDS:
                return 404, self.gone_page(), "text/html; charset=utf-8", delay
            if len(segments) == 5 and segments[4].startswith("nc_"):
                return (*self.detail(ward, segments[4][3:]), delay)
            if len(segments) == 4:
                query = parse_qs(parts.query)
                page = int(query.get("page", ["1"])[0])
                size = int(query.get("pc", ["20"])[0])
                return (
                    200,
                    self.list_page(ward, page, size if size in (10, 20, 30, 50, 100) else 20),
                    "text/html; charset=utf-8",
                    delay,
                )
        return 404, self.gone_page(), "text/html; charset=utf-8", delay

    # --- pages ----------------------------------------------------------------------------------

    def ward_listings(self, ward: str) -> list[Listing]:
        listings = self.market.active(self.day, ward)
        listings = sorted(listings, key=lambda x: (x.price_on(self.day), x.listing_id))
        if "half-hits" in self.faults:
            listings = listings[::2]
        if self.shrink_nights:
            hidden = min(1.0, self.shrink_step * self.shrink_nights)
            listings = [x for x in listings if _stable_share(x.listing_id) >= hidden]
        return listings

    def arrived_today(self, listing: Listing) -> bool:
        return not listing.active(self.day - 1)

    def listings_on_page(self, ward: str, page: int) -> list[Listing]:
        """The ward's list as the site shows it when page ``page`` is asked for."""
        listings = self.ward_listings(ward)
        if "zero-hits" in self.faults or ("zero-hits-late" in self.faults and page >= self.zero_hits_from_page):
            return []
        if "shifting-pages" in self.faults:
            # The night's new listings are not there yet when the crawl starts; one more arrives at the
            # top before each following page is read.
            new = [x for x in listings if self.arrived_today(x)]
            rest = [x for x in listings if not self.arrived_today(x)]
            listings = new[: page - 1] + rest
        return listings

    def list_page(self, ward: str, page: int, size: int) -> str:
        _, ward_name, _ = WARDS[ward]
        listings = self.listings_on_page(ward, page)
        shown_page = 1 if "repeated-page" in self.faults else page
        shown = listings[(shown_page - 1) * size : shown_page * size]
        card_ward = ward
        if "other-ward" in self.faults and page == 2:
            card_ward = next(other for other in WARDS if other != ward)
            shown = self.ward_listings(card_ward)[:size]
        last_page = max(1, -(-len(listings) // size))
        more = page < last_page and not ("truncated" in self.faults and page == 1)
        next_link = (
            f'<p class="pagination-parts"><a href="/ms/chuko/tokyo/sc_{ward}/?page={page + 1}">次へ</a></p>'
            if more
            else ""
        )
        summary = json.dumps(
            {
                "ar": "030",
                "bs": "011",
                "orgurl2": f"https://suumo.jp/ms/chuko/tokyo/sc_{ward}/",
                "fp": [x.listing_id for x in shown],
                "fs": ["011"] * len(shown),
                "tc": "",
            }
        )
        cards = "\n".join(self.card(card_ward, listing) for listing in shown)
        if "cut-page" in self.faults:
            # The response ends mid-page: half the cards, then nothing (no pager, no footer ids).
            cut = "\n".join(self.card(card_ward, listing) for listing in shown[: len(shown) // 2])
            return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>{ward_name}の中古マンション購入情報｜SUUMO(スーモ) [SIMULATED]</title></head>
<body>{BANNER}
<div class="pagination_set"><div class="pagination_set-hit">{len(listings)}<span>件</span></div></div>
<form><div id="js-bukkenList" class="property_unit_group">
{cut}
"""
        return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>{ward_name}の中古マンション購入情報｜SUUMO(スーモ) [SIMULATED]</title></head>
<body>{BANNER}
<div class="pagination_set"><div class="pagination_set-hit">{len(listings)}<span>件</span></div>
<div class="pagination pagination_set-nav"><ol class="pagination-parts"><li class="pagination-current">{page}</li></ol>
{next_link}</div></div>
<form><div id="js-bukkenList" class="property_unit_group">
{cards}
</div></form>
<!-- "summary":{summary[1:-1].join("{}")} -->
</body></html>"""

    def _facts(self, listing: Listing) -> dict[str, str]:
        unit = self.market.units[listing.unit_id]
        building = self.market.buildings[unit.building_id]
        return {
            "name": html.escape(building.name),
            "price": yen_text(listing.price_on(self.day)),
            "address": f"東京都{building.ward_name}{building.district}{'０１２３４５６７８９'[building.block]}",
            "access": f"{building.line}「{building.station}」徒歩{building.walk_minutes}分",
            "area": f"{unit.shown_area_m2}m<sup>2</sup>（{'登記' if unit.area_basis == 'inner' else '壁芯'}）",
            "layout": unit.layout,
            "balcony": f"{unit.balcony_m2}m<sup>2</sup>",
            "built": f"{building.built_year}年{building.built_month}月",
            "agent": html.escape(listing.agent),
        }

    def card(self, ward: str, listing: Listing) -> str:
        f = self._facts(listing)
        price_label = "価格" if "drift" in self.faults else "販売価格"
        nc = listing.listing_id
        return f"""<div class="property_unit ">
 <input class="js-clipkey" type="hidden" value="{nc}_011" />
 <div class="property_unit-content"><div class="property_unit-header">
  <h2 class="property_unit-title"><a href="/ms/chuko/tokyo/sc_{ward}/nc_{nc}/" target="_blank">【SIMULATED】{f["name"]} 駅徒歩圏</a></h2></div>
 <div class="property_unit-body ofh"><div class="ui-media"><div class="ui-media-body property_unit-info">
  <div class="dottable dottable--cassette">
   <div class="dottable-line"><dl><dt class="dottable-vm">物件名</dt><dd class="dottable-vm">{f["name"]}</dd></dl></div>
   <div class="dottable-line"><dl><dt class="dottable-vm">{price_label}</dt><dd class="dottable-vm"><span class="dottable-value">{f["price"]}</span></dd></dl></div>
   <div class="dottable-line"><dl><dt>所在地</dt><dd>{f["address"]}</dd></dl><dl><dt>沿線・駅</dt><dd>{f["access"]}</dd></dl></div>
   <div class="dottable-line"><table class="dottable-fix"><tbody><tr>
    <td><dl><dt>専有面積</dt><dd>{f["area"]}</dd></dl></td><td><dl><dt>間取り</dt><dd>{f["layout"]}</dd></dl></td></tr></tbody></table></div>
   <div class="dottable-line"><table class="dottable-fix"><tbody><tr>
    <td><dl><dt>バルコニー</dt><dd>{f["balcony"]}</dd></dl></td><td><dl><dt>築年月</dt><dd>{f["built"]}</dd></dl></td></tr></tbody></table></div>
  </div></div></div></div>
 <div class="moreinfo"><div class="shopmore"><div class="shopmore-title">{f["agent"]}</div></div></div>
 </div>
</div>"""

    def _another_listing(self, listing: Listing) -> Listing | None:
        """Another flat on sale in the same ward (a mix-up's source): the next one by listing id."""
        ward = self.market.building_of(listing).ward
        others = [
            x
            for x in self.market.active(self.day, ward)
            if x.unit_id != listing.unit_id and x.listing_id > listing.listing_id
        ]
        return min(others, key=lambda x: x.listing_id, default=None)

    def detail(self, ward: str, listing_id: str) -> tuple[int, str, str]:
        listing = self.market.listings.get(listing_id)
        if listing is None or not listing.active(self.day) or self.market.building_of(listing).ward != ward:
            return 200, self.gone_page(), "text/html; charset=utf-8"
        if "ended-while-listed" in self.faults and int(listing_id) % self.ended_every == 0:
            return 200, self.gone_page(), "text/html; charset=utf-8"
        mixed = int(listing_id) % self.mixup_every == 0
        if mixed and {"detail-mixup", "detail-other-listing"} & self.faults:
            other = self._another_listing(listing)
            if other is not None:
                listing = other
                if "detail-other-listing" in self.faults:
                    listing_id = other.listing_id
                    ward = self.market.building_of(other).ward
        floor_label = "所在階数" if "detail-label-rename" in self.faults else "所在階"
        no_direction = "detail-field-missing" in self.faults
        f = self._facts(listing)
        shown_price = listing.price_on(self.day - 1 if "detail-lag" in self.faults else self.day)
        f["price"] = yen_text(shown_price)
        unit = self.market.units[listing.unit_id]
        building = self.market.buildings[unit.building_id]
        date = self.market.date(self.day)
        info = f"{date.year}年{date.month}月{date.day}日"

        def row(label: str, value: str, hint: bool = True) -> str:
            tip = '<div class="fr"><a href="javascript:void(0);">ヒント</a></div>' if hint else ""
            return f'<tr><th class="w118 thSideLGray bdCell"><div class="fl">{label}</div>{tip}</th><td class="w299 bdCell">{value}</td></tr>'

        table = 'table summary="表" class="mt10 bdGrayT bdGrayL bgWhite pCell10 bdclps wf"'
        return (
            200,
            f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>【SUUMO】{f["name"]} 中古マンション物件情報 [SIMULATED]</title>
<link rel="canonical" href="https://suumo.jp/ms/chuko/tokyo/sc_{ward}/nc_{listing_id}/" />
<script type="text/javascript">
var gapSuumoPcForKr = [{{
	headerKakakuDisp : ["{shown_price}"],
	shikugunCd : "{str(building.ward_code)[2:]}",
	bukkenCd : "{listing_id}",
	soKukakusuDisp : "{building.total_units}",
	muki : "{"" if no_direction else unit.direction}",
	kaisha_nm : "{f["agent"]}",
	kakaku_mitei_flg : "0"
}}];
</script></head>
<body>{BANNER}
<dl class="definitionlist definitionlist--layout">
<dt class="definitionlist-title">情報提供日:</dt><dd class="definitionlist-contents">{date.year % 100}/{date.month}/{date.day}</dd>
<dt class="definitionlist-title">次回更新日:</dt><dd class="definitionlist-contents">情報提供より８日以内</dd></dl>
<h3 class="secTitleInnerR">物件詳細情報</h3>
<{table}><tbody class="vat tal">
{row("物件名", f["name"], hint=False)}
{row("価格", f["price"] + ' [ <a href="#">□支払シミュレーション</a> ]')}
{row("間取り", f["layout"])}
{row("総戸数", f"{building.total_units}戸")}
{row("専有面積", f["area"])}
{row("その他面積", f"バルコニー面積：{unit.balcony_m2}m<sup>2</sup>")}
{row(f"{floor_label}/構造・階建", f"{unit.floor}階/{building.structure}{building.floors}階建")}
{row("完成時期（築年月）", f["built"])}
{row("住所", f["address"], hint=False)}
{row("交通", f["access"], hint=False)}
</tbody></table>
<h3 class="secTitleInnerR">{f["name"]} 【マンション】</h3>
<{table}><tbody class="vat tal">
{row("価格", f["price"])}
{row("管理費", yen_text(unit.management_fee_yen) + "／月（委託(通勤)）")}
{row("修繕積立金", yen_text(unit.repair_reserve_yen) + "／月")}
{row(floor_label, f"{unit.floor}階")}
{"" if no_direction else row("向き", unit.direction)}
</tbody></table>
<h3 class="secTitleInnerR">共通概要</h3>
<{table}><tbody class="vat tal">
{row("総戸数", f"{building.total_units}戸")}
{row("構造・階建て", f"{building.structure}{building.floors}階建")}
{row("敷地の権利形態", building.tenure_text)}
</tbody></table>
{self._resale_rows(listing, building, row, table)}
<h3 class="secTitleInnerR">情報提供日・更新日</h3>
<{table}><tbody class="vat tal">
{row("情報提供日", info, hint=False)}
{row("次回更新日", "情報提供より８日以内に更新", hint=False)}
</tbody></table>
</body></html>""",
            "text/html; charset=utf-8",
        )

    def _resale_rows(self, listing: Listing, building: Any, row: Any, table: str) -> str:
        """The rows a used flat's page carries about its sale, as the real pages write them: 引渡可能時期,
        駐車場, 用途地域, 特記事項, 担当者より, 会社概要 (the agent's licence), 特徴ピックアップ. A flip
        (simulator.flips) says what it is: 未入居 among the tags, 賃貸中 in the remarks, and the
        project's delivery date as its handover before the building is complete."""
        flip = self.market.flips.get(listing.listing_id)
        handover = "相談"
        if flip is not None:
            if flip.handover == "immediate":
                handover = "即引渡可"
            else:
                year, month = flip.handover.split("-")
                handover = f"{year}年{int(month)}月下旬予定"
        tags = ["南向き"] if self.market.units[listing.unit_id].direction == "南" else []
        tags += ["エレベーター"] if building.floors > 5 else []
        remarks = "-"
        if flip is not None and flip.unoccupied:
            tags.insert(0, "未入居")
        if flip is not None and flip.rented:
            remarks = "賃貸中（オーナーチェンジ）"
        number = AGENT_LICENCES[hash_index(listing.agent, len(AGENT_LICENCES))]
        parking = "空有" if building.floors >= 20 else "-"
        pickup = (
            f'<div class="secTitleOuterR"><h3 class="secTitleInnerR">特徴ピックアップ</h3></div>\n'
            f'<div class="mt10">{" / ".join(tags)}</div>'
            if tags
            else ""
        )
        return f"""<h3 class="secTitleInnerR">その他概要</h3>
<{table}><tbody class="vat tal">
{row("引渡可能時期", handover)}
{row("駐車場", parking)}
{row("用途地域", "-")}
{row("その他概要・特記事項", remarks, hint=False)}
{row("担当者より", "担当者 宅建 （SIMULATED） お気軽にお問い合わせください。", hint=False)}
{row("会社概要", f"＜仲介＞ {number} {html.escape(listing.agent)}", hint=False)}
</tbody></table>
{pickup}"""

    # --- new condos (simulator.projects), in the markup of the real new-condo pages ----------------

    def ward_projects(self, ward: str) -> list[Project]:
        return sorted(
            (p for p in self.projects.values() if p.ward == ward and p.active(self.day)), key=lambda p: p.listing_id
        )

    def _project_price(self, project: Project) -> tuple[str, str]:
        """(price text, phase note) of the project's current price line."""
        phase = project.phase_on(self.day)
        lease = f"（{project.tenure_text}）" if project.tenure_text else ""
        if phase is None:
            return "価格未定", f"（第1期{lease}）"
        return f"{yen_text(phase.price_min_yen)}～{yen_text(phase.price_max_yen)}", f"（{phase.label}{lease}）"

    def _project_facts(self, project: Project) -> dict[str, str]:
        return {
            "name": html.escape(project.name),
            "address": f"{project.ward_name}{project.district}{'０１２３４５６７８９'[project.block]}",
            "access": f"{project.line}/{project.station} 徒歩{project.walk_minutes}分",
            "layouts": f"{project.rooms_min}LDK～{project.rooms_max}LDK",
            "areas": f"{project.area_min_m2}m<sup>2</sup>～{project.area_max_m2}m<sup>2</sup>",
            "delivery": f"{project.delivery_year}年{project.delivery_month}月下旬予定",
        }

    def new_card(self, ward: str, project: Project) -> str:
        f = self._project_facts(project)
        price, note = self._project_price(project)
        nc = project.listing_id
        return f"""<li class="cassette_list-item"><div class="cassette property_unit">
 <div class="cassette-check"><input type="checkbox" name="bc" value="{nc}" class="js-singleCheckBox">
  <input class="js-clipkey" type="hidden" value="{nc}_010"><input class="js-keisaiKbn" type="hidden" value="3"></div>
 <div class="cassette-content"><div class="cassette_header"><h2>
  <a href="/ms/shinchiku/tokyo/sc_{ward}/nc_{nc}/" class="cassette_header-title">{f["name"]}</a></h2></div>
 <div class="cassette_description_header"><div class="cassette_description_header-description">【SIMULATED】新築分譲</div></div>
 <div class="cassette-result_detail"><div class="cassette_basic"><ul class="cassette_basic-list">
  <li class="cassette_basic-list_item"><div class="cassette_basic-item"><p class="cassette_basic-title">所在地</p><p class="cassette_basic-value">{f["address"]}</p></div></li>
  <li class="cassette_basic-list_item"><div class="cassette_basic-item"><p class="cassette_basic-title">交通</p><p class="cassette_basic-value">{f["access"]}</p></div></li>
  <li class="cassette_basic-list_item"><div class="cassette_basic-item"><p class="cassette_basic-title">引渡時期</p><p class="cassette_basic-value">{f["delivery"]}</p></div></li>
 </ul></div>
 <div class="cassette_price cassette_price--layout"><ul class="cassette_price-list">
  <li class="cassette_price-list_item"><div class="cassette_price-value"><span class="cassette_price-accent">{price}</span> {note}</div>
  <p class="cassette_price-description">{f["layouts"]} / {f["areas"]}</p></li>
 </ul></div></div></div>
</div></li>"""

    def new_list_page(self, ward: str) -> str:
        _, ward_name, _ = WARDS[ward]
        projects = self.ward_projects(ward)
        cards = "\n".join(self.new_card(ward, project) for project in projects)
        summary = json.dumps({"ar": "030", "bs": "010", "fp": [p.listing_id for p in projects]})
        return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>{ward_name}の新築マンション・分譲マンション購入情報｜SUUMO(スーモ) [SIMULATED]</title></head>
<body>{BANNER}
<div class="hitbox"><div class="hitbox-number">{len(projects)}<span class="hitbox-item">件</span></div></div>
<div id="js-bukkenList"><ul class="cassette_list">
{cards}
</ul></div>
<!-- "summary":{summary[1:-1].join("{}")} -->
</body></html>"""

    def project_page(self, ward: str, listing_id: str) -> tuple[int, str, str]:
        project = self.projects.get(listing_id)
        if project is None or not project.active(self.day) or project.ward != ward:
            return 200, self.gone_page(), "text/html; charset=utf-8"
        f = self._project_facts(project)
        phase = project.phase_on(self.day)
        lease = f"&nbsp;(（{project.tenure_text}）)" if project.tenure_text else ""
        heading = f"物件概要　（{project.tenure_text}）" if project.tenure_text else "物件概要"
        date = self.market.date(self.day)
        schedule = project.schedule_text(self.day, self.market.config.start)
        if phase is None:
            price, extra = "未定", ""
        else:
            price = f"{yen_text(phase.price_min_yen)}～{yen_text(phase.price_max_yen)}"
            extra = f"""<tr><th class="overview_table-title">最多価格帯</th><td class="overview_table-body">{yen_text(phase.most_common_yen)}台</td>
<th class="overview_table-title">販売戸数</th><td class="overview_table-body">{phase.units}戸</td></tr>"""

        def row(label: str, value: str) -> str:
            return f"""<tr><th class="overview_table-title">{label}</th><td colspan="3" class="overview_table-body">{value}</td></tr>"""

        return (
            200,
            f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>【SUUMO】{f["name"]} | 新築マンション・分譲マンション物件情報 [SIMULATED]</title>
<link rel="canonical" href="https://suumo.jp/ms/shinchiku/tokyo/sc_{ward}/nc_{listing_id}/" />
</head>
<body>
<script type="text/javascript">
var gapSuumoPcForMs = [{{
	shikugunCd : "{str(project.ward_code)[2:]}",
	kaisha_nm : "{project.developer}",
	kakaku_mitei_flg : "{1 if phase is None else 0}",
	hanbai_kosuu : "{"" if phase is None else phase.units}",
	projectCd : "{listing_id}",
	gamen_type : "20"
}}];
</script>
{BANNER}
<div class="section_h1-inner"><h1 class="section_h1-titlebox"><span class="section_h1-title">{f["name"]}</span></h1></div>
<div class="section_h1-price"><span class="section_h1-price_strong">{"価格未定" if phase is None else price}</span>{lease}</div>
<h2 class="section_h2-title">{heading}</h2>
<table class="overview_table"><tbody>
{row("所在地", "東京都" + f["address"] + '<a href="#" class="overview_table-flexitem_map">地図を見る</a>')}
<tr><th class="overview_table-title">交通</th><td class="overview_table-body">{project.line}「{project.station}」歩{project.walk_minutes}分</td>
<th class="overview_table-title">総戸数</th><td class="overview_table-body">{project.total_units}戸</td></tr>
<tr><th class="overview_table-title">間取り</th><td class="overview_table-body">{f["layouts"]}</td>
<th class="overview_table-title">専有面積</th><td class="overview_table-body">{f["areas"]}</td></tr>
{row("価格", price)}
{extra}
{row("引渡可能時期", f["delivery"])}
{row("販売スケジュール", schedule)}
</tbody></table>
<dl class="definitionlist"><dt class="definitionlist-title">情報提供日:</dt><dd class="definitionlist-contents">{date.year % 100}/{date.month}/{date.day}</dd></dl>
</body></html>""",
            "text/html; charset=utf-8",
        )

    @staticmethod
    def gone_page() -> str:
        return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>エラー｜SUUMO(スーモ) [SIMULATED]</title></head>
<body id="js-errorcontents">{BANNER}
<p class="error_txt">お探しの情報は、当サイトへの掲載が終了したためご覧いただけません。</p></body></html>"""

    @staticmethod
    def captcha_page() -> str:
        return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Access check [SIMULATED]</title></head>
<body>{BANNER}<h1>アクセスが集中しています</h1><div class="g-recaptcha"></div></body></html>"""


AGENT_LICENCES = (
    "国土交通大臣（13）第002077号",
    "国土交通大臣（6）第006101号",
    "東京都知事（3）第095156号",
    "東京都知事（1）第107658号",
    "国土交通大臣（15）第000777号",
)
"""Licences the simulated agents show (the real pages' forms; SIMULATED, not those agents' own)."""


def hash_index(text: str, size: int) -> int:
    """A fixed index in ``range(size)`` for a text (the same on every run and machine)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % size


def _stable_share(listing_id: str) -> float:
    """A fixed number in [0, 1) for a listing id: which listings a shrinking site hides first."""
    digest = hashlib.blake2b(f"shrink-{listing_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


@contextmanager
def serve(site: SimulatedSuumo, port: int = 0) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port by default); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, content_type, delay = site.respond(self.path)
            if delay:
                time.sleep(delay)
            payload = body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up waiting (a timeout fault)

        def log_message(self, format: str, *args: object) -> None:
            return

    with serve_handler(Handler, port) as base_url:
        yield base_url


@contextmanager
def serve_handler(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 (``port`` 0: a free one) for the block; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
