"""The chart kinds the full report draws (geometry only; :mod:`esgledger.report.svg` writes the
SVG): horizontal stacked bars (categories with long names: entities, sources, treatments),
vertical stacked columns (a few years), and lines (a trajectory against actuals, a trend). Each
places its legend above the plot and sizes its label column from the longest label, so that no
two labels overlap."""

from __future__ import annotations

from esgledger.report.charts import Chart, Line, Rect, Text, line_ticks, nice_ticks
from esgledger.report.formatting import format_chart, format_share
from esgledger.report.svg import PALETTE, text_width

Series = tuple[str, list[float | None]]  # a name and one value per category or x


def _legend(chart: Chart, names: list[str], left: float, y: float) -> float:
    """Legend entries left to right, wrapping at the chart's width; the y below it."""
    x = left
    for index, name in enumerate(names):
        width = 18 + text_width(name, 12) + 16
        if x + width > chart.width - 8 and x > left:
            x, y = left, y + 18
        chart.rects.append(Rect(x, y - 10, 12, 12, PALETTE[index % len(PALETTE)]))
        chart.texts.append(Text(x + 17, y, name, "start", "legend"))
        x += width
    return y + 14


def hbars(
    title: str, categories: list[str], series: list[Series], unit: str, shares: bool = False
) -> Chart:
    """One bar per category, its series stacked, the total at the bar's end (with its share of
    the sum of the bars when ``shares``)."""
    label_width = min(220.0, max((text_width(c, 11.5) for c in categories), default=40) + 8)
    width, row = 560, 26
    chart = Chart(width, 0, title)
    top = _legend(chart, [name for name, _values in series], 8, 18) if len(series) > 1 else 12
    left = label_width + 12
    totals = [
        sum(v or 0.0 for _n, values in series for v in [values[i]]) for i in range(len(categories))
    ]
    whole = sum(totals)
    ends = [
        format_chart(t) + (f" ({format_share(t / whole)})" if shares and whole else "")
        for t in totals
    ]
    value_room = max((text_width(end, 11.5) for end in ends), default=30) + 12
    right = width - value_room
    ticks = nice_ticks(max(totals, default=0.0))
    scale = (right - left) / ticks[-1]
    for index, category in enumerate(categories):
        y = top + index * row
        chart.texts.append(Text(left - 8, y + row / 2 + 4, category, "end", "label"))
        x = left
        for number, (name, values) in enumerate(series):
            value = values[index] or 0.0
            if value <= 0:
                continue
            length = value * scale
            colour = PALETTE[number % len(PALETTE)]
            chart.rects.append(
                Rect(
                    x, y + 4, length, row - 8, colour, f"{category}, {name}: {format_chart(value)}"
                )
            )
            x += length
        chart.texts.append(Text(x + 5, y + row / 2 + 4, ends[index], "start", "value"))
    bottom = top + row * max(1, len(categories))
    chart.lines.append(Line(left, top, left, bottom, "axis"))
    free_from = -1.0  # the x where the last tick label ended: labels never overlap
    for tick in ticks:
        x = left + tick * scale
        chart.lines.append(Line(x, bottom, x, bottom + 4, "axis"))
        label = format_chart(tick)
        half = text_width(label, 11) / 2
        if x - half > free_from + 6:
            chart.texts.append(Text(x, bottom + 16, label, "middle", "tick"))
            free_from = x + half
    chart.texts.append(Text(right, bottom + 32, unit, "end", "axis-title"))
    chart.height = int(bottom + 40)
    return chart


def columns(
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str,
    *,
    grouped: bool = False,
    footer: tuple[str, list[str]] | None = None,
) -> Chart:
    """Columns per category (years): stacked, each segment labelled when it has room, or side by
    side (``grouped``) each with its value; ``footer``: a labelled row of texts under the years
    (a rate in another unit)."""
    if grouped:
        return _grouped(title, categories, series, unit, footer)
    width, height = 560, 320
    chart = Chart(width, height, title)
    top = _legend(chart, [name for name, _values in series], 8, 18) + 20
    left, right, bottom = 72, width - 12, height - 34
    totals = [sum(values[i] or 0.0 for _n, values in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0.0))

    def y_of(value: float) -> float:
        return bottom - value / ticks[-1] * (bottom - top)

    for tick in ticks:
        chart.lines.append(Line(left, y_of(tick), right, y_of(tick), "grid" if tick else "axis"))
        chart.texts.append(Text(left - 6, y_of(tick) + 4, format_chart(tick), "end", "tick"))
    chart.texts.append(Text(8, top - 10, unit, "start", "axis-title"))
    slot = (right - left) / max(1, len(categories))
    bar = min(64.0, slot * 0.55)
    for index, category in enumerate(categories):
        centre = left + slot * (index + 0.5)
        chart.texts.append(Text(centre, bottom + 18, category, "middle", "year"))
        base = 0.0
        for number, (name, values) in enumerate(series):
            value = values[index] or 0.0
            if value <= 0:
                continue
            y_top, y_base = y_of(base + value), y_of(base)
            colour = PALETTE[number % len(PALETTE)]
            chart.rects.append(
                Rect(
                    centre - bar / 2,
                    y_top,
                    bar,
                    y_base - y_top,
                    colour,
                    f"{name} {category}: {format_chart(value)}",
                )
            )
            label = format_chart(value)
            if len(series) > 1 and y_base - y_top >= 16 and text_width(label, 11) < bar - 2:
                css = "inbar dark" if number % 2 == 0 else "inbar"
                chart.texts.append(Text(centre, (y_top + y_base) / 2 + 4, label, "middle", css))
            base += value
        if base > 0:
            chart.texts.append(Text(centre, y_of(base) - 6, format_chart(base), "middle", "total"))
    return chart


