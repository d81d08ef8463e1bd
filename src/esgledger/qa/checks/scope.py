"""Scope coherence: figures that cover the entities they say they cover, once.

- ``table_coverage``: the figures of one report table for one entity cover different sets of
  entities (a ``covers=`` member of their keys, or the set the calculation's value covers): a
  reader compares them as like with like (GRI 2-2; SSE Guideline No. 14 Art. 4, same boundary as
  the annual report);
- ``boundary_without_data``: an entity inside the stated boundary with no figure at all in a
  period where others have theirs (GRI 2-2; HKEX reporting principle of completeness);
- ``captive_in_scope2``: a Scope 2 figure larger than its purchased electricity could cause at
  any grid factor, but which fits once the electricity of the group's own plants is added: the
  captive plant's emissions are in Scope 1 already, so the group total counts them twice (GHG
  Protocol Corporate Standard ch. 4, Scope 2 Guidance ch. 5; esgledger eliminates internal
  supplies on consolidation, :mod:`esgledger.calc.rollup`);
- ``captive_in_group_total``: a group total entered or printed as esgledger's consolidated total
  plus the internal supplies the consolidation eliminated (the same boundary counted twice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from esgledger.domain import Period
from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.checks.bounds import _amounts, _validate_scope2, grid_range
from esgledger.qa.checks.common import (
    REPORTED,
    Namer,
    checked,
    finding,
    half_unit,
    keys_of,
    members_of,
    pick,
    require,
)
from esgledger.qa.facts import Fact, placed
from esgledger.qa.findings import Finding
from esgledger.qa.messages import number as num
from esgledger.qa.messages import unit_text
from esgledger.units import UnitError, conversion_factor

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule


def covers(fact: Fact) -> str:
    """The entities a figure covers, as written ("" for the whole of its entity's subtree)."""
    return str(
        members_of(fact.metric_key or "").get("covers") or fact.attributes.get("covers") or ""
    )


def _validate_none(where: str, params: dict[str, Any]) -> None:
    require(where, params, [], [])


@register("table_coverage", validate=_validate_none)
def table_coverage(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """One table's figures of one entity covering different entity sets."""
    namer = Namer(inputs)
    for table, facts in sorted(inputs.facts.tables().items()):
        by_entity: dict[str, dict[str, Fact]] = defaultdict(dict)
        for fact in facts:
            if fact.entity_id is None:
                continue
            by_entity[fact.entity_id].setdefault(covers(fact), fact)
        for entity, sets in sorted(by_entity.items()):
            if len(sets) < 2:
                continue
            shown = [
                f"{namer.figure(f)} ({f.row_label or namer.metric(f.metric_key)}, {f.period}: "
                f"{scope or namer.t('qa.finding.scope.whole')})"
                for scope, f in sorted(sets.items())
            ]
            message = namer.t(
                "qa.finding.scope.table_coverage",
                table=table,
                entity=namer.entity(entity),
                figures="; ".join(shown),
            )
            yield finding(rule, tuple(sets.values()), message, " | ".join(sorted(sets)))


def _validate_boundary(where: str, params: dict[str, Any]) -> None:
    require(where, params, [], ["origins"])


def _boundary(inputs: CheckInputs, period: Period, holding: set[str]) -> list[str]:
    """The entities inside the stated boundary that should hold figures of their own:
    ``extra['boundary_entities']``, else the entities of the organisation without children whose
    parent holds no figures either (a production line reported with its plant is covered by the
    plant's figures); only the entities the user sees (``extra['visible_entities']``)."""
    visible = inputs.extra.get("visible_entities")
    stated = inputs.extra.get("boundary_entities")
    if stated:
        found = [str(e) for e in stated]
    else:
        entities = list(inputs.extra.get("entities") or ())
        parents = {e.parent_id for e in entities}
        found = [
            str(e.id)
            for e in entities
            if e.id not in parents
            and e.parent_id not in holding
            and (not hasattr(e, "valid_during") or e.valid_during(period))
        ]
    return [e for e in found if visible is None or e in visible]


@register("boundary_without_data", validate=_validate_boundary)
def boundary_without_data(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """An entity inside the boundary with no figure in a period others report."""
    origins = set(rule.params.get("origins") or ("datapoint",))
    namer = Namer(inputs)
    holding: dict[str, set[str]] = defaultdict(set)
    for fact in inputs.facts.facts:
        if fact.origin in origins and fact.entity_id is not None:
            try:
                year = str(Period.parse(fact.period).annual)
            except ValueError:
                continue
            holding[year].add(fact.entity_id)
    current = inputs.extra.get("period")
    for year, entities in sorted(holding.items()):
        if current is not None and year != str(Period.parse(current).annual):
            continue
        for entity in _boundary(inputs, Period.parse(year), entities):
            if entity in entities:
                continue
            message = namer.t(
                "qa.finding.scope.no_data",
                entity=namer.entity(entity),
                period=year,
                others=len(entities),
            )
            placeholder = Fact(
                origin="datapoint",
                metric_key=None,
                entity_id=entity,
                period=year,
                value=0.0,
                unit="",
                **placed("qa.place.entity", entity=entity, year=year),
            )
            yield finding(rule, (placeholder,), message, f"0 figures of {entity} in {year}")


def _validate_captive(where: str, params: dict[str, Any]) -> None:
    captive = params.get("captive")
    if not isinstance(captive, list) or not captive:
        raise RuleFileError(where, "params.captive: the metrics of the group's own electricity")
    _validate_scope2(where, {k: v for k, v in params.items() if k != "captive"})


@register("captive_in_scope2", validate=_validate_captive)
def captive_in_scope2(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A Scope 2 that only fits when the group's own plants' electricity is counted in it."""
    params = rule.params
    margin = float(params.get("margin", 0.25))
    highest, sets = grid_range(rule, inputs)
    namer = Namer(inputs)
    for metric_id in params["scope2"]:
        for key in keys_of(inputs.facts, metric_id):
            if members_of(key[0]):
                continue
            _, entity, period = key
            scope2 = pick(inputs.facts, *key).get(REPORTED)
            if scope2 is None:
                continue
            bought = _amounts(inputs, params["electricity"], entity, period, REPORTED, "MWh")
            own = _amounts(inputs, params["captive"], entity, period, REPORTED, "MWh")
            if not bought or not own or own[0] <= 0:
                continue
            try:
                tonnes = scope2.value * conversion_factor(scope2.unit, "tCO2e")
            except UnitError:
                continue
            slack = half_unit(scope2)
            if tonnes <= highest * bought[0] * (1 + margin) + slack:
                continue
            if tonnes > highest * (bought[0] + own[0]) * (1 + margin) + slack:
                continue  # too large even with the captive supply: the bound check says so
            message = namer.t(
                "qa.finding.scope.captive",
                metric=namer.metric(scope2.metric_key),
                entity=namer.entity(scope2),
                period=period,
                value=namer.figure(scope2),
                bought=num(bought[0]),
                own=num(own[0]),
                per_bought=num(tonnes / bought[0]),
                per_all=num(tonnes / (bought[0] + own[0])),
                highest=num(highest),
                sets=sets,
            )
            arithmetic = (
                f"{num(tonnes)} / {num(bought[0])} MWh = {num(tonnes / bought[0])} tCO2e/MWh > "
                f"{num(highest)}; {num(tonnes)} / ({num(bought[0])} + {num(own[0])}) MWh = "
                f"{num(tonnes / (bought[0] + own[0]))}"
            )
            used = [scope2, *bought[1], *own[1]]
            yield finding(rule, used, message, arithmetic)


def _validate_group_total(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["totals", "internal"], ["relative"])
    if not isinstance(params["totals"], list) or not params["totals"]:
        raise RuleFileError(where, "params.totals: the group totals that eliminate internal supply")


@register("captive_in_group_total", validate=_validate_group_total)
def captive_in_group_total(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A group's entered or printed total equal to esgledger's total plus the internal supplies
    the consolidation eliminated (the Scope 2 of electricity from the group's own plant, whose
    emissions are in the group's Scope 1 already): the boundary counted twice."""
    relative = float(rule.params.get("relative", 0.001))
    children: dict[str, list[str]] = defaultdict(list)
    for entity in inputs.extra.get("entities") or ():
        if entity.parent_id:
            children[str(entity.parent_id)].append(str(entity.id))
    namer = Namer(inputs)
    internal = rule.params["internal"]
    for metric_id in rule.params["totals"]:
        for key in keys_of(inputs.facts, metric_id):
            metric, entity, period = key
            if members_of(metric) or entity not in children:
                continue
            found = inputs.facts.get(*key)
            computed = next((f for f in found if f.origin == "computed"), None)
            if computed is None:
                continue
            own = pick(inputs.facts, internal, entity, period).get("ledger")
            below = [
                pick(inputs.facts, internal, c, period).get("ledger") for c in children[entity]
            ]
            eliminated = sum(f.value for f in below if f is not None) - (own.value if own else 0.0)
            if eliminated <= 0:
                continue
            for fact in found:
                if fact.origin not in ("datapoint", "reported_table") or not checked(inputs, fact):
                    continue
                slack = half_unit(fact) + relative * abs(fact.value)
                doubled = computed.value + eliminated
                if abs(fact.value - doubled) > slack or abs(fact.value - computed.value) <= slack:
                    continue
                message = namer.t(
                    "qa.finding.scope.group_total",
                    metric=namer.metric(metric),
                    entity=namer.entity(fact),
                    period=period,
                    value=namer.figure(fact),
                    where=namer.where(fact),
                    computed=num(computed.value),
                    eliminated=num(eliminated),
                    unit=namer.unit(computed.unit),
                )
                arithmetic = (
                    f"{num(computed.value)} + {num(eliminated)} = {num(doubled)} "
                    f"~ {num(fact.value)} {unit_text(computed.unit)}"
                )
                used = [fact, computed, *(f for f in below if f is not None)]
                yield finding(rule, used, message, arithmetic, eliminated=eliminated)
