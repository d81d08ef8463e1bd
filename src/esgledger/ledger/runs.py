"""Calculation runs as stored: the repository of ``calc_runs`` and ``calc_values``.

A calculation run is one stored inventory: a ``calc_runs`` row (period, options, catalogue and
result digests, the digest of its values) and one ``calc_values`` row per lineage record. Each
period has one current run of each kind: ``inventory`` (the period's own) and, for the base year,
``restated`` (recalculated with a later boundary or method; its ``restatement`` says by how much
and why). The calculation (:mod:`esgledger.calc.results`) stores runs through here; explain, the
report and recompute read them back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from esgledger.ledger.change import Change
from esgledger.lineage import Record, referenced_keys
from esgledger.store.schema import calc_runs, calc_values

# Records of an entity's own part (keys ending in '#own') are stored with this marker in metric_id.
OWN_SUFFIX = "#own"
INVENTORY = "inventory"  # the kind of a period's own run
RESTATED = "restated"  # the kind of a base year's run recalculated with a later boundary or method


@dataclass(frozen=True)
class NewRun:
    """What a calculation hands over to be stored as a run."""

    period: str
    records: Mapping[str, Record]
    options: dict[str, str]
    result_sha256: str
    values_count: int
    catalogue_sha256: str
    kind: str = INVENTORY
    restatement: dict[str, Any] | None = None
    gaps: list[dict[str, Any]] = field(default_factory=list)  # values not computed, and why


def lineage_text(record: Mapping[str, Any]) -> str:
    """A lineage record as stored: compact JSON, UTF-8 text (orjson: a fifth of the stdlib
    encoder's time, the same text for the records the engine writes; any JSON reader reads it)."""
    return orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS).decode()


def store_run(change: Change, run: NewRun) -> int:
    """Store ``run`` as the current calculation run of its period and kind, every lineage record
    with it; audited. Returns the run's id."""
    connection = change.connection
    run_id = (connection.execute(sa.select(sa.func.max(calc_runs.c.id))).scalar() or 0) + 1
    retired = change.update(
        calc_runs,
        sa.and_(
            calc_runs.c.period == run.period,
            calc_runs.c.kind == run.kind,
            calc_runs.c.is_current.is_(True),
        ),
        {"is_current": False},
    )
    values = [
        {
            "run_id": run_id,
            "entity_id": record["entity"],
            "period": record["period"],
            "metric_id": record["metric"] + (OWN_SUFFIX if record_key.endswith(OWN_SUFFIX) else ""),
            "value": record["value"],
            "unit": record["unit"],
            "lineage": lineage_text(record),
        }
        for record_key, record in run.records.items()
    ]
    stamp = change.insert_with_children(
        calc_runs,
        {
            "id": run_id,
            "period": run.period,
            "at": change.at,
            "options": json.dumps(run.options),
            "catalogue_sha256": run.catalogue_sha256,
            "result_sha256": run.result_sha256,
            "values_count": run.values_count,
            "is_current": True,
            "kind": run.kind,
            "restatement": json.dumps(run.restatement) if run.restatement is not None else None,
            "gaps": json.dumps(run.gaps, ensure_ascii=False) if run.gaps else None,
        },
        calc_values,
        values,
    )
    change.record(
        "calc.run",
        "calc_run",
        str(run_id),
        {
            "period": run.period,
            "kind": run.kind,
            "options": run.options,
            "catalogue_sha256": run.catalogue_sha256,
            "result_sha256": run.result_sha256,
            "values": run.values_count,
            "not_computed": len(run.gaps),
        },
        [*retired, stamp],
    )
    return run_id


def current_run(connection: sa.Connection, period: str, kind: str = INVENTORY) -> sa.Row | None:
    """The ``calc_runs`` row of the current run of ``period`` and ``kind``, if any."""
    return connection.execute(
        sa.select(calc_runs).where(
            calc_runs.c.period == period, calc_runs.c.kind == kind, calc_runs.c.is_current.is_(True)
        )
    ).first()


def _split(record_key: str) -> tuple[str, str, str]:
    metric, entity, period = record_key.split("@")
    if period.endswith(OWN_SUFFIX):
        period = period[: -len(OWN_SUFFIX)]
        metric += OWN_SUFFIX
    return metric, entity, period


def load_records(connection: sa.Connection, keys: list[str]) -> dict[str, Record]:
    """Lineage records of the current runs for the given keys."""
    found: dict[str, Record] = {}
    by_period: dict[str, list[tuple[str, str]]] = {}
    for record_key in keys:
        metric, entity, period = _split(record_key)
        by_period.setdefault(period, []).append((metric, entity))
    for period, pairs in by_period.items():
        run = current_run(connection, period)
        if run is None:
            continue
        for start in range(0, len(pairs), 400):
            chunk = pairs[start : start + 400]
            rows = connection.execute(
                sa.select(calc_values.c.lineage).where(
                    calc_values.c.run_id == run.id,
                    sa.tuple_(calc_values.c.metric_id, calc_values.c.entity_id).in_(chunk),
                )
            )
            for (text,) in rows:
                record: Record = json.loads(text)
                found[record["key"]] = record
    return found


