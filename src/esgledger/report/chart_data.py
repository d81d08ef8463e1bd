"""The charts' data, read from the lineage of the figures (no recalculation): Scope 1 and 2 by
year, and the energy mix of the report year."""

from __future__ import annotations

from esgledger.catalogue import Catalogue, Metric
from esgledger.i18n import Strings
from esgledger.report import charts
from esgledger.report.formatting import (
    format_number,
    unit_label,
)
from esgledger.report.trace import Trace

# The catalogue roles of the metrics the charts show: the scopes chart, the energy mix.
SCOPE_ROLES = ("scope1_total", "scope2_location_total")
ENERGY_TOTAL_ROLE = "energy_total"


def scope_chart(
    years: list[str], traces: dict[tuple[str, str], Trace], strings: Strings, catalogue: Catalogue
) -> charts.Chart:
    scope1, scope2 = (
        [traces[(m, y)].value if (m, y) in traces else None for y in years]
        for m in (catalogue.role(role).id for role in SCOPE_ROLES)
    )
    return charts.scope_chart(
        years,
        scope1,
        scope2,
        {
            "title": strings("chart.scopes.title"),
            "scope1": strings("chart.scopes.scope1"),
            "scope2": strings("chart.scopes.scope2"),
            "unit": unit_label("tCO2e", strings),
            "year": strings("chart.year"),
            "no_data": strings("chart.no_data"),
        },
    )


def mix_chart(
    catalogue: Catalogue, year: str, found: Trace | None, strings: Strings, total: Metric
) -> tuple[charts.Chart | None, str]:
    """Energy mix from the terms recorded in the lineage of the energy total (the metric of the
    role ``energy_total``; no recalculation); a part of the total that no term itemises is shown
    as 'other'."""
    if found is None or not found.breakdown:
        return None, strings("chart.mix.empty", year=year)
    items = [
        (
            catalogue.metrics[line.metric].label(strings.lang)
            if line.metric in catalogue
            else line.metric,
            line.contribution or 0.0,
        )
        for line in found.breakdown
    ]
    remainder = found.value - found.itemised
    if remainder > 1e-3 * max(1.0, abs(found.value)):
        items.append((strings("chart.mix.other"), remainder))
    unit = unit_label(found.unit, strings)
    chart = charts.mix_chart(items, strings("chart.mix.title", year=year), unit)
    caption = strings(
        "chart.mix.caption",
        unit=unit,
        metric=total.label(strings.lang),
        total=format_number(found.value),
    )
    return chart, caption
