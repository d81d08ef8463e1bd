"""Assemble the page context of one report from the stored runs, the published figures and the
catalogue: which metrics each table shows, their traces, tables, appendix, basis and charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, OrgTree
from esgledger.i18n import HTML_LANG, Strings
from esgledger.ledger.runs import PeriodRun
from esgledger.lineage import key
from esgledger.report.appendix import appendix_entry
from esgledger.report.basis import basis_options, unverified_factors
from esgledger.report.chart_data import ENERGY_TOTAL_ROLE, mix_chart, scope_chart
from esgledger.report.context import AppendixGroup, ReportContext
from esgledger.report.formatting import unit_label
from esgledger.report.gaps import gap_lines, root_gaps
from esgledger.report.kpi import kpi_table
from esgledger.report.names import Names
from esgledger.report.published import compare
from esgledger.report.trace import (
    Lineage,
    Trace,
    trace_value,
)

# Catalogue groups get one table each, in this order; groups not listed follow in catalogue order.
GROUP_ORDER = ("production", "energy", "ghg", "scope3", "environment", "social", "finance")
SKIPPED_GROUPS = frozenset({"site_parameters"})
LONG_LIST = 12  # more included entities than this: the footnote folds the list away


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
) -> ReportContext:
    names = Names(tree, catalogue, strings)
    published = published or {}
    groups = report_groups(catalogue)
    traces: dict[tuple[str, str], Trace] = {}
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
    gaps = root_gaps(runs, years, root)
    tables, appendix = [], []
    shown_gaps: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        metrics = [
            m
            for m in catalogue.in_group(group)
            if m.aggregation != "none"
            and any(
                (m.id, year) in traces or (m.id, year) in gaps or (m.id, year) in published
                for year in years
            )
        ]
        if not metrics:
            continue
        shown_gaps.update(
            ((m.id, y), gaps[(m.id, y)]) for m in metrics for y in years if (m.id, y) in gaps
        )
        title = catalogue.groups[group][strings.lang]
        only_published = {k: p for k, p in published.items() if k not in traces}
        tables.append(
            kpi_table(group, title, metrics, years, traces, gaps, strings, names, only_published)
        )
        appendix.append(
            AppendixGroup(
                title,
                [
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
                    for metric in metrics
                    for year in years
                    if (metric.id, year) in traces
                ],
            )
        )
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
    )
