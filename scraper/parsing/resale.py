"""The rows of a used-condo detail page that say how a flat is being resold: when it can be handed over,
parking, the zoning, the agent's licence (and how often it was renewed), the feature tags, the free
text of 特記事項 and 担当者より, and what they say of the flat: never lived in (未入居), let to a tenant
(賃貸中, オーナーチェンジ), marketed in Chinese (中国語対応, 中文).

The Chinese-marketing flag says how an advert is marketed, never who buys: the project never infers a
buyer's nationality or origin from anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scraper.parsing.text import clean, is_blank, squash

Handover = str
"""``immediate``, ``negotiable``, or the date given (``2028-01``: year and month)."""
Parking = Literal["available", "full", "none", "nearby"]

_DATE = re.compile(r"(\d{4})年\s*(\d{1,2})月")
_ISSUER = r"(国土交通大臣|(?:北海道|東京都|京都府|大阪府|[^\s()<>]{2,3}県)知事)"
_LICENCE = re.compile(_ISSUER + r"\s*[（(]\s*(\d{1,2})\s*[）)]\s*第?\s*(\d{3,6})\s*号")


def parse_handover(text: str | None) -> Handover | None:
    """Read 引渡可能時期: ``immediate`` (即引渡可, 即入居可), ``negotiable`` (相談), or the date as
    ``YYYY-MM``; ``None`` for ``-`` or text that is none of these.

    >>> parse_handover("即引渡可"), parse_handover("相談"), parse_handover("2028年1月中旬予定")
    ('immediate', 'negotiable', '2028-01')
    >>> parse_handover("-") is None, parse_handover("要相談"), parse_handover("即入居可")
    (True, 'negotiable', 'immediate')
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    flat = unicodedata.normalize("NFKC", flat)
    if flat.startswith("即"):
        return "immediate"
    match = _DATE.search(flat)
    if match:
        month = int(match.group(2))
        return f"{match.group(1)}-{month:02d}" if 1 <= month <= 12 else None
    if "相談" in flat:
        return "negotiable"
    return None


def parse_parking(text: str | None) -> Parking | None:
    """Read 駐車場: ``available`` (空有, 有), ``full`` (空無: there is parking, none free), ``none`` (無),
    ``nearby`` (近隣); ``None`` for ``-`` or anything else.

    >>> [parse_parking(t) for t in ("空有 月額3万円", "空無", "無", "近隣 月額2万5000円", "-", "敷地内")]
    ['available', 'full', 'none', 'nearby', None, 'available']
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    if flat.startswith("空無") or "空き無" in flat or "空きなし" in flat:
        return "full"
    if flat.startswith("近隣"):
        return "nearby"
    if flat.startswith(("空有", "有", "敷地内", "空き有")):
        return "available"
    if flat in ("無", "なし", "無し") or flat.startswith("無"):
        return "none"
    return None


@dataclass(frozen=True)
class Licence:
    """A real-estate agent's licence as the page prints it, and its renewal count (the number in
    brackets: 1 means the licence was never renewed, an agency under five years old)."""

    text: str
    renewals: int


def parse_licence(text: str | None) -> Licence | None:
    """The agent's licence (宅地建物取引業免許) in a 会社概要 cell.

    >>> parse_licence("＜仲介＞ 東京都知事（1）第107658号 (公社)全日本不動産協会")
    Licence(text='東京都知事（1）第107658号', renewals=1)
    >>> parse_licence("国土交通大臣(13)第002077号").renewals, parse_licence("-")
    (13, None)
    """
    flat = squash(text)
    if flat is None:
        return None
    match = _LICENCE.search(unicodedata.normalize("NFKC", flat))
    if not match:
        return None
    issuer, renewals, number = match.groups()
    return Licence(f"{issuer}（{int(renewals)}）第{number}号", int(renewals))


def split_tags(text: str | None) -> list[str]:
    """特徴ピックアップ's tags, as printed (`／`-separated).

    >>> split_tags("２沿線以上利用可 / スーパー 徒歩10分以内 / 未入居")
    ['２沿線以上利用可', 'スーパー 徒歩10分以内', '未入居']
    """
    flat = clean(text)
    if flat is None:
        return []
    return [tag.strip() for tag in re.split(r"\s*[/／]\s*", flat) if tag.strip()]


@dataclass(frozen=True)
class Signal:
    """A flag read from the page, and where (``tags``, ``remarks``, ``agent_comment``, ``title``)."""

    found: bool
    source: str | None = None


_UNOCCUPIED = re.compile(r"未入居")
_RENTED = re.compile(r"賃貸中|オーナーチェンジ|オーナー・チェンジ|収益物件|利回り")
_CHINESE = re.compile(r"中国語|中文|华语|華語|普通话|普通話|中国人スタッフ|中国籍スタッフ")
_NEGATED = re.compile(r"(?:不可|不要|なし|無し|ではありません|ではない)")


def find_signal(pattern: re.Pattern[str], places: Iterable[tuple[str, str | None]]) -> Signal:
    """Whether the pattern is stated in one of the (place, text) pairs, in order, and in which: a
    mention followed at once by a negation (``賃貸中ではありません``) does not count.

    >>> find_signal(_RENTED, [("tags", "未入居"), ("remarks", "現在賃貸中（月額12万円）")])
    Signal(found=True, source='remarks')
    >>> find_signal(_UNOCCUPIED, [("remarks", "-")])
    Signal(found=False, source=None)
    """
    for place, text in places:
        if not text:
            continue
        for match in pattern.finditer(text):
            if not _NEGATED.match(text, match.end()):
                return Signal(True, place)
    return Signal(False)


def unoccupied(places: Iterable[tuple[str, str | None]]) -> Signal:
    """未入居: built (or bought) and never lived in."""
    return find_signal(_UNOCCUPIED, places)


def rented(places: Iterable[tuple[str, str | None]]) -> Signal:
    """賃貸中, オーナーチェンジ: sold with a tenant in it."""
    return find_signal(_RENTED, places)


def marketed_in_chinese(places: Iterable[tuple[str, str | None]]) -> Signal:
    """中国語対応, 中文 and the like: the agent markets the flat in Chinese (a marketing fact, never a
    statement about any buyer)."""
    return find_signal(_CHINESE, places)
