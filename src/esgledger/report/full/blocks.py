"""The block kinds of the outline: how each is checked when the outline loads and rendered into a
section. ``narrative`` is the section's Markdown; the others reuse the KPI report's tables,
breakdowns, charts, basis and appendix, and the data the service layer gathers (targets, the
materiality matrix, the content indexes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from esgledger.catalogue import Catalogue
from esgledger.report.breakdown_tables import breakdown_tables
from esgledger.report.build import TEMPLATES
from esgledger.report.formatting import format_number, unit_label
from esgledger.report.full.data import FullData, target_rows
from esgledger.report.full.outline import BlockCheck, OutlineError, Section, title_of
from esgledger.report.full.placeholders import Unresolved
from esgledger.report.full.qa_block import qa_html
from esgledger.report.kpi import kpi_table
from esgledger.report.templating import FULL_TEMPLATES, environment

ENVIRONMENT = environment(FULL_TEMPLATES, TEMPLATES)
FRAMEWORKS_INDEXED = ("hkex", "sse14", "gri", "ifrs_s2", "mof_climate")


@dataclass(frozen=True)
class Place:
    """Where a block is rendered: its section and its position (anchors stay unique)."""

    section: Section
    index: int

    @property
    def prefix(self) -> str:
        return f"{self.section.id}-{self.index}"


Render = Callable[[dict[str, Any], Place, FullData], str]


def _macro(name: str, **values: Any) -> str:
    module = ENVIRONMENT.get_template("blocks.html.j2").make_module()
    return str(getattr(module, name)(**values))


# -- checks ------------------------------------------------------------------------------------------
def checks(catalogue: Catalogue, charts: set[str]) -> dict[str, BlockCheck]:
    """Each block kind's parameter check against the catalogue and the chart registry."""

    def params(at: str, given: dict[str, Any], allowed: set[str], required: set[str]) -> None:
        unknown, missing = set(given) - allowed, required - set(given)
        if unknown or missing:
            raise OutlineError(
                f"{at}: "
                + "; ".join(
                    [f"unknown parameter(s) {', '.join(sorted(unknown))}"] * bool(unknown)
                    + [f"missing parameter(s) {', '.join(sorted(missing))}"] * bool(missing)
                )
            )

    def metric(at: str, metric_id: Any) -> None:
        if not isinstance(metric_id, str) or catalogue.find(metric_id) is None:
            raise OutlineError(f"{at}: unknown metric {metric_id!r}")

    def kpi(at: str, given: dict[str, Any]) -> None:
        params(at, given, {"metrics", "title"}, {"metrics"})
        if not isinstance(given["metrics"], list) or not given["metrics"]:
            raise OutlineError(f"{at}: metrics: expected a non-empty list of metric ids")
        for m in given["metrics"]:
            metric(at, m)
        if "title" in given:
            title_of(at, given["title"])

    def breakdown(at: str, given: dict[str, Any]) -> None:
        params(at, given, {"metric", "axis"}, {"metric", "axis"})
        metric(at, given["metric"])
        if given["axis"] not in catalogue.metrics[given["metric"]].axes:
            raise OutlineError(f"{at}: metric {given['metric']} has no axis {given['axis']!r}")

    def chart(at: str, given: dict[str, Any]) -> None:
        params(at, given, {"name"}, {"name"})
        if given["name"] not in charts:
            raise OutlineError(
                f"{at}: unknown chart {given['name']!r}: one of {', '.join(sorted(charts))}"
            )

    def index(at: str, given: dict[str, Any]) -> None:
        params(at, given, {"framework"}, {"framework"})
        if given["framework"] not in FRAMEWORKS_INDEXED:
            raise OutlineError(f"{at}: unknown framework {given['framework']!r}")

    def targets(at: str, given: dict[str, Any]) -> None:
        params(at, given, {"metrics"}, set())
        for m in given.get("metrics") or []:
            metric(at, m)

    def bare(at: str, given: dict[str, Any]) -> None:
        params(at, given, set(), set())

    return {
        "narrative": bare,
        "kpi_table": kpi,
        "breakdown_table": breakdown,
        "chart": chart,
        "targets": targets,
        "materiality_matrix": bare,
        "index": index,
        "basis": bare,
        "kpi_tables": bare,
        "appendix": bare,
        "qa": bare,
    }


# -- renderers ---------------------------------------------------------------------------------------
def render_kpi(params: dict[str, Any], place: Place, data: FullData) -> str:
    sources, t = data.sources, data.strings
    metrics = [sources.catalogue.find(m) for m in params["metrics"]]
    shown = [m for m in metrics if m is not None and sources.figures.has(m.id)]
    if not shown:
        return _macro("missing", text=t("full.no_figures"))
    title = params.get("title", {}).get(t.lang) or place.section.title[t.lang]
    table = kpi_table(place.prefix, title, shown, sources.figures, t, sources.names)
    table.anchor = f"t-{place.prefix}"
    table.rows = [replace(r, anchor=f"{place.prefix}-{r.anchor}") for r in table.rows]
    return _macro("kpi", table=table, c=data.context, t=t)


