"""Writing what esgledger never writes, to show that ``audit verify`` finds it.

On PostgreSQL the audit log is append-only (migration 0008: triggers that refuse UPDATE, DELETE
and TRUNCATE, whoever asks). A tampering test plays a superuser who switches triggers off for its
own transaction (``SET LOCAL session_replication_role = replica``, which only a superuser may):
the attack the anchors are there to find.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from esgledger.store import Database


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
