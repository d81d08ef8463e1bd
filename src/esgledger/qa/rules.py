"""The check rules as reviewed data: ``qa/data/rules.yaml`` and ``qa/data/rules_checks.yaml``
(read in that order; an id is used once across them).

Each rule names the check function that applies it (``check``, a key of
:data:`esgledger.qa.checks.CHECKS`), the standard or definition it comes from (``source``), its
severity (``error`` blocks the report, ``warning`` annotates it) and the check's parameters
(``params``: which metrics add up to which, tolerances, ranges). Loading is strict: an unknown
key, an unknown check or a missing citation is an error naming the file and the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esgledger.errors import RuleFileError
from esgledger.qa.findings import Severity
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

RULES_FILE = Path(__file__).parent / "data" / "rules.yaml"
# the rules of the recomputation, bounds, change, scope and target checks (a second file, read after)
CHECK_RULES_FILE = Path(__file__).parent / "data" / "rules_checks.yaml"
RULE_FILES = (RULES_FILE, CHECK_RULES_FILE)
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    description: dict[str, str]
    source: str
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def load_rules(path: Path | Sequence[Path] = RULE_FILES) -> list[Rule]:
    """The rules of ``path`` (one file or several, in order) in file order; each rule's check
    must be registered, and an id is used once across the files."""
    paths = [path] if isinstance(path, Path) else list(path)
    rules: list[Rule] = []
    seen: set[str] = set()
    for each in paths:
        rules += _load_file(each, seen)
    return rules


def _load_file(path: Path, seen: set[str]) -> list[Rule]:
    from esgledger.qa.checks import CHECKS  # the registry imports the check modules

    content, _digest = read_rule_file(path)
    check_keys(str(path), content, ["rules"])
    rules: list[Rule] = []
    for index, entry in enumerate(content["rules"] or []):
        where = f"{path}: rules[{index}]"
        check_keys(where, entry, ["id", "check", "description", "source", "severity"], ["params"])
        rule_id = str(entry["id"])
        where = f"{path}: rule {rule_id}"
        if rule_id in seen:
            raise RuleFileError(where, "the id is used twice")
        seen.add(rule_id)
        if entry["check"] not in CHECKS:
            raise RuleFileError(
                where, f"unknown check {entry['check']!r} (known: {', '.join(sorted(CHECKS))})"
            )
        if entry["severity"] not in SEVERITIES:
            raise RuleFileError(where, f"severity must be one of {', '.join(SEVERITIES)}")
        if not str(entry["source"]).strip():
            raise RuleFileError(where, "a rule cites the standard or definition it comes from")
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise RuleFileError(where, "params must be a mapping")
        CHECKS[entry["check"]].validate(where, params)
        rules.append(
            Rule(
                id=rule_id,
                check=str(entry["check"]),
                description=bilingual(f"{where}: description", entry["description"]),
                source=str(entry["source"]),
                severity=entry["severity"],
                params=params,
            )
        )
    return rules
