"""Bounds and physics: figures that cannot be true whatever the arithmetic behind them.

- ``part_of_whole``: a part never exceeds its whole: waste recovered <= waste generated (GRI
  306-3, 306-4), safety training hours <= training hours (GRI 403-5, 404-1), employees trained <=
  employees, water consumed <= water withdrawn (GRI 303-3, 303-5), and every breakdown member of
  an added-up metric <= its total;
- ``water_balance``: water consumption = withdrawal - discharge (GRI 303-5 definition);
- ``percent_range``: a percentage of the catalogue lies in 0..100;
- ``scope2_per_mwh``: location- or market-based Scope 2 per MWh of electricity within what the
  grid factors of the factor library allow (GHG Protocol Scope 2 Guidance 2015, ch. 6): above the
  highest factor of every grid the group could buy from, the Scope 2 boundary holds something else
  (captive generation, a wrong unit);
- ``intensity_range``: an intensity per tonne of product within the range published for the
  product (primary aluminium, alumina, rolled products, foil), each range with its citation; a
  printed or entered figure (a report table's, a data point), not the calculation's own ratio
  over a producer's whole boundary (a rolling mill's emissions over its foil alone).

Figures of one source are compared with each other (see :mod:`esgledger.qa.checks.common`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from esgledger.catalogue.breakdowns import base_metric, metric_key
from esgledger.errors import RuleFileError
from esgledger.factors.library import FactorLibrary, load_library
from esgledger.qa.checks import register
from esgledger.qa.checks.common import (
    Namer,
    checked,
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
from esgledger.units import UnitError, conversion_factor

if TYPE_CHECKING:
    from esgledger.qa.engine import CheckInputs
    from esgledger.qa.rules import Rule


def _list(where: str, params: dict[str, Any], name: str) -> list[Any]:
    value = params.get(name)
    if not isinstance(value, list) or not value:
        raise RuleFileError(where, f"params.{name}: a non-empty list")
    return value


# -- part <= whole ------------------------------------------------------------------------------


def _validate_parts(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["pairs"], ["breakdowns"])
    for index, pair in enumerate(_list(where, params, "pairs")):
        if not isinstance(pair, dict) or set(pair) != {"part", "whole"}:
            raise RuleFileError(where, f"params.pairs[{index}]: {{part: metric, whole: metric}}")


@register("part_of_whole", validate=_validate_parts)
def part_of_whole(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A part larger than its whole (beyond the rounding of both)."""
    namer = Namer(inputs)
    for pair in rule.params["pairs"]:
        for key in keys_of(inputs.facts, pair["part"]):
            members = members_of(key[0])
            whole_key = metric_key(pair["whole"], members)
            yield from _compare(rule, namer, inputs, key, whole_key)
    if rule.params.get("breakdowns") and inputs.catalogue is not None:
        every_key = inputs.facts.keys()
        for key in every_key:
            members = members_of(key[0])
            if not members or "covers" in members:
                continue
            metric = inputs.catalogue.find(key[0])
            if metric is None or metric.aggregation != "sum" or metric.formula is not None:
                continue
            yield from _compare(rule, namer, inputs, key, base_metric(key[0]))


def _compare(
    rule: Rule, namer: Namer, inputs: CheckInputs, key: tuple[str, str, str], whole_key: str
) -> Iterator[Finding]:
    _, entity, period = key
    parts = pick(inputs.facts, *key)
    wholes = pick(inputs.facts, whole_key, entity, period)
    for source, part in parts.items():
        if not checked(inputs, part):
            continue
        whole = wholes.get(source)
        if whole is None:
            continue
        try:
            scale = conversion_factor(whole.unit, part.unit)
        except UnitError:
            continue
        whole_value = whole.value * scale
        allowed = half_unit(part) + half_unit(whole) * scale + 1e-9 * abs(whole_value)
        if part.value <= whole_value + allowed:
            continue
        arithmetic = (
            f"{num(part.value)} > {num(whole_value)} {unit_text(part.unit)} "
            f"(by {num(part.value - whole_value)})"
        )
        message = namer.t(
            "qa.finding.bounds.part_of_whole",
            part=namer.metric(part.metric_key),
            whole=namer.metric(whole.metric_key),
            entity=namer.entity(part),
            period=period,
            part_value=namer.figure(part),
            whole_value=namer.figure(whole),
            where=namer.where(part),
        )
        yield finding(rule, (part, whole), message, arithmetic)


# -- water balance ----------------------------------------------------------------------------


def _validate_water(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["withdrawal", "discharge", "consumption"], ["relative"])
    number(where, params, "relative", 0.01)