def load_tree(
    connection: sa.Connection, root_key: str, max_records: int = 5000
) -> dict[str, Record]:
    """The record of ``root_key`` and every record it depends on, level by level."""
    records: dict[str, Record] = {}
    frontier = [root_key]
    while frontier and len(records) < max_records:
        loaded = load_records(connection, frontier)
        records.update(loaded)
        frontier = sorted(
            {
                ref
                for record in loaded.values()
                for ref in referenced_keys(record)
                if ref not in records
            }
        )
    return records


def period_values(
    connection: sa.Connection, period: str, entity_ids: list[str] | None = None
) -> dict[tuple[str, str], tuple[float, str]]:
    """``(entity, metric) -> (value, unit)`` of the totals in the current calculation run of
    ``period``."""
    run = current_run(connection, period)
    if run is None:
        return {}
    query = sa.select(
        calc_values.c.entity_id, calc_values.c.metric_id, calc_values.c.value, calc_values.c.unit
    ).where(calc_values.c.run_id == run.id, calc_values.c.metric_id.not_like("%#own"))
    if entity_ids is not None:
        query = query.where(calc_values.c.entity_id.in_(entity_ids))
    return {(r.entity_id, r.metric_id): (r.value, r.unit) for r in connection.execute(query)}


def load_run_records(
    connection: sa.Connection, period: str, kind: str = INVENTORY
) -> dict[str, Record]:
    """Every lineage record of the current calculation run of ``period``, each with the value its
    ``calc_values`` row holds (``stored_value``)."""
    run = current_run(connection, period, kind)
    if run is None:
        return {}
    rows = connection.execute(
        sa.select(calc_values.c.value, calc_values.c.lineage).where(calc_values.c.run_id == run.id)
    )
    records: dict[str, Record] = {}
    for value, text in rows:
        record: Record = json.loads(text)
        record["stored_value"] = value  # the column reports and the API read
        records[record["key"]] = record
    return records


@dataclass
class Restated:
    """How a restated run moved the base year (GHG Protocol Corporate Standard ch. 5)."""

    base_year: str
    original: float
    restated: float
    change: float
    threshold: float
    reasons: list[str]

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Restated:
        return cls(
            str(stored["base_year"]),
            float(stored["original"]),
            float(stored["restated"]),
            float(stored["change"]),
            float(stored["threshold"]),
            [str(reason) for reason in stored["reasons"]],
        )


@dataclass
class PeriodRun:
    """The current calculation run of one period and all its lineage records, by key; a restated
    run carries its restatement."""

    period: str
    run_id: int
    at: str
    options: dict[str, str]
    result_sha256: str
    records: dict[str, Record] = field(default_factory=dict)
    restatement: Restated | None = None
    gaps: dict[str, dict[str, Any]] = field(default_factory=dict)  # values not computed, by key

    def get(self, record_key: str) -> Record | None:
        return self.records.get(record_key)


def load_period_run(
    connection: sa.Connection, period: str, kind: str = INVENTORY
) -> PeriodRun | None:
    """The current calculation run of ``period`` (of ``kind``: ``inventory``, or ``restated`` for
    a recalculated base year) with every lineage record; None when there is none."""
    run = current_run(connection, period, kind)
    if run is None:
        return None
    records: dict[str, Record] = {}
    rows = connection.execute(
        sa.select(calc_values.c.lineage).where(calc_values.c.run_id == run.id)
    )
    for (text,) in rows:
        record: Record = json.loads(text)
        records[record["key"]] = record
    return PeriodRun(
        period=period,
        run_id=run.id,
        at=run.at,
        options=json.loads(run.options),
        result_sha256=run.result_sha256,
        records=records,
        restatement=Restated.from_stored(json.loads(run.restatement)) if run.restatement else None,
        gaps=stored_gaps(run),
    )


def stored_gaps(run: sa.Row) -> dict[str, dict[str, Any]]:
    """The values a stored run did not compute (:class:`esgledger.calc.gaps.Gap` as dicts), by
    key; empty for runs stored before migration 0009."""
    return {gap["key"]: gap for gap in json.loads(run.gaps or "[]")}


def run_gaps(connection: sa.Connection, period: str) -> dict[str, dict[str, Any]]:
    """The values the current run of ``period`` did not compute, by key (none without a run)."""
    run = current_run(connection, period)
    return {} if run is None else stored_gaps(run)


def load_period_runs(connection: sa.Connection, periods: list[str]) -> dict[str, PeriodRun | None]:
    return {period: load_period_run(connection, period) for period in periods}


def root_value(
    connection: sa.Connection, run_id: int, metric_id: str, entity_ids: list[str]
) -> float:
    """The sum of ``metric_id`` over ``entity_ids`` in run ``run_id``."""
    rows = connection.execute(
        sa.select(calc_values.c.value).where(
            calc_values.c.run_id == run_id,
            calc_values.c.metric_id == metric_id,
            calc_values.c.entity_id.in_(entity_ids),
        )
    )
    return float(sum(row[0] for row in rows))


def run_value(
    connection: sa.Connection, run_id: int, metric_id: str, entity_id: str
) -> float | None:
    """One value of run ``run_id``."""
    return connection.execute(
        sa.select(calc_values.c.value).where(
            calc_values.c.run_id == run_id,
            calc_values.c.metric_id == metric_id,
            calc_values.c.entity_id == entity_id,
        )
    ).scalar()
