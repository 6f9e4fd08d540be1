"""The report's charts: matplotlib figures saved as SVG text and inlined in the page (no JavaScript, offline).

Texts stay text (``svg.fonttype: none``) so the browser draws them and the language switch can swap them: every
``<text>`` whose content is an English label gets a Chinese twin (classes ``lang-en`` / ``lang-zh``). Element ids
are prefixed per chart, so several SVGs can live in one page. Tick labels are numbers and ISO dates only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html import escape, unescape

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

matplotlib.use("Agg")

PALETTE = ["#1f6fb2", "#e07b39", "#3a9d5d", "#8e5cc2", "#c94f6d", "#6b7a8f", "#d4a72c"]
GOOD, BAD, MUTED = "#3a9d5d", "#c94f6d", "#9aa5b1"
RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ccw-report",
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e7ec",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#9aa5b1",
    "legend.frameon": False,
}
_TEXT = re.compile(r"<text\b([^>]*)>([^<]*)</text>")
_ID = re.compile(r'\bid="([^"]+)"')


def to_svg(fig: Figure, chart_id: str, translations: Mapping[str, str]) -> str:
    """The figure as an inline ``<svg>`` element with prefixed ids and bilingual texts."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = f"{chart_id}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    svg = re.sub(r"<svg\b", f'<svg class="chart" data-chart="{chart_id}" role="img"', svg, count=1)
    return _bilingual(svg, translations)


def _bilingual(svg: str, translations: Mapping[str, str]) -> str:
    def twin(match: re.Match[str]) -> str:
        attrs, content = match.group(1), match.group(2)
        zh = translations.get(unescape(content))
        if zh is None:
            return match.group(0)
        return f'<text class="lang-en"{attrs}>{content}</text><text class="lang-zh"{attrs}>{escape(zh)}</text>'

    return _TEXT.sub(twin, svg)


def _figure(width: float, height: float) -> tuple[Figure, object]:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), dpi=96)
        ax = fig.subplots()
    return fig, ax


def _date_axis(ax: object) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))


def sparkline(values: Sequence[float | None], color: str = PALETTE[0], target: float | None = None) -> Figure:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(2.4, 0.55), dpi=96)
        ax = fig.add_axes((0, 0, 1, 1))
    y = np.array([np.nan if v is None else v for v in values], dtype=float)
    ax.plot(np.arange(len(y)), y, color=color, linewidth=1.4)
    if len(y) and not np.isnan(y[-1]):
        ax.plot([len(y) - 1], [y[-1]], "o", color=color, markersize=3)
    if target is not None:
        ax.axhline(target, color=MUTED, linewidth=0.8, linestyle="--")
    ax.set_axis_off()
    return fig


def trend(
    dates: Sequence[object],
    series: Mapping[str, Sequence[float | None]],
    *,
    percent: bool = False,
    targets: Mapping[str, float | None] | None = None,
    ylabel: str | None = None,
    stacked: bool = False,
) -> Figure:
    """Daily lines (or a stacked area) per series, each target as a dashed line of the series' colour."""
    fig, ax = _figure(7.2, 2.6)
    x = mdates.date2num(list(dates))
    if stacked:
        ax.stackplot(x, *[np.asarray(v, dtype=float) for v in series.values()], labels=list(series),
                     colors=PALETTE[: len(series)], alpha=0.85)
    else:
        for i, (label, values) in enumerate(series.items()):
            ax.plot(x, np.asarray(values, dtype=float), label=label, color=PALETTE[i % len(PALETTE)], linewidth=1.5)
            target = (targets or {}).get(label)
            if target is not None:
                ax.axhline(target, color=PALETTE[i % len(PALETTE)], linewidth=0.9, linestyle="--", alpha=0.8)
    _date_axis(ax)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def heatmap(matrix: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str], *, xlabel: str,
            ylabel: str) -> Figure:
    """Cells as vector quads (pcolormesh), rows top to bottom in the given order."""
    fig, ax = _figure(7.2, 2.6)
    ax.grid(False)
    mesh = ax.pcolormesh(matrix, cmap="Blues", edgecolors="white", linewidth=0.4)
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, labels=list(row_labels))
    ax.set_xticks(np.arange(0, len(col_labels), 2) + 0.5, labels=list(col_labels)[::2])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.01)
    return fig


