"""Text folding shared by every parser."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# C0/C1 control characters other than whitespace (an ESC in a name is noise, never the site's text).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Values the sites print when they have nothing to say for a field.
_BLANK_VALUES = frozenset({"", "-", "－", "―", "ー", "—", "–", "‐", "…"})


def fold(text: str | None) -> str | None:
    """NFKC-fold and collapse whitespace; ``None`` for missing or blank text.

    NFKC turns full-width digits and letters into ASCII (``３ＬＤＫ`` → ``3LDK``),
    ``㎡`` into ``m2`` and full-width brackets into ASCII ones.

    >>> fold("  ３ＬＤＫ\\n ")
    '3LDK'
    >>> fold("　") is None
    True
    """
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", _CONTROL.sub("", text))
    folded = _SPACES.sub(" ", folded).strip()
    return folded or None


def squash(text: str | None) -> str | None:
    """Fold and then remove every space, for parsers where spaces carry no meaning."""
    folded = fold(text)
    if folded is None:
        return None
    return folded.replace(" ", "") or None


def clean(text: str | None) -> str | None:
    """Collapse whitespace but keep the site's own characters (for names shown to people); control
    characters are dropped.

    >>> clean("パーク\x1b[31mタワー　豊洲 ")
    'パーク[31mタワー 豊洲'
    """
    if text is None:
        return None
    cleaned = _SPACES.sub(" ", _CONTROL.sub("", text).replace("\u3000", " ")).strip()
    return cleaned or None


def is_blank(text: str | None) -> bool:
    """True when the site printed nothing meaningful (empty, a dash, an ellipsis)."""
    if text is None:
        return True
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)) in _BLANK_VALUES
