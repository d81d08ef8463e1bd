"""Recomputation: a printed derived figure against esgledger's own computation from the same inputs.

- ``recompute_ratio``: an intensity or a rate (the catalogue's ``ratio`` formulas: energy and GHG
  intensities, injuries per million hours (GRI 403-9) or per 1,000 employees (GB 6441-1986),
  turnover (GRI 401-1), training coverage and average hours (HKEX B3.1, B3.2; GRI 404-1)) is
  recomputed as numerator / denominator, in the catalogue unit, from the figures of the same
  source (a report table's figure from the report's own inputs; a data point from the ledger's).
  The basis a standard also allows (per 200,000 hours, GRI 403-9) and the denominators other
  definitions use (leavers / (headcount + leavers)) are declared in the rule.
- ``recompute_energy``: comprehensive energy consumption [tce] against the carriers printed in the
  same table times their GB/T 2589-2020 standard-coal coefficients, electricity both by the
  calorific equivalent (当量值) and by the equivalent value (等价值); when neither matches, the
  electricity coefficient the printed total implies.

The tolerance is the rounding of the printed figures (half the last printed digit, carried
through the arithmetic) plus the rule's ``relative`` share.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from esgledger.calc.selection import Selection
from esgledger.catalogue.breakdowns import metric_key
from esgledger.domain import Period
from esgledger.errors import FactorNotFound, RuleFileError
from esgledger.factors.library import FactorLibrary, load_library
from esgledger.qa.checks import register
from esgledger.qa.checks.common import (
    LEDGER,
    REPORTED,
    Namer,
    checked,
    differs,
    finding,
    half_unit,
    keys_of,
    members_of,
    number,
    pick,
    require,
    source_of,
)
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.messages import number as num
from esgledger.qa.messages import unit_text
from esgledger.units import UnitError, product_conversion

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule


def _subjects(inputs: CheckInputs, metric_id: str) -> Iterator[tuple[Fact, str]]:
    """The printed or entered figures of ``metric_id`` (never the calculation's own values, never
    a target), with the source their inputs are read from."""
    for key in keys_of(inputs.facts, metric_id):
        for fact in inputs.facts.get(*key):
            source = source_of(fact)
            entered = source == REPORTED or fact.origin == "datapoint"
            entered = entered and checked(inputs, fact)
            if entered and fact.attributes.get("kind") != "target":
                yield fact, source or LEDGER


def _input(inputs: CheckInputs, key: str, subject: Fact, source: str) -> Fact | None:
    assert subject.entity_id is not None
    return pick(inputs.facts, key, subject.entity_id, subject.period).get(source)


# -- ratios ---------------------------------------------------------------------------------------


def _validate_ratio(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["metrics"], ["relative", "bases", "denominators"])
    number(where, params, "relative", 0.005)
    if not isinstance(params["metrics"], list) or not params["metrics"]:
        raise RuleFileError(where, "params.metrics: a list of the catalogue's ratio metrics")
    for name in ("bases", "denominators"):
        if not isinstance(params.get(name, {}), dict):
            raise RuleFileError(where, f"params.{name}: a mapping of metric id to a list")


def _ratio_unit(numerator: str, denominator: str, target: str) -> float | None:
    try:
        return product_conversion((numerator, f"1/({denominator})"), target)
    except UnitError:
        return None


_ratio_unit_cached = cache(_ratio_unit)


@register("recompute_ratio", validate=_validate_ratio)
def recompute_ratio(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """An intensity or rate that does not follow from its own numerator and denominator."""
    catalogue = inputs.catalogue
    if catalogue is None:
        return
    relative = float(rule.params.get("relative", 0.005))
    bases: dict[str, list[float]] = rule.params.get("bases") or {}
    denominators: dict[str, list[list[str]]] = rule.params.get("denominators") or {}
    namer = Namer(inputs)
    for metric_id in rule.params["metrics"]:
        metric = catalogue.find(metric_id)
        if metric is None or metric.formula is None or metric.formula.function != "ratio":
            continue
        numerator_id, denominator_id = metric.formula.inputs
        multiplier = float(metric.formula.params.get("multiplier", 1))
        for subject, source in _subjects(inputs, metric_id):
            members = members_of(subject.metric_key or "")
            top = _input(inputs, metric_key(numerator_id, members), subject, source)
            bottom = _input(inputs, metric_key(denominator_id, members), subject, source)
            if top is None or bottom is None or bottom.value == 0 or top.value == 0:
                continue
            conversion = _ratio_unit_cached(top.unit, bottom.unit, metric.unit)
            if conversion is None:
                continue
            computed = top.value / bottom.value * conversion * multiplier
            spread = abs(computed) * (
                half_unit(top, catalogue) / abs(top.value)
                + half_unit(bottom, catalogue) / abs(bottom.value)
            )
            if not differs(computed, subject, spread, relative):
                continue
            if any(
                not differs(computed * basis, subject, spread * basis, relative)
                for basis in bases.get(metric_id, [])
            ):
                continue  # the same rate on a basis the standard also allows
            if _other_denominator(
                inputs,
                subject,
                source,
                top,
                denominators.get(metric_id, []),
                conversion * multiplier,
                relative,
                members,
            ):
                continue
            yield _ratio_finding(rule, namer, subject, top, bottom, computed)


def _other_denominator(
    inputs: CheckInputs,
    subject: Fact,
    source: str,
    top: Fact,
    alternatives: list[list[str]],
    scale: float,
    relative: float,
    members: dict[str, str],
) -> bool:
    """Whether ``subject`` follows from ``top`` over a denominator another definition uses (the sum
    of the listed metrics)."""
    for parts in alternatives:
        found = [_input(inputs, metric_key(p, members), subject, source) for p in parts]
        if any(f is None for f in found):
            continue
        total = sum(f.value for f in found if f is not None)
        if total and not differs(
            top.value / total * scale, subject, abs(top.value / total * scale) * 0.001, relative
        ):
            return True
    return False


def _ratio_finding(
    rule: Rule, namer: Namer, subject: Fact, top: Fact, bottom: Fact, computed: float
) -> Finding:
    difference = subject.value - computed
    share = difference / computed if computed else 0.0
    arithmetic = (
        f"{num(top.value)} {unit_text(top.unit)} / {num(bottom.value)} "
        f"{unit_text(bottom.unit)} = {num(computed)} {unit_text(subject.unit)} "
        f"!= {num(subject.value)} {unit_text(subject.unit)} "
        f"(difference {num(difference)}, {share * 100:,.1f} %)"
    )
    message = namer.t(
        "qa.finding.recompute.ratio",
        metric=namer.metric(subject.metric_key),
        entity=namer.entity(subject),
        period=subject.period,
        where=namer.where(subject),
        printed=namer.figure(subject),
        numerator=namer.metric(top.metric_key),
        denominator=namer.metric(bottom.metric_key),
        computed=num(computed),
        unit=namer.unit(subject.unit),
    )
    return finding(rule, (subject, top, bottom), message, arithmetic, computed=computed)


# -- comprehensive energy -----------------------------------------------------------------------


def _validate_energy(where: str, params: dict[str, Any]) -> None:
    optional = ["deduct", "relative", "implied_range", "partial_share"]
    require(where, params, ["total", "carriers_of", "methods"], optional)
    number(where, params, "relative", 0.005)
    number(where, params, "partial_share", 0.03)
    if not isinstance(params["methods"], list) or not params["methods"]:
        raise RuleFileError(
            where, "params.methods: the electricity methods (calorific, equivalent)"
        )
    implied = params.get("implied_range")
    if implied is not None and (not isinstance(implied, list) or len(implied) != 2):
        raise RuleFileError(where, "params.implied_range: [low, high] in kgce/kWh")


@cache
def _selection() -> Selection:
    return Selection.load()


@cache
def _library() -> FactorLibrary:
    return load_library()


def _coefficient(
    library: FactorLibrary, spec: str, method: str, period: str
) -> tuple[float, str] | None:
    factor_id = _selection().electricity_tce(method) if spec == "electricity" else spec
    try:
        value = library.lookup(factor_id, Period.parse(period).start)
    except (FactorNotFound, ValueError):
        return None
    return value.value, value.unit


Parts = list[tuple[Fact, str, float]]  # (figure, coefficient spec, sign)


@register("recompute_energy", validate=_validate_energy)
def recompute_energy(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """Comprehensive energy [tce] that follows from its carriers by no electricity method.

    A total *below* its printed carriers is wrong whatever else there is. A total above them may
    hold carriers the table leaves out: it is reported when the list is known to be complete (the
    same table's total of another year follows from its carriers, and the ledger holds no other
    carrier of the entity) or when it exceeds the carriers by more than ``partial_share`` (the
    minor carriers a table omits: diesel, gasoline)."""
    catalogue = inputs.catalogue
    if catalogue is None:
        return
    params = rule.params
    library = inputs.factors if isinstance(inputs.factors, FactorLibrary) else _library()
    carriers_of = catalogue.find(params["carriers_of"])
    if carriers_of is None or carriers_of.formula is None:
        return
    carriers = list(carriers_of.formula.inputs)
    deducted = list(params.get("deduct") or [])
    relative = float(params.get("relative", 0.005))
    partial_share = float(params.get("partial_share", 0.03))
    namer = Namer(inputs)

    def evaluate(subject: Fact, source: str) -> tuple[Parts, dict[str, tuple[float, float]]]:
        parts: Parts = []
        for carrier_id in carriers + deducted:
            fact = _input(inputs, carrier_id, subject, source)
            if fact is None:
                continue
            if source == REPORTED and fact.table != subject.table:
                continue  # a total follows from the carriers printed with it
            spec = catalogue[carrier_id].attributes.get("energy", {}).get("tce_factor")
            if spec:
                parts.append((fact, str(spec), -1.0 if carrier_id in deducted else 1.0))
        results = _by_method(library, parts, params["methods"], subject) if parts else None
        return parts, results or {}

    def follows(subject: Fact, results: dict[str, tuple[float, float]]) -> bool:
        if not results:
            return False
        spread = sum(abs(result[1]) for result in results.values()) / len(results)
        return any(not differs(total, subject, spread, relative) for total, _ in results.values())

    for subject, source in _subjects(inputs, params["total"]):
        if subject.entity_id is None:
            continue
        parts, results = evaluate(subject, source)
        if not results or follows(subject, results):  # nothing to compare, or it follows
            continue
        below = [total for total, _ in results.values() if total < subject.value]
        if below:  # above the carriers by one method at least: a partial list?
            if _unprinted(inputs, subject, carriers, parts) or _unreadable(inputs, subject):
                continue  # carriers the table leaves out or prints in a form not read
            complete = any(
                other.period != subject.period and follows(other, evaluate(other, source)[1])
                for other in _same_row(inputs, subject)
            )
            if not complete and source == LEDGER:
                continue  # the ledger lacks carriers the published total holds (not entered)
            if not complete and subject.value - max(below) <= partial_share * subject.value:
                continue
        yield _energy_finding(rule, namer, subject, parts, results, params, library)


def _unreadable(inputs: CheckInputs, subject: Fact) -> bool:
    """Whether ``subject``'s table has a row of its entity and period that resolved to no metric
    (a carrier printed in a form esgledger cannot read: fuel in litres of a mixture)."""
    return any(
        fact.metric_key is None
        and fact.period == subject.period
        and fact.entity_id == subject.entity_id
        for fact in inputs.facts.tables().get(subject.table or "", ())
    )


def _same_row(inputs: CheckInputs, subject: Fact) -> list[Fact]:
    """The figures of ``subject``'s table row in other periods."""
    if subject.table is None or subject.metric_key is None or subject.entity_id is None:
        return []
    return [
        fact
        for period in inputs.facts.periods()
        for fact in inputs.facts.get(subject.metric_key, subject.entity_id, period)
        if fact.table == subject.table and fact.period != subject.period
    ]


