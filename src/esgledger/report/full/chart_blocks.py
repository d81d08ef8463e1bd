"""The charts the outline's ``chart`` blocks and ``{{ chart(...) }}`` placeholders can name.

The figures helper's registry (``esgledger.report.chart_catalogue.CHARTS``, each
``render(data, strings) -> SVG | None``) is used when present; until then the KPI report's two
charts (emissions by scope, energy mix) are adapted here."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from esgledger.report.full.data import FullData

# The charts' text styles inside the SVG itself: WeasyPrint's SVG renderer does not apply the
# document's stylesheet to inline SVG, so without them labels print at 16 px and are clipped.
SVG_STYLE = (
    "<style>text{font-family:'Noto Sans','Noto Sans CJK SC',sans-serif;font-size:12px;"
    "fill:#1c2429}.tick,.axis-title{fill:#5d6b73}.year,.total{font-weight:600}"
    ".inbar{font-weight:600;fill:#12303a}.inbar.dark{fill:#fff}"
    "line.grid{stroke:#e3e8ea}line.axis{stroke:#8aa0a9}</style>"
)


def _svg(chart: object, caption: str) -> str:
    from esgledger.report.full.blocks import ENVIRONMENT

    module: Any = ENVIRONMENT.get_template("macros.html.j2").make_module()
    svg = str(module.svg(chart))
    at = svg.index(">", svg.index("<svg")) + 1
    svg = svg[:at] + SVG_STYLE + svg[at:]
    return svg + str(Markup('<p class="caption">{}</p>').format(caption))


def _scopes(data: FullData) -> str | None:
    context = data.context
    return _svg(context.scope_chart, context.scope_caption)


def _energy_mix(data: FullData) -> str | None:
    context = data.context
    if context.mix_chart is None:
        return None
    return _svg(context.mix_chart, context.mix_caption)


FALLBACK: dict[str, Callable[[FullData], str | None]] = {
    "emissions_by_scope": _scopes,
    "energy_mix": _energy_mix,
}


def chart_registry() -> dict[str, Callable[[FullData], str | None]]:
    """Chart name -> renderer over the report's data."""
    try:
        catalogue = importlib.import_module("esgledger.report.chart_catalogue")
    except ImportError:
        return dict(FALLBACK)
    found: dict[str, Callable[[FullData], str | None]] = dict(FALLBACK)
    for name, spec in catalogue.CHARTS.items():
        found[name] = _adapted(spec)
    return found


_TITLE = re.compile(r'<title id="[^"]*">([^<]*)</title>')


def titled(svg: str | None) -> str | None:
    """The chart with its title printed above it: the SVG's ``<title>`` is read by screen readers
    but not drawn, and a reader of the page needs to know what the figure shows."""
    if not svg:
        return svg
    found = _TITLE.search(svg)
    if found is None:
        return svg
    return f'<p class="chart-title">{found.group(1)}</p>{svg}'


def _adapted(spec: Any) -> Callable[[FullData], str | None]:
    def render(data: FullData) -> str | None:
        return titled(spec.render(data.chart_data(), data.strings))

    return render
