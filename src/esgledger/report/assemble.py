"""Assemble the page context of one report from the stored runs, the published figures and the
catalogue: which metrics each table shows, their traces, tables, appendix, basis and charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import COVERS, OPEN, split_key
from esgledger.domain import DataPoint, OrgTree
from esgledger.i18n import HTML_LANG, Strings
from esgledger.ledger.runs import PeriodRun
from esgledger.lineage import key
from esgledger.report.appendix import appendix_entry
from esgledger.report.basis import basis_options, unverified_factors
from esgledger.report.breakdown_tables import breakdown_tables
from esgledger.report.chart_data import ENERGY_TOTAL_ROLE, mix_chart, scope_chart
from esgledger.report.context import AppendixGroup, Entry, ReportContext
from esgledger.report.footnotes import stated_label
from esgledger.report.formatting import unit_label
from esgledger.report.gaps import gap_lines, root_gaps
from esgledger.report.kpi import Figures, kpi_table
from esgledger.report.names import Names
from esgledger.report.published import compare
from esgledger.report.trace import (
    Lineage,
    trace_value,
)

# Catalogue groups get one table each, in this order; groups not listed follow in catalogue order.
GROUP_ORDER = ("production", "energy", "ghg", "scope3", "environment", "social", "finance")
SKIPPED_GROUPS = frozenset({"site_parameters"})
LONG_LIST = 12  # more included entities than this: the footnote folds the list away


@dataclass
class Sources:
    """What a report context was assembled from: the full report's blocks read figures, names and
    runs from it (a KPI table of chosen metrics, a value of another entity)."""

    catalogue: Catalogue
    tree: OrgTree
    root: str
    years: list[str]
    runs: dict[str, PeriodRun | None]
    figures: Figures
    names: Names


def report_groups(catalogue: Catalogue) -> list[str]:
    listed = [g for g in GROUP_ORDER if g in catalogue.groups]
    others = [g for g in catalogue.groups if g not in GROUP_ORDER and g not in SKIPPED_GROUPS]
    return listed + others


def assemble(
    catalogue: Catalogue,
    tree: OrgTree,
    root: str,
    years: list[str],
    runs: dict[str, PeriodRun | None],
    strings: Strings,
    generated: dt.date,
    published: dict[tuple[str, str], DataPoint] | None = None,
    *,
    notes: dict[tuple[str, str], list[DataPoint]] | None = None,
    print_reported: frozenset[str] = frozenset(),
) -> ReportContext:
    """The page context. ``published``: the root's figures with method reported; ``notes``: the
    data points whose note is marked for publication; ``print_reported``: the metrics whose
    reported figure the tables print instead of the computation."""
    names = Names(tree, catalogue, strings)
    published = published or {}
    groups = report_groups(catalogue)
    figures = Figures(root, years, {}, root_gaps(runs, years, root), published, notes=notes or {})
    figures.print_reported = print_reported
    traces = figures.traces
    for year in years:
        run = runs[year]
        if run is None:
            continue
        lineage = Lineage(run.records)
        for group in groups:
            for metric in catalogue.in_group(group):
                if metric.aggregation == "none":  # an entity's own parameter, not a group figure
                    continue
                found = trace_value(lineage, key(metric.id, root, year))
                if found is not None:
                    traces[(metric.id, year)] = found
        _keyed_figures(figures, lineage, catalogue, year)
    gaps = figures.gaps
    tables, appendix = [], []
    shown_gaps: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        metrics = [
            m for m in catalogue.in_group(group) if m.aggregation != "none" and figures.has(m.id)
        ]
        if not metrics:
            continue
        shown_gaps.update(
            ((m.id, y), gaps[(m.id, y)]) for m in metrics for y in years if (m.id, y) in gaps
        )
        title = catalogue.groups[group][strings.lang]
        table = kpi_table(group, title, metrics, figures, strings, names)
        table.breakdowns = breakdown_tables(metrics, figures, strings, catalogue.axes)
        tables.append(table)
        entries: list[Entry] = []
        for metric in metrics:
            entries.extend(
                appendix_entry(
                    metric,
                    year,
                    traces[(metric.id, year)],
                    traces,
                    catalogue,
                    strings,
                    names,
                    f"r-{metric.id}",
                )
                for year in years
                if (metric.id, year) in traces
            )
            for stated_key, by_year in sorted(figures.stated.get(metric.id, {}).items()):
                entries.extend(
                    appendix_entry(
                        metric,
                        year,
                        found,
                        traces,
                        catalogue,
                        strings,
                        names,
                        f"r-{stated_key}",
                        key=stated_key,
                        title=stated_label(stated_key, names, strings),
                    )
                    for year, found in sorted(by_year.items())
                )
        appendix.append(AppendixGroup(title, entries))
    options, differ = basis_options(years, runs, strings)
    energy_total = catalogue.role(ENERGY_TOTAL_ROLE)
    mix, mix_caption = mix_chart(
        catalogue, years[-1], traces.get((energy_total.id, years[-1])), strings, energy_total
    )
    return ReportContext(
        long_list=LONG_LIST,
        lang=strings.lang,
        html_lang=HTML_LANG[strings.lang],
        year=years[-1],
        years=years,
        entity_name=names(root),
        generated=generated.isoformat(),
        options=options,
        options_differ=differ,
        unverified=unverified_factors(traces, strings),
        tables=tables,
        scope_chart=scope_chart(years, traces, strings, catalogue),
        scope_caption=strings("chart.scopes.caption", unit=unit_label("tCO2e", strings)),
        mix_chart=mix,
        mix_title=strings("chart.mix.title", year=years[-1]),
        mix_caption=mix_caption,
        appendix=appendix,
        gaps=gap_lines(shown_gaps, runs, strings, names),
        published=compare(published, traces, catalogue, strings),
        sources=Sources(catalogue, tree, root, years, runs, figures, names),
        traces=traces,
        figures=figures,
        names=names,
    )


def _keyed_figures(figures: Figures, lineage: Lineage, catalogue: Catalogue, year: str) -> None:
    """The root's figures under metric keys with members: those of a stated boundary (every
    year) and breakdown members (the report year)."""
    suffix = f"@{figures.root}@{year}"
    for record_key in lineage.records:
        if OPEN not in record_key or not record_key.endswith(suffix):
            continue
        metric_key = record_key[: -len(suffix)]
        metric = catalogue.find(metric_key)
        if metric is None or metric.aggregation == "none":
            continue
        _id, members = split_key(metric_key)
        if COVERS in members:
            found = trace_value(lineage, record_key)
            if found is not None:
                figures.stated.setdefault(metric.id, {}).setdefault(metric_key, {})[year] = found
        elif year == figures.years[-1] and len(members) == 1:
            found = trace_value(lineage, record_key)
            if found is not None:
                figures.members.setdefault(metric.id, {})[metric_key] = found
