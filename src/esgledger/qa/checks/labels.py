"""Labels: what the rows of a report table say they are.

- ``label_duplicates``: two rows of one table that are the same figure (the same metric key,
  entity and period), whether written alike or through an alias ("Alumina Company" twice, or
  "Total energy" beside "Comprehensive energy consumption"); with different values the rule's
  severity, with equal ones a warning of its own rule (``params.same_values``);
- ``label_unresolved``: rows whose label resolves to no metric of the catalogue (they are not
  checked: say what they are with the ``metric`` column or a reviewed label), and rows whose label
  names a metric their unit cannot be (``label_metric`` with the unit's problem); one item per
  printed row, of kind ``unread_row`` (rows not read, listed apart from the findings);
- ``label_magnitude``: in one table, a row of an intensity whose values cluster (one product's
  intensity per tonne: ``params.metrics``) that is ``params.ratio`` times or more away from the
  median of the other rows of its column (three or more entities): the magnitude says it is
  another figure, a product footprint in a per-company intensity table. Intensities per revenue
  are not among them: companies of one group differ by more than a factor of ten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from statistics import median
from typing import Any

from esgledger.errors import RuleFileError
from esgledger.i18n import Strings
from esgledger.qa.checks import register
from esgledger.qa.engine import CheckInputs
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.messages import describe, finding, label, number, rounding, unit_text
from esgledger.qa.rules import Rule
from esgledger.units import UnitError, parse_unit


def _validate_magnitude(where: str, params: dict[str, Any]) -> None:
    ratio = params.get("ratio")
    if not isinstance(ratio, (int, float)) or ratio <= 1:
        raise RuleFileError(where, "params.ratio is a number above 1 (how many times the median)")
    metrics = params.get("metrics")
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics or [None]):
        raise RuleFileError(where, "params.metrics lists the intensities whose values cluster")


def _reported(inputs: CheckInputs) -> dict[str, list[Fact]]:
    return {
        table: [f for f in facts if f.origin == "reported_table"]
        for table, facts in inputs.facts.tables().items()
    }


@register("label_duplicates")
def check_duplicates(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    equal_values = bool(rule.params.get("same_values", False))
    for table, facts in _reported(inputs).items():
        rows: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
        for fact in facts:
            if fact.metric_key is not None and fact.entity_id is not None:
                rows[(fact.metric_key, fact.entity_id, fact.period)].append(fact)
        for same in rows.values():
            if len(same) < 2:
                continue
            spread = max(f.value for f in same) - min(f.value for f in same)
            differ = spread > sum(rounding(f, inputs.catalogue) for f in same) + 1e-9
            if differ == equal_values:
                continue
            written = [f"'{f.row_label}' ({f.entity_as_written or f.entity_id})" for f in same]
            yield finding(
                rule,
                inputs,
                "qa.label.duplicate" if differ else "qa.label.repeated",
                same,
                " ≠ ".join(number(f.value) for f in same) if differ else "",
                table=table,
                rows=("、" if inputs.lang == "zh" else ", ").join(written),
                metric=label(same[0], inputs),
                period=same[0].period,
                values=("；" if inputs.lang == "zh" else "; ").join(
                    describe(f, inputs) for f in same
                ),
            )


@register("label_unresolved")
def check_unresolved(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """One item per printed row the checks could not read (its years together), of kind
    ``unread_row``: the door lists them apart from the findings, as rows not read, each with
    where it is in the file and what was expected."""
    for table, facts in _reported(inputs).items():
        rows: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in facts:
            if fact.metric_key is None:
                named = str(fact.attributes.get("label_metric") or "")
                rows[(fact.row_label or "", named)].append(fact)
        for (row, named), same in rows.items():
            yield replace(_unread(rule, inputs, table, row, named, same), kind="unread_row")


def _unread(
    rule: Rule, inputs: CheckInputs, table: str, row: str, named: str, same: list[Fact]
) -> Finding:
    """The row ``row`` of ``table`` not read: it names no metric (``named`` empty), or it names
    ``named`` but its unit cannot be that metric's (another figure, or another currency)."""
    lines = file_lines(same, inputs.lang)
    if not named:
        return finding(
            rule,
            inputs,
            "qa.label.unresolved",
            same,
            details={"reason": "no_metric"},
            table=table,
            row=row,
            lines=lines,
        )
    catalogue = inputs.catalogue
    metric = catalogue.find(named) if catalogue is not None else None
    written = same[0].unit_as_written or same[0].unit
    other = metric is not None and other_currency(written, metric.unit)
    return finding(
        rule,
        inputs,
        "qa.label.currency" if other else "qa.label.unit",
        same,
        details={
            "reason": "currency" if other else "unit",
            "metric": named,
            "metric_unit": metric.unit if metric is not None else None,
        },
        table=table,
        row=row,
        lines=lines,
        metric=metric.label(inputs.lang) if metric is not None else named,
        metric_unit=unit_text(metric.unit, inputs.lang) if metric is not None else "",
        unit=written,
    )


def file_lines(facts: list[Fact], lang: str) -> str:
    """``t.csv rows 4, 5`` (``t.csv 第 4、5 行``): where a report row's figures are in the file."""
    strings = Strings(lang)
    by_file: dict[str, list[str]] = defaultdict(list)
    for fact in facts:
        args = dict(fact.place[1]) if fact.place is not None else {}
        if "file" in args and "line" in args:
            by_file[args["file"]].append(args["line"])
    said = [
        strings(
            "qa.label.line" if len(lines) == 1 else "qa.label.lines",
            file=file,
            lines=("、" if lang == "zh" else ", ").join(dict.fromkeys(lines)),
        )
        for file, lines in by_file.items()
    ]
    return ("；" if lang == "zh" else "; ").join(said) or "?"


def other_currency(written: str, unit: str) -> bool:
    """Whether ``written`` is ``unit`` but for its currency (per US dollar of sales where the
    metric is per yuan): the same figure in money no exchange rate here converts."""
    try:
        dims = dict(parse_unit(written).dimensionality)
        wanted = dict(parse_unit(unit).dimensionality)
    except UnitError:
        return False
    moneys = [d for d in dims if d.startswith("[currency")]
    if "[currency]" not in wanted or len(moneys) != 1 or moneys[0] == "[currency]":
        return False
    dims["[currency]"] = dims.pop(moneys[0])
    return dims == wanted


@register("label_magnitude", _validate_magnitude)
def check_magnitude(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    catalogue = inputs.catalogue
    ratio = float(rule.params["ratio"])
    clustered = set(rule.params["metrics"])
    for table, facts in _reported(inputs).items():
        columns: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in facts:
            if fact.metric_key is None or fact.entity_id is None or catalogue is None:
                continue
            metric = catalogue.find(fact.metric_key)
            if metric is not None and metric.id in clustered:
                columns[(fact.metric_key, fact.period)].append(fact)
        for column in columns.values():
            if len({f.entity_id for f in column}) < 3:
                continue
            for fact in column:
                others = [f.value for f in column if f is not fact and f.value > 0]
                if len(others) < 2 or fact.value <= 0:
                    continue
                middle = median(others)
                times = fact.value / middle
                if 1 / ratio < times < ratio:
                    continue
                yield finding(
                    rule,
                    inputs,
                    "qa.label.magnitude",
                    [fact, *(f for f in column if f is not fact)],
                    f"{number(fact.value)} / {number(middle)} = {times:.1f}",
                    table=table,
                    row=fact.row_label,
                    figure=describe(fact, inputs),
                    median=number(middle),
                    unit=unit_text(fact.unit, inputs.lang),
                    times=f"{times:.1f}",
                )
