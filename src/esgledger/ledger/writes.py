"""Writes to the ledger. Every write appends audit entries in the same transaction.

A correction never overwrites: it inserts a new version, marks the old one not current, and the
audit entry names both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.domain import DataPoint, Entity
from esgledger.ledger import audit
from esgledger.ledger.audit import AuditEvent, Head
from esgledger.store.bulk import insert_rows
from esgledger.store.schema import datapoints, entities, entity_aliases, import_batches


@dataclass(frozen=True)
class NewValue:
    """A validated value ready to be written."""

    entity_id: str
    period: str
    metric_id: str
    value: float
    unit: str
    value_normalised: float
    method: str
    source: str | None = None
    note: str | None = None
    status: str = "submitted"


@dataclass
class WriteSummary:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    points: list[DataPoint] = field(default_factory=list, repr=False)  # the versions written

    def as_dict(self) -> dict[str, int | None]:
        return {
            "created": self.created,
            "corrected": self.corrected,
            "unchanged": self.unchanged,
            "batch_id": self.batch_id,
        }


def _entity_row(entity: Entity) -> dict[str, object]:
    return {
        "id": entity.id,
        "name": entity.name,
        "name_zh": entity.name_zh,
        "parent_id": entity.parent_id,
        "country": entity.country,
        "type": entity.type,
        "grid_region": entity.grid_region,
        "ownership": entity.ownership,
        "operational_control": entity.operational_control,
        "financial_control": entity.financial_control,
        "cell_technology": entity.cell_technology,
        "valid_from": entity.valid_from,
        "valid_to": entity.valid_to,
    }


def save_entities(connection: sa.Connection, items: Sequence[Entity], actor: str) -> dict[str, int]:
    """Create or update entities (parents before children) and their aliases, audited."""
    head = audit.lock_head(connection)
    existing = {row.id: row._asdict() for row in connection.execute(sa.select(entities))}
    old_aliases: dict[str, list[str]] = {}
    for alias, entity_id in connection.execute(
        sa.select(entity_aliases.c.alias, entity_aliases.c.entity_id)
    ):
        old_aliases.setdefault(entity_id, []).append(alias)
    events: list[AuditEvent] = []
    created = updated = 0
    ordered = _parents_first(items)
    for entity in ordered:
        row = _entity_row(entity)
        before = existing.get(entity.id)
        if before is None:
            connection.execute(entities.insert(), [row])
            events.append(AuditEvent("entity.create", "entity", entity.id, _jsonable(row)))
            created += 1
        elif any(before[k] != v for k, v in row.items()):
            connection.execute(entities.update().where(entities.c.id == entity.id).values(**row))
            events.append(
                AuditEvent(
                    "entity.update",
                    "entity",
                    entity.id,
                    {"before": _jsonable(before), "after": _jsonable(row)},
                )
            )
            updated += 1
    # Aliases change how imports find entities, so they are audited too. All deletes come before
    # the inserts, so that an alias can move from one entity of the file to another.
    changed = [e for e in ordered if sorted(old_aliases.get(e.id, [])) != sorted(set(e.aliases))]
    for entity in changed:
        connection.execute(entity_aliases.delete().where(entity_aliases.c.entity_id == entity.id))
    for entity in changed:
        aliases = sorted(set(entity.aliases))
        if aliases:
            connection.execute(
                entity_aliases.insert(), [{"alias": a, "entity_id": entity.id} for a in aliases]
            )
        events.append(
            AuditEvent(
                "entity.aliases",
                "entity",
                entity.id,
                {"before": sorted(old_aliases.get(entity.id, [])), "after": aliases},
            )
        )
    audit.append(connection, head, actor, events)
    audit.save_head(connection, head)
    return {"created": created, "updated": updated}


def _parents_first(items: Sequence[Entity]) -> list[Entity]:
    by_id = {e.id: e for e in items}
    ordered: list[Entity] = []
    seen: set[str] = set()

    def visit(entity: Entity) -> None:
        if entity.id in seen:
            return
        seen.add(entity.id)
        if entity.parent_id in by_id:
            visit(by_id[entity.parent_id])
        ordered.append(entity)

    for entity in items:
        visit(entity)
    return ordered


def _jsonable(row: dict[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}


Key = tuple[str, str, str]  # entity, period, metric
_POINT_FIELDS = tuple(DataPoint.__dataclass_fields__)


def write_values(
    connection: sa.Connection,
    values: Sequence[NewValue],
    actor: str,
    batch: dict[str, object] | None = None,
    head: Head | None = None,
    current: Mapping[Key, Any] | None = None,
) -> WriteSummary:
    """Write values as new data points or new versions; identical values are left alone.

    A caller that holds the chain head already passes it as ``head``, and one that has read the
    current versions of the values' keys under it passes them as ``current`` (a key missing there
    has no current version)."""
    if head is None:
        head = audit.lock_head(connection)
    summary = WriteSummary()
    now = audit.utc_now()
    events: list[AuditEvent] = []
    if batch is not None:
        summary.batch_id = head.next_batch_id
        head.next_batch_id += 1
        batch_row = {**batch, "id": summary.batch_id, "actor": actor, "at": now}
        connection.execute(import_batches.insert(), [batch_row])
        events.append(AuditEvent("import.batch", "batch", str(summary.batch_id), batch_row))
    if current is None:
        current = _current_for(connection, values)
    inserts: list[dict[str, object]] = []
    superseded: list[int] = []
    for value in values:
        previous = current.get((value.entity_id, value.period, value.metric_id))
        if previous is not None and _same(previous, value):
            summary.unchanged += 1
            continue
        row = {
            "id": head.next_datapoint_id,
            "entity_id": value.entity_id,
            "period": value.period,
            "metric_id": value.metric_id,
            "value": value.value,
            "unit": value.unit,
            "value_normalised": value.value_normalised,
            "method": value.method,
            "source": value.source,
            "note": value.note,
            "status": value.status,
            "version": 1 if previous is None else previous.version + 1,
            "supersedes": None if previous is None else previous.id,
            "is_current": True,
            "batch_id": summary.batch_id,
            "created_at": now,
            "created_by": actor,
        }
        head.next_datapoint_id += 1
        inserts.append(row)
        if previous is None:
            summary.created += 1
            action = "datapoint.create"
        else:
            superseded.append(previous.id)
            summary.corrected += 1
            action = "datapoint.correct"
        events.append(AuditEvent(action, "datapoint", str(row["id"]), row))
    for chunk_start in range(0, len(superseded), 500):
        chunk = superseded[chunk_start : chunk_start + 500]
        connection.execute(
            datapoints.update().where(datapoints.c.id.in_(chunk)).values(is_current=False)
        )
    insert_rows(connection, datapoints, inserts)
    audit.append(connection, head, actor, events)
    audit.save_head(connection, head)
    summary.points = [DataPoint(**{name: row[name] for name in _POINT_FIELDS}) for row in inserts]  # type: ignore[arg-type]
    return summary


def _same(previous: Any, value: NewValue) -> bool:
    return (
        previous.value == value.value
        and previous.unit == value.unit
        and previous.method == value.method
        and (previous.source or None) == (value.source or None)
        and (previous.note or None) == (value.note or None)
    )


_CURRENT_COLUMNS = (
    datapoints.c.id,
    datapoints.c.entity_id,
    datapoints.c.period,
    datapoints.c.metric_id,
    datapoints.c.value,
    datapoints.c.unit,
    datapoints.c.method,
    datapoints.c.source,
    datapoints.c.note,
    datapoints.c.version,
)
_CURRENT_OF_KEY = sa.select(*_CURRENT_COLUMNS).where(
    datapoints.c.is_current.is_(True),
    datapoints.c.entity_id == sa.bindparam("entity_id"),
    datapoints.c.period == sa.bindparam("period"),
    datapoints.c.metric_id == sa.bindparam("metric_id"),
)


def _current_for(connection: sa.Connection, values: Sequence[NewValue]) -> dict[Key, sa.Row]:
    """The current versions of the values' keys: by key for one value, else one read of the
    values' periods and entities."""
    if len(values) == 1:
        (value,) = values
        rows = connection.execute(
            _CURRENT_OF_KEY,
            {"entity_id": value.entity_id, "period": value.period, "metric_id": value.metric_id},
        )
        return {(r.entity_id, r.period, r.metric_id): r for r in rows}
    periods = sorted({v.period for v in values})
    if not periods:
        return {}
    query = sa.select(*_CURRENT_COLUMNS).where(
        datapoints.c.is_current.is_(True), datapoints.c.period.in_(periods)
    )
    entity_ids = sorted({v.entity_id for v in values})
    if len(entity_ids) <= 500:
        query = query.where(datapoints.c.entity_id.in_(entity_ids))
    return {(r.entity_id, r.period, r.metric_id): r for r in connection.execute(query)}
