"""Checking a user name and password, with account lockout after repeated failures.

The slow password check runs outside any write transaction (it would hold SQLite's write lock for
a tenth of a second); the failure counter is then updated atomically in a short one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from esgledger.access.credentials import iso, parse_iso
from esgledger.access.passwords import hash_password, needs_rehash, verify_password
from esgledger.ledger.change import Change
from esgledger.service_errors import ServiceError, TooManyAttempts, Unauthenticated
from esgledger.store.schema import users

BAD_CREDENTIALS = "wrong user name or password"


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_for: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Candidate:
    """What is read before the password check."""

    username: str
    password_hash: str | None
    active: bool
    locked_until: str | None


def read_candidate(connection: sa.Connection, username: str) -> Candidate:
    row = connection.execute(
        sa.select(users.c.password_hash, users.c.active, users.c.locked_until).where(
            users.c.username == username
        )
    ).first()
    if row is None:
        return Candidate(username, None, False, None)
    return Candidate(username, row.password_hash, row.active, row.locked_until)


def locked_error(candidate: Candidate, now: dt.datetime) -> TooManyAttempts | None:
    if candidate.locked_until and parse_iso(candidate.locked_until) > now:
        seconds = int((parse_iso(candidate.locked_until) - now).total_seconds()) + 1
        return TooManyAttempts(
            f"the account is locked after repeated failed sign-ins; try again "
            f"in {seconds} s or ask an administrator",
            retry_after=seconds,
        )
    return None


def check_password(candidate: Candidate, password: str) -> bool:
    return verify_password(candidate.password_hash, password) and candidate.active


def record_outcome(
    change: Change,
    candidate: Candidate,
    password: str,
    ok: bool,
    now: dt.datetime,
    policy: LockoutPolicy,
) -> ServiceError | None:
    """Reset or advance the failure counter; return the error to raise (None on success)."""
    if candidate.password_hash is None:
        return Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
    connection = change.connection
    where = users.c.username == candidate.username
    if ok:
        values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
        if needs_rehash(candidate.password_hash):
            values["password_hash"] = hash_password(password)
        stamps = change.update(users, where, values)
        if stamps:  # the stored hash was upgraded to the current parameters
            change.record("user.rehash", "user", candidate.username, {}, stamps)
        return None
    connection.execute(
        users.update().where(where).values(failed_attempts=users.c.failed_attempts + 1)
    )
    failures = connection.execute(sa.select(users.c.failed_attempts).where(where)).scalar_one()
    if failures >= policy.max_failures:
        until = iso(now + policy.lock_for)
        connection.execute(
            users.update().where(where).values(failed_attempts=0, locked_until=until)
        )
        change.record(
            "user.lockout", "user", candidate.username, {"failures": failures, "until": until}
        )
    return Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")


class UnknownNames:
    """Lockout of user names that have no account, kept in memory: after as many failures as
    lock a real account, an unknown name answers the same "locked" error, so that the answer
    never tells which names exist. At most ``max_names`` names are remembered."""

    def __init__(self, policy: LockoutPolicy, max_names: int = 10_000):
        self.policy = policy
        self.max_names = max_names
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, str] = {}

    def locked_error(self, username: str, now: dt.datetime) -> TooManyAttempts | None:
        until = self._locked_until.get(username)
        return locked_error(Candidate(username, None, False, until), now) if until else None

    def failed(self, username: str, now: dt.datetime) -> None:
        if len(self._failures) >= self.max_names:
            self._failures.clear()
            self._locked_until = {
                name: until for name, until in self._locked_until.items() if parse_iso(until) > now
            }
        failures = self._failures.get(username, 0) + 1
        if failures >= self.policy.max_failures:
            self._locked_until[username] = iso(now + self.policy.lock_for)
            failures = 0
        self._failures[username] = failures
