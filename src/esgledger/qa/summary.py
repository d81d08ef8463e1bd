"""The findings of a period as the report and its gate see them: open errors, open warnings,
findings justified (with who and why), and an admin's override of the gate.

A finding is justified when a justification in force names its rule and key (the key is stable
across runs on unchanged data). An error-level finding without one blocks a final report
(issue 12: "the report build refuses to publish while errors are open")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from esgledger.qa.findings import Finding
from esgledger.qa.rules import Rule


@dataclass(frozen=True)
class Override:
    """An admin's decision to publish a final report over open errors, printed in the basis of
    preparation."""

    reason: str
    by: str
    at: str
    findings: tuple[str, ...]  # the messages of the open errors it overrode


@dataclass
class QaSummary:
    """The checks of a period in one language."""

    rules: list[Rule]
    open_errors: list[Finding] = field(default_factory=list)
    open_warnings: list[Finding] = field(default_factory=list)
    justified: list[tuple[Finding, Mapping[str, Any]]] = field(default_factory=list)
    override: Override | None = None

    def blocking(self) -> list[dict[str, str]]:
        """The open error-level findings as an override records them."""
        return [{"rule": f.rule, "key": f.key, "message": f.message} for f in self.open_errors]


def summarise(
    rules: list[Rule], findings: Iterable[Finding], justified: Iterable[Mapping[str, Any]]
) -> QaSummary:
    """Sort ``findings`` into open errors, open warnings and justified ones."""
    by_key = {(j["rule"], j["finding_key"]): j for j in justified}
    summary = QaSummary(list(rules))
    for finding in findings:
        record = by_key.get((finding.rule, finding.key))
        if record is not None:
            summary.justified.append((finding, record))
        elif finding.severity == "error":
            summary.open_errors.append(finding)
        else:
            summary.open_warnings.append(finding)
    return summary
