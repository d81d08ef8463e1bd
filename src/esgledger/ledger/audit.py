"""The append-only audit log. Each entry carries the SHA-256 of the previous one.

``entry_hash = sha256(prev_hash || canonical JSON of (at, actor, action, object_type, object_id) ||
payload [|| newline, row stamps])``: the row stamps name and digest every tracked row the entry
wrote (:mod:`esgledger.ledger.rows`), so that ``audit verify`` (:mod:`esgledger.ledger.verify`) can
prove the tables are what the log produced. The sequence number is deliberately outside the hash,
so that swapping the positions of two entries shows as a broken link (reordered), while changing an
entry's content shows as a hash mismatch (edited), and a missing entry as a gap or a dangling link
(removed). The head row anchors the last entry, so that truncation is detected too.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json, utc_now
from esgledger.ledger.rows import RowStamp, plain_text, stamps_text
from esgledger.store.bulk import insert_rows
from esgledger.store.schema import audit_head, audit_log

GENESIS = "0" * 64


@functools.lru_cache(maxsize=256)
def _encoded(text: str) -> str:
    return canonical_json(text)


def _header(at: str, actor: str, action: str, object_type: str, object_id: str) -> str:
    """``canonical_json([at, actor, action, object_type, object_id])``, with the parts an append
    repeats for every entry (time, actor, action, object type) encoded once and a plain object
    id (a data point's number) spelt directly."""
    parts = (at, actor, action, object_type)
    if not all(type(part) is str for part in parts) or type(object_id) is not str:
        return canonical_json([at, actor, action, object_type, object_id])
    last = f'"{object_id}"' if plain_text(object_id) else canonical_json(object_id)
    return f"[{','.join(_encoded(part) for part in parts)},{last}]"


def entry_hash(
    prev_hash: str,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: str,
    rows: str | None = None,
) -> str:
    """SHA-256 of the previous hash, the entry's fields as canonical JSON, its payload text
    (already canonical JSON, so it is hashed as stored rather than encoded a second time) and,
    when it wrote tracked rows, their stamps (the ``rows`` column)."""
    header = _header(at, actor, action, object_type, object_id)
    tail = f"\n{rows}" if rows else ""
    return hashlib.sha256(f"{prev_hash}{header}{payload}{tail}".encode()).hexdigest()


@dataclass
class AuditEvent:
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    rows: Sequence[RowStamp] = field(default_factory=tuple)  # the tracked rows it wrote


# Audited actions that change what servers cache per configuration generation (who may see
# what, the entity tree, locked periods, settings).
CONFIGURATION_ACTIONS = ("entity.", "user.", "period.", "setting.", "settings.")


@dataclass
class Head:
    """The locked chain head of one write transaction, and the counters it guards."""

    seq: int
    hash: str
    next_datapoint_id: int
    next_batch_id: int
    configuration_generation: int = 0


# Built once: the head is read and written by every write transaction.
_READ_HEAD = sa.select(
    audit_head.c.seq,
    audit_head.c.hash,
    audit_head.c.next_datapoint_id,
    audit_head.c.next_batch_id,
    audit_head.c.configuration_generation,
).where(audit_head.c.id == 1)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_SAVE_HEAD = audit_head.update().where(audit_head.c.id == 1)


_HELD = "esgledger.audit_head"  # connection.info key of the head held across a batch of writes
_PENDING = "esgledger.audit_pending"  # ... and of the entries appended meanwhile, not yet inserted


def lock_head(connection: sa.Connection) -> Head:
    """Lock the head row for this transaction (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers) and return it. Within a transaction that holds it already, this
    reads it again (with what the transaction has saved so far); within :func:`held_head`, it is
    the one head object of the whole batch."""
    if _HELD not in connection.info:
        return Head(*connection.execute(_LOCK_HEAD).one())
    held: Head | None = connection.info[_HELD]
    if held is None:
        held = connection.info[_HELD] = Head(*connection.execute(_LOCK_HEAD).one())
    return held


@contextmanager
def held_head(connection: sa.Connection) -> Iterator[None]:
    """Hold one head object across several writes of one transaction; insert their audit entries
    and write the head back once at the end instead of after every write. (The entries are not in
    the table until then: the writes inside must not read the audit log.) A write that fails
    leaves the in-memory head ahead of the database, so the caller must roll back the whole
    transaction on any error."""
    connection.info[_HELD] = None
    connection.info[_PENDING] = []
    try:
        yield
        held = connection.info.pop(_HELD)
        insert_rows(connection, audit_log, connection.info.pop(_PENDING))
        if held is not None:
            save_head(connection, held)
    finally:
        connection.info.pop(_HELD, None)
        connection.info.pop(_PENDING, None)


def configuration_generation(connection: sa.Connection) -> int:
    """The current configuration generation, read without locking."""
    return int(connection.execute(_READ_HEAD).one().configuration_generation)


def save_head(connection: sa.Connection, head: Head) -> None:
    """Write ``head`` back (deferred to the end of :func:`held_head`, when inside one)."""
    if _HELD in connection.info:
        return
    connection.execute(
        _SAVE_HEAD,
        {
            "seq": head.seq,
            "hash": head.hash,
            "next_datapoint_id": head.next_datapoint_id,
            "next_batch_id": head.next_batch_id,
            "configuration_generation": head.configuration_generation,
        },
    )


def append(connection: sa.Connection, head: Head, actor: str, events: Iterable[AuditEvent]) -> None:
    """Append events to the chain inside the caller's transaction and advance ``head`` (and its
    configuration generation when an event changes the configuration)."""
    at = utc_now()
    rows = []
    for event in events:
        if event.action.startswith(CONFIGURATION_ACTIONS):
            head.configuration_generation += 1
        payload = canonical_json(event.payload)
        stamps = stamps_text(event.rows)
        digest = entry_hash(
            head.hash, at, actor, event.action, event.object_type, event.object_id, payload, stamps
        )
        head.seq += 1
        rows.append(
            {
                "seq": head.seq,
                "at": at,
                "actor": actor,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "payload": payload,
                "prev_hash": head.hash,
                "hash": digest,
                "rows": stamps,
            }
        )
        head.hash = digest
    pending: list[dict[str, Any]] | None = connection.info.get(_PENDING)
    if pending is None:
        insert_rows(connection, audit_log, rows)
    else:
        pending.extend(rows)
