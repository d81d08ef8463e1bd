"""Errors the collaboration services raise to the interfaces (API, web UI, CLI).

Each carries a stable machine-readable ``code``, a message a person can act on, the ``field`` it is
about (when there is one) and ``details``. The API turns each class into one HTTP status (see
``esgledger.api.errors``); the services never know about HTTP.
"""

from __future__ import annotations

from typing import Any

from esgledger.errors import EsgLedgerError


class ServiceError(EsgLedgerError):
    code = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: Any = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details
        if code is not None:
            self.code = code


class Unauthenticated(ServiceError):
    """No valid credentials: a missing, forged, expired or revoked token or session."""

    code = "unauthenticated"


class TooManyAttempts(ServiceError):
    """Login throttled or the account temporarily locked after repeated failures."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class NotFound(ServiceError):
    """The object does not exist, or exists outside what the user may see (never told apart)."""

    code = "not_found"


class Forbidden(ServiceError):
    """The user may see the object but not do this to it."""

    code = "forbidden"


class Invalid(ServiceError):
    """A request that is well-formed but whose content is refused (names the field)."""

    code = "invalid"


class Conflict(ServiceError):
    """The object changed since the version the request was based on, or is in the wrong state."""

    code = "conflict"


class PeriodLocked(Conflict):
    code = "period_locked"


class TooLarge(ServiceError):
    code = "too_large"


class UnsupportedMedia(ServiceError):
    code = "unsupported_media_type"


class NotInitialised(ServiceError):
    """No ledger at the address, or one from an older version (``esgledger init`` upgrades it)."""

    code = "not_initialised"