def _unprinted(
    inputs: CheckInputs, subject: Fact, carriers: list[str], parts: list[tuple[Fact, str, float]]
) -> bool:
    """Whether the ledger holds a carrier of ``subject``'s entity and period that the table does
    not print (then a total above its printed carriers may hold the others; a total below them
    is wrong either way)."""
    printed = {fact.metric_key for fact, _, _ in parts}
    for carrier_id in carriers:
        if carrier_id in printed:
            continue
        for period in inputs.facts.periods():  # any year the ledger holds
            found = pick(inputs.facts, carrier_id, subject.entity_id or "", period).get(LEDGER)
            if found is not None and found.value > 0:
                return True
    return False


def _by_method(
    library: FactorLibrary, parts: list[tuple[Fact, str, float]], methods: list[str], subject: Fact
) -> dict[str, tuple[float, float]] | None:
    """Method -> (total [tce], how far the parts' rounding moves it); a method without a
    coefficient for the period (the equivalent value before its first data year) is left out."""
    results: dict[str, tuple[float, float]] = {}
    for method in methods:
        total = spread = 0.0
        for fact, spec, sign in parts:
            found = _coefficient(library, spec, method, subject.period)
            if found is None:
                break
            value, unit = found
            try:
                scale = product_conversion((fact.unit, unit), subject.unit)
            except UnitError:
                return None
            total += sign * fact.value * value * scale
            spread += half_unit(fact) * value * scale
        else:
            results[method] = (total, spread)
    return results or None


