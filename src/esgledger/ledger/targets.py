"""Targets as stored: the repository of ``targets`` (every version of every target) and the reads
of the calculation runs a target's status is computed from.

A change or a withdrawal stores a new version and retires the one before (``is_current``); no
version is ever deleted. :func:`metric_ids_with_targets` and :func:`target_ids` are what the
materiality assessment reads (SSE Guideline No. 14 Art. 11, "metrics and targets").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.catalogue.breakdowns import base_metric
from esgledger.ledger.change import Change
from esgledger.ledger.runs import INVENTORY, RESTATED, current_run, load_records, run_value
from esgledger.lineage import key as lineage_key
from esgledger.lineage import referenced_keys
from esgledger.store.schema import calc_runs, calc_values, targets

ACTIVE, WITHDRAWN = "active", "withdrawn"


@dataclass(frozen=True)
class StoredTarget:
    """One version of a target: its definition (as :class:`TargetDefinition` takes it), its
    state and who stored it when."""

    definition: dict[str, Any]
    version: int
    state: str
    unit: str
    reason: str | None
    at: str
    by: str
    is_current: bool

    @property
    def target_id(self) -> str:
        return str(self.definition["target_id"])

    def summary(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "state": self.state,
            "reason": self.reason,
            "at": self.at,
            "by": self.by,
        }


_COLUMNS = (
    "target_id", "name", "name_zh", "kind", "metric_key", "entity_id", "covers", "base_year",
    "base_value", "base_source", "base_method", "target_year", "target_value", "target_change",
    "net", "gross_target", "note",
)  # fmt: skip
_JSON = ("milestones", "gases", "scopes", "credits")


def _stored(row: sa.Row) -> StoredTarget:
    definition = {name: getattr(row, name) for name in _COLUMNS}
    definition.update({name: json.loads(getattr(row, name)) for name in _JSON})
    return StoredTarget(
        definition, row.version, row.state, row.unit, row.reason, row.at, row.by, row.is_current
    )


def current_targets(
    connection: sa.Connection, entity_ids: set[str] | None = None
) -> list[StoredTarget]:
    """The current version of every target (withdrawn ones too), by id; ``entity_ids``: only
    the targets of those entities."""
    query = sa.select(targets).where(targets.c.is_current.is_(True)).order_by(targets.c.target_id)
    if entity_ids is not None:
        query = query.where(targets.c.entity_id.in_(sorted(entity_ids)))
    return [_stored(row) for row in connection.execute(query)]


def read_target(connection: sa.Connection, target_id: str) -> StoredTarget | None:
    row = connection.execute(
        sa.select(targets).where(targets.c.target_id == target_id, targets.c.is_current.is_(True))
    ).first()
    return None if row is None else _stored(row)


def history(connection: sa.Connection, target_id: str) -> list[StoredTarget]:
    """Every version of a target, oldest first."""
    rows = connection.execute(
        sa.select(targets).where(targets.c.target_id == target_id).order_by(targets.c.version)
    )
    return [_stored(row) for row in rows]


def store_version(
    change: Change,
    definition: dict[str, Any],
    unit: str,
    action: str,
    state: str = ACTIVE,
    reason: str | None = None,
) -> StoredTarget:
    """Store ``definition`` as the next version of its target (retiring the current one), with
    an audit entry ``action`` naming both rows."""
    connection = change.connection
    target_id = str(definition["target_id"])
    newest = connection.execute(
        sa.select(sa.func.max(targets.c.version)).where(targets.c.target_id == target_id)
    ).scalar()
    version = int(newest or 0) + 1
    retired = change.update(
        targets,
        sa.and_(targets.c.target_id == target_id, targets.c.is_current.is_(True)),
        {"is_current": False},
    )
    row: dict[str, Any] = {name: definition.get(name) for name in _COLUMNS}
    row.update({name: json.dumps(definition.get(name) or [], ensure_ascii=False) for name in _JSON})
    row.update(
        {
            "version": version,
            "is_current": True,
            "state": state,
            "unit": unit,
            "reason": reason,
            "at": change.at,
            "by": change.actor,
        }
    )
    stamps = change.insert(targets, [row])
    payload = {"version": version, "state": state, **definition}
    if reason is not None:
        payload["reason"] = reason
    change.record(action, "target", target_id, payload, [*retired, *stamps])
    return StoredTarget({**definition}, version, state, unit, reason, change.at, change.actor, True)


def target_ids(connection: sa.Connection) -> set[str]:
    """The ids of the targets in force (current version not withdrawn)."""
    rows = connection.execute(
        sa.select(targets.c.target_id).where(
            targets.c.is_current.is_(True), targets.c.state == ACTIVE
        )
    )
    return {row[0] for row in rows}


def metric_ids_with_targets(connection: sa.Connection) -> set[str]:
    """The metric ids (breakdown members left out) that a target in force is set on."""
    rows = connection.execute(
        sa.select(targets.c.metric_key).where(
            targets.c.is_current.is_(True), targets.c.state == ACTIVE
        )
    )
    return {base_metric(row[0]) for row in rows}


# -- what the status is computed from ---------------------------------------------------------
@dataclass(frozen=True)
class RunValue:
    """A value of a stored calculation run, with the run's id and options."""

    period: str
    value: float
    run_id: int
    options: dict[str, str]


