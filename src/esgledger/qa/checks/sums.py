"""Sums: totals against their parts, and every breakdown axis of a metric against its total.

Two checks:

- ``sums`` applies the relations its rule declares (``params.sums``: a total, its parts and how
  they must relate: ``equal`` when every part is printed, ``reported`` when the parts printed
  must make up the total, ``within`` when the parts printed may not exceed it);
- ``breakdown_sums`` adds the members of every breakdown axis of a metric that adds up (its
  aggregation is ``sum``) to the figure without that axis, by the catalogue's partitions
  (:meth:`esgledger.catalogue.breakdowns.Axis.adding_groups`); with no total printed, the axes
  are compared with each other (training hours by gender against by category).

Each side is checked within one source: the report tables handed in (the parts taken from the
total's table where it has them), or the ledger's data points (the calculation's own values add
up by construction). A figure printed to one decimal may be off by half a unit of that decimal
(:func:`esgledger.qa.messages.rounding`): a difference within the rounding of the total and its
parts is no finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from esgledger.catalogue.breakdowns import COVERS, metric_key, split_key
from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.checks.common import checked, is_target_figure
from esgledger.qa.engine import CheckInputs
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.messages import describe, finding, label, number, rounding, unit_text
from esgledger.qa.rules import Rule

MODES = ("equal", "reported", "within")
SOURCES = {"reported_table": "reported", "datapoint": "ledger"}


def _validate(where: str, params: dict[str, Any]) -> None:
    relations = params.get("sums")
    if not isinstance(relations, list) or not relations:
        raise RuleFileError(where, "params.sums lists relations {total, parts, mode}")
    for index, relation in enumerate(relations):
        at = f"{where}: sums[{index}]"
        if not isinstance(relation, dict) or set(relation) - {"total", "parts", "mode", "min"}:
            raise RuleFileError(at, "a relation has total, parts, mode and optionally min")
        if not isinstance(relation.get("total"), str) or not relation["total"]:
            raise RuleFileError(at, "total is a metric key")
        parts = relation.get("parts")
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            raise RuleFileError(at, "parts is a list of metric keys")
        if relation.get("mode", "equal") not in MODES:
            raise RuleFileError(at, f"mode is one of {', '.join(MODES)}")


def source_of(fact: Fact) -> str | None:
    """``reported`` or ``ledger`` (data points): the sides a sum is checked within."""
    return SOURCES.get(fact.origin)


def grouped(facts: Iterable[Fact]) -> dict[tuple[str, str, str], dict[str, list[Fact]]]:
    """(source, entity, period) -> metric key -> facts, in file order."""
    found: dict[tuple[str, str, str], dict[str, list[Fact]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for fact in facts:
        source = source_of(fact)
        if source is None or fact.metric_key is None or fact.entity_id is None:
            continue
        if is_target_figure(fact):  # a plan's figure is no part or total of the year's actuals
            continue
        found[(source, fact.entity_id, fact.period)][fact.metric_key].append(fact)
    return found


def pick(candidates: list[Fact], table: str | None) -> Fact:
    """The fact printed in ``table`` when there is one, else the first."""
    for fact in candidates:
        if fact.table == table:
            return fact
    return candidates[0]


def tolerance(facts: Iterable[Fact], catalogue: Any = None) -> float:
    """How far a sum of ``facts`` may be off by their printed rounding."""
    return sum(rounding(fact, catalogue) for fact in facts) + 1e-9


def arithmetic(parts: list[Fact], total: Fact, relation: str, lang: str) -> str:
    added = sum(p.value for p in parts)
    terms = " + ".join(number(p.value, lang) for p in parts)
    difference = added - total.value
    comma, opening, closing = ("，", "（", "）") if lang == "zh" else (", ", " (", ")")
    share = f"{comma}{abs(difference) / abs(total.value):.1%}" if total.value else ""
    diff_word = "差额" if lang == "zh" else "difference"
    if len(parts) > 1:
        terms = f"{terms} = {number(added, lang)}"
    return (
        f"{terms} {relation} {number(total.value, lang)} {unit_text(total.unit, lang)}"
        f"{opening}{diff_word} {number(difference, lang)}{share}{closing}"
    )


def by_source(inputs: CheckInputs) -> list[tuple[tuple[str, str, str], dict[str, list[Fact]]]]:
    """The groups of :func:`grouped`, the report tables' first (a sum that fails alike in the
    report and in the ledger keyed from it is reported once, where the reader sees it); the
    ledger's figures of the run's period only (:func:`~esgledger.qa.checks.common.checked`: the
    year before is read by the change checks, its sums are that year's run)."""
    facts = (fact for fact in inputs.facts.facts if checked(inputs, fact))
    return sorted(grouped(facts).items(), key=lambda item: item[0][0] != "reported")


@register("sums", _validate)
def check_sums(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    seen: set[tuple[Any, ...]] = set()
    for _group, by_key in by_source(inputs):
        for relation in rule.params["sums"]:
            yield from _relation(rule, inputs, relation, by_key, seen)


def _relation(
    rule: Rule,
    inputs: CheckInputs,
    relation: dict[str, Any],
    by_key: dict[str, list[Fact]],
    seen: set[tuple[Any, ...]],
) -> Iterator[Finding]:
    totals = by_key.get(relation["total"], [])
    mode = relation.get("mode", "equal")
    present = [p for p in relation["parts"] if p in by_key]
    if not totals or not present:
        return
    if mode == "equal" and len(present) < len(relation["parts"]):
        return
    if mode == "reported" and len(present) < int(relation.get("min", 2)):
        return
    for total in totals:
        parts = [pick(by_key[p], total.table) for p in present]
        values = (relation["total"], total.entity_id, total.period, total.value,
                  *(p.value for p in parts))  # fmt: skip
        if values in seen:
            continue
        seen.add(values)
        added = sum(p.value for p in parts)
        allowed = tolerance([total, *parts], inputs.catalogue)
        if mode == "within":
            if added <= total.value + allowed:
                continue
            key, sign = "qa.sum.exceeds", ">"
        elif abs(added - total.value) <= allowed:
            continue
        else:
            key, sign = "qa.sum.mismatch", "≠"
        yield finding(
            rule,
            inputs,
            key,
            [total, *parts],
            arithmetic(parts, total, sign, inputs.lang),
            total=describe(total, inputs),
            parts=("；" if inputs.lang == "zh" else "; ").join(describe(p, inputs) for p in parts),
            metric=label(total, inputs),
        )


# -- breakdowns ------------------------------------------------------------------------------


@register("breakdown_sums")
def check_breakdowns(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    catalogue = inputs.catalogue
    if catalogue is None:
        return
    seen: set[tuple[Any, ...]] = set()
    for _group, by_key in by_source(inputs):
        # (parent key, axis) -> member -> facts
        axes: dict[tuple[str, str], dict[str, list[Fact]]] = defaultdict(dict)
        for key, facts in by_key.items():
            base, members = split_key(key)
            metric = catalogue.find(base)
            if metric is None or metric.aggregation != "sum" or COVERS in members:
                continue
            for axis, member in members.items():
                if axis not in catalogue.axes:
                    continue
                rest = {a: m for a, m in members.items() if a != axis}
                axes[(metric_key(base, rest), axis)][member] = facts
        yield from _axis_findings(rule, inputs, catalogue, axes, by_key, seen)


def _axis_findings(
    rule: Rule,
    inputs: CheckInputs,
    catalogue: Any,
    axes: dict[tuple[str, str], dict[str, list[Fact]]],
    by_key: dict[str, list[Fact]],
    seen: set[tuple[Any, ...]],
) -> Iterator[Finding]:
    sums_by_parent: dict[str, list[tuple[str, list[Fact]]]] = defaultdict(list)
    for (parent, axis), members in sorted(axes.items()):
        for group in catalogue.axes[axis].adding_groups(members):
            # one member printed is part of a breakdown: it may not exceed the total; two or
            # more are the breakdown the report gives, and add up to the total
            whole = len(group) >= 2
            if not whole and parent not in by_key:
                continue
            totals = by_key.get(parent, [])
            table = totals[0].table if totals else members[group[0]][0].table
            parts = [pick(members[m], table) for m in group]
            if whole:
                sums_by_parent[parent].append((axis, parts))
            if not totals:
                continue
            total = pick(totals, parts[0].table)
            added = sum(p.value for p in parts)
            values = (parent, axis, total.entity_id, total.period, total.value,
                      *(p.value for p in parts))  # fmt: skip
            allowed = tolerance([total, *parts], inputs.catalogue)
            fits = abs(added - total.value) <= allowed if whole else added <= total.value + allowed
            if fits or values in seen:
                continue
            seen.add(values)
            yield finding(
                rule,
                inputs,
                "qa.sum.breakdown" if whole else "qa.sum.breakdown_part",
                [total, *parts],
                arithmetic(parts, total, "≠" if whole else ">", inputs.lang),
                key_extra=(axis,),
                total=describe(total, inputs),
                part=describe(parts[0], inputs),
                axis=catalogue.axes[axis].label(inputs.lang),
                metric=label(total, inputs),
            )
    for parent, breakdowns in sums_by_parent.items():
        if parent in by_key or len(breakdowns) < 2:
            continue
        (axis_a, parts_a), *others = breakdowns
        for axis_b, parts_b in others:
            sum_a, sum_b = sum(p.value for p in parts_a), sum(p.value for p in parts_b)
            if abs(sum_a - sum_b) <= tolerance([*parts_a, *parts_b], catalogue):
                continue
            terms_a = " + ".join(number(p.value, inputs.lang) for p in parts_a)
            terms_b = " + ".join(number(p.value, inputs.lang) for p in parts_b)
            yield finding(
                rule,
                inputs,
                "qa.sum.axes",
                [*parts_a, *parts_b],
                f"{terms_a} = {number(sum_a)} ≠ {terms_b} = {number(sum_b)} "
                f"{unit_text(parts_a[0].unit, inputs.lang)}",
                key_extra=(axis_a, axis_b),
                metric=catalogue.label(parent, inputs.lang),
                axis_a=catalogue.axes[axis_a].label(inputs.lang),
                axis_b=catalogue.axes[axis_b].label(inputs.lang),
            )