@register("water_balance", validate=_validate_water)
def water_balance(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """Consumption that is not withdrawal less discharge."""
    params = rule.params
    relative = float(params.get("relative", 0.01))
    namer = Namer(inputs)
    for key in keys_of(inputs.facts, params["consumption"]):
        if members_of(key[0]):
            continue
        _, entity, period = key
        used = pick(inputs.facts, *key)
        taken = pick(inputs.facts, params["withdrawal"], entity, period)
        out = pick(inputs.facts, params["discharge"], entity, period)
        for source, consumption in used.items():
            if not checked(inputs, consumption):
                continue
            withdrawal, discharge = taken.get(source), out.get(source)
            if withdrawal is None or discharge is None:
                continue
            balance = withdrawal.value - discharge.value
            allowed = (
                half_unit(consumption)
                + half_unit(withdrawal)
                + half_unit(discharge)
                + relative * max(abs(withdrawal.value), abs(consumption.value))
            )
            if abs(consumption.value - balance) <= allowed:
                continue
            arithmetic = (
                f"{num(withdrawal.value)} - {num(discharge.value)} = {num(balance)} "
                f"!= {num(consumption.value)} {unit_text(consumption.unit)}"
            )
            message = namer.t(
                "qa.finding.bounds.water_balance",
                entity=namer.entity(consumption),
                period=period,
                consumption=namer.figure(consumption),
                withdrawal=namer.figure(withdrawal),
                discharge=namer.figure(discharge),
                balance=num(balance),
                unit=namer.unit(consumption.unit),
                where=namer.where(consumption),
            )
            yield finding(rule, (consumption, withdrawal, discharge), message, arithmetic)


# -- percentages ------------------------------------------------------------------------------


def _validate_percent(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["units"], ["low", "high"])
    number(where, params, "low", 0)
    number(where, params, "high", 100)


@register("percent_range", validate=_validate_percent)
def percent_range(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """A percentage of the catalogue outside 0..100."""
    if inputs.catalogue is None:
        return
    low = float(rule.params.get("low", 0))
    high = float(rule.params.get("high", 100))
    units = set(rule.params["units"])
    namer = Namer(inputs)
    for fact in inputs.facts.facts:
        if fact.metric_key is None or fact.entity_id is None or source_of(fact) is None:
            continue
        if not checked(inputs, fact):
            continue
        metric = inputs.catalogue.find(fact.metric_key)
        if metric is None or metric.unit not in units:
            continue
        slack = half_unit(fact)
        if low - slack <= fact.value <= high + slack:
            continue
        message = namer.t(
            "qa.finding.bounds.percent",
            metric=namer.metric(fact.metric_key),
            entity=namer.entity(fact),
            period=fact.period,
            value=namer.figure(fact),
            low=num(low),
            high=num(high),
            where=namer.where(fact),
        )
        yield finding(rule, (fact,), message, f"{num(fact.value)} not in {num(low)}..{num(high)}")


# -- Scope 2 per MWh ----------------------------------------------------------------------------


def _validate_scope2(where: str, params: dict[str, Any]) -> None:
    require(
        where,
        params,
        ["scope2", "electricity", "grid_sets"],
        ["other_electricity", "heat", "heat_factors", "country_sets", "margin"],
    )
    _list(where, params, "scope2")
    _list(where, params, "electricity")
    _list(where, params, "grid_sets")
    number(where, params, "margin", 0.25)


@cache
def _library() -> FactorLibrary:
    return load_library()


def _highest(library: FactorLibrary, prefixes: tuple[str, ...], target: str) -> float | None:
    """The highest value of every factor whose id starts with one of ``prefixes``, in
    ``target``."""
    best: float | None = None
    for factor_id in library.factor_ids():
        if not factor_id.startswith(prefixes):
            continue
        for value in library.values(factor_id):
            try:
                converted = value.value * conversion_factor(value.unit, target)
            except UnitError:
                continue
            best = converted if best is None else max(best, converted)
    return best


def grid_range(rule: Rule, inputs: CheckInputs) -> tuple[float, str]:
    """The highest grid factor [tCO2/MWh] the group could buy at, and the sets it was read from."""
    library = inputs.factors if isinstance(inputs.factors, FactorLibrary) else _library()
    prefixes = [f"{name}." for name in rule.params["grid_sets"]]
    countries = sorted({str(e.country) for e in inputs.extra.get("entities") or ()})
    for pattern in rule.params.get("country_sets") or []:
        prefixes += [f"{pattern}.{country}" for country in countries] or [f"{pattern}."]
    return _highest(library, tuple(prefixes), "tCO2/MWh") or 0.0, ", ".join(
        rule.params["grid_sets"]
    )


@register("scope2_per_mwh", validate=_validate_scope2)
def scope2_per_mwh(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """Scope 2 above what its electricity (and heat) could cause at the highest grid factor."""
    params = rule.params
    margin = float(params.get("margin", 0.25))
    highest, sets = grid_range(rule, inputs)
    library = inputs.factors if isinstance(inputs.factors, FactorLibrary) else _library()
    heat_factor = _highest(library, tuple(params.get("heat_factors") or ()), "tCO2/GJ") or 0.0
    namer = Namer(inputs)
    for metric_id in params["scope2"]:
        for key in keys_of(inputs.facts, metric_id):
            if members_of(key[0]):
                continue
            _, entity, period = key
            for source, scope2 in pick(inputs.facts, *key).items():
                if not checked(inputs, scope2):
                    continue
                bought = _amounts(inputs, params["electricity"], entity, period, source, "MWh")
                if not bought or bought[0] <= 0:
                    continue
                other = _amounts(
                    inputs, params.get("other_electricity") or [], entity, period, source, "MWh"
                )
                heat = _amounts(inputs, params.get("heat") or [], entity, period, source, "GJ")
                mwh = bought[0] + (other[0] if other else 0.0)
                try:
                    tonnes = scope2.value * conversion_factor(scope2.unit, "tCO2e")
                except UnitError:
                    continue
                ceiling = (highest * mwh + heat_factor * (heat[0] if heat else 0.0)) * (1 + margin)
                if tonnes <= ceiling + half_unit(scope2):
                    continue
                used = [
                    scope2,
                    *bought[1],
                    *(other[1] if other else []),
                    *(heat[1] if heat else []),
                ]
                per_mwh = tonnes / mwh
                arithmetic = (
                    f"{num(tonnes)} tCO2e / {num(mwh)} MWh = {num(per_mwh)} tCO2e/MWh > "
                    f"{num(highest)} x (1 + {num(margin)})"
                )
                message = namer.t(
                    "qa.finding.bounds.scope2_per_mwh",
                    metric=namer.metric(scope2.metric_key),
                    entity=namer.entity(scope2),
                    period=period,
                    value=namer.figure(scope2),
                    mwh=num(mwh),
                    per_mwh=num(per_mwh),
                    highest=num(highest),
                    sets=sets,
                    where=namer.where(scope2),
                )
                yield finding(rule, used, message, arithmetic, per_mwh=per_mwh, highest=highest)


def _amounts(
    inputs: CheckInputs, metrics: list[str], entity: str, period: str, source: str, unit: str
) -> tuple[float, list[Fact]] | None:
    """The sum of ``metrics`` of one source in ``unit``, with the figures; None when none."""
    total, used = 0.0, []
    for metric_id in metrics:
        fact = pick(inputs.facts, metric_id, entity, period).get(source)
        if fact is None:
            continue
        try:
            total += fact.value * conversion_factor(fact.unit, unit)
        except UnitError:
            continue
        used.append(fact)
    return (total, used) if used else None


# -- product intensities ------------------------------------------------------------------------


def _validate_intensity(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["ranges"])
    for index, entry in enumerate(_list(where, params, "ranges")):
        at = f"{where}: params.ranges[{index}]"
        if not isinstance(entry, dict):
            raise RuleFileError(at, "a mapping")
        require(at, entry, ["metric", "low", "high", "unit", "source"], ["confirmed", "note"])
        if not float(entry["low"]) < float(entry["high"]):
            raise RuleFileError(at, "low must be below high")
        if not str(entry["source"]).strip():
            raise RuleFileError(at, "a range cites where it was published")


@register("intensity_range", validate=_validate_intensity)
def intensity_range(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """An intensity per tonne of product outside the range published for the product."""
    namer = Namer(inputs)
    for entry in rule.params["ranges"]:
        for key in keys_of(inputs.facts, entry["metric"]):
            for fact in pick(inputs.facts, *key).values():
                if not checked(inputs, fact) or fact.origin == "computed":
                    continue  # a computed per-product ratio of a plant making several products
                try:
                    scale = conversion_factor(entry["unit"], fact.unit)
                except UnitError:
                    continue
                low, high = float(entry["low"]) * scale, float(entry["high"]) * scale
                slack = half_unit(fact)
                if low - slack <= fact.value <= high + slack:
                    continue
                confirmed = entry.get("confirmed", False)
                message = namer.t(
                    "qa.finding.bounds.intensity",
                    metric=namer.metric(fact.metric_key),
                    entity=namer.entity(fact),
                    period=fact.period,
                    value=namer.figure(fact),
                    low=num(low),
                    high=num(high),
                    unit=namer.unit(fact.unit),
                    source=entry["source"],
                    where=namer.where(fact),
                ) + ("" if confirmed else namer.t("qa.finding.bounds.unconfirmed"))
                arithmetic = (
                    f"{num(fact.value)} not in {num(low)}..{num(high)} {unit_text(fact.unit)}"
                )
                yield finding(rule, (fact,), message, arithmetic, source=entry["source"])
