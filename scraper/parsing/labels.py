"""Label matching for the sites' label/value tables, written once.

SUUMO prints the same fact under labels that drift from page to page and year to year:
``次回更新日`` became ``次回更新予定日`` in 2026, ``完成時期（築年月）`` is also ``完成時期(築年月)``,
``構造・階建て`` is also ``構造・階建``, a ``th`` may carry a ``ヒント`` link, the summary list ends its
labels with ``:``, and a table cell may end with ``[ 支払シミュレーション ]`` fragments. Every parser
looks labels up through :func:`label_key`, which folds all of these away, and through one table of
aliases (:data:`ALIASES`), so that a label is matched the same way wherever it appears.

A label the table does not know (:data:`KNOWN`) is reported by :meth:`Labels.unknown`: the next
renaming is a counted, logged miss (``field/label/unparsed``) rather than a field gone silently empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_BRACKET_LINKS = re.compile(r"\[[^\[\]]*\]")
_SPACES = re.compile(r"\s+")
# Hint text SUUMO prints beside a label (a link or an icon's alt text).
_HINTS = ("ヒント", "?")


def label_key(text: str | None) -> str | None:
    """The matching key of a label: NFKC-folded (full-width brackets and colons become ASCII),
    without spaces, hint text, ``[ … ]`` link fragments, a trailing colon, ``予定`` or the okurigana
    of ``階建て``.

    >>> label_key("次回更新予定日:"), label_key("次回更新日")
    ('次回更新日', '次回更新日')
    >>> label_key("完成時期（築年月）"), label_key(" 完成時期(築年月) ヒント")
    ('完成時期(築年月)', '完成時期(築年月)')
    >>> label_key("価格 [ □支払シミュレーション ]"), label_key("構造・階建て")
    ('価格', '構造・階建')
    >>> label_key(" ") is None
    True
    """
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text)
    folded = _BRACKET_LINKS.sub("", folded)
    for hint in _HINTS:
        folded = folded.replace(hint, "")
    folded = _SPACES.sub("", folded).rstrip(":")
    folded = folded.replace("予定", "").replace("階建て", "階建")
    return folded or None


# field → the labels SUUMO uses for it, most common first (as printed; keys are made by label_key).
ALIASES: dict[str, tuple[str, ...]] = {
    "building_name": ("物件名",),
    "price": ("価格", "販売価格"),
    "most_common_price": ("最多価格帯",),
    "layout": ("間取り",),
    "area_m2": ("専有面積",),
    "balcony_m2": ("その他面積", "バルコニー面積", "バルコニー"),
    "floor_and_structure": ("所在階/構造・階建",),
    "floor": ("所在階",),
    "structure": ("構造・階建", "構造・階建て", "構造"),
    "built": ("完成時期(築年月)", "築年月", "完成時期", "竣工時期", "完成時期(築年数)"),
    "total_units": ("総戸数",),
    "units_on_sale": ("販売戸数", "今回販売戸数"),
    "address": ("住所", "所在地"),
    "access": ("交通", "沿線・駅"),
    "management_fee": ("管理費",),
    "repair_reserve": ("修繕積立金",),
    "direction": ("向き", "主要採光面", "方位"),
    "contact": ("お問い合せ先", "問い合わせ先", "お問い合わせ先"),
    "delivery": ("引渡可能時期", "引渡時期", "入居時期", "引渡可能年月", "入居可能時期"),
    "info_date": ("情報提供日",),
    "next_update_date": ("次回更新日",),
    "land_tenure": ("敷地の権利形態", "土地の権利形態", "権利形態", "土地権利"),
    "energy_performance": ("エネルギー消費性能",),
    "insulation_performance": ("断熱性能",),
    "utility_cost": ("目安光熱費",),
    "sale_schedule": ("販売スケジュール",),
    "sale_phase": ("販売期", "販売期別"),
    "zoning": ("用途地域",),
    "parking": ("駐車場",),
    "remarks": ("その他概要・特記事項", "特記事項"),
    "agent_comment": ("担当者より",),
    "company": ("会社概要",),
}

# Labels the pages carry that no field reads, on purpose: they are known, not news.
IGNORED: tuple[str, ...] = (
    "関連リンク",
    "不動産会社ガイド",
    "イベント情報",
    "修繕積立基金",
    "諸費用",
    "リフォーム",
    "その他制限事項",
    "敷地面積",
    "施工",
    "取引条件有効期限",
    "取引態様",
    "売主",
    "販売代理",
    "設計",
    "管理",
    "管理形態",
    "管理会社",
    "建築確認番号",
    "地目",
    "地域地区",
    "建ぺい率",
    "容積率",
    "建築面積",
    "建築延床面積",
    "敷地の権利形態について",
    "備考",
    "その他費用",
    "条件",
)


def _keys(labels: Iterable[str]) -> frozenset[str]:
    return frozenset(key for key in (label_key(label) for label in labels) if key)


ALIAS_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(key for key in (label_key(label) for label in labels) if key) for name, labels in ALIASES.items()
}
KNOWN: frozenset[str] = _keys(label for labels in ALIASES.values() for label in labels) | _keys(IGNORED)


class Labels:
    """A page's label → value lines, looked up by field name (see :data:`ALIASES`).

    The first row of a label wins (the 物件詳細情報 table comes before the 物件概要 one).

    >>> table = Labels([("次回更新予定日", ["2026年2月10日"]), ("専有面積", ["46.28m2", "（登記）"])])
    >>> table.text("next_update_date"), table.text("area_m2"), table.text("land_tenure")
    ('2026年2月10日', '46.28m2 （登記）', None)
    >>> Labels([("所在階数", ["3階"])]).unknown()
    ['所在階数']
    """

    def __init__(self, rows: Iterable[tuple[str, list[str]]] = ()) -> None:
        self.cells: dict[str, list[str]] = {}
        self.printed: dict[str, str] = {}
        for label, lines in rows:
            self.add(label, lines)

    def add(self, label: str, lines: list[str]) -> None:
        """Add a row unless its label is already there."""
        key = label_key(label)
        if key and key not in self.cells:
            self.cells[key] = lines
            self.printed[key] = _SPACES.sub(" ", _BRACKET_LINKS.sub("", label).replace("ヒント", "")).strip()

    def lines(self, name: str) -> list[str] | None:
        """The value lines of the first label of field ``name`` the page has; ``None`` without one."""
        for key in ALIAS_KEYS[name]:
            found = self.cells.get(key)
            if found is not None:
                return found
        return None

    def text(self, name: str) -> str | None:
        """The value as one line (``""`` when the cell is empty); ``None`` when no label matches."""
        found = self.lines(name)
        if found is None:
            return None
        return " ".join(found)

    def first_line(self, name: str) -> str | None:
        found = self.lines(name)
        if found is None:
            return None
        return found[0] if found else ""

    def unknown(self) -> list[str]:
        """The labels (as printed) that no field reads and that are not known to be ignorable."""
        return [self.printed[key] for key in self.cells if key not in KNOWN]

    def as_dict(self) -> Mapping[str, list[str]]:
        return self.cells
