"""What of a lineage tree a user with a scope may see.

A data owner explains the values of their own entities. Such a value can rest on another entity's
figures: the smelter's internal Scope 2 uses the captive power plant's emission rate, which is that
plant's Scope 1 over its generation. The rate stays (it is the factor applied to the owner's own
value), but the plant's figures and the link to its records are withheld, as the plant is outside
the owner's scope. Records of entities outside the scope are left out whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from esgledger.lineage import Record

WITHHELD = "withheld: it rests on figures of an entity outside your scope"


def entity_of(lineage_key: str) -> str:
    """The entity of a lineage key ``metric@entity@period[#own]``."""
    parts = lineage_key.split("@")
    return parts[1] if len(parts) >= 3 else ""


def visible_records(
    records: Mapping[str, Record], root_entity: str, sees: Callable[[str], bool]
) -> dict[str, dict[str, Any]]:
    """The records of entities ``sees`` allows, each without references to the others (a
    withheld reference keeps its metric and unit, ``withheld: true``; a withheld factor source
    reads :data:`WITHHELD`)."""
    return {
        key: _redact(record, sees)
        for key, record in records.items()
        if sees(str(record.get("entity", root_entity)))
    }


def _redact(value: Any, sees: Callable[[str], bool]) -> Any:
    if isinstance(value, list):
        return [_redact(item, sees) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned = {k: _redact(v, sees) for k, v in value.items()}
    linked = cleaned.get("lineage_key")
    if isinstance(linked, str) and not sees(entity_of(linked)):
        del cleaned["lineage_key"]
        cleaned["source"] = WITHHELD
        cleaned["withheld"] = True
    referenced = cleaned.get("key")
    if isinstance(referenced, str) and "@" in referenced and not sees(entity_of(referenced)):
        cleaned = {
            "key": None,
            "metric": cleaned.get("metric"),
            "value": None,
            "unit": cleaned.get("unit", ""),
            "withheld": True,
            "source": WITHHELD,
        }
    return cleaned
