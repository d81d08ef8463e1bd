"""Reading the audit log: filtered, paginated entries for auditors, and one entry's plain form.

The log holds every change the ledger has made (see :mod:`esgledger.ledger.audit`). An assurer
reads it by period, entity, actor, action, object or time. Period and entity are not columns of the
log: an entry belongs to a period or an entity when

- it is about a data point (``object_type == "datapoint"``: entry, correction, review step, evidence)
  whose row has that period or entity;
- it is about the period itself (lock, reopen) or the entity itself (created, changed);
- a year stands for itself and its months (monthly values, monthly transfers);
- any other entry (certificate claims, transfers, calculation runs, imports) carries the period or
  ``entity_id`` in its payload. Payloads are canonical JSON (sorted keys, no spaces), so the key and
  value appear as one exact substring.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.audit import canonical_json
from esgledger.spreadsheet_text import csv_cell
from esgledger.store.schema import audit_log, datapoints


@dataclass(frozen=True)
class AuditFilters:
    """Each given filter narrows the list; ``action`` ending in ``.`` matches a family
    (``datapoint.`` is every data point action); ``since`` and ``until`` are ISO dates or times,
    both inclusive (see :func:`instant`)."""

    period: str | None = None
    entity: str | None = None
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: str | None = None
    until: str | None = None


def entry_dict(row: Any) -> dict[str, Any]:
    """One audit entry as plain data, its payload parsed."""
    return {
        "seq": row.seq,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "payload": json.loads(row.payload),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def _payload_has(key: str, values: list[str]) -> sa.ColumnElement[bool]:
    """The payload names ``key`` with one of ``values`` (canonical JSON: ``"period":"2024"``)."""
    needles = [canonical_json({key: value})[1:-1] for value in values]
    return sa.or_(*(audit_log.c.payload.contains(n, autoescape=True) for n in needles))


def _belongs_to(
    object_type: str, key: str, values: list[str], points: sa.Select[Any]
) -> sa.ColumnElement[bool]:
    """Entries of the data points selected by ``points``, of the objects themselves, or carrying
    ``key`` with one of ``values`` in their payload."""
    point_ids = points.with_only_columns(sa.cast(datapoints.c.id, audit_log.c.object_id.type))
    return sa.or_(
        sa.and_(audit_log.c.object_type == "datapoint", audit_log.c.object_id.in_(point_ids)),
        sa.and_(audit_log.c.object_type == object_type, audit_log.c.object_id.in_(values)),
        sa.and_(
            audit_log.c.object_type.not_in(("datapoint", object_type)), _payload_has(key, values)
        ),
    )


def covered(period: str) -> list[str]:
    """A year and its months, or a month alone: what the entries of ``period`` are about."""
    if len(period) != 4:
        return [period]
    return [period] + [f"{period}-{month:02d}" for month in range(1, 13)]


def conditions(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.period is not None:
        periods = covered(filters.period)
        points = sa.select(datapoints.c.id).where(datapoints.c.period.in_(periods))
        where.append(_belongs_to("period", "period", periods, points))
    if filters.entity is not None:
        points = sa.select(datapoints.c.id).where(datapoints.c.entity_id == filters.entity)
        where.append(_belongs_to("entity", "entity_id", [filters.entity], points))
    if filters.actor is not None:
        where.append(audit_log.c.actor == filters.actor)
    if filters.action is not None:
        if filters.action.endswith("."):
            where.append(audit_log.c.action.startswith(filters.action, autoescape=True))
        else:
            where.append(audit_log.c.action == filters.action)
    if filters.object_type is not None:
        where.append(audit_log.c.object_type == filters.object_type)
    if filters.object_id is not None:
        where.append(audit_log.c.object_id == filters.object_id)
    if filters.since is not None:
        where.append(audit_log.c.at >= instant(filters.since))
    if filters.until is not None:
        where.append(audit_log.c.at < instant(filters.until, end=True))
    return where


def instant(text: str, end: bool = False) -> str:
    """An ISO date or date-time as the log stores times (UTC, microseconds), so that the two
    compare as text. A date alone is the start of its day, or with ``end`` the start of the next
    day (``until`` includes the whole day); a time without a zone is UTC. Raises ``ValueError``
    (also for a date that moves out of the calendar: 9999-12-31 as an end, year 1 in UTC+8)."""
    try:
        return _instant(text, end)
    except OverflowError as exc:
        raise ValueError(f"{text!r} is outside the calendar") from exc


def _instant(text: str, end: bool) -> str:
    if len(text) == 10:
        day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end else 0)
        moment = dt.datetime.combine(day, dt.time(), dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment += dt.timedelta(microseconds=1 if end else 0)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def list_entries(
    connection: sa.Connection,
    filters: AuditFilters,
    limit: int,
    offset: int,
    newest_first: bool = True,
) -> tuple[list[dict[str, Any]], int]:
    """Entries matching ``filters`` and their total count, by sequence number."""
    where = conditions(filters)
    total = connection.execute(
        sa.select(sa.func.count()).select_from(audit_log).where(*where)
    ).scalar_one()
    order = audit_log.c.seq.desc() if newest_first else audit_log.c.seq.asc()
    rows = connection.execute(
        sa.select(audit_log).where(*where).order_by(order).limit(limit).offset(offset)
    )
    return [entry_dict(row) for row in rows], int(total)


def entries_of(connection: sa.Connection, object_type: str, object_ids: list[str]) -> list[Any]:
    """Every entry about the given objects, oldest first (a data point's versions, say)."""
    rows = connection.execute(
        sa.select(audit_log)
        .where(audit_log.c.object_type == object_type, audit_log.c.object_id.in_(object_ids))
        .order_by(audit_log.c.seq)
    )
    return [entry_dict(row) for row in rows]


CSV_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "payload",
    "prev_hash",
    "hash",
)


def csv_lines(batches: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The entries as CSV text for a spreadsheet: a UTF-8 byte order mark (Excel then reads
    Chinese correctly), a header, one line an entry with its payload as canonical JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        for entry in batch:
            row = {**entry, "payload": canonical_json(entry["payload"])}
            writer.writerow([csv_cell(row[name]) for name in CSV_COLUMNS])
        yield buffer.getvalue()
