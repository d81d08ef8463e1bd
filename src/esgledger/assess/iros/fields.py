"""One IRO as a record: checked field by field (EFRAG IG 1 §3.2; IFRS S2 paras 10-22; SSE
Guideline No. 14 Arts. 14-16), with a message naming the field and what was expected.

Financial effects (SSE Art. 16: current-period effects and the effects expected; ranges allowed):
``{"current": {"low", "high", "unit", "line", "note"}, "anticipated": {...}}``, ``line`` the line
of the financial statements affected. Scenarios (IFRS S2 para 22): ``[{"name", "pathway",
"horizon", "result"}]``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from esgledger.rulefiles import read_rule_file
from esgledger.service_errors import Invalid

DATA = Path(__file__).resolve().parents[1] / "data" / "iros.yaml"
TEXT_FIELDS = {
    "title": 300,
    "title_zh": 300,
    "description": 4000,
    "location": 200,
    "response": 4000,
    "owner": 200,
}
EFFECT_FIELDS = ("low", "high", "unit", "line", "note")
SCENARIO_FIELDS = ("name", "pathway", "horizon", "result")
FIELDS = (
    "topic_id",
    "kind",
    "polarity",
    "actuality",
    "risk_type",
    "value_chain",
    "horizons",
    "effects",
    "target_ids",
    "metric_keys",
    "scenarios",
    *TEXT_FIELDS,
)


@functools.cache
def vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    """kinds, polarities, actualities, risk_types, value_chain: ``{id: {en, zh}}``."""
    content, _ = read_rule_file(DATA)
    return {k: dict(v) for k, v in content.items() if k != "citation"}


def _one_of(record: Mapping[str, Any], field: str, vocab: str) -> str:
    value = record.get(field)
    known = vocabulary()[vocab]
    if not isinstance(value, str) or value not in known:
        raise Invalid(
            f"{field}: {value!r} is not one of {', '.join(known)}",
            field=field,
            details={"found": str(value)},
        )
    return str(value)


def _strings(record: Mapping[str, Any], field: str) -> list[str]:
    value = record.get(field) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise Invalid(f"{field}: expected a list of ids", field=field)
    return [str(v) for v in value]


def checked(
    record: Mapping[str, Any], topics: Iterable[str], horizons: Iterable[str]
) -> dict[str, Any]:
    """``record`` as stored: unknown fields, a topic not in the assessment, a kind, type, stage
    or horizon out of the vocabulary, over-long text or a malformed effect are refused."""
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise Invalid(
            f"{unknown[0]}: not a field of an IRO; fields: {', '.join(FIELDS)}", field=unknown[0]
        )
    topic_ids = set(topics)
    topic = record.get("topic_id")
    if not isinstance(topic, str) or topic not in topic_ids:
        raise Invalid(
            f"topic_id: {record.get('topic_id')!r} is not a topic of this assessment",
            field="topic_id",
        )
    kind = _one_of(record, "kind", "kinds")
    found: dict[str, Any] = {"topic_id": topic, "kind": kind}
    if kind == "impact":
        found["polarity"] = _one_of(record, "polarity", "polarities")
        found["actuality"] = _one_of(record, "actuality", "actualities")
        found["risk_type"] = None
    else:
        found["polarity"] = None
        found["actuality"] = None
        found["risk_type"] = _one_of(record, "risk_type", "risk_types")
    found["value_chain"] = _one_of(record, "value_chain", "value_chain")
    allowed = list(horizons)
    chosen = _strings(record, "horizons")
    for horizon in chosen:
        if horizon not in allowed:
            raise Invalid(
                f"horizons: {horizon!r} is not one of {', '.join(allowed)}", field="horizons"
            )
    found["horizons"] = [h for h in allowed if h in chosen]
    for field, limit in TEXT_FIELDS.items():
        value = record.get(field)
        text = "" if value is None else str(value).strip()
        if len(text) > limit:
            raise Invalid(f"{field}: at most {limit} characters, got {len(text)}", field=field)
        found[field] = text
    if not found["title"]:
        raise Invalid("title: an IRO needs a title", field="title")
    found["effects"] = _effects(record.get("effects") or {})
    found["target_ids"] = _strings(record, "target_ids")
    found["metric_keys"] = _strings(record, "metric_keys")
    found["scenarios"] = _scenarios(record.get("scenarios") or [])
    return found


def _effects(given: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(given, dict):
        raise Invalid("effects: expected current and/or anticipated", field="effects")
    found: dict[str, dict[str, Any]] = {}
    for when, effect in given.items():
        field = f"effects.{when}"
        if when not in ("current", "anticipated"):
            raise Invalid(f"{field}: expected current or anticipated", field=field)
        if not isinstance(effect, dict) or set(effect) - set(EFFECT_FIELDS):
            raise Invalid(f"{field}: expected {', '.join(EFFECT_FIELDS)}", field=field)
        item: dict[str, Any] = {}
        for bound in ("low", "high"):
            value = effect.get(bound)
            if value in (None, ""):
                item[bound] = None
                continue
            try:
                item[bound] = float(value)
            except (TypeError, ValueError):
                raise Invalid(
                    f"{field}.{bound}: expected a number, got {value!r}", field=f"{field}.{bound}"
                ) from None
        if None not in (item["low"], item["high"]) and item["low"] > item["high"]:
            raise Invalid(f"{field}: low is above high", field=f"{field}.low")
        for text in ("unit", "line", "note"):
            item[text] = str(effect.get(text) or "")[:1000]
        found[when] = item
    return found


def _scenarios(given: Any) -> list[dict[str, str]]:
    if not isinstance(given, list):
        raise Invalid("scenarios: expected a list", field="scenarios")
    found = []
    for n, scenario in enumerate(given, 1):
        if not isinstance(scenario, dict) or set(scenario) - set(SCENARIO_FIELDS):
            raise Invalid(
                f"scenarios[{n}]: expected {', '.join(SCENARIO_FIELDS)}", field="scenarios"
            )
        if not scenario.get("name"):
            raise Invalid(f"scenarios[{n}]: a scenario needs a name", field="scenarios")
        found.append({k: str(scenario.get(k) or "")[:1000] for k in SCENARIO_FIELDS})
    return found
