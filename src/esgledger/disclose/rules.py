"""The reviewed coverage rules (``data/coverage.yaml``): the breakdowns an item asks for and the
records (targets, governance, materiality) that meet an item besides text and metrics."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).parent / "data" / "coverage.yaml"
SOURCES = ("targets", "governance", "materiality", "iros")


@dataclass(frozen=True)
class CoverageRules:
    breakdowns: dict[str, tuple[str, ...]]  # item reference -> axes asked for
    evidence: dict[str, tuple[str, ...]]  # item reference -> records that meet it


def _entries(content: dict[str, Any], key: str, field: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for reference, entry in (content.get(key) or {}).items():
        values = entry.get(field) if isinstance(entry, dict) else None
        if not isinstance(values, list) or not entry.get("source"):
            raise ValueError(f"{RULES_FILE.name}: {key}.{reference} needs {field} and a source")
        if key == "evidence" and not set(values) <= set(SOURCES):
            raise ValueError(f"{RULES_FILE.name}: {key}.{reference}: sources are {SOURCES}")
        found[str(reference)] = tuple(str(v) for v in values)
    return found


@cache
def coverage_rules(path: Path = RULES_FILE) -> CoverageRules:
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return CoverageRules(
        _entries(content, "breakdowns", "axes"), _entries(content, "evidence", "sources")
    )
