"""Geometry of the dashboard's KPI trend charts (inline SVG bars, one per year).

Plain shapes and text only; the template draws them and escapes every label. No style attributes,
so that the pages' content security policy needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from esgledger.report.charts import nice_ticks
from esgledger.report.formatting import format_chart

WIDTH, HEIGHT = 300, 160
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 22, 24


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the year
    value: str  # the figure, above the bar
    current: bool


@dataclass
class TrendChart:
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)


def trend_chart(points: list[tuple[str, float | None]], current: str) -> TrendChart:
    """Bars of ``(period, value)``; a period without a value gets no bar but keeps its place."""
    chart = TrendChart()
    values = [v for _p, v in points if v is not None]
    top = nice_ticks(max([abs(v) for v in values] + [0.0]))[-1] if values else 1.0
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    width = min(slot * 0.6, 56)
    for i, (period, value) in enumerate(points):
        x = LEFT + i * slot + (slot - width) / 2
        height = 0.0 if value is None or top == 0 else abs(value) / top * plot_height
        chart.bars.append(
            Bar(
                x=round(x, 1),
                y=round(chart.baseline - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                label=period,
                value="–" if value is None else format_chart(value),
                current=period == current,
            )
        )
    return chart
