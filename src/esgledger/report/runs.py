"""Bulk reading of calculation runs for the report: one query per period, Workspace-independent.

The report needs every lineage record of the current run of three periods. Reading them one
``explain`` at a time would issue thousands of queries for a large group; here each period is one
``SELECT`` of the run's ``calc_values`` rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.calc.results import current_run
from esgledger.store.schema import audit_log, calc_values


@dataclass
class PeriodRun:
    """The current calculation run of one period and all its lineage records, by key."""

    period: str
    run_id: int
    at: str
    options: dict[str, str]
    result_sha256: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, record_key: str) -> dict[str, Any] | None:
        return self.records.get(record_key)


def load_period_run(
    connection: sa.Connection, period: str, kind: str = "inventory"
) -> PeriodRun | None:
    """The current run of ``period`` (of ``kind``: ``inventory``, or ``restated`` for a
    recalculated base year) with every lineage record; None when there is none."""
    run = current_run(connection, period, kind)
    if run is None:
        return None
    records: dict[str, dict[str, Any]] = {}
    rows = connection.execute(
        sa.select(calc_values.c.lineage).where(calc_values.c.run_id == run.id)
    )
    for (text,) in rows:
        record = json.loads(text)
        records[record["key"]] = record
    return PeriodRun(
        period=period,
        run_id=run.id,
        at=run.at,
        options=json.loads(run.options),
        result_sha256=run.result_sha256,
        records=records,
    )


def load_period_runs(connection: sa.Connection, periods: list[str]) -> dict[str, PeriodRun | None]:
    return {period: load_period_run(connection, period) for period in periods}


@dataclass
class Restated:
    """The latest restatement of the base year (GHG Protocol Corporate Standard ch. 5)."""

    base_year: str
    original: float
    restated: float
    change: float
    threshold: float
    reasons: list[str]


def latest_restatement(connection: sa.Connection, base_year: str) -> Restated | None:
    """The payload of the newest ``calc.restate`` audit entry for ``base_year``."""
    rows = connection.execute(
        sa.select(audit_log.c.payload)
        .where(audit_log.c.action == "calc.restate")
        .order_by(audit_log.c.seq.desc())
    )
    for (text,) in rows:
        payload = json.loads(text)
        if payload.get("base_year") == base_year:
            return Restated(
                base_year,
                payload["original"],
                payload["restated"],
                payload["change"],
                payload["threshold"],
                list(payload["reasons"]),
            )
    return None
