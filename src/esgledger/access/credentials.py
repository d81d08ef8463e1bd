"""API bearer tokens and server-side web sessions. Only SHA-256 digests of secrets are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from esgledger.ledger.change import Change
from esgledger.service_errors import Unauthenticated
from esgledger.store.schema import api_tokens, audit_head, users, web_sessions

TOKEN_PREFIX = "esgl_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Issued:
    secret: str
    expires_at: str


def issue_token(change: Change, username: str, now: dt.datetime, ttl: dt.timedelta) -> Issued:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = iso(now + ttl)
    token_hash = digest(secret)
    change.insert(
        api_tokens,
        [
            {
                "token_hash": token_hash,
                "username": username,
                "created_at": iso(now),
                "expires_at": expires,
                "revoked": False,
            }
        ],
    )
    change.record("auth.token", "user", username, {"token": token_hash[:12], "expires_at": expires})
    return Issued(secret, expires)


# Built once (every API request runs it): the token, its user's state, and the configuration
# generation, so that a cached principal is used only while it is current.
_TOKEN_HOLDER = (
    sa.select(
        api_tokens.c.username,
        api_tokens.c.expires_at,
        api_tokens.c.revoked,
        users.c.active,
        sa.select(audit_head.c.configuration_generation)
        .where(audit_head.c.id == 1)
        .scalar_subquery()
        .label("generation"),
    )
    .join(users, users.c.username == api_tokens.c.username)
    .where(api_tokens.c.token_hash == sa.bindparam("token_hash"))
)


def token_holder(connection: sa.Connection, secret: str, now: dt.datetime) -> tuple[str, int]:
    """The user a token belongs to and the configuration generation, in one query;
    Unauthenticated if the token is forged, expired or revoked, or its user inactive."""
    row = connection.execute(_TOKEN_HOLDER, {"token_hash": digest(secret)}).first()
    if row is None or row.revoked or not row.active:
        raise Unauthenticated("the bearer token is not valid; get one from POST /api/v1/auth/token")
    if parse_iso(row.expires_at) <= now:
        raise Unauthenticated(
            "the bearer token has expired; get a new one from POST /api/v1/auth/token",
            code="token_expired",
        )
    return str(row.username), int(row.generation)


def revoke_token(connection: sa.Connection, secret: str) -> None:
    connection.execute(
        api_tokens.update().where(api_tokens.c.token_hash == digest(secret)).values(revoked=True)
    )


@dataclass(frozen=True)
class Session:
    session_id: str  # goes into the HttpOnly cookie
    csrf_token: str  # goes into every form (hidden field) or the X-CSRF-Token header
    username: str
    expires_at: str


def open_session(change: Change, username: str, now: dt.datetime, ttl: dt.timedelta) -> Session:
    session_id = secrets.token_urlsafe(32)
    csrf_secret = secrets.token_urlsafe(32)
    expires = iso(now + ttl)
    change.insert(
        web_sessions,
        [
            {
                "id_hash": digest(session_id),
                "username": username,
                "csrf_secret": csrf_secret,
                "created_at": iso(now),
                "expires_at": expires,
            }
        ],
    )
    change.record(
        "auth.session",
        "user",
        username,
        {"session": digest(session_id)[:12], "expires_at": expires},
    )
    return Session(session_id, csrf_secret, username, expires)


def find_session(connection: sa.Connection, session_id: str, now: dt.datetime) -> Session:
    row = connection.execute(
        sa.select(web_sessions, users.c.active)
        .join(users, users.c.username == web_sessions.c.username)
        .where(web_sessions.c.id_hash == digest(session_id))
    ).first()
    if row is None or not row.active:
        raise Unauthenticated("not signed in", code="session_invalid")
    if parse_iso(row.expires_at) <= now:
        raise Unauthenticated("the session has expired; sign in again", code="session_expired")
    return Session(session_id, row.csrf_secret, row.username, row.expires_at)


def check_csrf(session: Session, token: str | None) -> bool:
    """Whether a form's CSRF token is the one issued with this session (constant-time)."""
    return bool(token) and hmac.compare_digest(session.csrf_token.encode(), str(token).encode())


def revoke_all(connection: sa.Connection, username: str) -> None:
    """End every token and session of ``username`` (a password reset, a deactivation)."""
    connection.execute(
        api_tokens.update()
        .where(api_tokens.c.username == username, api_tokens.c.revoked.is_(False))
        .values(revoked=True)
    )
    connection.execute(web_sessions.delete().where(web_sessions.c.username == username))


def close_session(connection: sa.Connection, session_id: str) -> None:
    connection.execute(web_sessions.delete().where(web_sessions.c.id_hash == digest(session_id)))
