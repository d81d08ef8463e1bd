"""The IRO register of an assessment and the versioned scores of each IRO: a score is never
changed, a new version is added (scorer, rationale, evidence ids); the newest version per IRO is
in effect. Audit entries ``iro.create``, ``iro.update``, ``materiality.score``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.ledger.materiality import next_id
from esgledger.store.schema import evidence, iro_scores, iros

# the columns of an IRO; the rest of a record is in ``details``
COLUMNS = ("topic_id", "kind", "polarity", "actuality", "risk_type", "value_chain", "title")


def _iro(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found.update(json.loads(found.pop("details")))
    return found


def listing(connection: sa.Connection, assessment_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(iros).where(iros.c.assessment_id == assessment_id).order_by(iros.c.id)
    ).all()
    return [_iro(r) for r in rows]


def read(connection: sa.Connection, iro_id: int) -> dict[str, Any] | None:
    row = connection.execute(sa.select(iros).where(iros.c.id == iro_id)).first()
    return None if row is None else _iro(row)


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    details = {k: v for k, v in record.items() if k not in COLUMNS}
    return {**{k: record[k] for k in COLUMNS}, "details": canonical_json(details)}


def create(
    change: Change, assessment_id: int, record: Mapping[str, Any], carried_from: int | None = None
) -> int:
    new_id = next_id(change.connection, iros)
    row = {
        "id": new_id,
        "assessment_id": assessment_id,
        **_row(record),
        "carried_from": carried_from,
        "version": 1,
        "updated_at": change.at,
        "updated_by": change.actor,
    }
    stamps = change.insert(iros, [row])
    payload = {"assessment": assessment_id, **dict(record), "carried_from": carried_from}
    change.record("iro.create", "iro", str(new_id), payload, stamps)
    return new_id


def update(change: Change, iro_id: int, version: int, record: Mapping[str, Any]) -> None:
    values = {**_row(record), "version": version + 1}
    values.update({"updated_at": change.at, "updated_by": change.actor})
    stamps = change.update(iros, iros.c.id == iro_id, values)
    change.record("iro.update", "iro", str(iro_id), {"version": version + 1, **record}, stamps)


def current_scores(connection: sa.Connection, iro_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The newest score of each IRO that has one."""
    if not iro_ids:
        return {}
    rows = connection.execute(
        sa.select(iro_scores)
        .where(iro_scores.c.iro_id.in_(list(iro_ids)))
        .order_by(iro_scores.c.iro_id, iro_scores.c.version)
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        found[row.iro_id] = _score(row)
    return found


def _score(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["components"] = json.loads(found["components"])
    found["evidence_ids"] = json.loads(found["evidence_ids"])
    return found


def history(connection: sa.Connection, iro_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(iro_scores).where(iro_scores.c.iro_id == iro_id).order_by(iro_scores.c.version)
    ).all()
    return [_score(r) for r in rows]


def add_score(
    change: Change,
    iro_id: int,
    axis: str,
    components: Mapping[str, Any],
    score: float,
    rationale: str,
    evidence_ids: Sequence[int],
    *,
    scorer: str | None = None,
    carried: bool = False,
) -> dict[str, Any]:
    """Add the next version of the IRO's score; the stored score."""
    connection = change.connection
    version = int(
        connection.execute(
            sa.select(sa.func.max(iro_scores.c.version)).where(iro_scores.c.iro_id == iro_id)
        ).scalar()
        or 0
    )
    row = {
        "id": next_id(connection, iro_scores),
        "iro_id": iro_id,
        "version": version + 1,
        "axis": axis,
        "components": canonical_json(dict(components)),
        "score": float(score),
        "scorer": scorer or change.actor,
        "rationale": rationale,
        "evidence_ids": canonical_json(list(evidence_ids)),
        "scored_at": change.at,
        "carried": carried,
    }
    stamps = change.insert(iro_scores, [row])
    payload = {
        "version": version + 1,
        "axis": axis,
        "components": dict(components),
        "score": float(score),
        "rationale": rationale,
        "evidence": list(evidence_ids),
        "carried": carried,
    }
    change.record("materiality.score", "iro", str(iro_id), payload, stamps)
    return {**row, "components": dict(components), "evidence_ids": list(evidence_ids)}


def known_evidence(connection: sa.Connection, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that are evidence of the evidence store."""
    if not ids:
        return set()
    return set(
        connection.execute(sa.select(evidence.c.id).where(evidence.c.id.in_(list(ids)))).scalars()
    )