def _energy_finding(
    rule: Rule,
    namer: Namer,
    subject: Fact,
    parts: list[tuple[Fact, str, float]],
    results: dict[str, tuple[float, float]],
    params: dict[str, Any],
    library: FactorLibrary,
) -> Finding:
    method = next(iter(results))
    terms = []
    electricity = 0.0
    rest = 0.0
    electricity_unit = ""
    for fact, spec, sign in parts:
        found = _coefficient(library, spec, method, subject.period)
        assert found is not None
        value, unit = found
        scale = product_conversion((fact.unit, unit), subject.unit)
        terms.append(
            f"{'-' if sign < 0 else ''}{num(fact.value)} {unit_text(fact.unit)} x {num(value)} {unit}"
        )
        if spec == "electricity":
            electricity += sign * fact.value
            electricity_unit = fact.unit
        else:
            rest += sign * fact.value * value * scale
    computed = ", ".join(f"{name} {num(total)}" for name, (total, _) in results.items())
    arithmetic = (
        f"{' + '.join(terms)} = {num(results[method][0])} {unit_text(subject.unit)} "
        f"!= {num(subject.value)} {unit_text(subject.unit)}"
    )
    implied_text = ""
    implied = None
    if electricity > 0:
        scale = product_conversion((electricity_unit, "kgce/kWh"), subject.unit)
        implied = (subject.value - rest) / (electricity * scale)
        low, high = params.get("implied_range") or (None, None)
        outside = low is not None and high is not None and not low <= implied <= high
        implied_text = namer.t(
            "qa.finding.recompute.energy_implied_outside"
            if outside
            else "qa.finding.recompute.energy_implied",
            coefficient=num(implied),
            low=num(low) if low is not None else "",
            high=num(high) if high is not None else "",
        )
    message = namer.t(
        "qa.finding.recompute.energy",
        metric=namer.metric(subject.metric_key),
        entity=namer.entity(subject),
        period=subject.period,
        where=namer.where(subject),
        printed=namer.figure(subject),
        computed=computed,
        unit=namer.unit(subject.unit),
    )
    return finding(
        rule,
        (subject, *(fact for fact, _, _ in parts)),
        f"{message}{implied_text}",
        arithmetic,
        implied_electricity_coefficient=implied,
        computed={name: total for name, (total, _) in results.items()},
    )
