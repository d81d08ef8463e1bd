"""Copy every ledger table from one connection to another, on SQLite or PostgreSQL.

Backup and restore both use it: a PostgreSQL snapshot is copied into a SQLite file, and a backup's
SQLite file into the restored ledger. Tables go in foreign-key order (parents first; the rows of a
table that refers to itself, the entity tree, parents first too), in batches, through SQLAlchemy
Core so that each backend's types (booleans, dates) are converted on the way; rows go into
PostgreSQL by ``COPY`` (:func:`esgledger.store.bulk.insert_rows`). On PostgreSQL the sequences of
autoincrement ids are then moved past the copied ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import sqlalchemy as sa

from esgledger.store.bulk import insert_rows
from esgledger.store.schema import metadata

TABLES: list[sa.Table] = list(metadata.sorted_tables)  # every parent before its children
BATCH = 2000

Row = dict[str, Any]
RowFix = Callable[[sa.Table, Row], Row]
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def count_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows per ledger table."""
    return {
        table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in TABLES
    }


def read_rows(connection: sa.Connection, table: sa.Table) -> list[Row]:
    """Every row of ``table`` in primary-key order (for comparisons and small tables)."""
    return [row._asdict() for row in connection.execute(_ordered(table))]


def copy_tables(
    source: sa.Connection,
    target: sa.Connection,
    fix: RowFix | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the rows of every ledger table in ``target`` (inside the caller's transaction) by
    those of ``source``; ``fix`` may rewrite a row on the way. Returns the rows copied per table."""
    for table in reversed(TABLES):  # a freshly migrated ledger holds its audit head row
        if table.name != "audit_log":  # append-only (0008): a new ledger has no entry to remove
            target.execute(table.delete())
    copied: dict[str, int] = {}
    postgresql = target.dialect.name == "postgresql"
    for done, table in enumerate(TABLES):
        if progress is not None:
            progress(f"copying {table.name}", done, len(TABLES))
        count = 0
        for batch in _batches(source, table):
            rows = [fix(table, row) for row in batch] if fix is not None else batch
            try:
                if postgresql:  # COPY: types are already Python's (bool, date) from the read
                    insert_rows(target, table, rows)
                else:
                    target.execute(table.insert(), rows)
            except sa.exc.DBAPIError as exc:
                raise CopyFailed(table.name, exc.orig or exc) from exc
            except psycopg.Error as exc:  # raised by COPY, below SQLAlchemy
                raise CopyFailed(table.name, exc) from exc
            count += len(rows)
        copied[table.name] = count
    if progress is not None:
        progress("tables copied", len(TABLES), len(TABLES))
    if target.dialect.name == "postgresql":
        reset_sequences(target)
    return copied


def reset_sequences(connection: sa.Connection) -> None:
    """Move each autoincrement id's sequence past the largest id (PostgreSQL)."""
    for table in TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{table.name}"'
            ),
            {"table": table.name, "column": column.name},
        )


class CopyFailed(Exception):
    """A table's rows could not be written to the target; names the table."""

    def __init__(self, table: str, cause: BaseException):
        super().__init__(f"table {table}: {cause}")
        self.table = table


def _ordered(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table).order_by(*table.primary_key.columns)


def _batches(connection: sa.Connection, table: sa.Table) -> Iterator[list[Row]]:
    parents = [
        (key.parent.name, key.column.name)
        for key in table.foreign_keys
        if key.column.table is table
    ]
    if parents:  # a tree: every row after the row it refers to
        rows = _parents_first(read_rows(connection, table), parents)
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
        return
    result = connection.execution_options(yield_per=BATCH).execute(_ordered(table))
    for partition in result.partitions():
        yield [row._asdict() for row in partition]


def _parents_first(rows: list[Row], links: list[tuple[str, str]]) -> list[Row]:
    """Order ``rows`` so that each comes after the row its ``(column, referred column)`` links
    point to (a link to nothing, or to a row not in the set, waits for nothing)."""
    present = {referred: {row[referred] for row in rows} for _column, referred in links}
    placed: dict[str, set[Any]] = {referred: set() for _column, referred in links}
    ordered: list[Row] = []
    waiting = rows
    while waiting:
        still: list[Row] = []
        for row in waiting:
            if all(
                row[column] is None
                or row[column] not in present[referred]
                or row[column] in placed[referred]
                for column, referred in links
            ):
                ordered.append(row)
                for _column, referred in links:
                    placed[referred].add(row[referred])
            else:
                still.append(row)
        if len(still) == len(waiting):  # a cycle: the database refuses it with its own message
            return ordered + still
        waiting = still
    return ordered
