"""A baseline entry: the audit log vouches for rows that were written before it stamped rows.

Ledgers created before row stamps (migration 0006), and any migration that changes what a tracked
table's digest covers, append baseline entries: the stamps of every tracked row as it stands at
that moment, and the child digests of every parent row. From then on ``audit verify`` holds the
tables to them.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from esgledger.ledger.change import changing
from esgledger.ledger.rows import TRACKED, RowStamp, child_digest, children_digest, key_text, stamp

CHUNK = 10_000  # stamps per baseline entry


def fill_child_digests(connection: sa.Connection) -> None:
    """Set the children digest column of every parent row from its child rows."""
    for spec in TRACKED.values():
        if spec.children is None:
            continue
        link = {parent: child for child, parent in spec.children.link}
        grouped: dict[str, list[str]] = defaultdict(list)
        for row in connection.execute(sa.select(spec.children.table)).mappings():
            parent_key = key_text(spec, {name: row[link[name]] for name in spec.key})
            grouped[parent_key].append(child_digest(spec.children.table, row))
        for row in connection.execute(sa.select(*spec.table.c)).mappings():
            digest = children_digest(grouped.get(key_text(spec, row), []))
            where = sa.and_(*(spec.table.c[name] == row[name] for name in spec.key))
            connection.execute(
                spec.table.update().where(where).values({spec.children.digest_column: digest})
            )


def record_baseline(connection: sa.Connection, reason: str, actor: str = "migration") -> int:
    """Append baseline entries stamping every tracked row; returns the number of rows stamped."""
    stamps: list[RowStamp] = []
    for spec in TRACKED.values():
        stamps.extend(
            stamp(spec, row) for row in connection.execute(sa.select(spec.table)).mappings()
        )
    if not stamps:
        return 0
    with changing(connection, actor) as change:
        for index, start in enumerate(range(0, len(stamps), CHUNK)):
            chunk = stamps[start : start + CHUNK]
            change.record(
                "ledger.baseline",
                "ledger",
                str(index + 1),
                {"reason": reason, "rows": len(chunk)},
                chunk,
            )
    return len(stamps)
