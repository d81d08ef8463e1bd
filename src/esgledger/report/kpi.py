"""The three-year KPI tables: one per catalogue group, each figure linked to its appendix entry,
its gap or its published figure, a row under a metric for each of its figures of a stated
boundary, numbered footnotes (what a stated boundary covers, published notes, the source of a
figure printed as reported), and a footnote naming the entities the roll-ups include and those
left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from esgledger.catalogue import Metric
from esgledger.domain import DataPoint
from esgledger.frameworks import builtin_frameworks, codes_in_force
from esgledger.i18n import Strings
from esgledger.lineage import Text
from esgledger.report.context import Cell, KpiTable, Row, anchor
from esgledger.report.footnotes import Footnotes, boundary_text, figure_notes, stated_label
from esgledger.report.formatting import DASH, format_fixed, format_precise, row_decimals, unit_label
from esgledger.report.gaps import cell_text, gap_anchor
from esgledger.report.names import Names
from esgledger.report.published import published_anchor
from esgledger.report.trace import Trace


def _codes(metric: Metric, framework: str, year: str) -> str:
    """The metric's codes of ``framework`` that apply to the report ``year``."""
    codes = metric.frameworks.get(framework, ())
    return ", ".join(_in_force(framework, codes, year)) if codes else ""


@lru_cache(maxsize=4096)
def _in_force(framework: str, codes: tuple[str, ...], year: str) -> tuple[str, ...]:
    return codes_in_force(builtin_frameworks(), framework, codes, year)


@dataclass
class Figures:
    """What the KPI tables print for the reporting entity ``root``, by (metric key, year)."""

    root: str
    years: list[str]
    traces: dict[tuple[str, str], Trace]
    gaps: dict[tuple[str, str], dict[str, Any]]
    published: dict[tuple[str, str], DataPoint]  # the root's figures with method reported
    stated: dict[str, dict[str, dict[str, Trace]]] = field(default_factory=dict)
    # metric id -> covers key -> year -> trace (figures of a stated boundary)
    notes: dict[tuple[str, str], list[DataPoint]] = field(default_factory=dict)  # marked notes
    print_reported: frozenset[str] = frozenset()  # setting report.print_reported
    members: dict[str, dict[str, Trace]] = field(default_factory=dict)
    # metric id -> member key -> trace of the report year (breakdown tables)

    def has(self, metric_id: str) -> bool:
        """Whether the tables show ``metric_id``: a figure, a gap, a published or stated figure."""
        return metric_id in self.stated or any(
            (metric_id, y) in self.traces
            or (metric_id, y) in self.gaps
            or (metric_id, y) in self.published
            for y in self.years
        )


def kpi_table(
    group: str,
    title: str,
    metrics: list[Metric],
    figures: Figures,
    strings: Strings,
    names: Names,
) -> KpiTable:
    """One group's table: a row per metric, a row under it per figure of a stated boundary, and
    the numbered footnotes its figures refer to."""
    footnotes = Footnotes(group)
    rows = []
    for metric in metrics:
        rows.append(_row(metric, metric.id, figures, strings, names, footnotes))
        for key in sorted(figures.stated.get(metric.id, {})):
            rows.append(_row(metric, key, figures, strings, names, footnotes))
    shown = [
        figures.traces[(m.id, y)]
        for m in metrics
        for y in figures.years
        if (m.id, y) in figures.traces
    ]
    included, count, excluded = boundary_footnote(shown, strings, names)
    return KpiTable(group, title, f"t-{group}", rows, included, count, excluded, footnotes.notes)


def _row(
    metric: Metric,
    key: str,
    figures: Figures,
    strings: Strings,
    names: Names,
    footnotes: Footnotes,
) -> Row:
    """The row of ``key``: the metric itself, or one of its figures of a stated boundary."""
    stated = key != metric.id
    traces = (
        figures.stated[metric.id][key]
        if stated
        else {y: figures.traces[(key, y)] for y in figures.years if (key, y) in figures.traces}
    )
    unit = unit_label(metric.unit, strings)
    boundary = [footnotes.add(boundary_text(key, figures.root, names, strings))] if stated else []
    printed: list[tuple[float | None, Cell]] = []
    for year in figures.years:
        current = year == figures.years[-1]
        found = traces.get(year)
        point = figures.published.get((key, year))
        if point is not None and found is not None and metric.id in figures.print_reported:
            cell = Cell(year, "", anchor(key, year), current)
            cell.marks.append(footnotes.add(_as_reported(point, found, unit, strings)))
            printed.append((point.value_normalised, cell))
        elif found is not None:
            printed.append((found.value, Cell(year, "", anchor(key, year), current)))
        elif point is not None:
            printed.append(
                (point.value_normalised, Cell(year, "", published_anchor(key, year), current))
            )
        elif (key, year) in figures.gaps:
            gap = figures.gaps[(key, year)]
            printed.append(
                (
                    None,
                    Cell(year, cell_text(gap, strings), gap_anchor(key, year), current, gap=True),
                )
            )
        else:
            printed.append((None, Cell(year, DASH, None, current)))
        for text in figure_notes(figures.notes, key, year, figures.root, found, names, strings):
            printed[-1][1].marks.append(footnotes.add(text))
    decimals = row_decimals([value for value, _cell in printed])
    for value, cell in printed:
        if value is not None:
            cell.text = format_fixed(value, decimals)
    row = Row(
        key,
        stated_label(key, names, strings) if stated else metric.label(strings.lang),
        unit,
        [cell for _value, cell in printed],
        "" if stated else _codes(metric, "hkex", figures.years[-1]),
        "" if stated else _codes(metric, "gri", figures.years[-1]),
        f"r-{key}",
        not stated and metric.formula is not None and metric.formula.function == "sum",
        stated=stated,
    )
    row.marks = boundary
    if not stated:
        row.sse = _codes(metric, "sse", figures.years[-1])
        row.ifrs_s2 = _codes(metric, "ifrs_s2", figures.years[-1])
    return row


def _as_reported(point: DataPoint, found: Trace, unit: str, strings: Strings) -> str:
    """The footnote of a figure printed as the organisation reported it: its source, and the
    computation with the difference."""
    published = point.value_normalised
    difference = f"{(found.value - published) / published:+.2%}" if published else DASH
    return strings(
        "footnote.as_reported",
        source=point.source or DASH,
        computed=f"{format_precise(found.value)} {unit}".strip(),
        difference=difference,
    )


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
