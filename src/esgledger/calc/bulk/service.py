"""``activity import`` and ``activity calc``: the bulk path between files and the ledger (issue 3,
item 8).

Import: check the file in DuckDB (:mod:`~esgledger.calc.bulk.validate`; nothing is written when a
check fails), copy it into the store under its SHA-256 (:mod:`~esgledger.calc.bulk.files`) and
register it as an import batch of kind ``activity`` through the ledger (audited). The batch's file
name is ``<year>/<original name>``: the year is the period the file was imported for.

Calc: compute the year's registered files (:mod:`~esgledger.calc.bulk.run`) and write one
calculated data point per entity, month and ``activity.*`` metric in one audited transaction
(:func:`esgledger.ledger.writes.write_values`), source ``bulk activity``, note the JSON summary of
:mod:`~esgledger.calc.bulk.summary`. A re-run writes new versions where results changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.calc.bulk.factors import site_parameters
from esgledger.calc.bulk.files import store_dir, store_file
from esgledger.calc.bulk.metrics import activity_metrics, result_metrics
from esgledger.calc.bulk.run import BulkResult, DuckDBEngine, StoredFile, compute, month_period
from esgledger.calc.bulk.summary import SOURCE, note, settle
from esgledger.calc.bulk.validate import check_file
from esgledger.calc.options import CalcOptions
from esgledger.calc.runner import period_keys
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Period
from esgledger.errors import CalculationError, EsgLedgerError, InputIssue, InputRejected
from esgledger.factors.persist import load_stored_library
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities, select_datapoints
from esgledger.ledger.writes import NewValue, WriteSummary, write_values
from esgledger.store import Database
from esgledger.store.schema import datapoints, import_batches

KIND = "activity"


@dataclass
class ImportedFile:
    batch_id: int | None
    period: str
    file: str
    sha256: str
    records: int
    stored: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def reporting_year(text: str) -> Period:
    period = Period.parse(text)
    if period.month is not None:
        raise EsgLedgerError(
            f"activity files belong to a reporting year (e.g. {period.year}), "
            f"not to a month ({text})"
        )
    return period


def registered_files(
    connection: sa.Connection, period: Period, directory: Path
) -> list[StoredFile]:
    """The activity files imported for ``period``, oldest batch first."""
    rows = connection.execute(
        sa.select(import_batches.c.id, import_batches.c.file_name, import_batches.c.sha256)
        .where(import_batches.c.kind == KIND, import_batches.c.file_name.like(f"{period}/%"))
        .order_by(import_batches.c.id)
    )
    files = []
    for batch_id, file_name, sha256 in rows:
        name = file_name.split("/", 1)[1]
        files.append(
            StoredFile(batch_id, name, sha256, directory / f"{sha256}{Path(name).suffix.lower()}")
        )
    return files


def import_activity(
    db: Database, path: Path, period_text: str, catalogue: Catalogue, actor: str
) -> ImportedFile:
    period = reporting_year(period_text)
    with db.reading() as connection:
        entities = load_entities(connection)
    names = {e.id for e in entities} | {alias for e in entities for alias in e.aliases}
    units = {metric_id: catalogue[metric_id].unit for metric_id in activity_metrics(catalogue)}
    checked = check_file(path, period, names, units)
    directory = store_dir(db.engine.url)
    stored = store_file(path, checked.sha256, directory)
    with db.transaction() as connection:
        refuse_locked(connection, [str(period)], f"importing {path.name}")
        for earlier in registered_files(connection, period, directory):
            if earlier.sha256 == checked.sha256:
                raise InputRejected(
                    [
                        InputIssue(
                            str(path),
                            None,
                            "file",
                            f"a file already imported for {period} "
                            f"(batch {earlier.batch_id}, {earlier.name})",
                            "a file not imported before: its records would be counted twice",
                        )
                    ]
                )
        written = write_values(
            connection,
            [],
            actor,
            batch={
                "kind": KIND,
                "file_name": f"{period}/{path.name}",
                "sha256": checked.sha256,
                "rows": checked.records,
            },
        )
    return ImportedFile(
        written.batch_id, str(period), path.name, checked.sha256, checked.records, str(stored)
    )


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
    with db.transaction() as connection:
        refuse_locked(connection, {v.period for v in values} | {str(period)}, "the calculation")
        stored = {
            (p.entity_id, p.period, p.metric_id): p
            for p in _current(connection, period, list(results.values()))
        }
        values = [settle(v, stored.get((v.entity_id, v.period, v.metric_id))) for v in values]
        written = write_values(connection, values, actor)
    return ActivityCalc(str(period), len(files), result.records, len(values), written)
