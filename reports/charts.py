"""Charts as PNG bytes (matplotlib, no display), drawn to be read on a phone as well as on a desk.

Japanese names need a Japanese font: the project's set-up installs IPA's fonts (fonts-ipafont-gothic);
``japanese_font()`` finds the proportional one. Each area keeps its colour in every chart and in the
summary table. A chart of simulated data says so on its face.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter

JAPANESE_FONTS = ("IPAPGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "IPAGothic", "TakaoPGothic")
"""Proportional fonts with Japanese glyphs, preferred first (IPAGothic, monospaced, is the last resort)."""
FONT_STACK = (
    '"IPAPGothic", "IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
    '"Yu Gothic", "Meiryo", sans-serif'
)
"""The HTML report's fonts: proportional, with Japanese glyphs, those a reader's system has."""
COLOURS = {
    "Koto": "#1b6ca8",
    "koto-bay": "#5fa8d3",
    "Bunkyo": "#c0392b",
    "bunkyo-schools": "#e8836f",
    "Minato": "#2e7d4f",
    "3A": "#8e44ad",
    "3A-Azabu": "#a569bd",
    "3A-Akasaka": "#bb8fce",
    "3A-Aoyama": "#7d3c98",
}
"""One colour per area, the same in every chart and in the summary table."""
FONT_SIZE = 14
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def japanese_font() -> str | None:
    """The first installed font of JAPANESE_FONTS, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in JAPANESE_FONTS if name in installed), None)


def _setup() -> None:
    font = japanese_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["font.size"] = FONT_SIZE
    plt.rcParams["axes.spines.top"] = plt.rcParams["axes.spines.right"] = False
    plt.rcParams["axes.titlesize"] = FONT_SIZE + 1
    plt.rcParams["axes.titlelocation"] = "left"


def _png(figure: plt.Figure, simulated_label: str | None) -> bytes:
    if simulated_label:
        figure.text(0.99, 0.01, simulated_label, ha="right", va="bottom", fontsize=FONT_SIZE - 2, color="#b8860b")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=144, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _date_axis(axes: plt.Axes, lang: str) -> None:
    """Ticks as "1 Nov" / "11月1日", a few of them."""

    def label(value: float, _position: object) -> str:
        date = mdates.num2date(value)
        return f"{date.month}月{date.day}日" if lang == "ja" else f"{date.day} {MONTHS[date.month - 1]}"

    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    axes.xaxis.set_major_formatter(FuncFormatter(label))


def _formatter(function: Callable[[float], str]) -> FuncFormatter:
    return FuncFormatter(lambda value, _position: function(value))


def index_chart(
    indexes: dict[str, pd.DataFrame],
    labels: dict[str, str],
    title: str,
    ylabel: str,
    lang: str = "en",
    simulated_label: str | None = None,
) -> bytes:
    _setup()
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    for area, table in indexes.items():
        x = pd.to_datetime(table["week_end"])
        colour = COLOURS.get(area)
        axes.plot(x, table["index"], marker="o", markersize=4, linewidth=2, color=colour, label=labels.get(area, area))
        axes.fill_between(x, table["low"], table["high"], color=colour, alpha=0.12)
    axes.axhline(100, color="#888", linewidth=0.8)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=FONT_SIZE - 2, ncol=2)
    _date_axis(axes, lang)
    return _png(figure, simulated_label)


def line_chart(
    series: dict[str, pd.Series],
    labels: dict[str, str],
    title: str,
    ylabel: str,
    lang: str = "en",
    simulated_label: str | None = None,
) -> bytes:
    """Prices per m² (yen) drawn in 万円."""
    _setup()
    figure, axes = plt.subplots(figsize=(6.4, 4.4))
    for area, values in series.items():
        axes.plot(
            pd.to_datetime(values.index),
            values.to_numpy(),
            marker="o",
            markersize=4,
            linewidth=2,
            color=COLOURS.get(area),
            label=labels.get(area, area),
        )
    axes.yaxis.set_major_formatter(_formatter(lambda value: f"{value / 10_000:,.0f}"))
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=FONT_SIZE - 2)
    _date_axis(axes, lang)
    return _png(figure, simulated_label)


def bar_chart(
    areas: list[str],
    labels: dict[str, str],
    groups: dict[str, list[float]],
    title: str,
    ylabel: str,
    simulated_label: str | None = None,
) -> bytes:
    """Bars per area in the area's colour, one shade per measure (``groups``: measure → a value per area)."""
    _setup()
    figure, axes = plt.subplots(figsize=(6.4, 4.0))
    width = 0.8 / max(len(groups), 1)
    shades = (1.0, 0.6, 0.3)
    for i, (name, values) in enumerate(groups.items()):
        positions = [c + i * width for c in range(len(areas))]
        alpha = shades[i % len(shades)]
        axes.bar(positions, values, width=width, color=[COLOURS.get(a, "#888") for a in areas], alpha=alpha)
        axes.bar([0], [0], width=0, color="#555", alpha=alpha, label=name)  # the legend's swatch for the measure
    axes.set_xticks([c + width * (len(groups) - 1) / 2 for c in range(len(areas))], [labels[a] for a in areas])
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(frameon=False, fontsize=FONT_SIZE - 2)
    return _png(figure, simulated_label)
