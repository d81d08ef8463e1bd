"""Lineage records: the trace of one value, keyed ``metric@entity@period`` (openfisca's tracer).

A record is flat JSON: the formula, the input keys it read (each has its own record), the factors it
read with their citations, per-term arithmetic, and for roll-ups the children it added. ``explain``
turns records into a tree; the report appendix prints them.
"""

from __future__ import annotations

from typing import Any


def key(metric_id: str, entity_id: str, period: str) -> str:
    return f"{metric_id}@{entity_id}@{period}"


def own_key(metric_id: str, entity_id: str, period: str) -> str:
    """Key of an entity's own part of a rolled-up value (its own activity, before children)."""
    return f"{key(metric_id, entity_id, period)}#own"


def referenced_keys(record: dict[str, Any]) -> list[str]:
    """Every key a record points at: inputs, own part and children."""
    refs = [item["key"] for item in record.get("inputs", [])]
    if record.get("own"):
        refs.append(record["own"]["key"])
    refs.extend(item["key"] for item in record.get("children", []))
    return refs
