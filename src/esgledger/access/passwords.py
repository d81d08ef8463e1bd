"""Password hashing with argon2id (argon2-cffi, RFC 9106 low-memory parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from esgledger.service_errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256

# The stored hash of an account without a password (a command-line account named after an OS
# login, see esgledger.services.accounts): no password matches it.
NO_PASSWORD = "!"

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name costs as much as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("esgledger-dummy-password")


def configure(hasher: PasswordHasher) -> None:
    """Use other argon2 parameters (tests use cheap ones; hashes record their parameters, so
    existing hashes still verify and are upgraded at the next sign-in)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("esgledger-dummy-password")


def check_policy(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters", field="password")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with ``password_hash=None`` (no such account) or
    :data:`NO_PASSWORD` burn the same time and say no."""
    usable = password_hash is not None and password_hash != NO_PASSWORD
    try:
        return (
            _hasher.verify(password_hash or _DUMMY_HASH if usable else _DUMMY_HASH, password)
            and usable
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return password_hash != NO_PASSWORD and _hasher.check_needs_rehash(password_hash)
