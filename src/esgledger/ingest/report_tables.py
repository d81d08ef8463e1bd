"""Report tables (issue 12, part 2): the tables of a draft or published report, as they stand.

A file (CSV or XLSX, read by the strict readers of :mod:`esgledger.ingest.tables`) has the columns
``table, row_label, entity, metric, period, value, unit`` and optionally ``footnote``, ``status``
(a target row's status as typed), ``covers`` (the entities a figure of part of its entity covers,
as the report names them) and
``dimensions``; each row is one printed figure. ``table`` is the table's title (or the section
where the figure is printed), ``row_label`` the row as printed. ``entity`` is written as the
report writes it and resolved through the ledger's entity ids, aliases and names; a name the
ledger does not know stands for itself (``~`` and the name folded), so that a report's tables can
be checked with no ledger data at all; empty is the reporting entity (the ledger's one root, else
``~group``). ``metric`` is a catalogue id or metric key, or empty: then the row label is resolved
through the catalogue's names in English and Chinese and the reviewed labels of
``qa/data/labels.yaml`` (:mod:`esgledger.qa.labels`). A value is converted with pint to the
metric's catalogue unit.

A ``figure=target`` among the dimensions marks a target printed for the period (a plan table),
``figure=base`` a base year's figure printed with a target; the fact carries it in
``attributes['figure']`` (the checks compare a target only with targets).

What is malformed (a period, a number, a unit, a metric id, a dimension) is an input error naming
the row and column and what was expected, and the whole file is refused; a row label that resolves
to no metric is not an error but a finding of the label check (the fact keeps ``metric_key``
None). The figures never become ledger data: they are facts of origin ``reported_table``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import BreakdownError, metric_key, parse_dimensions, split_key
from esgledger.catalogue.model import Metric
from esgledger.domain import Entity, OrgTree, Period
from esgledger.errors import InputIssue, InputRejected
from esgledger.factors.densities import density_factor, is_volume, mass_per_unit, shipped_density
from esgledger.ingest.tables import Table, check_columns, read_table
from esgledger.ingest.values import NumberRefused, is_nil, read_number
from esgledger.qa.facts import Fact, placed
from esgledger.qa.labels import LabelIndex, fold
from esgledger.suggestions import did_you_mean
from esgledger.units import UnitError, conversion_factor_via, parse_unit, product_conversion

REQUIRED = ["table", "row_label", "entity", "metric", "period", "value", "unit"]
# status: a target row's typed status; covers: the entities a figure covers when the report says
# it covers part of its entity ("excluding the Indonesian plants"), as written
OPTIONAL = ["footnote", "dimensions", "status", "covers"]
Issue = Callable[[str, str, str], None]  # (column, found, expected)
# What a printed figure is, given as ``figure=...`` among the dimensions: the year's figure
# (the default), a target set for the year, or the base year's figure printed in a target table.
FIGURE, ACTUAL, FIGURES = "figure", "actual", ("actual", "target", "base")
PROVISIONAL = "~"  # the prefix of an entity the ledger does not know: the report's own name


@dataclass(frozen=True)
class ReportedTables:
    """The figures of one report-tables file: one :class:`Fact` per row (origin
    ``reported_table``, value in the catalogue unit of its metric when resolved). They are never
    ledger data."""

    file: str
    sha256: str
    facts: tuple[Fact, ...]

    def tables(self) -> list[str]:
        return list(dict.fromkeys(f.table for f in self.facts if f.table))


# The legal form after a company's name, which reports print or leave out at will ("Shanxi
# Huaxing Alumina Co., Ltd." and "Shanxi Huaxing Alumina" in one table; 有限公司): folded away.
_LEGAL_FORM = re.compile(
    r"(?:\s+(?:co\s+ltd|company\s+limited|co\s+limited|limited|ltd|inc|plc|llc|corp|corporation"
    r"|pty\s+ltd|tbk|pt))+$"
    r"|(?:股份有限公司|有限责任公司|有限公司)$"
)


def entity_fold(name: str) -> str:
    """An entity's name as compared: folded (:func:`fold`) and without its legal form."""
    folded = fold(name)
    return _LEGAL_FORM.sub("", folded).strip() or folded


