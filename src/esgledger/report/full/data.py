"""What the full report is assembled from: the year's report context (figures, tables, charts,
appendix: :func:`esgledger.report.build.report_context`) and what the service layer gathers
beyond the figures (targets, the materiality matrix, the content indexes); and the resolver the
narrative placeholders call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from esgledger.frameworks import FrameworkLibrary
from esgledger.i18n import Strings
from esgledger.lineage import key
from esgledger.qa.summary import QaSummary
from esgledger.report.context import ReportContext
from esgledger.report.formatting import format_number, unit_label
from esgledger.report.full.placeholders import Unresolved
from esgledger.report.trace import Lineage, Trace, trace_value

# framework id, strings -> the content index as an HTML fragment (coverage helper), or None
IndexFragment = Callable[[str, Strings], str | None]


@dataclass
class Inputs:
    """Gathered by the service layer: targets as ``services.targets.listing`` rows, the
    materiality matrix SVG per language, the content index fragments, the framework catalogues,
    the quality checks' findings."""

    frameworks: FrameworkLibrary
    targets: list[dict[str, Any]] = field(default_factory=list)
    matrix: dict[str, str | None] = field(default_factory=dict)
    index: IndexFragment | None = None
    # why the report is a draft, as (string key, arguments); empty: a final report
    draft: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # the period's reporting profile: frameworks chosen (``hkex@2020``, ``gri``), issuer class
    profile: tuple[list[str], str | None] | None = None
    # the quality checks per language (the ``qa`` block), with an admin's override of their gate
    qa: dict[str, QaSummary] = field(default_factory=dict)

    def draft_text(self, strings: Strings) -> list[str]:
        return [strings(key, **args) for key, args in self.draft]


@dataclass
class FullData:
    context: ReportContext
    strings: Strings
    inputs: Inputs
    charts: dict[str, Callable[[FullData], str | None]]
    _lineages: dict[str, Lineage] = field(default_factory=dict)
    _chart_data: Any = None

    def chart_data(self) -> Any:
        """The charts' data (esgledger.report.chart_inputs.ReportData), read once."""
        if self._chart_data is None:
            from esgledger.report.chart_inputs import report_data

            self._chart_data = report_data(
                self.context, self.sources.catalogue, self.inputs.targets
            )
        return self._chart_data

    @property
    def sources(self) -> Any:
        return self.context.sources

    def lineage(self, year: str) -> Lineage | None:
        run = self.sources.runs.get(year)
        if run is None:
            return None
        if year not in self._lineages:
            self._lineages[year] = Lineage(run.records)
        return self._lineages[year]

    def trace(self, metric: str, entity: str, year: str) -> Trace | None:
        if entity == self.sources.root and (metric, year) in self.sources.figures.traces:
            return self.sources.figures.traces[(metric, year)]
        lineage = self.lineage(year)
        return None if lineage is None else trace_value(lineage, key(metric, entity, year))


def target_rows(targets: list[dict[str, Any]], wanted: str | None = None) -> list[dict[str, Any]]:
    """Active targets (optionally one), as the targets block and placeholder show them."""
    return [
        t
        for t in targets
        if t.get("assessment", {}).get("status") != "withdrawn"
        and (wanted is None or t.get("target_id") == wanted)
    ]


def target_name(row: dict[str, Any], lang: str) -> str:
    return str(
        (row.get("name_zh") if lang == "zh" else None) or row.get("name") or row["target_id"]
    )


class DataResolver:
    """The placeholders' functions over a report's data; unknown references raise Unresolved."""

    def __init__(self, data: FullData, render_table: Callable[[str, str], str]):
        self.data = data
        self.render_table = render_table

    def value(self, metric: str, entity: str | None = None, year: str | None = None) -> str:
        sources = self.data.sources
        found = sources.catalogue.find(metric)
        if found is None:
            raise Unresolved(f"unknown metric {metric!r}")
        entity = entity or sources.root
        if entity not in sources.tree.by_id:
            raise Unresolved(f"unknown entity {entity!r}")
        year = year or sources.years[-1]
        if year not in sources.years:
            raise Unresolved(f"year {year!r} is not one of the report's {', '.join(sources.years)}")
        trace = self.data.trace(metric, entity, year)
        t = self.data.strings
        if trace is None:
            return Markup('<span class="missing">{}</span>').format(t("full.no_value"))
        unit = unit_label(found.unit, t)
        return Markup('<span class="value" data-metric="{}">{} {}</span>').format(
            metric, format_number(trace.value), unit
        )

    def table(self, metric: str, by: str) -> str:
        return Markup(self.render_table(metric, by))  # noqa: S704 - built by the block macros

    def chart(self, name: str) -> str:
        if name not in self.data.charts:
            raise Unresolved(
                f"unknown chart {name!r}: one of {', '.join(sorted(self.data.charts))}"
            )
        svg = self.data.charts[name](self.data)
        if svg:  # drawn by the chart code, labels escaped
            return Markup('<figure class="chart full-chart">{}</figure>').format(Markup(svg))  # noqa: S704
        return Markup('<p class="missing">{}</p>').format(self.data.strings("full.no_chart"))

    def target(self, target_id: str) -> str:
        rows = target_rows(self.data.inputs.targets, target_id)
        if not rows:
            raise Unresolved(f"unknown target {target_id!r}")
        row = rows[0]
        t = self.data.strings
        status = t.get(f"target.status.{row['assessment'].get('status')}", "")
        shown = t("full.target_inline", name=target_name(row, t.lang), status=status)
        return Markup('<span class="target-ref">{}</span>').format(shown)

    def tag(self, reference: str) -> str:
        if not self.data.inputs.frameworks.exists(reference):
            raise Unresolved(f"unknown framework item {reference!r}")
        return Markup('<span class="fw-tag">{}</span>').format(reference)


def escape_text(value: object) -> str:
    return str(escape(value))
