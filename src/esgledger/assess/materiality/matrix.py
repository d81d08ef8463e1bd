"""The materiality matrix as a self-contained SVG, rendered on the server: impact (y) against
financial (x) on the assessment's scale, a numbered point per topic coloured by its class, a key
naming each number's topic with its two scores, and the two thresholds as dashed lines. Plain
shapes and text in the report charts' style (no script, no style attributes, so the pages' content
security policy needs nothing inline); every label is escaped here."""

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


POINT_RADIUS = 7.0  # [px] a numbered point
KEY_LINE = 15.0  # [px] a line of the key


def _spread(xy: tuple[float, float], placed: list[tuple[float, float]]) -> tuple[float, float]:
    """Where a point is drawn: at its place, or moved right in steps of a point's width while it
    would cover a point already drawn (topics with the same scores stay readable; the numbers and
    the key, not the offsets, carry the values)."""
    x, y = xy
    while any(
        abs(x - px) < 2 * POINT_RADIUS and abs(y - py) < 2 * POINT_RADIUS for px, py in placed
    ):
        x += 2 * POINT_RADIUS
    placed.append((x, y))
    return x, y


def numbered(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The topics in the order they are numbered: by class (double, impact only, financial only,
    not material), then by impact and financial score, highest first, then by id."""
    order = {cls: n for n, cls in enumerate(CLASS_COLOURS)}

    def key(topic: str) -> tuple[int, float, float, str]:
        r = results[topic]
        return (order[r["class"]], -(r.get("impact") or 0.0), -(r.get("financial") or 0.0), topic)

    return sorted(results, key=key)


def matrix_svg(
    results: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    thresholds: Mapping[str, float],
    scale: Mapping[str, int],
    labels: Labels,
    width: int = 760,
    height: int = 480,
) -> str:
    """The SVG of ``results`` (topic -> ``impact``, ``financial``, ``class``): each topic a
    numbered point coloured by its class, and a key beside the plot listing the numbers with the
    topics' names in the chart language (``names``) and their scores, so that no label covers
    another however many topics share a corner. A topic without a score on an axis sits at the
    axis's minimum."""
    order = numbered(results)
    plot = min(height - 90, width - 330)  # a square plot, the key to its right
    left, top = 56, 40
    right, bottom = left + plot, top + plot
    low, high = float(scale["min"]) - 1 if scale["min"] > 0 else 0.0, float(scale["max"])
    key_x = right + 28
    height = max(height, int(top + 24 + (len(order) + len(CLASS_COLOURS) + 1) * KEY_LINE))
    keys = [f"{names.get(t, t)} 0.0 / 0.0" for t in order]  # the name and its two scores
    width = max(width, int(key_x + 20 + max(map(_key_width, keys), default=0) + 8))

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
        f'<text x="{(left + right) / 2:.1f}" y="{bottom + 36}" text-anchor="middle" '
        f'font-size="12" {FONT} fill="#1d2a30">{escape(labels.financial)}</text>',
        f'<text x="16" y="{(top + bottom) / 2:.1f}" text-anchor="middle" font-size="12" {FONT} '
        f'fill="#1d2a30" transform="rotate(-90 16 {(top + bottom) / 2:.1f})">'
        f"{escape(labels.impact)}</text>",
        f'<text x="{left}" y="22" font-size="14" font-weight="bold" {FONT} fill="#1d2a30">'
        f"{escape(labels.title)}</text>",
    ]
    placed: list[tuple[float, float]] = []
    # lowest points first, so that a moved point never hides a higher one's number
    drawn = sorted(
        enumerate(order, 1),
        key=lambda n_topic: (-y_of(results[n_topic[1]].get("impact")), n_topic[0]),
    )
    for number, topic in drawn:
        result = results[topic]
        colour = CLASS_COLOURS[result["class"]]
        name = escape(names.get(topic, topic))
        x, y = _spread((x_of(result.get("financial")), y_of(result.get("impact"))), placed)
        parts.append(
            f'<g class="point" data-topic="{escape(topic)}" data-class="{result["class"]}">'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS:g}" fill="{colour}">'
            f"<title>{number} {name}</title></circle>"
            f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="9" '
            f'font-weight="bold" {FONT} fill="#ffffff">{number}</text></g>'
        )
    y = top + 4
    for cls, colour in CLASS_COLOURS.items():
        parts.append(
            f'<circle cx="{key_x + 5}" cy="{y}" r="5" fill="{colour}"/>'
            f'<text x="{key_x + 15}" y="{y + 4}" font-size="11" {FONT} fill="#1d2a30">'
            f"{escape(labels.classes[cls])}</text>"
        )
        y += KEY_LINE
    y += KEY_LINE / 2
    for number, topic in enumerate(order, 1):
        result = results[topic]
        scores = f"{_score(result.get('impact'))} / {_score(result.get('financial'))}"
        parts.append(
            f'<text class="key" x="{key_x + 14}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="10" font-weight="bold" {FONT} fill="{CLASS_COLOURS[result["class"]]}">'
            f"{number}</text>"
            f'<text class="key" x="{key_x + 20}" y="{y + 4:.1f}" font-size="10" {FONT} '
            f'fill="#1d2a30">{escape(names.get(topic, topic))}'
            f'<tspan fill="#6b7a82"> {scores}</tspan></text>'
        )
        y += KEY_LINE
    parts.append("</svg>")
    return "".join(parts)


def _key_width(text: str) -> float:
    """A generous estimate of a key line's width at 10 px (a Chinese character a full em, other
    characters 0.62 em), so that the widest font a reader's system may substitute still fits."""
    return sum(10.0 if ord(char) >= 0x2E80 else 6.2 for char in text) + 2 * 6.2


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"
