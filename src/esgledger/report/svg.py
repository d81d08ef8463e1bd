"""Charts as self-contained SVG strings: inline presentation attributes (no stylesheet needed, so
the same string prints in the HTML report, the PDF and a slide), a ``<title>`` and a ``<desc>``
for screen readers (WCAG 2.1 SC 1.1.1, non-text content), CJK-capable fonts, and every label
escaped. Text widths are estimated (a CJK glyph is one em, a Latin glyph about 0.58 em) so that
the chart kinds can lay labels out without overlap."""

from __future__ import annotations

from html import escape

from esgledger.report.charts import Chart

FONT = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Helvetica Neue', Arial, sans-serif"
)
INK, MUTED, GRID, AXIS = "#1c2b33", "#5d6b73", "#e3e9ec", "#60747d"
PALETTE = ("#1f4e5f", "#8fb3bf", "#3a7563", "#c58b3a", "#7d5a8c", "#b5c99a", "#a64d4d", "#6b7f8c")

# css class -> (font size, fill, weight)
TEXT_STYLES: dict[str, tuple[float, str, str]] = {
    "tick": (11, MUTED, "normal"),
    "year": (12, INK, "bold"),
    "axis-title": (11, MUTED, "normal"),
    "legend": (12, INK, "normal"),
    "label": (11.5, INK, "normal"),
    "total": (12, INK, "bold"),
    "inbar": (11, "#12303a", "bold"),
    "inbar dark": (11, "#ffffff", "bold"),
    "share": (11.5, INK, "bold"),
    "value": (11.5, MUTED, "normal"),
    "muted": (11.5, "#9aa7ad", "normal"),
    "title": (14, INK, "bold"),
    "point": (10.5, INK, "normal"),
}


def text_width(text: str, size: float) -> float:
    """An estimate of the width of ``text`` at font ``size`` (px)."""
    width = 0.0
    for char in text:
        if ord(char) >= 0x2E80:
            width += size
        elif char in "il.,:;'|!":
            width += size * 0.3
        elif char.isupper() or char in "mw%":
            width += size * 0.72
        else:
            width += size * 0.56
    return width


def to_svg(
    chart: Chart, desc: str, ident: str, paths: list[tuple[str, str, bool]] | None = None
) -> str:
    """``chart`` as an SVG string; ``ident`` makes its title and desc ids unique in a page;
    ``paths``: polylines (points "x,y x,y", colour, dashed)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="{chart.width}" height="{chart.height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" class="svg-chart" font-family="{escape(FONT)}">',
        f'<title id="{ident}-t">{escape(chart.title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    for line in chart.lines:
        colour, width = (GRID, 1) if line.css == "grid" else (AXIS, 1)
        dash = ' stroke-dasharray="4 3"' if "dashed" in line.css else ""
        out.append(
            f'<line x1="{line.x1:.1f}" y1="{line.y1:.1f}" x2="{line.x2:.1f}" y2="{line.y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"{dash}/>'
        )
    for rect in chart.rects:
        tip = f"<title>{escape(rect.title)}</title>" if rect.title else ""
        out.append(
            f'<rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{max(rect.width, 0):.1f}" '
            f'height="{max(rect.height, 0):.1f}" fill="{rect.fill}">{tip}</rect>'
        )
    for points, colour, dashed in paths or []:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    for text in chart.texts:
        size, fill, weight = TEXT_STYLES.get(text.css, (11.5, INK, "normal"))
        out.append(
            f'<text x="{text.x:.1f}" y="{text.y:.1f}" text-anchor="{text.anchor}" '
            f'font-size="{size}" fill="{fill}" font-weight="{weight}">{escape(text.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
