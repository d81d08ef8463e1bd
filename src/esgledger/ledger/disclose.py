"""The disclosure records (migration 0014): a period's reporting profile and the explanations
and not-applicable declarations of framework items. Versioned, stamped and audited like the
governance records (:mod:`esgledger.ledger.governance` keeps the one implementation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from esgledger.ledger import governance as versioned
from esgledger.ledger.change import Change

PROFILE = "disclose_profile"
EXPLANATION = "disclose_explanation"


def explanation_id(period: str, reference: str) -> str:
    return f"{period}/{reference}"


def profile(connection: sa.Connection, period: str) -> dict[str, Any] | None:
    """The profile in force for ``period`` (None when none was set or it was withdrawn)."""
    found = versioned.newest(connection, PROFILE, period)
    return None if found is None or found["withdrawn"] else found


def profile_history(connection: sa.Connection, period: str) -> list[dict[str, Any]]:
    return versioned.history(connection, PROFILE, period)


def save_profile(change: Change, period: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    verb = "create" if versioned.newest(change.connection, PROFILE, period) is None else "update"
    return versioned.record(change, PROFILE, f"disclose.profile.{verb}", period, fields)


def explanations(connection: sa.Connection, period: str) -> list[dict[str, Any]]:
    """The explanations and not-applicable declarations in force for ``period``."""
    return [row for row in versioned.current(connection, EXPLANATION) if row["period"] == period]


def explanation(connection: sa.Connection, period: str, reference: str) -> dict[str, Any] | None:
    return versioned.newest(connection, EXPLANATION, explanation_id(period, reference))


def save_explanation(change: Change, fields: Mapping[str, Any]) -> dict[str, Any]:
    record_id = explanation_id(fields["period"], fields["reference"])
    previous = versioned.newest(change.connection, EXPLANATION, record_id)
    verb = "create" if previous is None or previous["withdrawn"] else "update"
    return versioned.record(change, EXPLANATION, f"disclose.explanation.{verb}", record_id, fields)


def withdraw_explanation(change: Change, found: Mapping[str, Any], reason: str) -> dict[str, Any]:
    return versioned.withdraw(change, EXPLANATION, "disclose.explanation.withdraw", found, reason)
