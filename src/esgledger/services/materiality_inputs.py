"""What the materiality computations read, gathered from the repositories in one place: the
inputs of a run (:func:`gather`, fingerprinted by :func:`esgledger.assess.materiality.classes.
digest`) and the refusals every change of an assessment shares (:func:`editable`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esgledger.ledger import iros as iro_store
from esgledger.ledger import locks
from esgledger.ledger import materiality as store
from esgledger.ledger import stakeholders as stakeholder_store
from esgledger.service_errors import Conflict, NotFound


def assessment(connection: sa.Connection, assessment_id: int) -> dict[str, Any]:
    found = store.read(connection, assessment_id)
    if found is None:
        raise NotFound(
            f"no materiality assessment {assessment_id}",
            field="assessment",
            details={"found": str(assessment_id)},
        )
    return found


def editable(connection: sa.Connection, assessment_id: int, what: str) -> dict[str, Any]:
    """The draft assessment ``what`` changes; Conflict when it is approved (locked), PeriodLocked
    when its period is locked."""
    found = assessment(connection, assessment_id)
    if found["status"] == "approved":
        raise Conflict(
            f"assessment {assessment_id} ({found['period']}) is approved and locked: {what} "
            "would change it; carry it forward into a new draft instead",
            field="assessment",
        )
    locks.refuse_locked(connection, [found["period"]], what)
    return found


def gather(connection: sa.Connection, assessment_id: int) -> dict[str, Any]:
    """The inputs of the assessment's computation, as plain JSON-able data: method, topics,
    IROs (the fields the classes read), current scores by IRO id, responses, group weights,
    overrides."""
    found = assessment(connection, assessment_id)
    iros = iro_store.listing(connection, assessment_id)
    scores = iro_store.current_scores(connection, [i["id"] for i in iros])
    responses = stakeholder_store.response_listing(connection, assessment_id)
    return {
        "method": found["method"],
        "topics": [t["topic_id"] for t in store.topic_rows(connection, assessment_id)],
        "iros": [
            {"id": i["id"], "topic_id": i["topic_id"], "kind": i["kind"], "polarity": i["polarity"]}
            for i in iros
        ],
        "scores": {str(k): v["score"] for k, v in sorted(scores.items())},
        "responses": [{"group_id": r["group_id"], "answers": r["answers"]} for r in responses],
        "group_weights": {
            g["id"]: g["weight"] for g in stakeholder_store.group_listing(connection)
        },
        "overrides": {
            t: {"class": o["class"], "reason": o["reason"]}
            for t, o in store.overrides(connection, assessment_id).items()
        },
    }
