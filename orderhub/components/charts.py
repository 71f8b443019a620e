"""Pure geometry for the server-rendered SVG charts (components/bar_chart.html.jinja and
components/line_chart.html.jinja). No DB, no HTTP; numbers and dates are formatted for the page's
language. The SVG carries classes only (the CSP forbids inline styles), so colours come from CSS.

Why not a charting library: pygal 3.1.3 (the well-kept option) embeds a <style> element, an inline
<script> and a style= attribute in every chart even with js=[] and css=[]; all three are refused
by our Content-Security-Policy, and it has no data-table fallback. These small templates draw
bars and lines with classes and ship the data table that screen readers and keyboard users need.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from orderhub.components.i18n import BABEL_LOCALES, current_language


def _locale() -> str:
    return BABEL_LOCALES[current_language()]


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=_locale())


def short_date(day: dt.date) -> str:
    return format_skeleton("MMMd", day, locale=_locale())


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    exp = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10 ** exp
        if candidate >= value:
            return int(candidate) if candidate == int(candidate) else candidate
    return cast(float, 10 ** (exp + 1))  # pragma: no cover


def fit(text: str, width_px: float, font_px: float = 13) -> str:
    """`text` cut with an ellipsis to about `width_px` (wide CJK characters count as one em, others half)."""
    budget = width_px / font_px * 2  # in half-em units
    used = 0.0
    out: list[str] = []
    for ch in text:
        cost = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.15
        if used + cost > budget:
            return "".join(out).rstrip() + "…"
        used += cost
        out.append(ch)
    return text


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    display: str
    y: float
    width: float
    text_x: float
    #: the label as it fits left of the bars
    short: str = ""


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: float
    bars: list[Bar]
    total: str


def bar_chart(items: list[tuple[str, int | float]], *, width: int = 560, row: int = 34,
              label_width: int = 190) -> BarChart:
    """Horizontal bars (one per category), longest = the plot's width; values printed at the bar's end."""
    plot = width - label_width - 56
    top = max([v for _, v in items] or [0]) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        w = max(2.0, plot * value / top) if value else 0.0
        bars.append(Bar(label, value, number(value), i * row, round(w, 1), round(label_width + w + 8, 1),
                        fit(label, label_width - 14)))
    return BarChart(width, max(row, row * len(items)), label_width, row - 12, bars,
                    number(sum(v for _, v in items)))


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    display: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    #: polyline "x,y x,y ..." per unbroken run of values
    segments: list[str]
    #: area under the line (only for charts starting at zero), one polygon per segment
    areas: list[str]
    points: list[Point]
    ticks: list[Tick]
    x_labels: list[tuple[float, str, str]] = field(default_factory=list)
    zero_y: float | None = None
    #: every (x label, formatted value) for the data table
    rows: list[tuple[str, str]] = field(default_factory=list)


def line_chart(series: list[tuple[str, int | float | None]], *, lo: float | None = 0, hi: float | None = None,
               width: int = 600, height: int = 200, dots: bool | None = None) -> LineChart:
    """One line through `series` [(x label, value or None)], a gap where a value is None.
    `lo`/`hi` fix the value axis (NPS: -100..100); by default it runs from 0 to a round maximum."""
    left, right, top, bottom = 48, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in series if v is not None]
    low = lo if lo is not None else min(values or [0])
    high = hi if hi is not None else nice_max(max(values or [0]))
    span = (high - low) or 1
    n = len(series)
    step = plot_w / (n - 1) if n > 1 else 0
    x_of: Callable[[int], float] = lambda i: round(left + (i * step if n > 1 else plot_w / 2), 1)  # noqa: E731
    y_of: Callable[[float], float] = lambda v: round(top + plot_h * (1 - (v - low) / span), 1)  # noqa: E731
    points: list[Point] = []
    segments: list[str] = []
    areas: list[str] = []
    run: list[tuple[float, float]] = []
    base_y = y_of(max(low, 0) if low <= 0 <= high else low)

    def close_run() -> None:
        if run:
            segments.append(" ".join(f"{x},{y}" for x, y in run))
            if lo == 0:
                areas.append(" ".join([f"{run[0][0]},{base_y}", *(f"{x},{y}" for x, y in run), f"{run[-1][0]},{base_y}"]))
            run.clear()

    for i, (label, value) in enumerate(series):
        if value is None:
            close_run()
            continue
        x, y = x_of(i), y_of(value)
        run.append((x, y))
        points.append(Point(x, y, label, number(value)))
    close_run()
    if dots is None:
        dots = n <= 16
    mid = (low + high) / 2
    ticks = [Tick(y_of(v), number(int(v) if v == int(v) else v)) for v in (high, mid, low)]
    picks = sorted({0, n // 2, n - 1}) if n > 2 else list(range(n))
    anchors = {0: "start", n - 1: "end"}
    x_labels = [(x_of(i), series[i][0], anchors.get(i, "middle")) for i in picks]
    return LineChart(width, height, left, right, top, bottom, segments, areas, points if dots else [], ticks,
                     x_labels, y_of(0) if low < 0 < high else None, [(label, number(v)) for label, v in series])
