"""What a check reports: the rule, its severity, the figures it rests on and the arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from esgledger.qa.facts import Fact

Severity = Literal["error", "warning"]
# "unread_row": a report table's row the checks could not read (not checked); listed apart from
# the findings about the figures, and counted as rows not read
Kind = Literal["finding", "unread_row"]


@dataclass(frozen=True)
class Finding:
    """One inconsistency: ``rule`` is the rule id of the rule file, ``message`` a sentence in the
    report language naming the values, entities, periods and tables, ``arithmetic`` the sum or
    ratio that shows it ("12,000 + 3,000 = 15,000 != 15,600 (difference 600, 3.8 %)").

    ``key`` identifies the finding across runs (rule plus the figures' identities), so that a
    justification recorded against it still applies when the checks run again on unchanged data;
    its short reference (``sum.totals#3fa9c2``, :mod:`esgledger.qa.references`) follows from it.
    """

    rule: str
    severity: Severity
    message: str
    facts: tuple[Fact, ...]
    arithmetic: str = ""
    key: str = ""
    kind: Kind = "finding"
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def blocks_report(self) -> bool:
        return self.severity == "error"
