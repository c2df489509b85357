"""Identity rules: which listings are the same building, and the same physical flat (unit).

SUUMO shows one flat once per agent that sells it. Several listings of one flat are *linked* to one
unit, never merged away. The rules and their known failure cases are in docs/schema.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

AREA_TOLERANCE_M2 = 0.5
"""Two listings of one flat may round or measure its area slightly differently."""

# Advertising copy that agents append to the 物件名: everything from the first decoration on.
_AD_START = re.compile(r"[◆◇★☆■□●○▲△▼▽♪【《≪〈<!！※]")
# A space followed by selling points ("半蔵門駅徒歩1分", "リノベ済", "角部屋") starts advertising copy.
_AD_WORDS = re.compile(r"駅|徒歩|歩\d|分|階|角部屋|リノベ|リフォーム|新規|内装|眺望|住まう|ペット|オーナー|空室|即入居")
_DROP = re.compile(r"[\s・･\-‐－]")


def building_name_key(name: str | None) -> str | None:
    """A building name reduced to what identifies it.

    >>> building_name_key("グランドメゾン一番町 半蔵門駅徒歩1分 番町に住まう")
    'グランドメゾン一番町'
    >>> building_name_key("ダイアパレス水道橋◆水道橋駅3分◆南向きバルコニー◆…")
    'ダイアパレス水道橋'
    >>> building_name_key("ブランズシティ品川ルネ キャナル") == building_name_key("ブランズシティ品川ルネキャナル")
    True
    >>> building_name_key("ＣＯＮＯＥ一番町")
    'CONOE一番町'
    """
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).replace("\u3000", " ").strip()
    match = _AD_START.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    parts = text.split(" ")
    kept = [parts[0]]
    for part in parts[1:]:
        if _AD_WORDS.search(part):
            break
        kept.append(part)
    key = _DROP.sub("", "".join(kept)).upper()
    return key or None


def _agrees(a: Any, b: Any) -> bool:
    """Two values agree unless both are known and differ."""
    return a is None or b is None or a == b


def same_building(known: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether an item can belong to a known building: same ward and name key (checked by the caller),
    and no disagreement on built year, built month or height where both sides know them."""
    return (
        _agrees(known.get("built_year"), item.get("built_year"))
        and _agrees(known.get("built_month"), item.get("built_month"))
        and _agrees(known.get("total_floors"), item.get("total_floors"))
    )


def same_unit(known: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether an item describes a known unit of the same building: same floor, area within 0.5 m²,
    same layout, and same direction where both sides know it."""
    if known.get("floor") is None or item.get("floor") is None or known["floor"] != item["floor"]:
        return False
    if known.get("area_m2") is None or item.get("area_m2") is None:
        return False
    if abs(float(known["area_m2"]) - float(item["area_m2"])) > AREA_TOLERANCE_M2:
        return False
    return _agrees(known.get("layout"), item.get("layout")) and _agrees(known.get("direction"), item.get("direction"))
