"""Identity: one figure (metric key, entity, period) printed or stored with two values.

The sides compared are the places a figure stands: each report table's row, the ledger (one
figure, see :func:`places`: a data point and the run's value are never compared with each
other), and each target's stated base value and aim (an aim, a target record's value or a report
row marked ``figure=target``, is compared only with other aims: it is no figure of the year). Two
values differ when they are further apart than the rounding of their printed decimals
(:func:`esgledger.qa.messages.rounding`; a ledger value is exact). Two rows of one table are
the label check's (``label.duplicate``).

``params.between`` names the pair of sides a rule compares: ``reported-reported`` (two report
tables), ``reported-ledger`` (a report table against the ledger), ``target-any`` (a target record's
base against the ledger, a report table or another target; its aim against a target printed in a
report table).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import Any

from esgledger.errors import RuleFileError
from esgledger.qa.checks import register
from esgledger.qa.engine import CheckInputs
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.messages import describe, finding, label, number, rounding, unit_text
from esgledger.qa.rules import Rule

PAIRS = ("reported-reported", "reported-ledger", "target-any")


def _validate(where: str, params: dict[str, Any]) -> None:
    if params.get("between") not in PAIRS:
        raise RuleFileError(where, f"params.between is one of {', '.join(PAIRS)}")


def side(fact: Fact) -> str | None:
    """``reported``, ``ledger`` or ``target`` (a target record's base or aim)."""
    if fact.origin == "reported_table":
        return "reported"
    if fact.origin in ("computed", "datapoint"):
        return "ledger"
    if fact.origin == "target":
        return "target"
    return None


def aims(fact: Fact) -> bool:
    """Whether the fact is a target set for its period (a target record's value, or a report
    row marked ``figure=target``): compared only with other targets."""
    if fact.origin == "target":
        return fact.attributes.get("kind") == "target"
    return fact.attributes.get("figure") == "target"


def places(facts: list[Fact], derived: bool) -> list[Fact]:
    """The facts of one key that are compared, the ledger once: for an input metric the run's
    value (a parent's data point is only its own part), for a derived metric the data point
    (the figure the organisation reported: how it differs from the computation is the
    recomputation check's question), else the run's value."""
    ledger = [f for f in facts if side(f) == "ledger"]
    first = "datapoint" if derived else "computed"
    chosen = [f for f in ledger if f.origin == first][:1] or ledger[:1]
    return [f for f in facts if side(f) in ("reported", "target")] + chosen


def differ(a: Fact, b: Fact, catalogue: Any = None) -> bool:
    return abs(a.value - b.value) > rounding(a, catalogue) + rounding(b, catalogue) + 1e-9 * max(
        abs(a.value), abs(b.value), 1.0
    )


def wanted(between: str, a: Fact, b: Fact) -> bool:
    sides = {side(a), side(b)}
    if between == "reported-reported":
        return sides == {"reported"} and a.table != b.table
    if between == "reported-ledger":
        return sides == {"reported", "ledger"}
    return "target" in sides


@register("identity", _validate)
def check_identity(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    between = rule.params["between"]
    index = inputs.facts
    catalogue = inputs.catalogue
    for key in index.keys():  # noqa: SIM118 - FactIndex is no mapping
        metric = catalogue.find(key[0]) if catalogue is not None else None
        facts = places(index.get(*key), metric is not None and metric.is_derived)
        if len(facts) < 2:
            continue
        pairs = [
            (a, b)
            for a, b in combinations(facts, 2)
            if aims(a) == aims(b) and wanted(between, a, b)
        ]
        differing = [(a, b) for a, b in pairs if differ(a, b, catalogue)]
        if not differing:
            continue
        shown = list(dict.fromkeys(f for pair in differing for f in pair))
        low, high = min(shown, key=lambda f: f.value), max(shown, key=lambda f: f.value)
        difference = high.value - low.value
        share = f" ({difference / abs(low.value):.1%})" if low.value else ""
        yield finding(
            rule,
            inputs,
            "qa.identity.differ",
            shown,
            f"{number(high.value)} − {number(low.value)} = {number(difference)} "
            f"{unit_text(low.unit, inputs.lang)}{share}",
            metric=label(shown[0], inputs),
            entity=shown[0].entity_as_written or shown[0].entity_id,
            period=shown[0].period,
            values=("；" if inputs.lang == "zh" else "; ").join(describe(f, inputs) for f in shown),
        )
