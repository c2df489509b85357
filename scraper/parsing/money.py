"""Money: ``1億800万円``, ``3980万円``, ``1万9620円／月``, ranges, bands and ``価格未定``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from scraper.parsing.text import is_blank, squash

PriceStatus = Literal["fixed", "range", "band", "undecided", "approximate"]

# One amount in yen: optional 億 part, optional 万 part (which may use 千: 2千万), optional yen part.
_AMOUNT = re.compile(
    r"(?:(?P<oku>\d+(?:\.\d+)?)億)?"
    r"(?:(?:(?P<sen>\d+)千)?(?P<man>\d+(?:\.\d+)?)?万)?"
    r"(?P<yen>\d+)?円"
    r"(?P<band>台)?"
)
_NOTE_PARENS = re.compile(r"\([^()]*\)")
_UNDECIDED = ("未定", "検討中")
# A reduction shown as "old → new": the price asked now is the last one.
_ARROWS = re.compile(r"[→⇒➡]")
# A minus sign before an amount: no asking price is negative, so such text is not read.
_NEGATIVE = re.compile(r"(?:^|[^\d])[-−‐―]\d")
# An amount the advert gives only roughly (約1億円, 1億円程度, 1億円前後): never an exact asking price.
_APPROXIMATE = re.compile(r"約|程度|前後|くらい|ぐらい")


@dataclass(frozen=True)
class Price:
    """An asking price as a listing shows it.

    ``min_yen``/``max_yen`` are equal for a fixed price. For a band (``1億6000万円台～2億円台``) they
    are the lower bounds of the lowest and highest bands. For ``価格未定`` both are ``None``. For an
    approximate price (``約1億円``) both are the rough amount, and :attr:`yen` is ``None``: it is never
    stored as an exact asking price. ``text`` is the price as printed, kept for every status but
    ``fixed`` (the database keeps it beside the amounts: ``price_history.price_text``).
    """

    status: PriceStatus
    min_yen: int | None = None
    max_yen: int | None = None
    planned: bool = False
    text: str | None = field(default=None, repr=False, compare=False)

    @property
    def yen(self) -> int | None:
        """The single asking price, when there is one."""
        return self.min_yen if self.status == "fixed" else None


def _amount_to_yen(match: re.Match[str]) -> int | None:
    oku, sen, man, yen = match.group("oku", "sen", "man", "yen")
    if not any((oku, sen, man, yen)):
        return None
    total = 0.0
    if oku:
        total += float(oku) * 100_000_000
    if sen:
        total += int(sen) * 1000 * 10_000
    if man:
        total += float(man) * 10_000
    if yen:
        total += int(yen)
    return round(total)


def _amounts(text: str) -> list[tuple[int, bool]]:
    found = []
    for match in _AMOUNT.finditer(text):
        value = _amount_to_yen(match)
        if value is not None:
            found.append((value, bool(match.group("band"))))
    return found


def parse_yen(text: str | None) -> int | None:
    """Read one amount of yen; notes such as ``／月`` or ``（税込）`` are ignored.

    >>> parse_yen("1億800万円")
    108000000
    >>> parse_yen("1万9620円／月（委託(通勤)）")
    19620
    >>> parse_yen("9,230円") , parse_yen("価格未定")
    (9230, None)
    """
    flat = squash(text)
    if flat is None:
        return None
    flat = _NOTE_PARENS.sub("", _NOTE_PARENS.sub("", flat.replace(",", "")))
    if _NEGATIVE.search(flat):
        return None
    amounts = _amounts(flat)
    if len(amounts) != 1 or amounts[0][1]:
        return None
    return amounts[0][0]


def parse_monthly_fee(text: str | None) -> int | None:
    """Read a monthly fee (管理費, 修繕積立金).

    ``なし`` is a real statement that there is no such fee and gives 0; a dash or unreadable text
    gives ``None`` (unknown), never 0.

    >>> parse_monthly_fee("1万9620円／月（委託(通勤)）"), parse_monthly_fee("なし"), parse_monthly_fee("-")
    (19620, 0, None)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    if flat in ("なし", "無", "無し"):
        return 0
    return parse_yen(flat)


def parse_price(text: str | None) -> Price | None:
    """Read an asking price, a range, a band or an undecided price.

    >>> parse_price("1億800万円")
    Price(status='fixed', min_yen=108000000, max_yen=108000000, planned=False)
    >>> parse_price("1億2890万円～1億9800万円 （先着順）").status
    'range'
    >>> parse_price("1億6000万円台～2億円台※1000万円単位／予定")
    Price(status='band', min_yen=160000000, max_yen=200000000, planned=True)
    >>> parse_price("価格未定").status
    'undecided'
    >>> parse_price("2980万円→2780万円").min_yen, parse_price("-3980万円")
    (27800000, None)
    >>> rough = parse_price("約1億円")
    >>> rough, rough.yen, rough.text
    (Price(status='approximate', min_yen=100000000, max_yen=100000000, planned=False), None, '約1億円')
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    price = _read_price(flat)
    if price is None or price.status == "fixed":
        return price
    return replace(price, text=flat)


def _read_price(flat: str) -> Price | None:
    flat = _ARROWS.split(flat)[-1]
    if _NEGATIVE.search(flat.split("※")[0]):
        return None
    planned = "予定" in flat
    if any(word in flat for word in _UNDECIDED) and not _amounts(flat.split("※")[0]):
        return Price(status="undecided", planned=planned)
    # "※1000万円単位" states the rounding unit of a band, not a price.
    flat = flat.split("※")[0].replace(",", "")
    flat = _NOTE_PARENS.sub("", _NOTE_PARENS.sub("", flat))
    amounts = _amounts(flat)
    if not amounts:
        return None
    values = [value for value, _ in amounts]
    low, high = min(values), max(values)
    if any(band for _, band in amounts):
        return Price(status="band", min_yen=low, max_yen=high, planned=planned)
    if len(values) == 1:
        approximate = _APPROXIMATE.search(flat) is not None
        return Price(status="approximate" if approximate else "fixed", min_yen=low, max_yen=high, planned=planned)
    return Price(status="range", min_yen=low, max_yen=high, planned=planned)
