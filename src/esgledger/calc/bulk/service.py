"""``activity calc``: compute the activity files registered for a year and write the results to
the ledger (issue 3, item 8; the files are checked, stored and registered by
:mod:`esgledger.ingest.activity`).

The year's registered files are computed (:mod:`~esgledger.calc.bulk.run`) and one calculated data
point is written per entity, month and ``activity.*`` metric in one audited transaction
(:func:`esgledger.ledger.writes.write_values`), source ``bulk activity``, note the JSON summary of
:mod:`~esgledger.calc.bulk.summary`. A re-run writes new versions where results changed. The
service (:meth:`esgledger.services.calculation.Calculation.activity`) runs the steps: the
computation reads, then the results are written under the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.calc.bulk.factors import site_parameters
from esgledger.calc.bulk.metrics import result_metrics
from esgledger.calc.bulk.run import BulkResult, DuckDBEngine, compute, month_period
from esgledger.calc.bulk.summary import SOURCE, note, settle
from esgledger.calc.options import CalcOptions
from esgledger.calc.runner import period_keys
from esgledger.catalogue import Catalogue
from esgledger.domain import Period
from esgledger.errors import CalculationError, EsgLedgerError
from esgledger.factors.persist import load_stored_library
from esgledger.ingest.activity import registered_files
from esgledger.ingest.activity_files import StoredFile
from esgledger.ledger.change import Change
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import current_datapoints_of, load_entities
from esgledger.ledger.writes import NewValue, WriteSummary, write_values


@dataclass
class ActivityCalc:
    period: str
    files: int
    records: int
    results: int
    written: WriteSummary

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items() if k != "written"},
            **self.written.as_dict(),
        }


def _site_metrics(catalogue: Catalogue) -> list[str]:
    return [m.id for m in catalogue.inputs() if m.attributes.get("overrides")]


def compute_activity(
    connection: sa.Connection,
    period: Period,
    catalogue: Catalogue,
    options: CalcOptions,
    directory: Path,
) -> tuple[list[StoredFile], BulkResult]:
    """The bulk results of the year's registered files (stored in ``directory``), not yet
    written; ``connection`` reads the registrations, organisation, factors and site
    parameters."""
    files = registered_files(connection, period, directory)
    entities = load_entities(connection)
    library = load_stored_library(connection)
    points = current_datapoints_of(connection, period_keys(period), _site_metrics(catalogue))
    if not files:
        raise EsgLedgerError(
            f"no activity files imported for {period}: import one first ('esgledger activity "
            f"import FILE --period {period}', POST /api/v1/imports/activity or the Imports page)"
        )
    missing = [f for f in files if not f.path.is_file()]
    if missing:
        raise CalculationError(
            f"the stored activity file of batch {missing[0].batch_id} ({missing[0].name}) is "
            f"missing: expected {missing[0].path}"
        )
    engine = DuckDBEngine()
    try:
        result = compute(
            engine,
            files,
            period,
            catalogue,
            library,
            entities,
            options,
            site_parameters(points, period, catalogue),
        )
    finally:
        engine.close()
    return files, result


def activity_values(
    result: BulkResult, files: list[StoredFile], catalogue: Catalogue, options: CalcOptions
) -> list[NewValue]:
    """The monthly ``activity.*`` data points of the bulk results, each noting its lineage."""
    results = result_metrics(catalogue)
    values = []
    for month in sorted(result.values):
        for column, amount in sorted(result.values[month].items()):
            metric = catalogue[results[column]]
            values.append(
                NewValue(
                    entity_id=month[0],
                    period=month_period(month),
                    metric_id=metric.id,
                    value=amount,
                    unit=metric.unit,
                    value_normalised=amount,
                    method="calculated",
                    source=SOURCE,
                    note=note(result, month, column, files, options, DuckDBEngine.name),
                )
            )
    return values


def store_activity(
    change: Change, period: Period, values: list[NewValue], catalogue: Catalogue
) -> WriteSummary:
    """Write the monthly results (unchanged values left alone), refused in a locked period."""
    refuse_locked(change.connection, {v.period for v in values} | {str(period)}, "the calculation")
    metric_ids = list(result_metrics(catalogue).values())
    stored = {
        (p.entity_id, p.period, p.metric_id): p
        for p in current_datapoints_of(change.connection, period_keys(period), metric_ids)
    }
    settled = [settle(v, stored.get((v.entity_id, v.period, v.metric_id))) for v in values]
    return write_values(change, settled)
