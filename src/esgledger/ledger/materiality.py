"""Materiality assessments (one per period), their topics with the Art. 7 explanations, and the
decision log (runs, overrides, carry-forwards, approvals). Every write stamps its rows and records
an audit entry ``materiality.<verb>``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.store.schema import (
    materiality_assessments as assessments,
)
from esgledger.store.schema import (
    materiality_decisions as decisions,
)
from esgledger.store.schema import (
    materiality_topics as topics,
)


def next_id(connection: sa.Connection, table: sa.Table) -> int:
    """The next integer id of ``table`` (the caller holds the chain head: writes are serial)."""
    return int(connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def _assessment(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["method"] = json.loads(found["method"])
    return found


def read(connection: sa.Connection, assessment_id: int) -> dict[str, Any] | None:
    row = connection.execute(
        sa.select(assessments).where(assessments.c.id == assessment_id)
    ).first()
    return None if row is None else _assessment(row)


def listing(connection: sa.Connection) -> list[dict[str, Any]]:
    rows = connection.execute(sa.select(assessments).order_by(assessments.c.id)).all()
    return [_assessment(r) for r in rows]


def latest_for_period(connection: sa.Connection, period: str) -> dict[str, Any] | None:
    row = connection.execute(
        sa.select(assessments)
        .where(assessments.c.period == period)
        .order_by(assessments.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _assessment(row)


def topic_rows(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(topics).where(topics.c.assessment_id == assessment_id).order_by(topics.c.topic_id)
    ).all()
    return [dict(r._mapping) for r in rows]


def create(
    change: Change,
    period: str,
    method_text: str,
    method: Mapping[str, Any],
    topic_ids: Sequence[str],
    carried_from: int | None = None,
    explanations: Mapping[str, str | None] | None = None,
) -> int:
    """A new draft assessment with its topics; its id."""
    new_id = next_id(change.connection, assessments)
    row = {
        "id": new_id,
        "period": period,
        "method_text": method_text,
        "method": canonical_json(method),
        "status": "draft",
        "carried_from": carried_from,
        "created_at": change.at,
        "created_by": change.actor,
        "approved_by": None,
        "approved_body": None,
        "approved_on": None,
        "approved_at": None,
    }
    stamps = change.insert(assessments, [row])
    stamps += change.insert(
        topics,
        [
            {
                "assessment_id": new_id,
                "topic_id": topic,
                "explanation": (explanations or {}).get(topic),
                "carried": carried_from is not None,
            }
            for topic in topic_ids
        ],
    )
    payload = {"period": period, "topics": list(topic_ids), "carried_from": carried_from}
    change.record("materiality.create", "materiality_assessment", str(new_id), payload, stamps)
    return new_id


def update_method(
    change: Change, assessment_id: int, method_text: str, method: Mapping[str, Any]
) -> None:
    stamps = change.update(
        assessments,
        assessments.c.id == assessment_id,
        {"method_text": method_text, "method": canonical_json(method)},
    )
    change.record(
        "materiality.method",
        "materiality_assessment",
        str(assessment_id),
        {"method": dict(method)},
        stamps,
    )


def add_topics(change: Change, assessment_id: int, topic_ids: Sequence[str]) -> None:
    stamps = change.insert(
        topics,
        [
            {"assessment_id": assessment_id, "topic_id": t, "explanation": None, "carried": False}
            for t in topic_ids
        ],
    )
    change.record(
        "materiality.topics",
        "materiality_assessment",
        str(assessment_id),
        {"added": list(topic_ids)},
        stamps,
    )


def explain(change: Change, assessment_id: int, topic_id: str, text: str) -> None:
    """Set the Art. 7 explanation of a topic."""
    stamps = change.update(
        topics,
        (topics.c.assessment_id == assessment_id) & (topics.c.topic_id == topic_id),
        {"explanation": text},
    )
    change.record(
        "materiality.explain",
        "materiality_assessment",
        str(assessment_id),
        {"topic": topic_id, "explanation": text},
        stamps,
    )


def decide(
    change: Change,
    assessment_id: int,
    kind: str,
    *,
    topic_id: str | None = None,
    decided_class: str | None = None,
    reason: str | None = None,
    inputs_digest: str | None = None,
    results: Any = None,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """Append an entry to the decision log (audited as ``materiality.<kind>``); its id."""
    new_id = next_id(change.connection, decisions)
    row = {
        "id": new_id,
        "assessment_id": assessment_id,
        "kind": kind,
        "topic_id": topic_id,
        "decided_class": decided_class,
        "reason": reason,
        "inputs_digest": inputs_digest,
        "results": None if results is None else canonical_json(results),
        "at": change.at,
        "actor": change.actor,
    }
    stamps = change.insert(decisions, [row])
    summary = {"decision": new_id, "topic": topic_id, "class": decided_class, "reason": reason}
    summary.update({"inputs_digest": inputs_digest, **(payload or {})})
    change.record(
        f"materiality.{kind}", "materiality_assessment", str(assessment_id), summary, stamps
    )
    return new_id


def decision_log(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(decisions)
        .where(decisions.c.assessment_id == assessment_id)
        .order_by(decisions.c.id)
    ).all()
    found = []
    for row in rows:
        entry = dict(row._mapping)
        entry["results"] = json.loads(entry["results"]) if entry["results"] else None
        found.append(entry)
    return found


def overrides(connection: sa.Connection, assessment_id: int) -> dict[str, dict[str, Any]]:
    """The override in effect per topic (the last one; a class ``computed`` lifts it)."""
    found: dict[str, dict[str, Any]] = {}
    for entry in decision_log(connection, assessment_id):
        if entry["kind"] != "override":
            continue
        if entry["decided_class"] == "computed":
            found.pop(entry["topic_id"], None)
        else:
            found[entry["topic_id"]] = {
                "class": entry["decided_class"],
                "reason": entry["reason"],
                "by": entry["actor"],
                "at": entry["at"],
            }
    return found


def approve(
    change: Change, assessment_id: int, body: str, approved_on: str, inputs_digest: str
) -> None:
    stamps = change.update(
        assessments,
        assessments.c.id == assessment_id,
        {
            "status": "approved",
            "approved_by": change.actor,
            "approved_body": body,
            "approved_on": approved_on,
            "approved_at": change.at,
        },
    )
    change.record(
        "materiality.approve",
        "materiality_assessment",
        str(assessment_id),
        {"body": body, "on": approved_on, "inputs_digest": inputs_digest},
        stamps,
    )
