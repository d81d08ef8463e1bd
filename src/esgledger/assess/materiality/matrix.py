"""The materiality matrix as a self-contained SVG, rendered on the server: impact (y) against
financial (x) on the assessment's scale, a labelled point per topic coloured by its class, and the
two thresholds as dashed lines. Plain shapes and text in the report charts' style (no script, no
style attributes, so the pages' content security policy needs nothing inline); every label is
escaped here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

CLASS_COLOURS = {
    "double": "#1f4e5f",
    "impact_only": "#3a7563",
    "financial_only": "#c07a2c",
    "not_material": "#9aa5ab",
}
FONT = "font-family=\"'Noto Sans', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif\""


@dataclass(frozen=True)
class Labels:
    """The chart's words in one language."""

    title: str
    impact: str
    financial: str
    threshold: str
    classes: Mapping[str, str]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


LABEL_HEIGHT = 11.0  # [px] a label's line
LABEL_WIDTH = 110.0  # [px] labels closer than this across may collide


def _free_row(placed: list[tuple[float, float]], x: float, y: float) -> float:
    """The first label baseline at or below ``y`` that no label already placed near ``x``
    overlaps; the choice is recorded in ``placed``."""
    while any(abs(x - px) < LABEL_WIDTH and abs(y - py) < LABEL_HEIGHT for px, py in placed):
        y += LABEL_HEIGHT
    placed.append((x, y))
    return y


def matrix_svg(
    results: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    thresholds: Mapping[str, float],
    scale: Mapping[str, int],
    labels: Labels,
    width: int = 560,
    height: int = 460,
) -> str:
    """The SVG of ``results`` (topic -> ``impact``, ``financial``, ``class``); a topic without a
    score on an axis sits at the axis's minimum. ``names``: topic labels in the chart language."""
    left, right, top, bottom = 56, width - 150, 40, height - 50
    low, high = float(scale["min"]) - 1 if scale["min"] > 0 else 0.0, float(scale["max"])

    def x_of(value: float | None) -> float:
        v = low if value is None else value
        return left + (v - low) / (high - low) * (right - left)

    def y_of(value: float | None) -> float:
        v = low if value is None else value
        return bottom - (v - low) / (high - low) * (bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart matrix" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" aria-label="{escape(labels.title)}">',
        f"<title>{escape(labels.title)}</title>",
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
        'fill="#f7f9fa" stroke="#c9d3d8"/>',
    ]
    for tick in range(int(low), int(high) + 1):
        parts.append(
            f'<text x="{x_of(tick):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
            f'{FONT} fill="#44545c">{tick}</text>'
            f'<text x="{left - 8}" y="{y_of(tick) + 4:.1f}" text-anchor="end" font-size="11" '
            f'{FONT} fill="#44545c">{tick}</text>'
        )
    tx, ty = x_of(thresholds["financial"]), y_of(thresholds["impact"])
    parts += [
        f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{bottom}" stroke="#b23b3b" '
        'stroke-dasharray="5 4" class="threshold financial"/>',
        f'<line x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" stroke="#b23b3b" '
        'stroke-dasharray="5 4" class="threshold impact"/>',
        f'<text x="{tx + 4:.1f}" y="{top + 12}" font-size="10" {FONT} fill="#b23b3b">'
        f"{escape(labels.threshold)} {_num(thresholds['financial'])}</text>",
        f'<text x="{right - 4}" y="{ty - 4:.1f}" text-anchor="end" font-size="10" {FONT} '
        f'fill="#b23b3b">{escape(labels.threshold)} {_num(thresholds["impact"])}</text>',
        f'<text x="{(left + right) / 2:.1f}" y="{height - 14}" text-anchor="middle" '
        f'font-size="12" {FONT} fill="#1d2a30">{escape(labels.financial)}</text>',
        f'<text x="16" y="{(top + bottom) / 2:.1f}" text-anchor="middle" font-size="12" {FONT} '
        f'fill="#1d2a30" transform="rotate(-90 16 {(top + bottom) / 2:.1f})">'
        f"{escape(labels.impact)}</text>",
        f'<text x="{left}" y="22" font-size="14" font-weight="bold" {FONT} fill="#1d2a30">'
        f"{escape(labels.title)}</text>",
    ]
    points = sorted(
        (
            (topic, x_of(r.get("financial")), y_of(r.get("impact")), r)
            for topic, r in results.items()
        ),
        key=lambda p: (p[2], p[1], p[0]),
    )
    placed: list[tuple[float, float]] = []
    for topic, x, y, result in points:
        colour = CLASS_COLOURS[result["class"]]
        name = escape(names.get(topic, topic))
        label_y = _free_row(placed, x, y + 4)
        leader = (
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 6:.1f}" y2="{label_y - 4:.1f}" '
            'stroke="#9aa5ab" stroke-width="0.6"/>'
            if abs(label_y - (y + 4)) > 1
            else ""
        )
        parts.append(
            f'<g class="point" data-topic="{escape(topic)}" data-class="{result["class"]}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"><title>{name}</title></circle>'
            f'{leader}<text x="{x + 7:.1f}" y="{label_y:.1f}" font-size="10" {FONT} '
            f'fill="#1d2a30">{name}</text></g>'
        )
    for n, (cls, colour) in enumerate(CLASS_COLOURS.items()):
        y = top + 10 + n * 20
        parts.append(
            f'<circle cx="{right + 24}" cy="{y}" r="5" fill="{colour}"/>'
            f'<text x="{right + 34}" y="{y + 4}" font-size="11" {FONT} fill="#1d2a30">'
            f"{escape(labels.classes[cls])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
