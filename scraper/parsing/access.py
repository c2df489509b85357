"""Access to the nearest station: ``東京メトロ丸ノ内線「淡路町」徒歩2分``, ``ＪＲ山手線/浜松町 徒歩7分``,
``「豊洲」歩5分``, ``バス10分 停歩3分``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.parsing.text import fold, is_blank

_QUOTED = re.compile(r"^(?P<line>[^「」]*)「(?P<station>[^「」]+)」(?P<rest>.*)$")
_SLASHED = re.compile(r"^(?P<line>[^/]+)/(?P<station>\S+)\s+(?P<rest>.*)$")
_WALK = re.compile(r"(?<!停)(?:徒歩|歩)(\d+)分")
_BUS = re.compile(r"バス(?:乗車)?(\d+)分")
_STOP_WALK = re.compile(r"(?:停歩|停留所(?:から)?(?:徒歩|歩))(\d+)分")


@dataclass(frozen=True)
class Access:
    """Route to the nearest station. ``walk_minutes`` is the walk to the station; when a bus is
    needed it is ``None`` and ``bus_minutes`` + ``stop_walk_minutes`` describe the trip."""

    line: str | None
    station: str | None
    walk_minutes: int | None = None
    bus_minutes: int | None = None
    stop_walk_minutes: int | None = None


def parse_access(text: str | None) -> Access | None:
    """Read the first route in an access text.

    >>> parse_access("東京メトロ有楽町線「豊洲」歩5分")
    Access(line='東京メトロ有楽町線', station='豊洲', walk_minutes=5, bus_minutes=None, stop_walk_minutes=None)
    >>> parse_access("ＪＲ山手線/浜松町 徒歩7分").line
    'JR山手線'
    >>> parse_access("ＪＲ京浜東北線「大森」バス10分 停歩3分").bus_minutes
    10
    """
    flat = fold(text)
    if flat is None or is_blank(flat):
        return None
    match = _QUOTED.match(flat) or _SLASHED.match(flat)
    if not match:
        return None
    rest = match.group("rest")
    bus = _BUS.search(rest)
    stop_walk = _STOP_WALK.search(rest)
    walk = None if bus else _WALK.search(rest)
    if not (bus or walk):
        return None
    return Access(
        line=match.group("line").strip() or None,
        station=match.group("station").strip() or None,
        walk_minutes=int(walk.group(1)) if walk else None,
        bus_minutes=int(bus.group(1)) if bus else None,
        stop_walk_minutes=int(stop_walk.group(1)) if stop_walk else None,
    )
