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
from esgledger.ledger.change import Change
from esgledger.ledger.rows import RowStamp, merged
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
    note_public: bool = False  # the note is printed as a footnote of the report


@dataclass
class WriteSummary:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    batch_id: int | None = None
    written: list[dict[str, object]] = field(default_factory=list, repr=False)  # rows inserted

    @property
    def points(self) -> list[DataPoint]:
        """The versions written (built on demand: an import of 100,000 rows does not ask)."""
        return [DataPoint(**{name: row[name] for name in _POINT_FIELDS}) for row in self.written]  # type: ignore[arg-type]

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


def save_entities(change: Change, items: Sequence[Entity]) -> dict[str, int]:
    """Create or update entities (parents before children) and their aliases, audited."""
    connection = change.connection
    existing = {row.id: row._asdict() for row in connection.execute(sa.select(entities))}
    old_aliases: dict[str, list[str]] = {}
    for alias, entity_id in connection.execute(
        sa.select(entity_aliases.c.alias, entity_aliases.c.entity_id)
    ):
        old_aliases.setdefault(entity_id, []).append(alias)
    created = updated = 0
    ordered = _parents_first(items)
    for entity in ordered:
        row = _entity_row(entity)
        before = existing.get(entity.id)
        if before is None:
            stamps = change.insert(entities, [row])
            change.record("entity.create", "entity", entity.id, _jsonable(row), stamps)
            created += 1
        elif any(before[k] != v for k, v in row.items()):
            stamps = change.update(entities, entities.c.id == entity.id, row)
            change.record(
                "entity.update",
                "entity",
                entity.id,
                {"before": _jsonable(before), "after": _jsonable(row)},
                stamps,
            )
            updated += 1
    # Aliases change how imports find entities, so they are audited too. All deletes come before
    # the inserts, so that an alias can move from one entity of the file to another.
    changed = [e for e in ordered if sorted(old_aliases.get(e.id, [])) != sorted(set(e.aliases))]
    removed = {
        entity.id: change.delete(entity_aliases, entity_aliases.c.entity_id == entity.id)
        for entity in changed
    }
    added = {
        entity.id: change.insert(
            entity_aliases,
            [{"alias": a, "entity_id": entity.id} for a in sorted(set(entity.aliases))],
        )
        for entity in changed
    }
    # an alias that moved is deleted under one entity and inserted under another: each entry names
    # the row's final stamp, whichever order the entries are replayed in
    final = {(s.table, s.key): s for s in merged(*removed.values(), *added.values())}
    for entity in changed:
        touched = {(s.table, s.key) for s in [*removed[entity.id], *added[entity.id]]}
        change.record(
            "entity.aliases",
            "entity",
            entity.id,
            {
                "before": sorted(old_aliases.get(entity.id, [])),
                "after": sorted(set(entity.aliases)),
            },
            [final[k] for k in sorted(touched)],
        )
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


_RETIRE_ONE = (
    datapoints.update()
    .where(datapoints.c.id == sa.bindparam("retired"))
    .values(is_current=False)
    .returning(*datapoints.c)
)


def write_values(
    change: Change,
    values: Sequence[NewValue],
    batch: dict[str, object] | None = None,
    current: Mapping[Key, Any] | None = None,
) -> WriteSummary:
    """Write values as new data points or new versions; identical values are left alone.

    A caller that has read the current versions of the values' keys under the change's head
    passes them as ``current`` (a key missing there has no current version)."""
    connection, head, actor = change.connection, change.head, change.actor
    summary = WriteSummary()
    now = change.at
    if batch is not None:
        summary.batch_id = head.next_batch_id
        head.next_batch_id += 1
        batch_row = {**batch, "id": summary.batch_id, "actor": actor, "at": now}
        stamps = change.insert(import_batches, [batch_row])
        change.record("import.batch", "batch", str(summary.batch_id), batch_row, stamps)
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
            "note_public": value.note_public,
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
        else:
            superseded.append(previous.id)
            summary.corrected += 1
    retired: dict[str, RowStamp] = {}
    if len(superseded) == 1:  # a correction
        for item in change.update_prepared(datapoints, _RETIRE_ONE, {"retired": superseded[0]}):
            retired[item.key] = item
        superseded = []
    for chunk_start in range(0, len(superseded), 500):
        chunk = superseded[chunk_start : chunk_start + 500]
        for item in change.update(datapoints, datapoints.c.id.in_(chunk), {"is_current": False}):
            retired[item.key] = item
    stamps = change.insert(datapoints, inserts)
    for row, stamp in zip(inserts, stamps, strict=True):
        if row["supersedes"] is None:
            change.record("datapoint.create", "datapoint", str(row["id"]), row, [stamp])
        else:
            previous_stamp = retired[f"[{row['supersedes']}]"]
            change.record(
                "datapoint.correct", "datapoint", str(row["id"]), row, [previous_stamp, stamp]
            )
    summary.written = inserts
    return summary


def _same(previous: Any, value: NewValue) -> bool:
    return (
        previous.value == value.value
        and previous.unit == value.unit
        and previous.method == value.method
        and (previous.source or None) == (value.source or None)
        and (previous.note or None) == (value.note or None)
        and bool(previous.note_public) == value.note_public
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
    datapoints.c.note_public,
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
