"""The quality checks' records (migration 0016): justifications of findings and admins' overrides
of the report gate. Versioned, stamped and audited like the governance records
(:mod:`esgledger.ledger.governance` keeps the one implementation): a withdrawal is a new version
marked withdrawn; nothing is updated or deleted."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from esgledger.ledger import governance as versioned
from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.store.schema import qa_overrides

JUSTIFICATION = "qa_justification"
OVERRIDE = "qa_override"


def justification_id(period: str, rule: str, finding_key: str) -> str:
    """``<period>/<digest>``: a finding's key may be long, the record id is bounded."""
    digest = hashlib.sha256(f"{rule}\x00{finding_key}".encode()).hexdigest()[:40]
    return f"{period}/{digest}"


def justifications(connection: sa.Connection, period: str) -> list[dict[str, Any]]:
    """The justifications in force for ``period`` (withdrawn ones left out)."""
    return [row for row in versioned.current(connection, JUSTIFICATION) if row["period"] == period]


def justification(
    connection: sa.Connection, period: str, rule: str, finding_key: str
) -> dict[str, Any] | None:
    """The newest version of a finding's justification (withdrawn or not), or None."""
    return versioned.newest(connection, JUSTIFICATION, justification_id(period, rule, finding_key))


def justification_history(
    connection: sa.Connection, period: str, rule: str, finding_key: str
) -> list[dict[str, Any]]:
    return versioned.history(connection, JUSTIFICATION, justification_id(period, rule, finding_key))


def save_justification(change: Change, fields: Mapping[str, Any]) -> dict[str, Any]:
    record_id = justification_id(fields["period"], fields["rule"], fields["finding_key"])
    previous = versioned.newest(change.connection, JUSTIFICATION, record_id)
    verb = "create" if previous is None or previous["withdrawn"] else "update"
    return versioned.record(change, JUSTIFICATION, f"qa.justification.{verb}", record_id, fields)


def withdraw_justification(change: Change, found: Mapping[str, Any], reason: str) -> dict[str, Any]:
    return versioned.withdraw(change, JUSTIFICATION, "qa.justification.withdraw", found, reason)


def override(connection: sa.Connection, period: str) -> dict[str, Any] | None:
    """The newest override of ``period``'s report gate, or None."""
    found = versioned.newest(connection, OVERRIDE, period)
    return None if found is None or found["withdrawn"] else found


def record_override(
    change: Change, period: str, findings: list[dict[str, str]], reason: str
) -> dict[str, Any]:
    """Record that a final report of ``period`` was published with ``findings`` open: always a
    new version, even when an earlier build was overridden for the same findings and reason."""
    previous = versioned.newest(change.connection, OVERRIDE, period)
    row: dict[str, Any] = {
        "id": period,
        "version": 1 if previous is None else int(previous["version"]) + 1,
        "period": period,
        "findings": canonical_json(findings),
        "withdrawn": False,
        "reason": reason,
        "recorded_at": change.at,
        "recorded_by": change.actor,
    }
    stamps = change.insert(qa_overrides, [row])
    stored = {**row, "findings": findings}
    payload = {k: v for k, v in stored.items() if k not in ("recorded_at", "recorded_by")}
    change.record("qa.override", OVERRIDE, period, payload, stamps)
    return stored
