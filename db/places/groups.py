"""Places readers ask about: district groups (Koto's bay-area towers, Minato's 3A, Bunkyo's school
districts) as an editable table from 町 to group (``db/places/groups.toml``, or the file named by
``CONDO_PLACE_GROUPS``).

This package stands on nothing of ours: the parser and the reports both read it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_TABLE = Path(__file__).with_name("groups.toml")
ENV = "CONDO_PLACE_GROUPS"
_KEY = re.compile(r"[A-Za-z0-9-]+")


class PlaceTableError(ValueError):
    """The district-group table is malformed; the message names the file, the group and the fault."""


@dataclass(frozen=True)
class PlaceGroup:
    key: str
    ward_code: int
    name_en: str
    name_ja: str
    districts: frozenset[str]
    """The 町 of the group (for a union, every member's)."""
    why: str
    parent: str | None = None
    members: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def contains(self, ward_code: int | None, district: str | None) -> bool:
        return ward_code == self.ward_code and district is not None and district in self.districts


def load_groups(path: Path | None = None) -> tuple[PlaceGroup, ...]:
    """The groups of ``path`` (default: ``$CONDO_PLACE_GROUPS``, else the bundled table), in file order.

    >>> [g.key for g in load_groups()][:2]
    ['koto-bay', '3A']
    >>> sorted(next(g for g in load_groups() if g.key == "3A-Aoyama").districts)
    ['北青山', '南青山']
    """
    chosen = path or Path(os.environ.get(ENV) or DEFAULT_TABLE)
    return _load(chosen.resolve())


@cache
def _load(path: Path) -> tuple[PlaceGroup, ...]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise PlaceTableError(f"{path}: no such district-group table (set {ENV} to an existing file)") from error
    except tomllib.TOMLDecodeError as error:
        raise PlaceTableError(f"{path}: not valid TOML: {error}") from error
    entries = raw.get("group")
    if not isinstance(entries, list) or not entries:
        raise PlaceTableError(f"{path}: no [[group]] entries")
    plain: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(entries, 1):
        key = entry.get("key")
        where = f"{path}: group {number} ({key or 'no key'})"
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise PlaceTableError(f"{where}: `key` must be letters, digits and '-'")
        if key in plain:
            raise PlaceTableError(f"{where}: key {key!r} is used twice")
        for field in ("name_en", "name_ja", "why"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise PlaceTableError(f"{where}: `{field}` is missing")
        if not isinstance(entry.get("ward_code"), int):
            raise PlaceTableError(f"{where}: `ward_code` must be a ward's JIS code (Koto 13108)")
        has_districts, has_members = "districts" in entry, "members" in entry
        if has_districts == has_members:
            raise PlaceTableError(f"{where}: give either `districts` or `members`")
        listed = entry.get("districts") or entry.get("members")
        if not isinstance(listed, list) or not listed or not all(isinstance(d, str) and d for d in listed):
            raise PlaceTableError(f"{where}: `districts`/`members` must be a non-empty list of names")
        plain[key] = entry
    groups = []
    for key, entry in plain.items():
        members = tuple(entry.get("members") or ())
        unknown = [m for m in members if m not in plain or "members" in plain[m]]
        if unknown:
            raise PlaceTableError(f"{path}: group {key}: members {unknown} are not groups of districts")
        parent = entry.get("parent")
        if parent is not None and parent not in plain:
            raise PlaceTableError(f"{path}: group {key}: parent {parent!r} is not a group")
        districts = (
            frozenset(d for m in members for d in plain[m]["districts"]) if members else frozenset(entry["districts"])
        )
        groups.append(
            PlaceGroup(
                key=key,
                ward_code=int(entry["ward_code"]),
                name_en=str(entry["name_en"]),
                name_ja=str(entry["name_ja"]),
                districts=districts,
                why=str(entry["why"]),
                parent=str(parent) if parent else None,
                members=members,
            )
        )
    return tuple(groups)


__all__ = ["DEFAULT_TABLE", "ENV", "PlaceGroup", "PlaceTableError", "load_groups"]
