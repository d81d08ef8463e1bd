"""Period locks as every writer sees them: a locked period (and, for a year, each of its months)
takes no new values, transfers, certificates or calculations until it is reopened.

The review workflow (``workflow.periods``) locks and reopens periods; this module is the check
that the CLI's imports and calculations share with it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from esgledger.ledger import audit
from esgledger.service_errors import PeriodLocked
from esgledger.store.schema import period_locks


def covering(period: str) -> list[str]:
    """The periods whose lock covers ``period`` (``2024`` or ``2024-03``): itself and its year."""
    return sorted({period, period[:4]})


def locks_covering(connection: sa.Connection, periods: Iterable[str]) -> dict[str, str]:
    """For each of ``periods`` that a lock covers, the locked period (itself or its year)."""
    wanted = set(periods)
    candidates = {c for p in wanted for c in covering(p)}
    if not candidates:
        return {}
    locked = set(
        connection.execute(
            sa.select(period_locks.c.period).where(
                period_locks.c.period.in_(sorted(candidates)), period_locks.c.locked.is_(True)
            )
        ).scalars()
    )
    found = {}
    for period in sorted(wanted):
        lock = next((c for c in covering(period) if c in locked), None)
        if lock is not None:
            found[period] = lock
    return found


def refuse_locked(connection: sa.Connection, periods: Iterable[str], what: str) -> None:
    """Raise :class:`PeriodLocked` naming the first locked period that ``what`` ("the file",
    "the calculation") would write into. Takes the audit chain head first, as every writer
    and the lock itself do, so that no lock can commit between this check and the write."""
    audit.lock_head(connection)
    found = locks_covering(connection, periods)
    if found:
        period, lock = next(iter(found.items()))
        covered = period if period == lock else f"{period} (in the locked year {lock})"
        raise PeriodLocked(
            f"period {covered} is locked: {what} would change it; an ESG manager must reopen "
            "it first, with a reason",
            field="period",
            details={"period": period, "locked": lock, "locked_periods": found},
        )