def run_value_of(
    connection: sa.Connection, key: str, entity_id: str, period: str, kind: str = INVENTORY
) -> RunValue | None:
    """The value of metric key ``key`` for ``entity_id`` in the current run of ``period`` and
    ``kind`` (``restated`` for a restated base year)."""
    run = current_run(connection, period, kind)
    if run is None:
        return None
    value = run_value(connection, run.id, key, entity_id)
    if value is None:
        return None
    return RunValue(period, float(value), run.id, json.loads(run.options))


def newest_value(
    connection: sa.Connection, key: str, entity_id: str, after: int, until: int
) -> RunValue | None:
    """The value of the newest year after ``after`` and up to ``until`` whose current inventory
    run holds ``key`` for ``entity_id``."""
    years = [str(year) for year in range(after + 1, until + 1)]
    row = connection.execute(
        sa.select(calc_runs.c.period)
        .join(calc_values, calc_values.c.run_id == calc_runs.c.id)
        .where(
            calc_runs.c.is_current.is_(True),
            calc_runs.c.kind == INVENTORY,
            calc_runs.c.period.in_(years),
            calc_values.c.metric_id == key,
            calc_values.c.entity_id == entity_id,
        )
        .order_by(calc_runs.c.period.desc())
        .limit(1)
    ).first()
    return None if row is None else run_value_of(connection, key, entity_id, row.period)


def base_value(
    connection: sa.Connection, key: str, entity_id: str, year: int
) -> tuple[RunValue | None, bool]:
    """The base year's value (the restated run's when the base year was restated) and whether
    it comes from the restated run."""
    restated = run_value_of(connection, key, entity_id, str(year), RESTATED)
    if restated is not None:
        return restated, True
    return run_value_of(connection, key, entity_id, str(year)), False


def only_estimates(
    connection: sa.Connection, key: str, entity_id: str, period: str, limit: int = 5000
) -> bool:
    """Whether every data point behind a stored value is an estimate (method ``estimated``):
    its lineage is walked level by level and the walk stops at the first data point that is
    not (a value with no data point behind it, or a walk past ``limit`` records, is not)."""
    seen: set[str] = set()
    frontier = [lineage_key(key, entity_id, period)]
    found = False
    while frontier and len(seen) < limit:
        records = load_records(connection, frontier)
        seen.update(records)
        for record in records.values():
            for point in record.get("datapoints", []):
                if point["method"] != "estimated":
                    return False
                found = True
        frontier = sorted({ref for r in records.values() for ref in referenced_keys(r)} - seen)
    return found and not frontier