def lines(
    title: str, xs: list[int], series: list[tuple[str, list[float | None], bool]], unit: str
) -> tuple[Chart, list[tuple[str, str, bool]]]:
    """Lines over years (``series``: name, a value per x or None, dashed); the chart and its
    polylines. Points carry their value as a tooltip; the last point of each line is labelled."""
    width, height = 560, 300
    chart = Chart(width, height, title)
    top = _legend(chart, [name for name, _v, _d in series], 8, 18) + 20
    left, right, bottom = 72, width - 64, height - 34
    present = [v for _n, values, _d in series for v in values if v is not None]
    ticks = line_ticks(present)

    def y_of(value: float) -> float:
        return bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    span = max(1, xs[-1] - xs[0]) if xs else 1

    def x_of(year: int) -> float:
        return left + (year - xs[0]) / span * (right - left)

    for tick in ticks:
        kind = "axis" if tick == ticks[0] else "grid"
        chart.lines.append(Line(left, y_of(tick), right, y_of(tick), kind))
        chart.texts.append(Text(left - 6, y_of(tick) + 4, format_chart(tick), "end", "tick"))
    chart.texts.append(Text(8, top - 10, unit, "start", "axis-title"))
    step = max(1, round(len(xs) / 8))
    for index, year in enumerate(xs):
        if index % step == 0 or index == len(xs) - 1:
            chart.texts.append(Text(x_of(year), bottom + 18, str(year), "middle", "tick"))
    paths: list[tuple[str, str, bool]] = []
    drawn: list[list[tuple[float, float]]] = []
    for number, (name, values, dashed) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = [
            (x_of(x), y_of(v), v, x) for x, v in zip(xs, values, strict=True) if v is not None
        ]
        if len(points) > 1:
            paths.append((" ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _x in points), colour, dashed))
        for x, y, value, year in points:
            chart.rects.append(
                Rect(x - 3, y - 3, 6, 6, colour, f"{name} {year}: {format_chart(value)}")
            )
        drawn.append([(x, y) for x, y, _v, _year in points])
    _end_labels(chart, drawn, [[v for v in values if v is not None] for _n, values, _d in series])
    return chart, paths


def _line_at(points: list[tuple[float, float]], x: float) -> float | None:
    """The y of a polyline at ``x``, None where the line does not reach."""
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if x1 <= x <= x2:
            return y1 + (y2 - y1) * (x - x1) / ((x2 - x1) or 1.0)
    return points[0][1] if len(points) == 1 and abs(points[0][0] - x) < 1 else None


def _end_labels(
    chart: Chart, lines: list[list[tuple[float, float]]], values: list[list[float]]
) -> None:
    """The value of each line's last point: to its right when no other line passes there, else
    above or below the point, on the side away from the other lines; a value already written at
    the same point (two lines ending together) is not written twice."""
    written: list[tuple[float, float, str]] = []
    for number, points in enumerate(lines):
        if not points:
            continue
        x, y = points[-1]
        text = format_chart(values[number][-1])
        if any(abs(x - wx) < 1 and abs(y - wy) < 1 and text == wt for wx, wy, wt in written):
            continue
        near = [
            at
            for other, line in enumerate(lines)
            if other != number
            for at in (_line_at(line, x), _line_at(line, x + 7 + text_width(text, 11) / 2))
            if at is not None and abs(at - y) < 18
        ]
        near += [wy for wx, wy, _t in written if abs(wx - x) < 40 and abs(wy - y) < 18]
        if not near:
            chart.texts.append(Text(x + 7, y + 4, text, "start", "point"))
        elif all(at >= y for at in near):  # the others run below: write above the point
            chart.texts.append(Text(x, y - 9, text, "middle", "point"))
        else:
            chart.texts.append(Text(x, y + 17, text, "middle", "point"))
        written.append((x, y, text))


def _grouped(
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str,
    footer: tuple[str, list[str]] | None,
) -> Chart:
    width, height = 560, 340 if footer else 320
    chart = Chart(width, height, title)
    top = _legend(chart, [name for name, _values in series], 8, 18) + 20
    left, right = 72, width - 12
    bottom = height - (54 if footer else 34)
    peak = max((v or 0.0 for _n, values in series for v in values), default=0.0)
    ticks = nice_ticks(peak)

    def y_of(value: float) -> float:
        return bottom - value / ticks[-1] * (bottom - top)

    for tick in ticks:
        chart.lines.append(Line(left, y_of(tick), right, y_of(tick), "grid" if tick else "axis"))
        chart.texts.append(Text(left - 6, y_of(tick) + 4, format_chart(tick), "end", "tick"))
    chart.texts.append(Text(8, top - 10, unit, "start", "axis-title"))
    slot = (right - left) / max(1, len(categories))
    bar = min(40.0, slot * 0.7 / max(1, len(series)))
    for index, category in enumerate(categories):
        centre = left + slot * (index + 0.5)
        chart.texts.append(Text(centre, bottom + 18, category, "middle", "year"))
        start = centre - bar * len(series) / 2
        for number, (name, values) in enumerate(series):
            value = values[index]
            x = start + number * bar
            if value is None:
                continue
            colour = PALETTE[number % len(PALETTE)]
            chart.rects.append(
                Rect(
                    x + 1, y_of(value), bar - 2, bottom - y_of(value), colour, f"{name} {category}"
                )
            )
            chart.texts.append(
                Text(x + bar / 2, y_of(value) - 4, format_chart(value), "middle", "point")
            )
        if footer is not None:
            chart.texts.append(Text(centre, bottom + 38, footer[1][index], "middle", "value"))
    if footer is not None:
        chart.texts.append(Text(8, bottom + 38, footer[0], "start", "axis-title"))
    return chart
