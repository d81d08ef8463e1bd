"""Locking an approved period against edits, and reopening it with a reason; both audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import authorize
from esgledger.access.principal import Principal
from esgledger.domain import Period
from esgledger.free_text import check_text
from esgledger.ledger.change import Change
from esgledger.ledger.locks import covering, locks_covering
from esgledger.service_errors import Conflict, Invalid, PeriodLocked
from esgledger.store.schema import datapoints, period_locks

FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_period(text: str, field: str = "period") -> Period:
    """A reporting period between 1900 and 2199, or :class:`Invalid` naming ``field``."""
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from exc
    if not FIRST_YEAR <= period.year <= LAST_YEAR:
        raise Invalid(
            f"period {text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}", field=field
        )
    return period


def covering_periods(period: str) -> list[str]:
    """The periods whose lock covers ``period``: itself and, for a month, its year."""
    return covering(str(parse_period(period)))


def _covered(period: str) -> list[str]:
    """The periods a lock of ``period`` covers: itself and, for a year, its months."""
    parsed = parse_period(period)
    if parsed.month is not None:
        return [str(parsed)]
    return [str(parsed)] + [f"{parsed.year}-{m:02d}" for m in range(1, 13)]


def locked_by(connection: sa.Connection, period: str) -> str | None:
    """The locked period that covers ``period`` (itself or its year), or None."""
    name = str(parse_period(period))
    return locks_covering(connection, [name]).get(name)


def refuse_if_locked(connection: sa.Connection, period: str) -> None:
    refuse_lock(locked_by(connection, period))


def refuse_lock(lock: str | None) -> None:
    """Raise :class:`PeriodLocked` if ``lock`` (the locked period covering a value) is set."""
    if lock is not None:
        raise PeriodLocked(
            f"period {lock} is locked: its values cannot change until an ESG manager reopens it",
            field="period",
            details={"locked": lock},
        )


def status_counts(
    connection: sa.Connection, period: str, scope: frozenset[str] | None
) -> dict[str, int]:
    query = (
        sa.select(datapoints.c.status, sa.func.count())
        .where(datapoints.c.is_current.is_(True), datapoints.c.period.in_(_covered(period)))
        .group_by(datapoints.c.status)
    )
    if scope is not None:
        query = query.where(datapoints.c.entity_id.in_(sorted(scope)))
    return {status: int(count) for status, count in connection.execute(query)}


def lock_state(connection: sa.Connection, period: str) -> dict[str, Any]:
    row = connection.execute(sa.select(period_locks).where(period_locks.c.period == period)).first()
    if row is None:
        return {"locked": False, "reason": None, "changed_by": None, "changed_at": None}
    return {
        "locked": row.locked,
        "reason": row.reason,
        "changed_by": row.changed_by,
        "changed_at": row.changed_at,
    }


def all_locks(connection: sa.Connection) -> dict[str, bool]:
    return {row.period: row.locked for row in connection.execute(sa.select(period_locks))}


def set_lock(
    change: Change, user: Principal, period: str, locked: bool, reason: str | None
) -> dict[str, Any]:
    """Lock (every current value approved) or reopen (a reason required) ``period``."""
    action = "period.lock" if locked else "period.reopen"
    authorize(user, action)
    name = str(parse_period(period))
    check_text(reason, "reason")
    if not locked and not (reason and reason.strip()):
        raise Invalid("reopening a period needs a reason", field="reason")
    connection = change.connection
    state = lock_state(connection, name)
    if state["locked"] == locked:
        raise Conflict(
            f"period {name} is already {'locked' if locked else 'open'}",
            code="invalid_state",
            details=state,
        )
    if locked:
        counts = status_counts(connection, name, None)
        pending = {s: n for s, n in counts.items() if s != "approved"}
        if pending:
            raise Conflict(
                f"period {name} has values that are not approved: "
                + ", ".join(f"{n} {s}" for s, n in sorted(pending.items())),
                code="not_approved",
                details={"by_status": counts},
            )
    row = {
        "period": name,
        "locked": locked,
        "reason": reason,
        "changed_by": user.username,
        "changed_at": change.at,
    }
    if connection.execute(
        sa.select(period_locks.c.period).where(period_locks.c.period == name)
    ).first():
        stamps = change.update(period_locks, period_locks.c.period == name, row)
    else:
        stamps = change.insert(period_locks, [row])
    change.record(action, "period", name, {"reason": reason}, stamps)
    return lock_state(connection, name)
