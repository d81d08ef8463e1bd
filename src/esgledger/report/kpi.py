"""The three-year KPI tables: one per catalogue group, each figure linked to its appendix entry,
its gap or its published figure, with a footnote naming the entities the figures include and those
left out."""

from __future__ import annotations

from typing import Any

from esgledger.catalogue import Metric
from esgledger.domain import DataPoint
from esgledger.i18n import Strings
from esgledger.lineage import Text
from esgledger.report.context import Cell, KpiTable, Row, anchor
from esgledger.report.formatting import (
    DASH,
    format_fixed,
    row_decimals,
    unit_label,
)
from esgledger.report.gaps import cell_text, gap_anchor
from esgledger.report.names import Names
from esgledger.report.published import published_anchor
from esgledger.report.trace import Trace


def _codes(metric: Metric, framework: str) -> str:
    return ", ".join(metric.frameworks.get(framework, ()))


def kpi_table(
    group: str,
    title: str,
    metrics: list[Metric],
    years: list[str],
    traces: dict[tuple[str, str], Trace],
    gaps: dict[tuple[str, str], dict[str, Any]],
    strings: Strings,
    names: Names,
    only_published: dict[tuple[str, str], DataPoint],
) -> KpiTable:
    rows = []
    for metric in metrics:
        found = [traces.get((metric.id, year)) for year in years]
        figures = [
            f.value if f else _published_value(only_published, metric.id, y)
            for f, y in zip(found, years, strict=True)
        ]
        decimals = row_decimals(figures)
        cells = [
            Cell(
                year,
                format_fixed(f.value, decimals) if f else DASH,
                anchor(metric.id, year) if f else None,
                year == years[-1],
            )
            if (metric.id, year) not in gaps and (metric.id, year) not in only_published
            else Cell(
                year,
                format_fixed(only_published[(metric.id, year)].value_normalised, decimals),
                published_anchor(metric.id, year),
                year == years[-1],
            )
            if (metric.id, year) in only_published
            else Cell(
                year,
                cell_text(gaps[(metric.id, year)], strings),
                gap_anchor(metric.id, year),
                year == years[-1],
                gap=True,
            )
            for year, f in zip(years, found, strict=True)
        ]
        rows.append(
            Row(
                metric.id,
                metric.label(strings.lang),
                unit_label(metric.unit, strings),
                cells,
                _codes(metric, "hkex"),
                _codes(metric, "gri"),
                f"r-{metric.id}",
                metric.formula is not None and metric.formula.function == "sum",
            )
        )
    shown = [traces[(m.id, y)] for m in metrics for y in years if (m.id, y) in traces]
    included, count, excluded = boundary_footnote(shown, strings, names)
    return KpiTable(group, title, f"t-{group}", rows, included, count, excluded)


def boundary_footnote(shown: list[Trace], strings: Strings, names: Names) -> tuple[str, int, str]:
    """Footnote texts: the entities whose reported data the table's figures include, and the
    entities the roll-ups left out, with the reason (and the years, when not every year)."""
    years_with_data = sorted({t.period for t in shown})
    reporting: dict[str, set[str]] = {}
    shares: dict[str, float] = {}
    excluded: dict[str, dict[str, tuple[Text, set[str]]]] = {}  # entity -> reason -> years
    for found in shown:
        for entity in found.reporting_entities:
            reporting.setdefault(entity, set()).add(found.period)
        for entity, share in found.shares.items():
            shares[entity] = min(share, shares.get(entity, share))
        for entity, why in found.excluded.items():
            for said, reason in why.items():
                seen = excluded.setdefault(entity, {}).setdefault(said, (reason, set()))
                seen[1].add(found.period)
    years_sep = strings("kpi.years_sep")
    items = []
    for entity in names.sort(set(reporting)):
        label = names(entity)
        if shares.get(entity, 1.0) < 1 - 1e-12:
            label = strings("kpi.share", name=label, share=_percent(shares[entity]))
        if sorted(reporting[entity]) != years_with_data:
            label = strings(
                "kpi.only_years", name=label, years=years_sep.join(sorted(reporting[entity]))
            )
        items.append(label)
    included_text = strings.join(items) if items else strings("kpi.boundary_none")
    left_out = []
    for entity in names.sort(set(excluded)):
        reasons = []
        periods_out = []
        for reason, periods in sorted(
            excluded[entity].values(), key=lambda item: strings.note(item[0], names)
        ):
            if isinstance(reason, dict) and reason["code"] == "not_in_group":
                periods_out.append(str(reason["args"]["period"]))
            elif sorted(periods) == years_with_data:
                reasons.append(strings.note(reason, names))
            else:
                reasons.append(
                    strings(
                        "kpi.reason_years",
                        reason=strings.note(reason, names),
                        years=years_sep.join(sorted(periods)),
                    )
                )
        if periods_out:  # one reason for the years it was out
            reasons.append(
                strings("note.not_in_group", period=years_sep.join(sorted(set(periods_out))))
            )
        below = len(names.tree.descendants(entity)) if entity in names.tree.by_id else 0
        label = (
            strings("kpi.with_subsidiaries", name=names(entity), count=below)
            if below
            else names(entity)
        )
        left_out.append(
            strings("kpi.excluded_item", name=label, reason=strings("kpi.reason_sep").join(reasons))
        )
    excluded_text = (
        strings("kpi.excluded", items=strings("kpi.reason_sep").join(left_out)) if left_out else ""
    )
    return included_text, len(items), excluded_text


def _percent(share: float) -> str:
    return f"{share * 100:.4g}%"


def _published_value(
    points: dict[tuple[str, str], DataPoint], metric_id: str, year: str
) -> float | None:
    point = points.get((metric_id, year))
    return None if point is None else point.value_normalised
