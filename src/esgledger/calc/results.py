"""Calculation runs: an inventory as stored, and its lineage records read back.

A calculation run is one stored inventory: a ``calc_runs`` row (period, options, catalogue and
result digests) and one ``calc_values`` row per lineage record. Each period has one current run of
each kind: ``inventory`` (the period's own) and, for the base year, ``restated`` (recalculated with
a later boundary or method; its ``restatement`` says by how much and why).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from esgledger.calc.engine import Inventory
from esgledger.calc.lineage import Record, referenced_keys
from esgledger.ledger.change import Change
from esgledger.store.schema import calc_runs, calc_values

# Records of an entity's own part (keys ending in '#own') are stored with this marker in metric_id.
OWN_SUFFIX = "#own"
INVENTORY = "inventory"  # the kind of a period's own run
RESTATED = "restated"  # the kind of a base year's run recalculated with a later boundary or method


def save_run(
    change: Change,
    inventory: Inventory,
    catalogue_sha: str,
    kind: str = INVENTORY,
    restatement: dict[str, Any] | None = None,
) -> int:
    """Store ``inventory`` as the current calculation run of its period and ``kind``, every
    lineage record with it; a ``restated`` run keeps its ``restatement`` (figures and reasons).
    Audited; returns the run's id."""
    connection = change.connection
    run_id = (connection.execute(sa.select(sa.func.max(calc_runs.c.id))).scalar() or 0) + 1
    retired = change.update(
        calc_runs,
        sa.and_(
            calc_runs.c.period == inventory.period,
            calc_runs.c.kind == kind,
            calc_runs.c.is_current.is_(True),
        ),
        {"is_current": False},
    )
    digest = inventory.digest()
    values = [
        {
            "run_id": run_id,
            "entity_id": record["entity"],
            "period": record["period"],
            "metric_id": record["metric"] + (OWN_SUFFIX if record_key.endswith(OWN_SUFFIX) else ""),
            "value": record["value"],
            "unit": record["unit"],
            "lineage": json.dumps(record, ensure_ascii=False, separators=(",", ":")),
        }
        for record_key, record in inventory.records.items()
    ]
    stamp = change.insert_with_children(
        calc_runs,
        {
            "id": run_id,
            "period": inventory.period,
            "at": change.at,
            "options": json.dumps(inventory.options.as_dict()),
            "catalogue_sha256": catalogue_sha,
            "result_sha256": digest,
            "values_count": len(inventory.results),
            "is_current": True,
            "kind": kind,
            "restatement": json.dumps(restatement) if restatement is not None else None,
        },
        calc_values,
        values,
    )
    change.record(
        "calc.run",
        "calc_run",
        str(run_id),
        {
            "period": inventory.period,
            "kind": kind,
            "options": inventory.options.as_dict(),
            "catalogue_sha256": catalogue_sha,
            "result_sha256": digest,
            "values": len(inventory.results),
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
