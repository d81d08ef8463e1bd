"""Writing what esgledger never writes, to show that ``audit verify`` (with anchors) finds it.

On PostgreSQL the audit log is append-only (migration 0008: triggers that refuse UPDATE, DELETE
and TRUNCATE, whoever asks). A tampering test plays a superuser who switches triggers off for its
own transaction (``SET LOCAL session_replication_role = replica``, which only a superuser may):
the attack the anchors are there to find.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.audit import GENESIS, entry_hash
from esgledger.ledger.rows import TRACKED, parse_stamps
from esgledger.store import Database
from esgledger.store.schema import audit_head, audit_log, metadata


@contextmanager
def tampering(db: Database) -> Iterator[sa.Connection]:
    """A transaction on ``db`` in which the audit log's triggers do not fire (PostgreSQL)."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield connection


def execute(db: Database, *statements: tuple[str, dict[str, object]]) -> None:
    """Run SQL statements in one :func:`tampering` transaction."""
    with tampering(db) as connection:
        for sql, params in statements:
            connection.execute(sa.text(sql), params)


def _entries(db: Database) -> list[Any]:
    with db.reading() as connection:
        return list(connection.execute(sa.select(audit_log).order_by(audit_log.c.seq)))


def cut_log(db: Database, keep: int) -> int:
    """Make the changes after entry ``keep`` un-happen: delete the rows they wrote (the caller
    makes sure they only inserted rows), delete the entries and rewind the head. The log and the
    tables agree again, and ``audit verify`` passes. Returns the number of entries removed."""
    rows = _entries(db)
    removed = [row for row in rows if row.seq > keep]
    written = {(s.table, s.key) for row in removed for s in parse_stamps(row.rows)}
    order = {table.name: n for n, table in enumerate(metadata.sorted_tables)}
    with tampering(db) as connection:
        for table, key in sorted(written, key=lambda found: -order[found[0]]):
            spec = TRACKED[table]
            values = dict(zip(spec.key, json.loads(key), strict=True))
            children = spec.children
            if children is not None:  # before their parent (foreign keys)
                connection.execute(
                    children.table.delete().where(
                        *(
                            children.table.c[child] == values[parent]
                            for child, parent in children.link
                        )
                    )
                )
            connection.execute(
                spec.table.delete().where(*(spec.table.c[n] == v for n, v in values.items()))
            )
        connection.execute(audit_log.delete().where(audit_log.c.seq > keep))
        connection.execute(audit_head.update().values(seq=keep, hash=rows[keep - 1].hash))
    return len(removed)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rewrite_from(db: Database, start: int) -> None:
    """Edit entry ``start``'s payload and re-hash the chain from there to the head, as a forger
    who can write the database would: every link holds, so ``audit verify`` passes."""
    rows = _entries(db)
    previous = rows[start - 2].hash if start > 1 else GENESIS
    with tampering(db) as connection:
        for row in rows[start - 1 :]:
            payload = row.payload
            if row.seq == start:
                payload = canonical({**json.loads(row.payload), "forged": True})
            digest = entry_hash(
                previous,
                row.at,
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                payload,
                row.rows,
            )
            connection.execute(
                audit_log.update()
                .where(audit_log.c.seq == row.seq)
                .values(payload=payload, prev_hash=previous, hash=digest)
            )
            previous = digest
        connection.execute(audit_head.update().values(hash=previous))
