"""``activity import``: check an activity file, store it and register it for a reporting year
(issue 3, item 8).

The file is checked in DuckDB (:mod:`~esgledger.ingest.activity_check`; nothing is written when a
check fails), copied into the store under its SHA-256 (:mod:`~esgledger.ingest.activity_files`)
and registered as an import batch of kind ``activity`` through the ledger (audited); the service
(:meth:`esgledger.services.imports.Imports.activity`) runs the steps, the check before the write
lock is taken. The batch's
file name is ``<year>/<original name>``: the year is the period the file was imported for. The
bulk calculation (:mod:`esgledger.calc.bulk.service`) computes the registered files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.catalogue import Catalogue
from esgledger.domain import Entity, Period
from esgledger.errors import EsgLedgerError, InputIssue, InputRejected
from esgledger.ingest.activity_check import CheckedFile, check_file
from esgledger.ingest.activity_files import StoredFile
from esgledger.ledger.change import Change
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.writes import write_values
from esgledger.store.schema import import_batches

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


def check_activity_file(
    path: Path, period: Period, entities: list[Entity], catalogue: Catalogue
) -> CheckedFile:
    """Check ``path`` against the organisation and the catalogue's activity metrics
    (:meth:`~esgledger.catalogue.Catalogue.activity_metrics`); nothing is stored."""
    names = {e.id for e in entities} | {alias for e in entities for alias in e.aliases}
    units = {metric.id: metric.unit for metric in catalogue.activity_metrics()}
    return check_file(path, period, names, units)


def register_activity_file(
    change: Change, path: Path, period: Period, checked: CheckedFile, directory: Path
) -> int | None:
    """Register a checked file (already in the store under its SHA-256) for the year, as an
    import batch; a file imported before for the year, or a locked year, is refused."""
    refuse_locked(change.connection, [str(period)], f"importing {path.name}")
    for earlier in registered_files(change.connection, period, directory):
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
        change,
        [],
        batch={
            "kind": KIND,
            "file_name": f"{period}/{path.name}",
            "sha256": checked.sha256,
            "rows": checked.records,
        },
    )
    return written.batch_id
