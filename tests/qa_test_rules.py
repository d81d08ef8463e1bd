"""Hand-made check rules for the tests of the QA page, justifications and the report gate.

A check ``test_above`` registered in the check registry: a data point of the checked period whose
metric is ``params.metric`` and whose value is above ``params.limit`` is a finding (key: the
metric, entity and period, so that it is the same finding on every run while the data do not
change). The fixture ``qa_rules`` makes the QA service load these rules: ``diesel.limit`` (an
error, diesel above 15 t) and ``water.limit`` (a warning, withdrawal above 6,000 m3).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from esgledger.qa.checks import CHECKS, register
from esgledger.qa.engine import CheckInputs
from esgledger.qa.findings import Finding
from esgledger.qa.rules import Rule

CHECK = "test_above"
RULES = [
    Rule(
        "diesel.limit",
        CHECK,
        {"en": "Diesel at most 15 t", "zh": "柴油不超过15吨"},
        "test rule (hand-made)",
        "error",
        {"metric": "energy.diesel", "limit": 15.0},
    ),
    Rule(
        "water.limit",
        CHECK,
        {"en": "Water withdrawal at most 6,000 m3", "zh": "取水量不超过6000立方米"},
        "test rule (hand-made)",
        "warning",
        {"metric": "water.withdrawal", "limit": 6000.0},
    ),
]


def above(rule: Rule, inputs: CheckInputs) -> Iterator[Finding]:
    limit = float(rule.params["limit"])
    for fact in inputs.facts.facts:
        if (
            fact.origin == "datapoint"
            and fact.metric_key == rule.params["metric"]
            and fact.period == inputs.extra["period"]
            and fact.value > limit
        ):
            words = "高于上限" if inputs.lang == "zh" else "is above the limit of"
            yield Finding(
                rule.id,
                rule.severity,
                f"{fact.metric_key} of {fact.entity_id} {fact.period}: {fact.value:g} {words} "
                f"{limit:g}",
                (fact,),
                arithmetic=f"{fact.value:g} > {limit:g}",
                key=f"{fact.metric_key}@{fact.entity_id}@{fact.period}",
            )


if CHECK not in CHECKS:
    register(CHECK)(above)


@pytest.fixture
def qa_rules(monkeypatch: pytest.MonkeyPatch) -> list[Rule]:
    """The QA service runs the hand-made rules above."""
    monkeypatch.setattr("esgledger.services.qa.load_rules", lambda: list(RULES))
    return RULES
