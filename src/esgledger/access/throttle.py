"""In-process limits on failed sign-ins, kept per key (a client address, a user name and address):

- :class:`Throttle`, at most ``limit`` failures in a sliding window (per client address, across
  names: password spraying from one address);
- :class:`BackOff`, a wait that doubles with each failure after a few free ones, up to a
  ceiling, instead of a hard lock (per user name and client address: guessing one account).

Client addresses are keyed by :func:`client_key` (an IPv6 client by its /64 network, which one
household or host usually holds whole). Each table remembers at most 10,000 keys.
"""

from __future__ import annotations

import ipaddress
import math
import threading
from collections import deque
from dataclasses import dataclass

from esgledger.service_errors import TooManyAttempts

_MAX_KEYS = 10_000
FORGET_AFTER = 24 * 3600.0  # seconds without a failure after which a key starts afresh


def client_key(address: str) -> str:
    """The key of a client address: an IPv4 address as it is, an IPv6 address by its /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def backoff_delay(failures: int, free: int, first: float, longest: float) -> float | None:
    """Seconds to wait after ``failures`` consecutive failures: none for the first ``free - 1``,
    then ``first``, doubling with each further failure, at most ``longest``."""
    if failures < free:
        return None
    return min(longest, first * 2.0 ** min(failures - free, 64))


class Throttle:
    def __init__(self, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float) -> None:
        """Raise TooManyAttempts when ``key`` has used up its failures in the window."""
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) >= self.limit:
                retry = max(1, math.ceil(failures[0] + self.window - now))
                raise TooManyAttempts(
                    f"too many failed sign-in attempts; try again in {retry} s", retry_after=retry
                )

    def failed(self, key: str, now: float) -> None:
        with self._lock:
            if len(self._failures) >= _MAX_KEYS:
                self._prune(now)
            self._failures.setdefault(key, deque()).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= _MAX_KEYS:  # still full: forget the oldest keys
            del self._failures[next(iter(self._failures))]


@dataclass
class _Failures:
    count: int
    last: float
    until: float


class BackOff:
    """Consecutive failures per key; after ``free`` of them the key must wait (see
    :func:`backoff_delay`) before its next attempt is even checked."""

    def __init__(self, free: int, first_seconds: float, longest_seconds: float):
        self.free = free
        self.first = first_seconds
        self.longest = longest_seconds
        self._keys: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> int:
        """Whole seconds ``key`` must still wait (0: it may try now)."""
        with self._lock:
            found = self._keys.get(key)
            return 0 if found is None or found.until <= now else math.ceil(found.until - now)

    def failed(self, key: str, now: float) -> None:
        with self._lock:
            if len(self._keys) >= _MAX_KEYS:
                self._prune(now)
            found = self._keys.get(key)
            if found is None or now - found.last > FORGET_AFTER:
                found = self._keys[key] = _Failures(0, now, now)
            found.count += 1
            found.last = now
            delay = backoff_delay(found.count, self.free, self.first, self.longest)
            found.until = now + delay if delay is not None else now

    def clear(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _prune(self, now: float) -> None:
        for key, found in list(self._keys.items()):
            if found.until <= now and now - found.last > self.longest:
                del self._keys[key]
        while len(self._keys) >= _MAX_KEYS:  # still full: forget the oldest keys
            del self._keys[next(iter(self._keys))]
