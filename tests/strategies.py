"""Hypothesis strategies shared by the normaliser tests."""

from __future__ import annotations

from hypothesis import strategies as st

_FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
)

# Site-like noise: Japanese text, digits of both widths, units and punctuation the pages use.
_TOKENS = [
    *"0123456789０１２３４５６７８９億万千円台／/～~・,.-－（）()【】「」[]階建地下BFRSLDK坪㎡m²<>sup+…",
    "平成",
    "昭和",
    "令和",
    "年",
    "月",
    "日",
    "徒歩",
    "歩",
    "バス",
    "停歩",
    "分",
    "壁芯",
    "内法",
    "未定",
    "区",
    "港区",
    "江東区",
    "東京都",
    "丁目",
    "納戸",
    "ワンルーム",
    " ",
    "\u3000",
]
site_text = st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join)
any_text = st.one_of(st.none(), st.text(max_size=60), site_text)


def full_width(text: str) -> str:
    """The same text with ASCII digits and capitals in their full-width forms (as SUUMO prints them)."""
    return text.translate(_FULL_WIDTH)


def yen_text(value: int) -> str:
    """How SUUMO writes an amount of yen: 1億800万円, 3980万円, 1万9620円, 9230円."""
    oku, rest = divmod(value, 100_000_000)
    man, yen = divmod(rest, 10_000)
    text = ""
    if oku:
        text += f"{oku}億"
    if man:
        text += f"{man}万"
    if yen or not text:
        text += f"{yen}"
    return text + "円"
