"""Geometry of the report's inline SVG charts; the template draws it and escapes every label.

Charts are plain shapes and text (no script, no external font): a stacked bar chart of Scope 1 and
Scope 2 emissions over the report years, and horizontal bars of the energy mix of the report year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from esgledger.report.formatting import format_chart, format_share

SCOPE_COLOURS = ("#1f4e5f", "#8fb3bf")
MIX_COLOUR = "#3a7563"


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str = ""


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    css: str = ""


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = ""


@dataclass
class Chart:
    width: int
    height: int
    title: str
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (steps of 1, 2, 2.5 or 5 x 10^k)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(maximum / step - 1e-9)
    return [i * step for i in range(count + 1)]


def line_ticks(values: list[float], target: int = 5) -> list[float]:
    """Ticks of a line chart's value axis: from 0 while the values spread over more than half of
    their largest (or cross 0), else from a round value below the smallest, so that lines which
    move a few per cent a year (intensities against a trajectory) are told apart. Bars always
    start at 0 (:func:`nice_ticks`); a line's reader reads positions, not lengths."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    if low <= 0 or high <= 0 or low < high / 2:
        return nice_ticks(high, target)
    spread = nice_ticks(high - low, target - 1)
    step = spread[1] - spread[0]
    first = math.floor(low / step - 1e-9) * step
    if low - first < step / 5:  # keep the lowest point off the axis line
        first -= step
    count = math.ceil((high - first) / step - 1e-9)
    return [round(first + i * step, 10) for i in range(max(count, 1) + 1)]


def scope_chart(
    years: list[str], scope1: list[float | None], scope2: list[float | None], labels: dict[str, str]
) -> Chart:
    """Stacked bars per year: Scope 1 at the base, Scope 2 (location-based) above, total on top.

    ``labels``: ``title``, ``scope1``, ``scope2``, ``unit``, ``year``, ``no_data``.
    """
    width, height = 460, 340
    left, right, top, bottom = 84, width - 12, 66, height - 50
    chart = Chart(width, height, labels["title"])
    totals = [(a or 0.0) + (b or 0.0) for a, b in zip(scope1, scope2, strict=True)]
    ticks = nice_ticks(max(totals, default=0.0))
    top_value = ticks[-1]

    def y_of(value: float) -> float:
        return bottom - value / top_value * (bottom - top)

    for tick in ticks:
        y = y_of(tick)
        chart.lines.append(Line(left, y, right, y, "grid" if tick else "axis"))
        chart.texts.append(Text(left - 8, y + 4, format_chart(tick), "end", "tick"))
    chart.texts.append(Text(4, top - 18, labels["unit"], "start", "axis-title"))
    chart.texts.append(
        Text((left + right) / 2, height - 12, labels["year"], "middle", "axis-title")
    )
    # legend
    for index, (name, colour) in enumerate(
        ((labels["scope1"], SCOPE_COLOURS[0]), (labels["scope2"], SCOPE_COLOURS[1]))
    ):
        x = left + index * 150
        chart.rects.append(Rect(x, 14, 12, 12, colour))
        chart.texts.append(Text(x + 18, 24, name, "start", "legend"))
    slot = (right - left) / max(1, len(years))
    bar_width = min(84.0, slot * 0.5)
    for index, year in enumerate(years):
        centre = left + slot * (index + 0.5)
        chart.texts.append(Text(centre, bottom + 20, year, "middle", "tick year"))
        if scope1[index] is None and scope2[index] is None:
            chart.texts.append(Text(centre, bottom - 8, labels["no_data"], "middle", "muted"))
            continue
        base = 0.0
        for value, colour, name in (
            (scope1[index], SCOPE_COLOURS[0], labels["scope1"]),
            (scope2[index], SCOPE_COLOURS[1], labels["scope2"]),
        ):
            if not value:
                continue
            y_top, y_base = y_of(base + value), y_of(base)
            chart.rects.append(
                Rect(
                    centre - bar_width / 2,
                    y_top,
                    bar_width,
                    y_base - y_top,
                    colour,
                    f"{name} {year}: {format_chart(value)}",
                )
            )
            if y_base - y_top >= 18:
                css = "inbar dark" if colour == SCOPE_COLOURS[0] else "inbar"
                chart.texts.append(
                    Text(centre, (y_top + y_base) / 2 + 4, format_chart(value), "middle", css)
                )
            base += value
        chart.texts.append(Text(centre, y_of(base) - 7, format_chart(base), "middle", "total"))
    return chart


def mix_chart(items: list[tuple[str, float]], title: str, unit: str) -> Chart:
    """Horizontal bars of each carrier's share of the total, largest first, labelled with the share
    and the quantity in ``unit``."""
    items = sorted((item for item in items if item[1] > 0), key=lambda item: -item[1])
    total = sum(value for _name, value in items)
    row, top = 30, 8
    width, label_right, bar_left, bar_max = 460, 172, 180, 130
    chart = Chart(width, top * 2 + row * max(1, len(items)), title)
    for index, (name, value) in enumerate(items):
        share = value / total if total else 0.0
        y = top + index * row
        length = max(1.5, bar_max * share)
        chart.rects.append(
            Rect(bar_left, y + 5, length, row - 12, MIX_COLOUR, f"{name}: {format_share(share)}")
        )
        chart.texts.append(Text(label_right, y + row / 2 + 4, name, "end", "label"))
        chart.texts.append(
            Text(bar_left + length + 6, y + row / 2 + 4, format_share(share), "start", "share")
        )
        chart.texts.append(
            Text(width - 4, y + row / 2 + 4, f"{format_chart(value)} {unit}", "end", "value")
        )
    chart.lines.append(Line(bar_left, top, bar_left, top + row * max(1, len(items)), "axis"))
    return chart
