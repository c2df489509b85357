"""Layouts (間取り): ``1R``, ``1K``, ``2LDK+S（納戸）``, ``ワンルーム``, full-width ``３ＬＤＫ``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.parsing.text import is_blank, squash

_LAYOUT = re.compile(r"(\d+)(S?)(LDK|SLDK|DK|LK|K|R)(?:\+(\d*)S)?")
_STORAGE_NOTE = re.compile(r"\((?:納戸|サービスルーム|S)\)")


@dataclass(frozen=True)
class Layout:
    """A flat's layout: ``label`` is canonical (``1LDK+S``), ``rooms`` the number before the letters.

    A storage room (S, 納戸, サービスルーム) is not counted in ``rooms``.
    """

    label: str
    rooms: int
    storage_room: bool = False


def _canonical(text: str) -> str:
    # "…" marks a label the site cut short ("1LDK…" may be "1LDK+S"); NFKC turns it into "...".
    flat = text.upper().replace("ワンルーム", "1R").replace("…", "").replace("...", "")
    return _STORAGE_NOTE.sub("", flat)


def parse_layout(text: str | None) -> Layout | None:
    """Read one layout.

    >>> parse_layout("1LDK+S（納戸）")
    Layout(label='1LDK+S', rooms=1, storage_room=True)
    >>> parse_layout("ワンルーム")
    Layout(label='1R', rooms=1, storage_room=False)
    >>> parse_layout("３ＬＤＫ").label
    '3LDK'
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    match = _LAYOUT.fullmatch(_canonical(flat))
    if not match:
        return None
    rooms, s_prefix, kind, plus_s = match.groups()
    if int(rooms) == 0:
        return None
    storage = bool(s_prefix) or plus_s is not None or kind == "SLDK"
    label = f"{rooms}{kind.replace('SLDK', 'LDK')}" + (f"+{plus_s or ''}S" if storage else "")
    return Layout(label=label, rooms=int(rooms), storage_room=storage)


def parse_layout_range(text: str | None) -> tuple[int, int] | None:
    """Read the fewest and most rooms of a project (``1LDK～3LDK``, ``1LDK・2LDK``, ``1R～3LDK``).

    >>> parse_layout_range("1LDK+S（納戸）～3LDK")
    (1, 3)
    """
    flat = squash(text)
    if flat is None or is_blank(flat):
        return None
    rooms = [int(m.group(1)) for m in _LAYOUT.finditer(_canonical(flat)) if int(m.group(1)) > 0]
    if not rooms:
        return None
    return min(rooms), max(rooms)
