"""Password hashing with argon2id (argon2-cffi, RFC 9106 low-memory parameters), and the strength
a new password must have.

A password that is set (an account created, a password reset) has 10 to 256 characters and must
not be easy to guess: zxcvbn (Dropbox's estimator, which knows common passwords, names, words,
keyboard patterns, repeats and dates, and is given the user name and the product's name) must
score it 3 or more, i.e. estimate at least 10^8 guesses, as NIST SP 800-63B (5.1.1.2) asks of a
verifier that compares passwords against lists of common and compromised ones. Existing hashes
are never re-checked: the rule applies when a password is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from esgledger.service_errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn's "safely unguessable": at least 10^8 guesses
CHECKED_LENGTH = 72  # zxcvbn's own limit; a longer password is judged by its first 72 characters
PRODUCT_WORDS = ("esgledger", "esg", "ledger", "sustainability", "report")

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


def check_policy(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Refuse a new password that is too short, too long or easy to guess (:class:`Invalid`,
    field ``password``; code ``weak_password`` with zxcvbn's advice in ``details``)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters", field="password")
    estimate = zxcvbn(
        password[:CHECKED_LENGTH],
        user_inputs=[*user_inputs, *PRODUCT_WORDS],
        max_length=CHECKED_LENGTH,
    )
    if estimate["score"] < MIN_SCORE:
        feedback = estimate["feedback"]
        advice = [text for text in (feedback["warning"], *feedback["suggestions"]) if text]
        raise Invalid(
            "the password is too easy to guess"
            + (": " + " ".join(advice) if advice else "")
            + " A few unrelated words make a strong password that is easy to remember.",
            field="password",
            code="weak_password",
            details={"warning": feedback["warning"], "suggestions": feedback["suggestions"]},
        )


def new_password_hash(password: str, username: str) -> str:
    """The hash of a password being set for ``username``, once it passes :func:`check_policy`."""
    check_policy(password, [username, *username.replace("@", ".").split(".")])
    return _hasher.hash(password)


def hash_password(password: str) -> str:
    """The hash of a password already accepted (a rehash with new parameters at sign-in)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with ``password_hash=None`` (no such account) or
    :data:`NO_PASSWORD` burn the same time and say no."""
    stored = password_hash if password_hash not in (None, NO_PASSWORD) else None
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return password_hash != NO_PASSWORD and _hasher.check_needs_rehash(password_hash)
