"""Fast multi-row inserts for the hot paths (data point imports, audit entries, calc runs).

SQLAlchemy's per-row parameter processing dominates a 100 000-row import; these paths hand rows to
the driver directly: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3)
for more than a few rows (a COPY costs three round trips, so a single interactive write inserts).
Both run inside the caller's transaction, so an import stays all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
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