class EntityNames:
    """The ledger's entities by id, alias and name (English and Chinese), folded and without
    their legal form (:func:`entity_fold`)."""

    def __init__(self, entities: list[Entity]):
        self.by_name: dict[str, str] = {}
        for entity in entities:
            for name in (entity.id, *entity.aliases, entity.name, entity.name_zh or ""):
                if name:
                    self.by_name.setdefault(fold(name), entity.id)
                    self.by_name.setdefault(entity_fold(name), entity.id)
        roots = OrgTree(entities).roots() if entities else []
        self.root = roots[0] if len(roots) == 1 else f"{PROVISIONAL}group"

    def known(self, written: str) -> bool:
        """Whether ``written`` names an entity of the ledger."""
        return bool(written.strip()) and (
            fold(written) in self.by_name or entity_fold(written) in self.by_name
        )

    def resolve(self, written: str) -> str:
        if not written.strip():
            return self.root
        found = self.by_name.get(fold(written)) or self.by_name.get(entity_fold(written))
        return found or f"{PROVISIONAL}{entity_fold(written)}"


def read_report_tables(
    path: Path, catalogue: Catalogue, entities: list[Entity], name: str | None = None
) -> ReportedTables:
    """Every row of ``path`` as a fact; :class:`InputRejected` with every issue, nothing kept."""
    table = read_table(path)
    label = name or path.name
    issues = check_columns(table, REQUIRED, OPTIONAL)
    if issues:
        raise InputRejected(issues)
    names, labels = EntityNames(entities), LabelIndex(catalogue)
    facts: list[Fact] = []
    for row, cells in table:
        fact = _row_fact(table, label, row, cells, catalogue, names, labels, issues)
        if fact is not None:
            facts.append(fact)
    if issues:
        raise InputRejected(issues)
    return ReportedTables(label, table.sha256, tuple(facts))


def _row_fact(
    table: Table,
    label: str,
    row: int,
    cells: dict[str, str],
    catalogue: Catalogue,
    names: EntityNames,
    labels: LabelIndex,
    issues: list[InputIssue],
) -> Fact | None:
    def issue(column: str, found: str, expected: str) -> None:
        issues.append(InputIssue(label, row, column, found, expected, table.cell(row, column)))

    text = {column: (cells.get(column) or "").strip() for column in REQUIRED + OPTIONAL}
    before = len(issues)
    for column in ("table", "row_label"):
        if not text[column]:
            issue(
                column, "an empty cell", f"the {column.replace('_', ' ')} as the report prints it"
            )
    period = text["period"]
    try:
        period = str(Period.parse(period))
    except ValueError:
        issue("period", period, "a year (2024) or a month (2024-03)")
    value_text = text["value"]
    if is_nil(value_text):
        return None  # printed as nil: no figure to check
    value = 0.0
    try:
        value = read_number(
            value_text.rstrip("%").strip() if value_text.endswith("%") else value_text
        )
    except NumberRefused as refused:
        issue("value", value_text, refused.expected)
    unit = text["unit"] or ("%" if value_text.endswith("%") else "")
    if not unit:
        issue("unit", "an empty cell", "the unit the report prints (t, MWh, %, person, ...)")
    else:
        try:
            parse_unit(unit)
        except UnitError as exc:
            issue("unit", unit, f"a unit ({exc})")
    figure, text["dimensions"] = _figure(text["dimensions"], issue)
    metric, how = _metric(text, catalogue, labels, issue)
    from_label = how not in ("column", "")
    if how == "entity":
        # a row of a table of one metric names whom the figure is of: taken so when the entity
        # column says it, the row names a ledger entity, or the table is of a ratio (an
        # intensity or a rate by company); otherwise the label stays unresolved
        named = names.known(text["row_label"])
        ratio = metric is not None and catalogue[metric].aggregation == "ratio"
        if text["entity"] or named or ratio:
            text["entity"] = text["entity"] or text["row_label"]
        else:
            metric, from_label = None, False
    if len(issues) > before:
        return None
    attributes = {"resolved_by": how} if from_label else {}
    converted, unit_out = value, unit
    if metric is not None:
        target = catalogue[metric].unit
        try:
            converted = value * _factor(unit, catalogue[metric], period)
            unit_out = target
        except UnitError as exc:
            if not from_label:
                issue("unit", unit, f"a unit of {metric} ({exc})")
                return None
            # the label names a metric the unit cannot be: a finding of the label check
            attributes.update(label_metric=metric, unit_problem=str(exc))
            metric = None
    elif from_label is False and text["metric"] == "":
        attributes = {"unresolved": "metric"}
    if text["status"]:  # "achieved", "已完成": checked against the figures (targets.status)
        attributes["target_status"] = text["status"]
    if text["covers"]:  # compared with the other figures of its table (scope.table_coverage)
        attributes["covers"] = ", ".join(
            sorted(fold(n) for n in text["covers"].split(",") if n.strip())
        )
    if figure != ACTUAL:
        attributes["figure"] = figure
    entity = names.resolve(text["entity"])
    if entity.startswith(PROVISIONAL):
        attributes["entity_provisional"] = "yes"
    return Fact(
        origin="reported_table",
        metric_key=metric,
        entity_id=entity,
        period=period,
        value=converted,
        unit=unit_out,
        **placed(
            "qa.place.report_row", table=text["table"], row=text["row_label"], file=label, line=row
        ),
        value_as_written=value,
        unit_as_written=unit,
        text_as_written=value_text,
        table=text["table"],
        row_label=text["row_label"],
        entity_as_written=text["entity"] or None,
        footnote=text["footnote"] or None,
        reference=f"{label}:{row}",
        attributes=attributes,
    )


