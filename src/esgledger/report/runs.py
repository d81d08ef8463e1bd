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

from esgledger.calc.lineage import Record
from esgledger.calc.results import INVENTORY, current_run
from esgledger.store.schema import calc_values


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
    )


def load_period_runs(connection: sa.Connection, periods: list[str]) -> dict[str, PeriodRun | None]:
    return {period: load_period_run(connection, period) for period in periods}
