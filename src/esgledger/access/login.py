"""Signing in with a user name and password, slowed down after failures so that guessing is
impractical, without letting a stranger lock anyone out (OWASP Authentication Cheat Sheet,
"account lockout"; NIST SP 800-63B 5.2.2, rate limiting):

1. **Per client address**, across names: at most ``failures_per_address`` failures in the window
   (20 in 15 minutes); then that address waits (password spraying).
2. **Per user name and client address**: ``free_failures`` (5) failures are free; each further one
   makes that address wait before trying that name again, 30 s doubling up to 15 minutes. A
   stranger's failures slow the stranger only.
3. **Per account, across addresses** (kept in the database, so every worker process applies it):
   after ``account_free_failures`` (10) consecutive failures from anywhere, addresses that have
   never signed in to the account (in this server process) wait as in 2 before each try; the
   addresses the account's owner signed in from are not slowed. This bounds guessing from many
   addresses without locking out the owner.

Nothing is a hard lock: the waits are capped, and a password reset clears them. A name without
an account gets the same answers, counted in memory (:class:`UnknownNames`), so that the answers
never tell which names exist; its password check burns the same time (a dummy hash).

The slow password check runs outside any write transaction (it would hold SQLite's write lock for
a tenth of a second); the failure counter is then updated atomically in a short one.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from esgledger.access.credentials import iso, parse_iso
from esgledger.access.passwords import hash_password, needs_rehash, verify_password
from esgledger.access.throttle import BackOff, Throttle, backoff_delay, client_key
from esgledger.ledger.change import Change, changing
from esgledger.service_errors import ServiceError, TooManyAttempts, Unauthenticated
from esgledger.store import Database
from esgledger.store.schema import users

BAD_CREDENTIALS = "wrong user name or password"
SYSTEM = "system"  # records what no signed-in person does: counters, waits after failures


@dataclass(frozen=True)
class LockoutPolicy:
    """How failed sign-ins slow down further tries of a user name (see the module)."""

    free_failures: int = 5  # per user name and client address
    account_free_failures: int = 10  # per user name, from any address
    first_delay: dt.timedelta = dt.timedelta(seconds=30)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)

    def delay(self, failures: int, free: int) -> dt.timedelta | None:
        seconds = backoff_delay(
            failures, free, self.first_delay.total_seconds(), self.max_delay.total_seconds()
        )
        return None if seconds is None else dt.timedelta(seconds=seconds)


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


def wait_error(seconds: int, scope: str) -> TooManyAttempts:
    """The refusal of a try made before its wait is over (the same for every name)."""
    hint = {
        "address": "from this address",
        "account": "from an address that has not signed in to this account before",
    }[scope]
    return TooManyAttempts(
        f"too many failed sign-ins for this user name {hint}; try again in {seconds} s "
        "(an administrator can reset the password)",
        retry_after=seconds,
    )


def locked_error(candidate: Candidate, now: dt.datetime) -> TooManyAttempts | None:
    """The account's wait for addresses that never signed in to it, if it is not over."""
    if candidate.locked_until and parse_iso(candidate.locked_until) > now:
        seconds = math.ceil((parse_iso(candidate.locked_until) - now).total_seconds())
        return wait_error(seconds, "account")
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
    """Reset or advance the account's failure counter; return the error to raise (None on
    success). From ``account_free_failures`` on, each failure sets the account's wait."""
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
    delay = policy.delay(failures, policy.account_free_failures)
    if delay is not None:
        until = iso(now + delay)
        connection.execute(users.update().where(where).values(locked_until=until))
        if failures == policy.account_free_failures:  # audited once, when the waits begin
            change.record(
                "user.lockout",
                "user",
                candidate.username,
                {"failures": failures, "until": until, "for": "addresses new to the account"},
            )
    return Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")


class UnknownNames:
    """The account counter of :func:`record_outcome` for user names that have no account, kept
    in memory, so that such a name answers exactly as an account does. At most ``max_names``
    names are remembered."""

    def __init__(self, policy: LockoutPolicy, max_names: int = 10_000):
        self.policy = policy
        self.max_names = max_names
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, str] = {}
        self._lock = threading.Lock()

    def locked_error(self, username: str, now: dt.datetime) -> TooManyAttempts | None:
        until = self._locked_until.get(username)
        return locked_error(Candidate(username, None, False, until), now) if until else None

    def failed(self, username: str, now: dt.datetime) -> None:
        with self._lock:
            if len(self._failures) >= self.max_names:
                self._failures.clear()
                self._locked_until = {
                    name: until
                    for name, until in self._locked_until.items()
                    if parse_iso(until) > now
                }
            failures = self._failures[username] = self._failures.get(username, 0) + 1
            delay = self.policy.delay(failures, self.policy.account_free_failures)
            if delay is not None:
                self._locked_until[username] = iso(now + delay)


class KnownAddresses:
    """The client addresses each user name signed in from (in this process): they are not slowed
    down by failures of other addresses. At most ``per_name`` addresses a name, ``max_names``
    names."""

    def __init__(self, per_name: int = 20, max_names: int = 10_000):
        self.per_name = per_name
        self.max_names = max_names
        self._addresses: dict[str, dict[str, None]] = {}
        self._lock = threading.Lock()

    def __contains__(self, pair: tuple[str, str]) -> bool:
        username, address = pair
        return address in self._addresses.get(username, {})

    def add(self, username: str, address: str) -> None:
        with self._lock:
            if username not in self._addresses and len(self._addresses) >= self.max_names:
                del self._addresses[next(iter(self._addresses))]
            known = self._addresses.setdefault(username, {})
            known.pop(address, None)
            known[address] = None  # the most recent last
            while len(known) > self.per_name:
                del known[next(iter(known))]


class SignInGuard:
    """The three limits of the module around one password check."""

    def __init__(
        self, policy: LockoutPolicy, failures_per_address: int, window: dt.timedelta
    ) -> None:
        self.policy = policy
        self.by_address = Throttle(failures_per_address, window.total_seconds())
        self.by_name_and_address = BackOff(
            policy.free_failures,
            policy.first_delay.total_seconds(),
            policy.max_delay.total_seconds(),
        )
        self.unknown_names = UnknownNames(policy)
        self.known = KnownAddresses()

    def authenticate(
        self, db: Database, username: str, password: str, client: str, now: dt.datetime
    ) -> str:
        """``username`` when the password is right; otherwise :class:`Unauthenticated`, or
        :class:`TooManyAttempts` for a try made before its wait is over."""
        address = client_key(client)
        pair = f"{username}\x00{address}"
        moment = now.timestamp()
        self.by_address.check(address, moment)
        wait = self.by_name_and_address.wait(pair, moment)
        if wait:
            raise wait_error(wait, "address")
        with db.reading() as connection:
            candidate = read_candidate(connection, username)
        unknown = candidate.password_hash is None
        if (username, address) not in self.known:
            locked = (
                self.unknown_names.locked_error(username, now)
                if unknown
                else locked_error(candidate, now)
            )
            if locked is not None:
                raise locked
        ok = check_password(candidate, password)
        with db.transaction() as connection, changing(connection, SYSTEM) as change:
            error = record_outcome(change, candidate, password, ok, now, self.policy)
        if error is not None:
            if unknown:
                self.unknown_names.failed(username, now)
            self.by_address.failed(address, moment)
            self.by_name_and_address.failed(pair, moment)
            raise error
        self.by_name_and_address.clear(pair)
        self.known.add(username, address)
        return username
