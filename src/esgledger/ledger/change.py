"""One write to the ledger: the held chain head, the table writes, and the audit entries recording
them.

Every writer works through a :class:`Change`: it takes the chain head first (so writes are
serialised and a period lock cannot commit between a check and a write), writes tracked rows
through :meth:`Change.insert`, :meth:`Change.update` and :meth:`Change.delete`, which stamp each row
(:mod:`esgledger.ledger.rows`), and records audit entries naming those stamps. :meth:`Change.finish`
appends the entries and saves the head; a tracked row written without an entry naming it is a
programming error and rolls the transaction back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from esgledger.ledger import audit
from esgledger.ledger.audit import AuditEvent, Head
from esgledger.ledger.canonical import utc_now
from esgledger.ledger.rows import (
    TRACKED,
    RowStamp,
    child_digest,
    children_digest,
    key_text,
    stamp,
)
from esgledger.store.bulk import insert_rows


class UnrecordedWrite(RuntimeError):
    """A tracked row was written but no audit entry of the change names it."""


class Change:
    """A write transaction on behalf of ``actor`` (a user name)."""

    def __init__(self, connection: sa.Connection, actor: str):
        self.connection = connection
        self.actor = actor
        self.head: Head = audit.lock_head(connection)
        self.at = utc_now()
        self._events: list[AuditEvent] = []
        self._unrecorded: dict[tuple[str, str], RowStamp] = {}

    # -- table writes ------------------------------------------------------------------------
    def insert(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> list[RowStamp]:
        """Insert rows (every column given) and stamp them if the table is tracked."""
        if not rows:
            return []
        insert_rows(self.connection, table, [dict(row) for row in rows])
        return self._stamped(table, rows)

    def insert_returning_id(self, table: sa.Table, row: Mapping[str, Any]) -> tuple[int, RowStamp]:
        """Insert one row whose integer id the database assigns; its id and stamp."""
        inserted = self.connection.execute(table.insert().values(**row)).inserted_primary_key
        assert inserted is not None
        new_id = int(inserted[0])
        (found,) = self._stamped(table, [{**row, "id": new_id}])
        return new_id, found

    def insert_with_children(
        self,
        table: sa.Table,
        row: Mapping[str, Any],
        child_table: sa.Table,
        children: Sequence[Mapping[str, Any]],
    ) -> RowStamp:
        """Insert a parent row (a stored inventory, a factor set) with its child rows; the
        parent's ``values_digest`` column vouches for the children."""
        spec = TRACKED[table.name]
        assert spec.children is not None and spec.children.table is child_table
        digest = children_digest(child_digest(child_table, child) for child in children)
        parent = {**row, spec.children.digest_column: digest}
        self.connection.execute(table.insert(), [parent])
        insert_rows(self.connection, child_table, [dict(child) for child in children])
        (found,) = self._stamped(table, [parent])
        return found

    def update(
        self, table: sa.Table, where: sa.ColumnElement[bool], values: Mapping[str, Any]
    ) -> list[RowStamp]:
        """Update the rows ``where`` selects; the stamps of their new contents (none when only
        columns outside the digest change, such as failed sign-in counters)."""
        spec = TRACKED.get(table.name)
        if spec is None or not set(values) & set(spec.content):
            self.connection.execute(table.update().where(where).values(**values))
            return []
        rows = self.connection.execute(
            table.update().where(where).values(**values).returning(*table.c)
        ).mappings()
        return self._stamped(table, rows)

    def update_prepared(
        self, table: sa.Table, statement: sa.Update, parameters: Mapping[str, Any]
    ) -> list[RowStamp]:
        """:meth:`update` with a statement built once, an UPDATE of a tracked table RETURNING
        every column: for the hot paths (building the statement per call costs more than
        running it)."""
        assert TRACKED.get(table.name) is not None and statement.table is table
        return self._stamped(table, self.connection.execute(statement, parameters).mappings())

    def delete(self, table: sa.Table, where: sa.ColumnElement[bool]) -> list[RowStamp]:
        """Delete the rows ``where`` selects; stamps without a digest."""
        spec = TRACKED.get(table.name)
        if spec is None:
            self.connection.execute(table.delete().where(where))
            return []
        keys = self.connection.execute(
            table.delete().where(where).returning(*(table.c[name] for name in spec.key))
        ).mappings()
        found = [RowStamp(spec.name, key_text(spec, key), None) for key in keys]
        for item in found:
            self._unrecorded[(item.table, item.key)] = item
        return found

    def _stamped(self, table: sa.Table, rows: Iterable[Mapping[Any, Any]]) -> list[RowStamp]:
        spec = TRACKED.get(table.name)
        if spec is None:
            return []
        found = [stamp(spec, row) for row in rows]
        for item in found:
            self._unrecorded[(item.table, item.key)] = item
        return found

    # -- audit entries -----------------------------------------------------------------------
    def record(
        self,
        action: str,
        object_type: str,
        object_id: str,
        payload: dict[str, Any],
        rows: Iterable[RowStamp] = (),
    ) -> None:
        """Record an audit entry, naming the stamps of the rows it wrote."""
        stamps = tuple(rows)
        for item in stamps:
            self._unrecorded.pop((item.table, item.key), None)
        self._events.append(AuditEvent(action, object_type, object_id, payload, stamps))

    @property
    def recorded(self) -> bool:
        return bool(self._events)

    def finish(self) -> None:
        """Append the recorded entries and save the head (within a group commit, deferred to the
        end of the batch)."""
        if self._unrecorded:
            table, key = next(iter(self._unrecorded))
            raise UnrecordedWrite(
                f"{len(self._unrecorded)} tracked row(s) written without an audit entry naming "
                f"them, first {table} {key}"
            )
        if self._events:
            audit.append(self.connection, self.head, self.actor, self._events)
            audit.save_head(self.connection, self.head)
        self._events = []


@contextmanager
def changing(connection: sa.Connection, actor: str) -> Iterator[Change]:
    """A :class:`Change` on ``connection``, finished when the block ends without an error."""
    change = Change(connection, actor)
    yield change
    change.finish()
