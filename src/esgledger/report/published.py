"""Figures the organisation published beside esgledger's own computation (issue 9, part 4).

The report lists every figure of the reporting entity whose published value (a data point with
method ``reported``) differs from the computation by more than the tolerance, with what would
explain it: for a total over carriers (comprehensive energy), the coefficient its largest carrier
would need for the computation to give the published figure. A published figure with no
computed counterpart is printed as published, its source in the list.
"""

from __future__ import annotations

from dataclasses import dataclass

from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint
from esgledger.i18n import Strings
from esgledger.report.formatting import format_precise, unit_label
from esgledger.report.trace import Trace

TOLERANCE = 0.01  # a difference above 1 % of the published figure is listed


@dataclass
class Published:
    """One published figure of the reporting entity, and how it compares with the computation."""

    anchor: str
    metric: str  # label
    year: str
    published: str
    computed: str  # the computation, or the text saying there is none
    unit: str
    source: str
    difference: str  # signed percentage, empty when there is no computation
    explanation: str


def published_anchor(metric_id: str, year: str) -> str:
    return f"p-{metric_id}-{year}"


def published_points(points: list[DataPoint], root: str) -> dict[tuple[str, str], DataPoint]:
    """The reporting entity's published figures (method ``reported``), by (metric key, year)."""
    return {
        (p.metric_id, p.period): p for p in points if p.entity_id == root and p.method == "reported"
    }


def compare(
    published: dict[tuple[str, str], DataPoint],
    traces: dict[tuple[str, str], Trace],
    catalogue: Catalogue,
    strings: Strings,
    tolerance: float = TOLERANCE,
) -> list[Published]:
    """Every published figure that differs from its computation by more than ``tolerance``, or
    that has no computation, in catalogue order then by year."""
    rows = []
    order = {metric_id: index for index, metric_id in enumerate(catalogue.order)}
    for (metric_key, year), point in sorted(
        published.items(), key=lambda item: (order.get(catalogue[item[0][0]].id, 0), item[0])
    ):
        metric = catalogue[metric_key]
        trace = traces.get((metric_key, year))
        shown = strings("published.value", value=format_precise(point.value_normalised))
        row = Published(
            published_anchor(metric_key, year),
            catalogue.label(metric_key, strings.lang),
            year,
            shown,
            strings("published.none"),
            unit_label(metric.unit, strings),
            point.source or "",
            "",
            strings("published.as_published"),
        )
        if trace is not None:
            if point.value_normalised == 0:
                continue
            moved = (trace.value - point.value_normalised) / point.value_normalised
            if abs(moved) <= tolerance:
                continue
            row.computed = strings("published.value", value=format_precise(trace.value))
            row.difference = f"{moved:+.2%}"
            row.explanation = _implied(trace, point.value_normalised, catalogue, strings)
        rows.append(row)
    return rows


def _implied(trace: Trace, published: float, catalogue: Catalogue, strings: Strings) -> str:
    """For a total of carrier terms: the coefficient its largest carrier would need for the
    computation to give ``published``, beside the one applied (the other carriers unchanged)."""
    lines = [line for line in trace.breakdown if line.contribution and line.quantity]
    if len(lines) < 1 or trace.unit != lines[0].contribution_unit:
        return ""
    largest = max(lines, key=lambda line: line.contribution or 0.0)
    assert largest.contribution is not None
    applied = largest.contribution / largest.quantity
    implied = (published - (trace.value - largest.contribution)) / largest.quantity
    if implied <= 0:
        return ""
    per = f"{unit_label(trace.unit, strings)}/{unit_label(largest.unit, strings)}"
    return strings(
        "published.implied",
        carrier=catalogue.label(largest.metric, strings.lang),
        implied=f"{implied:.4g}",
        applied=f"{applied:.4g}",
        unit=per,
    )
