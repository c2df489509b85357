"""Land tenure (敷地の権利形態): who owns the land under the flat, and for how long.

A leasehold flat sells far below a freehold one of the same size and place, so the index controls for
it. Four kinds, from the wording the sites use:

- ``ownership``: 所有権 (freehold, with or without a share: 所有権の共有);
- ``fixed_term_leasehold``: 定期借地権 / 一般定期借地権 / 定期転借地権 (a sub-lease of one; the land
  goes back at the end of the term; new towers are often sold this way);
- ``leasehold``: 借地権, 旧法借地権, 普通借地権 (renewable);
- ``superficies``: 地上権 (a registered right to build on another's land).

A text naming a lease as well as ownership (``所有権・借地権``: part of the site is leased) is a
leasehold of the kind it names: the lease is what moves the price. Text naming none of them is not
read (counted as unparsed by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scraper.parsing.text import is_blank, squash

TenureKind = Literal["ownership", "leasehold", "fixed_term_leasehold", "superficies"]
TENURE_KINDS: tuple[TenureKind, ...] = ("ownership", "leasehold", "fixed_term_leasehold", "superficies")
LEASEHOLD_KINDS: frozenset[str] = frozenset({"leasehold", "fixed_term_leasehold", "superficies"})

# "残存期間45年", "残存期間：約45年3ヶ月", "借地期間残り45年", "残45年"
_REMAINING = re.compile(r"残(?:存期間|存|り|期間)?(?:期間)?[:]?約?(\d{1,3})年")
_FIXED_TERM = re.compile(r"定期転?借地|定借")


@dataclass(frozen=True)
class Tenure:
    kind: TenureKind
    lease_years_remaining: int | None = None


def tenure_kind(text: str) -> TenureKind | None:
    """The tenure kind a text names, or ``None``.

    >>> tenure_kind("所有権"), tenure_kind("一般定期借地権"), tenure_kind("旧法借地権"), tenure_kind("地上権")
    ('ownership', 'fixed_term_leasehold', 'leasehold', 'superficies')
    >>> tenure_kind("所有権・借地権"), tenure_kind("定期転借地権"), tenure_kind("要相談") is None
    ('leasehold', 'fixed_term_leasehold', True)
    """
    flat = squash(text) or ""
    if _FIXED_TERM.search(flat):
        return "fixed_term_leasehold"
    # 地上権 first: a superficies cell often states its term as 借地期間 (地上権（旧）、借地期間残存95年).
    if "地上権" in flat:
        return "superficies"
    if "借地" in flat:
        return "leasehold"
    if "所有権" in flat:
        return "ownership"
    return None


def parse_tenure(text: str | None) -> Tenure | None:
    """Read a 敷地の権利形態 cell: the kind, and the remaining lease years where the page states them.

    >>> parse_tenure("所有権")
    Tenure(kind='ownership', lease_years_remaining=None)
    >>> parse_tenure("定期借地権（残存期間：約48年2ヶ月）")
    Tenure(kind='fixed_term_leasehold', lease_years_remaining=48)
    >>> parse_tenure("地上権（旧）、借地期間残存95年")
    Tenure(kind='superficies', lease_years_remaining=95)
    >>> parse_tenure("-") is None, parse_tenure("相談") is None
    (True, True)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    kind = tenure_kind(flat)
    if kind is None:
        return None
    years = None
    if kind != "ownership":
        match = _REMAINING.search(flat)
        years = int(match.group(1)) if match else None
    return Tenure(kind=kind, lease_years_remaining=years)
