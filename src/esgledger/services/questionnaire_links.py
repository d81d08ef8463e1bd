"""Questionnaire links: ``<link id>.<nonce>.<signature>``, the signature an HMAC-SHA256 of the id
and nonce with the server's secret (kept in the ledger, created on first use). The ledger keeps
only the SHA-256 of the nonce, so a link cannot be rebuilt from the tables without the secret;
a link whose signature or nonce does not match is refused as tampered, a used one as used."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa

from esgledger.ledger import stakeholders as store
from esgledger.ledger.change import Change
from esgledger.service_errors import Conflict, NotFound

NOT_VALID = "this questionnaire link is not valid (mistyped, altered or unknown)"


def _signature(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def secret(change: Change) -> str:
    """The server's link secret, created and stored on first use."""
    found = store.link_secret(change.connection)
    if found is None:
        found = secrets.token_urlsafe(32)
        store.store_secret(change, found)
    return found


def issue(change: Change, assessment_id: int, group_id: str, count: int) -> list[str]:
    """``count`` new links of the group for the assessment."""
    key = secret(change)
    nonces = [secrets.token_urlsafe(18) for _ in range(count)]
    ids = store.add_links(change, assessment_id, group_id, [_nonce_hash(n) for n in nonces])
    return [f"{i}.{n}.{_signature(key, f'{i}.{n}')}" for i, n in zip(ids, nonces, strict=True)]


def verify(connection: sa.Connection, token: str, *, unused: bool = True) -> dict[str, object]:
    """The link row of ``token``; NotFound when it is tampered or unknown, Conflict when it was
    used (with ``unused``)."""
    parts = token.split(".")
    key = store.link_secret(connection)
    if len(parts) != 3 or not parts[0].isdigit() or key is None or len(token) > 200:
        raise NotFound(NOT_VALID, field="token")
    link_id, nonce, signature = parts
    if not hmac.compare_digest(_signature(key, f"{link_id}.{nonce}"), signature):
        raise NotFound(NOT_VALID, field="token")
    link = store.read_link(connection, int(link_id))
    if link is None or not hmac.compare_digest(str(link["nonce_sha256"]), _nonce_hash(nonce)):
        raise NotFound(NOT_VALID, field="token")
    if unused and link["used_at"] is not None:
        raise Conflict(
            "this questionnaire link has already been used: each link takes one response; ask "
            "the sender for a new link",
            field="token",
        )
    return link
