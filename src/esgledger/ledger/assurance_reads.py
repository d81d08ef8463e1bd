"""Reads for the assurance pack: every version of the data points behind the published numbers,
their review trail and their evidence records, in few queries (one per table and batch); the
period's audit entries as stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.audit_query import AuditFilters, conditions
from esgledger.store.schema import audit_log, datapoints, evidence, review_comments

BATCH = 500  # ids per IN list (PostgreSQL and SQLite both take this many parameters at ease)


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def versions_of(connection: sa.Connection, ids: Iterable[int]) -> list[dict[str, Any]]:
    """Every version of the values the data points ``ids`` are versions of (same entity, period
    and metric key), by entity, period, metric key and version."""
    keys: set[tuple[str, str, str]] = set()
    for batch in _batches(ids):
        rows = connection.execute(
            sa.select(datapoints.c.entity_id, datapoints.c.period, datapoints.c.metric_id).where(
                datapoints.c.id.in_(batch)
            )
        )
        keys.update((r.entity_id, r.period, r.metric_id) for r in rows)
    found: list[dict[str, Any]] = []
    for entity_id in sorted({k[0] for k in keys}):
        wanted = {(p, m) for e, p, m in keys if e == entity_id}
        rows = connection.execute(
            sa.select(datapoints).where(
                datapoints.c.entity_id == entity_id,
                datapoints.c.period.in_(sorted({p for p, _m in wanted})),
            )
        )
        found.extend(dict(row._mapping) for row in rows if (row.period, row.metric_id) in wanted)
    found.sort(key=lambda r: (r["entity_id"], r["period"], r["metric_id"], r["version"]))
    return found


def review_trail(connection: sa.Connection, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The review comments (explain, submit, approve, reject) of the data points ``ids``."""
    found: list[dict[str, Any]] = []
    for batch in _batches(ids):
        rows = connection.execute(
            sa.select(review_comments).where(review_comments.c.datapoint_id.in_(batch))
        )
        found.extend(dict(row._mapping) for row in rows)
    return sorted(found, key=lambda r: r["id"])


def evidence_of(connection: sa.Connection, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The evidence records of the data points ``ids`` (the file is at ``storage_path`` under
    the evidence directory)."""
    found: list[dict[str, Any]] = []
    for batch in _batches(ids):
        rows = connection.execute(sa.select(evidence).where(evidence.c.datapoint_id.in_(batch)))
        found.extend(dict(row._mapping) for row in rows)
    return sorted(found, key=lambda r: r["id"])


def audit_extract(connection: sa.Connection, filters: AuditFilters) -> list[dict[str, Any]]:
    """The audit entries matching ``filters``, oldest first, every column as stored (the payload
    and the row stamps as the text the entry's hash covers), so that each hash can be
    recomputed."""
    rows = connection.execute(
        sa.select(audit_log).where(*conditions(filters)).order_by(audit_log.c.seq)
    )
    return [dict(row._mapping) for row in rows]


def audit_entry(connection: sa.Connection, seq: int) -> dict[str, Any]:
    """One entry as stored (the chain head's, for the anchor)."""
    row = connection.execute(sa.select(audit_log).where(audit_log.c.seq == seq)).one()
    return dict(row._mapping)
