"""Reporting periods: which exist, their lock state and review counts; locking an approved period
and reopening it with a reason."""

from __future__ import annotations

from typing import Any

from esgledger.ledger.reads import periods_with_data
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.workflow import periods
from esgledger.workflow.periods import FIRST_YEAR, LAST_YEAR

__all__ = ["FIRST_YEAR", "LAST_YEAR", "Periods"]


class Periods(Capability):
    @reads("period.read")
    def list(self, call: Reading) -> list[dict[str, Any]]:
        """Periods with data in the user's scope or with a lock state, oldest first."""
        locks = periods.all_locks(call.connection)
        names = sorted(set(periods_with_data(call.connection, call.actor.scope)) | set(locks))
        return [{"period": name, "locked": locks.get(name, False)} for name in names]

    @reads("period.read")
    def get(self, call: Reading, period: str) -> dict[str, Any]:
        """A period's lock state, the lock covering it and its values by review status."""
        return _state(call, str(periods.parse_period(period)))

    @writes("period.lock")
    def lock(self, call: Writing, period: str, reason: str | None = None) -> dict[str, Any]:
        """Lock a period whose every current value is approved (a year locks its months)."""
        periods.set_lock(call.change, call.actor, period, True, reason)
        return _state(call, str(periods.parse_period(period)))

    @writes("period.reopen")
    def reopen(self, call: Writing, period: str, reason: str) -> dict[str, Any]:
        """Reopen a locked period; the reason is recorded."""
        periods.set_lock(call.change, call.actor, period, False, reason)
        return _state(call, str(periods.parse_period(period)))


def _state(call: Reading | Writing, name: str) -> dict[str, Any]:
    return {
        "period": name,
        **periods.lock_state(call.connection, name),
        "locked_by": periods.locked_by(call.connection, name),
        "by_status": periods.status_counts(call.connection, name, call.actor.scope),
    }
