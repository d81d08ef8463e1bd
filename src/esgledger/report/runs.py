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
from esgledger.store.schema import calc_values


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


def load_period_run(connection: sa.Connection, period: str) -> PeriodRun | None:
    """The current run of ``period`` with every lineage record; None when never calculated."""
    run = current_run(connection, period)
    if run is None:
        return None
    records: dict[str, dict[str, Any]] = {}
    rows = connection.execute(
        sa.select(calc_values.c.lineage).where(calc_values.c.run_id == run.id))
    for (text,) in rows:
        record = json.loads(text)
        records[record["key"]] = record
    return PeriodRun(period=period, run_id=run.id, at=run.at, options=json.loads(run.options),
                     result_sha256=run.result_sha256, records=records)


def load_period_runs(connection: sa.Connection, periods: list[str]) -> dict[str, PeriodRun | None]:
    return {period: load_period_run(connection, period) for period in periods}