def _metric(
    text: dict[str, str], catalogue: Catalogue, labels: LabelIndex, issue: Issue
) -> tuple[str | None, str]:
    """The metric key of a row and where it came from: ``column``, ``label`` (the row label
    names it), or the table's title with the row label read in it (``member``, ``total``,
    ``entity``: :meth:`LabelIndex.in_table`); ``(None, "")`` when nothing names one."""
    written = text["metric"]
    if written:
        if catalogue.find(written) is None:
            expected = "a metric id of the catalogue" + did_you_mean(written, catalogue.metrics)
            issue("metric", written, expected)
            return None, ""
        return _with_dimensions(written, text["dimensions"], catalogue, issue), "column"
    resolved, how = labels.resolve(text["row_label"]), "label"
    if resolved is None:
        resolved, how = labels.in_table(text["row_label"], text["table"])
    if resolved is None:
        return None, ""
    return _with_dimensions(resolved, text["dimensions"], catalogue, issue), how


def _with_dimensions(key: str, dimensions: str, catalogue: Catalogue, issue: Issue) -> str | None:
    """``key`` with the members of the ``dimensions`` cell; None (and an issue) when they are
    not the metric's."""
    if not dimensions:
        return key
    base, members = split_key(key)
    try:
        added = parse_dimensions(dimensions, base, catalogue[base].axes, catalogue.axes)
    except BreakdownError as exc:
        issue("dimensions", dimensions, f"axis=member pairs of {base} ({exc})")
        return None
    return metric_key(base, {**members, **added})


def _factor(unit: str, metric: Metric, period: str) -> float:
    """What one ``unit`` is in the metric's unit: through the metric's density (water printed in
    tonnes), or a liquid fuel's volume through its shipped density (as the data import does)."""
    try:
        return conversion_factor_via(unit, metric.unit, metric.attributes.get("density"))
    except UnitError:
        as_co2e = _tonnes_as_co2e(unit, metric)
        if as_co2e is not None:
            return as_co2e
        factor_id = density_factor(metric.attributes)
        if factor_id is None or not is_volume(unit):
            raise
        density = shipped_density(factor_id, Period.parse(period).start)
        if density is None:
            raise
        return mass_per_unit(unit, density.value, density.unit, metric.unit)


def _tonnes_as_co2e(unit: str, metric: Metric) -> float | None:
    """A greenhouse-gas row printed in plain tonnes ("10000 tons", "Ton/Ton of alumina"): the
    tonnes of CO2 (equivalent) the row's label names, read at 1 tCO2e per tonne (the GWP of CO2
    is 1, IPCC AR5/AR6; GHG Protocol Corporate Standard ch. 9 reports in tonnes of CO2e). Only
    for a metric in CO2 equivalent; None when the unit is not a mass (or a ratio of one) either."""
    if "co2_equivalent" not in str(parse_unit(metric.unit).dimensionality):
        return None
    try:
        return product_conversion((unit, "tCO2e/t"), metric.unit)
    except UnitError:
        return None


def _figure(dimensions: str, issue: Issue) -> tuple[str, str]:
    """``figure=target`` (or ``actual``, ``base``) taken out of the dimensions: what the row is."""
    kept, figure = [], ACTUAL
    for part in dimensions.replace("；", ";").split(";"):
        axis, _, member = (p.strip() for p in part.partition("="))
        if axis != FIGURE:
            if part.strip():
                kept.append(part.strip())
            continue
        if member not in FIGURES:
            issue("dimensions", part.strip(), f"figure={' or figure='.join(FIGURES)}")
        figure = member
    return figure, ";".join(kept)
