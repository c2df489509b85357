"""Charts as PNG bytes (matplotlib, no display). Japanese ward names need a Japanese font: the
project's set-up installs IPA Gothic (fonts-ipafont-gothic); ``japanese_font()`` finds it."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

JAPANESE_FONTS = ("IPAexGothic", "IPAGothic", "IPAPGothic", "Noto Sans CJK JP", "Noto Sans JP", "TakaoGothic")
COLOURS = {"Koto": "#1b6ca8", "Bunkyo": "#c0392b", "Minato": "#2e8b57", "3A": "#8e44ad"}


def japanese_font() -> str | None:
    """The first installed font that has Japanese glyphs, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in JAPANESE_FONTS if name in installed), None)


def _setup() -> None:
    font = japanese_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.spines.top"] = plt.rcParams["axes.spines.right"] = False


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def index_chart(indexes: dict[str, pd.DataFrame], labels: dict[str, str], title: str, ylabel: str) -> bytes:
    _setup()
    figure, axes = plt.subplots(figsize=(8, 4.2))
    for area, table in indexes.items():
        x = pd.to_datetime(table["week_end"])
        colour = COLOURS.get(area)
        axes.plot(x, table["index"], marker="o", markersize=3, color=colour, label=labels.get(area, area))
        axes.fill_between(x, table["low"], table["high"], color=colour, alpha=0.15)
    axes.axhline(100, color="#888", linewidth=0.8)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=9)
    figure.autofmt_xdate()
    return _png(figure)


def line_chart(series: dict[str, pd.Series], labels: dict[str, str], title: str, ylabel: str) -> bytes:
    _setup()
    figure, axes = plt.subplots(figsize=(8, 4.2))
    for area, values in series.items():
        axes.plot(
            pd.to_datetime(values.index),
            values.to_numpy(),
            marker="o",
            markersize=3,
            color=COLOURS.get(area),
            label=labels.get(area, area),
        )
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=9)
    figure.autofmt_xdate()
    return _png(figure)


def bar_chart(categories: list[str], groups: dict[str, list[float]], title: str, ylabel: str) -> bytes:
    _setup()
    figure, axes = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / max(len(groups), 1)
    for i, (name, values) in enumerate(groups.items()):
        positions = [c + i * width for c in range(len(categories))]
        axes.bar(positions, values, width=width, label=name)
    axes.set_xticks([c + width * (len(groups) - 1) / 2 for c in range(len(categories))], categories)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=9)
    return _png(figure)