def quadrant(x: Sequence[float], y: Sequence[float], *, x_ref: float, y_ref: float, xlabel: str,
             ylabel: str) -> Figure:
    """Scatter with reference lines; the better quadrant (short AHT, high CSAT) is shaded."""
    fig, ax = _figure(5.2, 3.4)
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ax.axvspan(min(xs.min(), x_ref) * 0.95, x_ref, ymin=0, ymax=1, color=GOOD, alpha=0.06)
    colors = [GOOD if (a <= x_ref and b >= y_ref) else BAD if (a > x_ref and b < y_ref) else PALETTE[0]
              for a, b in zip(xs, ys, strict=True)]
    ax.scatter(xs, ys, c=colors, s=22, alpha=0.85, edgecolors="white", linewidths=0.5)
    ax.axvline(x_ref, color=MUTED, linestyle="--", linewidth=0.9)
    ax.axhline(y_ref, color=MUTED, linestyle="--", linewidth=0.9)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def pareto(labels: Sequence[str], volumes: Sequence[float], *, ylabel: str, cumulative_label: str) -> Figure:
    fig, ax = _figure(7.2, 3.0)
    v = np.asarray(volumes, dtype=float)
    positions = np.arange(len(v))
    ax.bar(positions, v, color=PALETTE[0], label=ylabel)
    ax.set_xticks(positions, labels=list(labels), rotation=35, ha="right")
    ax.set_ylabel(ylabel)
    share = ax.twinx()
    share.plot(positions, np.cumsum(v) / v.sum(), color=PALETTE[1], marker="o", markersize=3, label=cumulative_label)
    share.axhline(0.8, color=MUTED, linestyle=":", linewidth=0.9)
    share.set_ylim(0, 1.05)
    share.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    share.grid(False)
    share.spines["right"].set_visible(True)
    share.set_ylabel(cumulative_label)
    return fig


def grouped_bars(categories: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
                 highlight_last: bool = True) -> Figure:
    """Bars per category and series (percentages); the last category (a baseline) hatched."""
    fig, ax = _figure(7.2, 2.8)
    width = 0.8 / max(len(series), 1)
    positions = np.arange(len(categories))
    for i, (label, values) in enumerate(series.items()):
        v = np.array([np.nan if x is None else x for x in values], dtype=float)
        bars = ax.bar(positions + (i - (len(series) - 1) / 2) * width, v, width, label=label,
                      color=PALETTE[i % len(PALETTE)])
        if highlight_last and len(bars):
            bars[-1].set_hatch("///")
            bars[-1].set_edgecolor("white")
    ax.set_xticks(positions, labels=list(categories))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def forecast_lines(x: Sequence[object], forecast: Sequence[float], *, actual: Sequence[float] | None = None,
                   lower: Sequence[float] | None = None, upper: Sequence[float] | None = None,
                   labels: Mapping[str, str]) -> Figure:
    fig, ax = _figure(7.2, 2.6)
    xs = mdates.date2num(list(x))
    if lower is not None and upper is not None:
        ax.fill_between(xs, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float), color=PALETTE[0],
                        alpha=0.15, linewidth=0, label=labels["band"])
    ax.plot(xs, np.asarray(forecast, dtype=float), color=PALETTE[0], linewidth=1.3, label=labels["forecast"])
    if actual is not None:
        ax.plot(xs, np.asarray(actual, dtype=float), color=PALETTE[1], linewidth=1.1, label=labels["actual"])
    _date_axis(ax)
    ax.set_ylabel(labels["ylabel"])
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def gap_bars(x: Sequence[object], gap: Sequence[float], *, ylabel: str) -> Figure:
    fig, ax = _figure(7.2, 2.4)
    xs = mdates.date2num(list(x))
    g = np.nan_to_num(np.asarray(gap, dtype=float))
    ax.bar(xs, g, width=1 / 48 * 0.9, color=[GOOD if v >= 0 else BAD for v in g])
    ax.axhline(0, color="#333", linewidth=0.6)
    _date_axis(ax)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}" if v else "0"))
    return fig
