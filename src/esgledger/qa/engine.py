"""Apply every rule to one set of facts and collect the findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esgledger.qa.findings import Finding
from esgledger.qa.index import FactIndex
from esgledger.qa.rules import Rule


@dataclass
class CheckInputs:
    """What a check may read: the facts, and the reference data the services hand over
    (the catalogue, the factor library, the period's targets and narrative sections, the
    language of the messages). Checks never read the store."""

    facts: FactIndex
    lang: str = "en"
    catalogue: Any = None
    factors: Any = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # section id -> Markdown text
    extra: dict[str, Any] = field(default_factory=dict)


def run_checks(rules: list[Rule], inputs: CheckInputs) -> list[Finding]:
    """The findings of every rule, errors first, then by rule id in file order."""
    # imported here: the check modules import this module (CheckInputs) when they register
    from esgledger.qa.checks import CHECKS

    findings: list[Finding] = []
    for rule in rules:
        for finding in CHECKS[rule.check].apply(rule, inputs):
            findings.append(finding)
    order = {rule.id: position for position, rule in enumerate(rules)}
    findings.sort(key=lambda f: (f.severity != "error", order.get(f.rule, len(order))))
    return findings