def breakdown_html(metric_id: str, axis: str, data: FullData, prefix: str) -> str:
    sources, t = data.sources, data.strings
    metric = sources.catalogue.find(metric_id)
    if metric is None:
        raise Unresolved(f"unknown metric {metric_id!r}")
    if axis not in metric.axes:
        has = f"its axes: {', '.join(metric.axes)}" if metric.axes else "it has no breakdowns"
        raise Unresolved(f"metric {metric_id} has no axis {axis!r}; {has}")
    tables = [
        b
        for b in breakdown_tables([metric], sources.figures, t, sources.catalogue.axes)
        if b.anchor == f"b-{metric.id}-{axis}" or b.anchor.startswith(f"b-{metric.id}-{axis}-")
    ]
    if not tables:
        return _macro("missing", text=t("full.no_breakdown"))
    tables = [replace(b, anchor=f"{prefix}-{b.anchor}") for b in tables]
    return _macro("breakdowns", tables=tables, t=t)


def render_breakdown(params: dict[str, Any], place: Place, data: FullData) -> str:
    return breakdown_html(params["metric"], params["axis"], data, place.prefix)


def render_chart(params: dict[str, Any], place: Place, data: FullData) -> str:
    svg = data.charts[params["name"]](data)
    return _macro("chart", svg=Markup(svg) if svg else None, t=data.strings)


def render_targets(params: dict[str, Any], place: Place, data: FullData) -> str:
    wanted = set(params.get("metrics") or [])
    rows = [
        {**r, "shown": _target_figures(r, data)}
        for r in target_rows(data.inputs.targets)
        if not wanted or r["metric_key"] in wanted
    ]
    return _macro("targets", rows=rows, t=data.strings)


def _target_figures(row: dict[str, Any], data: FullData) -> dict[str, str]:
    """A target's baseline and latest values (with their years) and its target value, in the
    metric's unit, at the tables' precision."""
    t = data.strings
    metric = data.sources.catalogue.find(row["metric_key"])
    unit = unit_label(metric.unit, t) if metric is not None else str(row.get("unit") or "")
    found = row.get("assessment") or {}

    def at(point: Any) -> str:
        if not isinstance(point, dict) or point.get("value") is None:
            return "–"
        return t("full.target_at", value=format_number(point["value"]), year=point["year"])

    goal = found.get("target_value", row.get("target_value"))
    return {
        "base": at(found.get("base")),
        "latest": at(found.get("current")),
        "goal": "–" if goal is None else f"{format_number(goal)} {unit}".strip(),
    }


def render_matrix(params: dict[str, Any], place: Place, data: FullData) -> str:
    svg = data.inputs.matrix.get(data.strings.lang)
    return _macro("matrix", svg=Markup(svg) if svg else None, t=data.strings)


def render_index(params: dict[str, Any], place: Place, data: FullData) -> str:
    fragment = None
    if data.inputs.index is not None:
        fragment = data.inputs.index(params["framework"], data.strings)
    return _macro("index", fragment=Markup(fragment) if fragment else None, t=data.strings)


def render_basis(params: dict[str, Any], place: Place, data: FullData) -> str:
    basis = getattr(data.context, "basis_html", "")
    if basis:  # the basis of preparation generated from the data (report.basis_section); its
        # own heading goes: the section's title already says "Basis of preparation"
        return re.sub(r"<h2>[^<]*</h2>", "", str(basis), count=1)
    return _macro("basis", c=data.context, t=data.strings)


def render_kpi_tables(params: dict[str, Any], place: Place, data: FullData) -> str:
    return _macro("kpi_tables", c=data.context, t=data.strings)


def render_appendix(params: dict[str, Any], place: Place, data: FullData) -> str:
    return _macro("appendix", c=data.context, t=data.strings)


def render_qa(params: dict[str, Any], place: Place, data: FullData) -> str:
    return qa_html(data.inputs.qa.get(data.strings.lang), data.strings)


RENDERERS: dict[str, Render] = {
    "kpi_table": render_kpi,
    "breakdown_table": render_breakdown,
    "chart": render_chart,
    "targets": render_targets,
    "materiality_matrix": render_matrix,
    "index": render_index,
    "basis": render_basis,
    "kpi_tables": render_kpi_tables,
    "appendix": render_appendix,
    "qa": render_qa,
}
