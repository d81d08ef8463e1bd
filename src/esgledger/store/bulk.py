"""Fast multi-row inserts for the hot paths (data point imports, audit entries, calc runs).

SQLAlchemy's per-row parameter processing dominates a 100 000-row import; these paths hand rows to
the driver directly: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3)
for more than a few rows (a COPY costs three round trips, so a single interactive write inserts).
Both run inside the caller's transaction, so an import stays all-or-nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

COPY_FROM_ROWS = 20  # PostgreSQL: COPY above this many rows, INSERT up to it


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, all real columns of ``table``)."""
    if not rows:
        return
    columns = list(rows[0])
    for column in columns:
        if column not in table.c:
            raise KeyError(f"{table.name} has no column {column!r}")
    quoted = ", ".join(f'"{column}"' for column in columns)
    postgresql = connection.dialect.name == "postgresql"
    if postgresql and len(rows) > COPY_FROM_ROWS:
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([row[column] for column in columns])
        return
    placeholders = ", ".join(("%s" if postgresql else "?") for _ in columns)
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})',
        [tuple(row[column] for column in columns) for row in rows],
    )


_pause_lock = threading.Lock()
_pause = {"depth": 0, "resume": False}  # blocks running; whether the collector was on before


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk operation builds and drops hundreds
    of thousands of small objects (rows, stamps, audit entries), none of them in cycles: the
    collector's passes over them cost about 14 % of a 100 000-row import. Objects are still freed
    by reference counting; the collector runs again when the last paused block ends (blocks in
    several threads count, so one never resumes it under another)."""
    with _pause_lock:
        if _pause["depth"] == 0:
            _pause["resume"] = gc.isenabled()
            gc.disable()
        _pause["depth"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause["depth"] -= 1
            if _pause["depth"] == 0 and _pause["resume"]:
                gc.enable()
