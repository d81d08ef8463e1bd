"""Breakdown tables: for a metric with axes (``workforce.headcount`` by gender, by age band) that
has member figures in the report year, a table per axis with each member's figure (labels in the
report language), the total, and a visible note when the members of a summed metric do not add up
to the total. Read from the lineage of the stored run; nothing is recalculated."""

from __future__ import annotations

from esgledger.catalogue import Metric
from esgledger.catalogue.breakdowns import Axis, split_key
from esgledger.i18n import Strings
from esgledger.report.context import BreakdownTable, MemberLine
from esgledger.report.formatting import DASH, format_fixed, format_share, row_decimals, unit_label
from esgledger.report.kpi import Figures

TOLERANCE = 1e-6  # relative: members within this of the total add up


def breakdown_tables(
    metrics: list[Metric], figures: Figures, strings: Strings, axes: dict[str, Axis]
) -> list[BreakdownTable]:
    """The breakdown tables of ``metrics`` in the report year, metric by metric, axes in the
    metric's order, members in the axis' order (``axes``: the catalogue's, the organisation's
    own included)."""
    year = figures.years[-1]
    tables = []
    for metric in metrics:
        by_key = figures.members.get(metric.id)
        if not by_key:
            continue
        values: dict[str, dict[str, float]] = {}
        for metric_key, found in by_key.items():
            ((axis_of, member),) = split_key(metric_key)[1].items()
            values.setdefault(axis_of, {})[member] = found.value
        total_trace = figures.traces.get((metric.id, year))
        total = total_trace.value if total_trace is not None else None
        for axis_id in (a for a in metric.axes if a in values and a in axes):
            axis = axes[axis_id]
            sections = _sections(axis, values[axis_id])
            for index, section in enumerate(sections):
                suffix = f"-{index + 1}" if index else ""
                tables.append(
                    _table(
                        f"b-{metric.id}-{axis_id}{suffix}",
                        metric,
                        axis,
                        {m: values[axis_id][m] for m in section},
                        total,
                        year,
                        strings,
                        len(sections) > 1,
                    )
                )
    return tables


def _sections(axis: Axis, reported: dict[str, float]) -> list[tuple[str, ...]]:
    """The members of one table each: all of them, or, when they divide the whole in two ways
    (staff by level and by function), one table per partition reported in full and one of the
    rest, so that no table's shares add up to more than the whole."""
    groups = axis.adding_groups(reported)
    if len(groups) < 2:
        return [tuple(m for m in axis.members if m in reported)]
    placed = {m for group in groups for m in group}
    rest = tuple(m for m in axis.members if m in reported and m not in placed)
    return [*groups, *([rest] if rest else [])]


def _table(
    anchor: str,
    metric: Metric,
    axis: Axis,
    values: dict[str, float],
    total: float | None,
    year: str,
    strings: Strings,
    partial: bool = False,
) -> BreakdownTable:
    """One table; ``partial``: one of several tables of the axis (a partition), its members
    named in the title so that the tables are told apart."""
    summed = metric.aggregation == "sum"
    members = [(m, values[m]) for m in axis.members if m in values]
    decimals = row_decimals([*(v for _m, v in members), total])
    lines = [
        MemberLine(
            axis.member_label(member, strings.lang),
            format_fixed(value, decimals),
            format_share(value / total) if summed and total else "",
        )
        for member, value in members
    ]
    mismatches = []
    for group in axis.adding_groups(values) if summed else []:
        added = sum(values[m] for m in group)
        if total is not None and abs(added - total) > TOLERANCE * max(1.0, total):
            mismatches.append(
                strings(
                    "breakdown.mismatch",
                    axis=axis.label(strings.lang),
                    members=("、" if strings.lang == "zh" else ", ").join(
                        axis.member_label(m, strings.lang) for m in group
                    ),
                    sum=format_fixed(added, decimals),
                    total=format_fixed(total, decimals),
                    difference=format_fixed(total - added, decimals),
                )
            )
    return BreakdownTable(
        anchor,
        strings(
            "breakdown.title",
            metric=metric.label(strings.lang),
            axis=axis.label(strings.lang)
            + (
                strings(
                    "breakdown.partition",
                    members=strings.join([axis.member_label(m, strings.lang) for m in values]),
                )
                if partial
                else ""
            ),
            year=year,
        ),
        unit_label(metric.unit, strings),
        lines,
        DASH if total is None else format_fixed(total, decimals),
        " ".join(mismatches),
    )
