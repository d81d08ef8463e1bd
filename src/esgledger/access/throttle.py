"""An in-process limit on failed attempts per key (client address, user name) in a sliding window.

Complements the account lockout kept in the database: it also slows down guessing of user names
that do not exist, and password spraying from one address across many accounts.
"""

from __future__ import annotations

import math
import threading
from collections import deque

from esgledger.service_errors import TooManyAttempts

_MAX_KEYS = 10_000


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
