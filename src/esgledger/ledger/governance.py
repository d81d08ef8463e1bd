"""The governance and engagement records (migration 0013): the organisation's own topics,
governance bodies, meetings, director training and the policy register.

Every record is kept in versions: :func:`record` adds the next version of the whole record (a
withdrawal is a version marked withdrawn, with its reason), stamped and audited in the same
change; nothing is updated or deleted. The newest version of an id is the record in force.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.store.schema import (
    assess_topics,
    director_training,
    disclose_explanations,
    disclose_profiles,
    governance_bodies,
    governance_meetings,
    policies,
    qa_justifications,
    qa_overrides,
)

TABLES: dict[str, sa.Table] = {
    "topic": assess_topics,
    "body": governance_bodies,
    "meeting": governance_meetings,
    "training": director_training,
    "policy": policies,
    # disclosure coverage (issue 11): same versioned shape, see esgledger.ledger.disclose
    "disclose_profile": disclose_profiles,
    "disclose_explanation": disclose_explanations,
    # quality checks (issue 12): see esgledger.ledger.qa
    "qa_justification": qa_justifications,
    "qa_override": qa_overrides,
}
JSON_COLUMNS = frozenset(
    {"frameworks", "metrics", "members", "topic_ids", "directors", "aliases", "findings"}
)
_STAMP_COLUMNS = ("id", "version", "withdrawn", "reason", "recorded_at", "recorded_by")


def _newest(table: sa.Table) -> sa.Select[Any]:
    newest = (
        sa.select(table.c.id, sa.func.max(table.c.version).label("version"))
        .group_by(table.c.id)
        .subquery()
    )
    return sa.select(table).join(
        newest, sa.and_(table.c.id == newest.c.id, table.c.version == newest.c.version)
    )


def _as_record(row: Mapping[Any, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key in JSON_COLUMNS:
            record[key] = json.loads(value)
        elif isinstance(value, dt.date):
            record[key] = value.isoformat()
        else:
            record[key] = value
    return record


def current(
    connection: sa.Connection, kind: str, include_withdrawn: bool = False
) -> list[dict[str, Any]]:
    """The newest version of every record of ``kind`` (withdrawn ones only when asked), by id."""
    table = TABLES[kind]
    statement = _newest(table).order_by(table.c.id)
    if not include_withdrawn:
        statement = statement.where(table.c.withdrawn.is_(False))
    return [_as_record(row) for row in connection.execute(statement).mappings()]


def newest(connection: sa.Connection, kind: str, record_id: str) -> dict[str, Any] | None:
    """The newest version of one record (withdrawn or not), or None."""
    table = TABLES[kind]
    row = (
        connection.execute(
            sa.select(table)
            .where(table.c.id == record_id)
            .order_by(table.c.version.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _as_record(row)


def history(connection: sa.Connection, kind: str, record_id: str) -> list[dict[str, Any]]:
    """Every version of one record, oldest first."""
    table = TABLES[kind]
    rows = connection.execute(
        sa.select(table).where(table.c.id == record_id).order_by(table.c.version)
    ).mappings()
    return [_as_record(row) for row in rows]


def next_id(connection: sa.Connection, kind: str, prefix: str) -> str:
    """``<prefix>-<n>``, the next number of records of ``kind`` (meetings, training sessions)."""
    table = TABLES[kind]
    count = connection.execute(sa.select(sa.func.count(sa.distinct(table.c.id)))).scalar() or 0
    number = int(count) + 1
    while newest(connection, kind, f"{prefix}-{number}") is not None:
        number += 1
    return f"{prefix}-{number}"


def record(
    change: Change,
    kind: str,
    action: str,
    record_id: str,
    fields: Mapping[str, Any],
    withdrawn: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Add the next version of record ``record_id`` holding ``fields``; audited as ``action``."""
    table = TABLES[kind]
    previous = newest(change.connection, kind, record_id)
    if previous is not None and not withdrawn and _same(table, previous, fields):
        return previous  # a change that changes nothing (an exported file imported again)
    version = 1 if previous is None else int(previous["version"]) + 1
    row: dict[str, Any] = {
        "id": record_id,
        "version": version,
        "withdrawn": withdrawn,
        "reason": reason,
        "recorded_at": change.at,
        "recorded_by": change.actor,
    }
    for column in table.columns:
        if column.name not in _STAMP_COLUMNS:
            value = fields.get(column.name)
            row[column.name] = canonical_json(value or []) if column.name in JSON_COLUMNS else value
    stamps = change.insert(table, [row])
    stored = _as_record(row)
    change.record(action, kind, record_id, _payload(stored), stamps)
    return stored


def withdraw(
    change: Change, kind: str, action: str, found: Mapping[str, Any], reason: str
) -> dict[str, Any]:
    """Add a version of record ``found`` (its newest version) marked withdrawn, with ``reason``."""
    fields = {k: v for k, v in found.items() if k not in ("version", "withdrawn", "reason")}
    return record(change, kind, action, found["id"], fields, True, reason)


def _same(table: sa.Table, previous: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Whether ``fields`` hold what the record in force holds (and it is not withdrawn)."""
    if previous["withdrawn"]:
        return False
    for column in table.columns:
        if column.name in _STAMP_COLUMNS:
            continue
        given = fields.get(column.name)
        if column.name in JSON_COLUMNS:
            given = json.loads(canonical_json(given or []))
        elif isinstance(given, dt.date):
            given = given.isoformat()
        if given != previous[column.name]:
            return False
    return True


def _payload(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k not in ("recorded_at", "recorded_by")}


def topics_covered(connection: sa.Connection) -> set[str]:
    """The topic ids covered by the duties of a governance body in force (SSE Guideline No. 14
    Art. 11(1): the governance element of a financially material topic)."""
    return {topic for body in current(connection, "body") for topic in body["topic_ids"]}
