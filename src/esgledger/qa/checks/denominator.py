"""One denominator: the intensities printed per the same denominator imply the same one.

- ``common_denominator``: a report prints several intensities per revenue for one entity and
  year (energy, GHG, water, wastewater, waste per RMB 10,000 of revenue: HKEX KPIs A1.2-A1.4,
  A2.1, A2.2; GRI 302-3, 305-4) beside their numerators, but often not the revenue itself. Each
  intensity with its numerator implies a revenue, an interval given the printed rounding of both
  (numerator / intensity). They must share one point: an intensity whose interval misses the
  point most of the others share was computed from another revenue or another numerator.
  Where the revenue itself is printed, ``recompute_ratio`` checks each intensity against it and
  this check stays silent. Report tables only: the ledger's intensities are esgledger's own
  computation from one revenue.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.checks.common import (
    REPORTED,
    Namer,
    checked,
    finding,
    half_unit,
    is_target_figure,
    keys_of,
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

# (intensity, numerator, low, high): the denominator an intensity implies, in its catalogue unit
Implied = tuple[Fact, Fact, float, float]


def _validate(where: str, params: dict[str, Any]) -> None:
    require(where, params, ["denominator", "metrics"], ["relative"])
    number(where, params, "relative", 0.005)
    if not isinstance(params["metrics"], list) or len(params["metrics"]) < 2:
        raise RuleFileError(where, "params.metrics: two or more ratio metrics of one denominator")


@register("common_denominator", validate=_validate)
def common_denominator(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    """An intensity whose implied denominator misses the one the others share."""
    catalogue = inputs.catalogue
    if catalogue is None:
        return
    denominator = str(rule.params["denominator"])
    relative = float(rule.params.get("relative", 0.005))
    groups: dict[tuple[str, str, str], list[Implied]] = defaultdict(list)
    for metric_id in rule.params["metrics"]:
        metric = catalogue.find(metric_id)
        if metric is None or metric.formula is None or metric.formula.function != "ratio":
            continue
        numerator_id, denominator_id = metric.formula.inputs
        if denominator_id != denominator:
            continue
        target = catalogue[denominator].unit
        for key in keys_of(inputs.facts, metric_id):
            if key[0] != metric_id:
                continue  # a breakdown member: the check reads totals
            for subject in inputs.facts.get(*key):
                source = source_of(subject)
                if source != REPORTED or subject.entity_id is None or is_target_figure(subject):
                    continue  # the ledger's intensities are esgledger's own computation
                if not checked(inputs, subject) or subject.value <= 0:
                    continue
                top = pick(inputs.facts, numerator_id, subject.entity_id, subject.period)
                one = _implied(subject, top.get(source), target, relative, catalogue)
                if one is not None:
                    groups[(source, subject.entity_id, subject.period)].append(one)
    namer = Namer(inputs)
    for (source, entity, period), implied in groups.items():
        if pick(inputs.facts, denominator, entity, period).get(source) is not None:
            continue  # the denominator is printed: recompute_ratio checks each intensity
        yield from _outliers(rule, namer, implied, catalogue[denominator].unit)


def _implied(
    subject: Fact, top: Fact | None, unit: str, relative: float, catalogue: Any
) -> Implied | None:
    """The interval of denominators ``subject`` and its numerator ``top`` allow."""
    if top is None or top.value <= 0:
        return None
    try:
        scale = product_conversion((top.unit, f"1/({subject.unit})"), unit)
    except UnitError:
        return None
    top_spread, sub_spread = half_unit(top, catalogue), half_unit(subject, catalogue)
    low_intensity = subject.value - sub_spread
    low = (top.value - top_spread) / (subject.value + sub_spread) * scale * (1 - relative)
    high = (
        (top.value + top_spread) / low_intensity * scale * (1 + relative)
        if low_intensity > 0
        else math.inf
    )
    return subject, top, low, high


def _outliers(rule: Rule, namer: Namer, implied: list[Implied], unit: str) -> Iterator[Finding]:
    """The intervals that miss the point most of them share; with two disjoint ones, both."""
    if len(implied) < 2:
        return
    best, sharing = 0.0, 0
    for _s, _t, low, _h in implied:  # the most-shared point is the low end of some interval
        count = sum(1 for _a, _b, lo, hi in implied if lo <= low <= hi)
        if count > sharing:
            best, sharing = low, count
    if sharing == len(implied):
        return
    misses = [item for item in implied if not item[2] <= best <= item[3]]
    if sharing < 2 or sharing <= len(misses):
        # no majority: two (or more) intensities that cannot share one denominator
        yield _finding(rule, namer, implied, implied, unit, None)
        return
    shared = [item for item in implied if item[2] <= best <= item[3]]
    low = max(item[2] for item in shared)
    high = min(item[3] for item in shared)
    for miss in misses:
        yield _finding(rule, namer, [miss], [miss, *shared], unit, (low, high))


def _finding(
    rule: Rule,
    namer: Namer,
    odd: list[Implied],
    shown: list[Implied],
    unit: str,
    shared: tuple[float, float] | None,
) -> Finding:
    parts = [
        f"{num(top.value)} {unit_text(top.unit)} / {num(subject.value)} "
        f"{unit_text(subject.unit)} = {num(top.value / subject.value)} {namer.unit(unit)}"
        f" ({num(low)}-{num(high)})"
        for subject, top, low, high in shown
    ]
    arithmetic = "; ".join(parts)
    subject = odd[0][0]
    key = "qa.finding.denominator.outlier" if shared else "qa.finding.denominator.apart"
    message = namer.t(
        key,
        metric=namer.metric(subject.metric_key),
        entity=namer.entity(subject),
        period=subject.period,
        where=namer.where(subject),
        implied=num(odd[0][1].value / subject.value),
        low=num(shared[0]) if shared else "",
        high=num(shared[1]) if shared else "",
        unit=namer.unit(unit),
        metrics=", ".join(  # the others, where one is the odd one out
            namer.metric(s.metric_key) for s, *_rest in (shown[1:] if shared else shown)
        ),
    )
    facts = tuple(fact for s, t, *_rest in shown for fact in (s, t))
    return finding(rule, facts, message, arithmetic)
