"""The XLSX data annex (issue 11 part 4): every number the report publishes, at full precision,
with metric id and name, entity, period, unit, boundary, method, status, lineage key, and the
factors used for calculated values. One sheet per kind (reported, calculated, breakdowns,
targets), header frozen, filters on. The report prints figures at a precision that fits them
(:func:`esgledger.report.formatting.format_precise`); the annex keeps every stored digit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import COVERS, split_key
from esgledger.collector import collection_paused
from esgledger.i18n import Strings
from esgledger.report.build import report_context
from esgledger.report.context import ReportContext
from esgledger.report.trace import Trace
from esgledger.report.whole import written_whole

SHEETS = ("reported", "calculated", "breakdowns", "targets")
FIGURE_COLUMNS = (
    "metric_id",
    "metric",
    "entity",
    "period",
    "value",
    "unit",
    "boundary",
    "method",
    "status",
    "lineage_key",
    "factors",
)
TARGET_COLUMNS = ("target", "metric_id", "entity", "base_year", "base", "year", "value", "unit")


def build_annex(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    out_dir: Path,
    lang: str = "en",
    *,
    entity: str | None = None,
    generated: dt.date | None = None,
    targets: Iterable[Mapping[str, Any]] = (),
) -> Path:
    """Write ``esgledger-annex-<period>-<lang>.xlsx`` beside the report and return its path.
    ``targets``: rows of ``services.targets.listing`` (any mapping with the TARGET_COLUMNS keys)."""
    with collection_paused():
        context, strings = report_context(connection, catalogue, period, lang, entity, generated)
    return write_annex(context, catalogue, strings, out_dir, targets, entity=entity)


def write_annex(
    context: ReportContext,
    catalogue: Catalogue,
    strings: Strings,
    out_dir: Path,
    targets: Iterable[Mapping[str, Any]] = (),
    *,
    entity: str | None = None,
) -> Path:
    """The annex of a report context already read (the full report's), written into ``out_dir``."""
    workbook = annex_workbook(context, catalogue, strings, targets)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{context.year}-{strings.lang}"
    path = out_dir / f"esgledger-annex-{name if entity is None else f'{entity}-{name}'}.xlsx"
    return written_whole(path, workbook.save)


def annex_workbook(
    context: ReportContext,
    catalogue: Catalogue,
    strings: Strings,
    targets: Iterable[Mapping[str, Any]] = (),
) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {kind: _sheet(workbook, kind, strings) for kind in SHEETS}
    figures = context.figures
    for (metric_id, year), trace in sorted(context.traces.items()):
        kind = "calculated" if trace.functions else "reported"
        sheets[kind].append(_row(metric_id, trace, year, catalogue, strings, ""))
    if figures is not None:
        for metric_id, by_key in sorted(figures.stated.items()):
            for key, by_year in sorted(by_key.items()):
                for year, trace in sorted(by_year.items()):
                    sheets["breakdowns"].append(
                        _row(metric_id, trace, year, catalogue, strings, key)
                    )
        for metric_id, members in sorted(figures.members.items()):
            for key, trace in sorted(members.items()):
                sheets["breakdowns"].append(
                    _row(metric_id, trace, context.year, catalogue, strings, key)
                )
    for target in targets:
        sheets["targets"].append(_target_row(target, strings))
    for sheet in sheets.values():
        sheet.auto_filter.ref = sheet.dimensions
    return workbook


def _sheet(workbook: Workbook, kind: str, strings: Strings) -> Worksheet:
    sheet = workbook.create_sheet(strings(f"annex.sheet.{kind}"))
    columns = TARGET_COLUMNS if kind == "targets" else FIGURE_COLUMNS
    sheet.append([strings(f"annex.column.{column}") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip(
        "ABCDEFGHIJK", (30, 40, 16, 8, 18, 12, 30, 14, 14, 44, 60), strict=False
    ):
        sheet.column_dimensions[letter].width = width
    return sheet


def _row(
    metric_id: str, trace: Trace, year: str, catalogue: Catalogue, strings: Strings, key: str
) -> list[Any]:
    metric = catalogue.metrics.get(metric_id)
    name = metric.label(strings.lang) if metric else metric_id
    boundary = ""
    if key:
        _id, members = split_key(key)
        boundary = ", ".join(f"{axis}={value}" for axis, value in sorted(members.items()))
        if COVERS not in members:
            name = f"{name} ({boundary})"
    return [
        key or metric_id,
        name,
        trace.entity,
        year,
        trace.value,  # full precision
        trace.unit,
        boundary,
        figure_method(trace),
        ", ".join(f"{s} {n}" for s, n in sorted(trace.statuses.items()) if s),
        trace.key,
        "; ".join(
            f"{f.factor} = {f.value!r} {f.unit} ({f.source if isinstance(f.source, str) else ''};"
            f" {f.factor_set} {f.edition} v{f.version})"
            for f in trace.factors
        ),
    ]


def figure_method(trace: Trace) -> str:
    """calculated (a formula below), nil (a value of 0 with no data), or the data points'
    method (measured, estimated, reported; several joined)."""
    if trace.functions or trace.factors:
        return "calculated"
    methods = sorted(m for m in trace.methods if m)
    if not methods:
        return "nil" if trace.value == 0 else "calculated"
    return "/".join(methods)


def _target_row(target: Mapping[str, Any], strings: Strings) -> list[Any]:
    """A row of ``services.targets.listing``: its name in the report language, the base and the
    target value as its assessment resolved them."""
    assessment = target.get("assessment") or {}
    base = assessment.get("base") or {}
    name = (target.get("name_zh") if strings.lang == "zh" else None) or target.get("name")
    return [
        _cell(name or target.get("target_id")),
        _cell(target.get("metric_key")),
        _cell(target.get("entity_id")),
        _cell(target.get("base_year")),
        _cell(base.get("value")),
        _cell(target.get("target_year")),
        _cell(assessment.get("target_value", target.get("target_value"))),
        _cell(target.get("unit")),
    ]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)
