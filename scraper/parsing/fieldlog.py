"""Per-field bookkeeping of what a page parser could not read.

A parser asks the log to run each normaliser; the log counts three outcomes per field:

- ``missing``: the page has no such label/element (a layout change shows up here),
- ``blank``: the label is there but the site printed nothing (``-``),
- ``unparsed``: there was text and the normaliser could not read it (the raw text is kept).

The spider turns these counts into crawl stats (``suumo/field/<name>/<outcome>``) and logs every
unparsed raw text, so a change of format shows up in numbers and in the log, never in silence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from scraper.parsing.text import is_blank

T = TypeVar("T")


@dataclass
class FieldLog:
    """Outcome counts for the fields of one or more parsed pages."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    unparsed: list[tuple[str, str]] = field(default_factory=list)

    def read(self, name: str, raw: str | None, parser: Callable[[str], T | None]) -> T | None:
        """Run ``parser`` on ``raw`` and count the outcome under ``name``."""
        if raw is None:
            self.counts[(name, "missing")] += 1
            return None
        if is_blank(raw):
            self.counts[(name, "blank")] += 1
            return None
        value = parser(raw)
        if value is None:
            self.note_unparsed(name, raw)
        return value

    def note_missing(self, name: str) -> None:
        self.counts[(name, "missing")] += 1

    def note_unparsed(self, name: str, raw: str) -> None:
        self.counts[(name, "unparsed")] += 1
        self.unparsed.append((name, raw))

    def merge(self, other: FieldLog) -> None:
        self.counts.update(other.counts)
        self.unparsed.extend(other.unparsed)
