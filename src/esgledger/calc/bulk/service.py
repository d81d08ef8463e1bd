"""``activity calc``: compute the activity files registered for a year and write the results to
the ledger (issue 3, item 8; the files are checked, stored and registered by
:mod:`esgledger.ingest.activity`).

The year's registered files are computed (:mod:`~esgledger.calc.bulk.run`) and one calculated data
point is written per entity, month and ``activity.*`` metric in one audited transaction
(:func:`esgledger.ledger.writes.write_values`), source ``bulk activity``, note the JSON summary of
:mod:`~esgledger.calc.bulk.summary`. A re-run writes new versions where results changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.calc.bulk.factors import site_parameters
from esgledger.calc.bulk.metrics import result_metrics
from esgledger.calc.bulk.run import BulkResult, DuckDBEngine, compute, month_period
from esgledger.calc.bulk.summary import SOURCE, note, settle
from esgledger.calc.options import CalcOptions
from esgledger.calc.runner import period_keys
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Period
from esgledger.errors import CalculationError, EsgLedgerError
from esgledger.factors.persist import load_stored_library
from esgledger.ingest.activity import registered_files, reporting_year
from esgledger.ingest.activity_files import StoredFile, store_dir
from esgledger.ledger.change import changing
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities, select_datapoints
from esgledger.ledger.writes import NewValue, WriteSummary, write_values
from esgledger.store import Database
from esgledger.store.schema import datapoints


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


def _current(connection: sa.Connection, period: Period, metric_ids: list[str]) -> list[DataPoint]:
    """The current data points of ``metric_ids`` in the year and its months."""
    return select_datapoints(
        connection,
        sa.select(datapoints).where(
            datapoints.c.is_current.is_(True),
            datapoints.c.period.in_(period_keys(period)),
            datapoints.c.metric_id.in_(metric_ids),
        ),
    )


def compute_activity(
    db: Database, period: Period, catalogue: Catalogue, options: CalcOptions
) -> tuple[list[StoredFile], BulkResult]:
    """The bulk results of the year's registered files, not yet written."""
    with db.reading() as connection:
        files = registered_files(connection, period, store_dir(db.engine.url))
        entities = load_entities(connection)
        library = load_stored_library(connection)
        points = _current(connection, period, _site_metrics(catalogue))
    if not files:
        raise EsgLedgerError(
            f"no activity files imported for {period}: run 'esgledger activity "
            f"import FILE --period {period}' first"
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


def calc_activity(
    db: Database,
    period_text: str,
    catalogue: Catalogue,
    actor: str,
    options: CalcOptions | None = None,
) -> ActivityCalc:
    period = reporting_year(period_text)
    options = options or CalcOptions()
    files, result = compute_activity(db, period, catalogue, options)
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
    with db.transaction() as connection, changing(connection, actor) as change:
        refuse_locked(connection, {v.period for v in values} | {str(period)}, "the calculation")
        stored = {
            (p.entity_id, p.period, p.metric_id): p
            for p in _current(connection, period, list(results.values()))
        }
        values = [settle(v, stored.get((v.entity_id, v.period, v.metric_id))) for v in values]
        written = write_values(change, values)
    return ActivityCalc(str(period), len(files), result.records, len(values), written)
