"""File imports, the same for the command line, the API and the web: the organisation, data
points, internal transfers, certificate claims and activity files; and the collection workbook
sent to plants.

Each file is read (and, for a workbook, unpacked within limits) before the write lock is taken;
its rows are then checked against the ledger under the lock and written all or nothing, as one
audited batch by the person importing it.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esgledger.access.policy import can
from esgledger.collector import collection_paused
from esgledger.errors import InputRejected
from esgledger.evidence.files import safe_name
from esgledger.ingest.datapoints import import_datapoints
from esgledger.ingest.organisation import import_organisation
from esgledger.ingest.tables import read_table
from esgledger.ingest.template import write_template
from esgledger.ingest.transfers import import_certificates, import_transfers
from esgledger.ledger import settings
from esgledger.ledger.reads import (
    current_datapoints,
    current_datapoints_for_metric,
    load_entities,
)
from esgledger.ledger.writes import NewValue, WriteSummary
from esgledger.service_errors import TooLarge
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.services.organisation import visible_entity
from esgledger.workflow.periods import parse_period
from esgledger.workflow.review import unexplained_changes

if TYPE_CHECKING:  # DuckDB and Arrow load only for activity files
    from esgledger.ingest.activity import ImportedFile

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a file sent through the API or the web


@dataclass
class DataImport:
    """What a data file import wrote; values over the change threshold without an explanation
    stay drafts (``held``) instead of being submitted."""

    written: WriteSummary
    held: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {**self.written.as_dict(), "held_as_draft": len(self.held), "held": self.held}


def consumption_by_period(points: Sequence[Any]) -> dict[tuple[str, str], float]:
    """Per (entity, period): each reported figure, and for a year without an annual figure the
    sum of its months."""
    found = {(p.entity_id, p.period): p.value_normalised for p in points}
    months: dict[tuple[str, str], float] = {}
    for point in points:
        if len(point.period) == 7:
            year_key = (point.entity_id, point.period[:4])
            months[year_key] = months.get(year_key, 0.0) + point.value_normalised
    for year_key, total in months.items():
        found.setdefault(year_key, total)
    return found


@contextmanager
def uploaded(file_name: str, data: bytes) -> Iterator[Path]:
    """A file sent through the API or the web, as a file under its own (made safe) name."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(
            f"the file has {len(data)} bytes; at most {MAX_UPLOAD_BYTES} are accepted",
            field="file",
            details={"max_bytes": MAX_UPLOAD_BYTES},
        )
    with tempfile.TemporaryDirectory(prefix="esgledger-upload-") as directory:
        path = Path(directory) / safe_name(file_name)
        path.write_bytes(data)
        try:
            yield path
        except InputRejected as rejected:  # name the file as sent, not the server's copy
            inside = str(Path(directory)) + os.sep
            raise InputRejected(
                [
                    replace(
                        issue,
                        file=issue.file.replace(inside, ""),
                        found=issue.found.replace(inside, ""),
                    )
                    for issue in rejected.issues
                ]
            ) from None


class Imports(Capability):
    @staged("organisation.import")
    def organisation(self, call: Call, path: Path) -> dict[str, int]:
        """Import entities (id, name, parent, country; optional name_zh, type, grid_region,
        ownership, operational_control, valid_from, valid_to, aliases, cell_technology)."""
        table = read_table(path)
        with call.writing() as change:
            return import_organisation(change, table)

    @staged("datapoint.create", entity_first=False)
    def data(
        self, call: Call, path: Path, submit: bool = True, covers: str | None = None
    ) -> DataImport:
        """Import data points (entity, period, metric, value, unit; optional method, source,
        note), or a filled collection workbook. With ``submit`` they are submitted for review,
        except values that changed against last year by more than the threshold: those stay
        drafts until someone explains the change (as on the entry form). A data owner imports
        values of their entities only: to them an entity outside their scope is unknown, as in
        the entry form (a role that enters nothing is refused before the file is read).
        ``covers``: the entities every row of the file covers when that is not its entity's
        whole subtree (``-power``; a row's own ``covers`` cell wins)."""
        with collection_paused():
            return self._data(call, path, submit, covers)

    def _data(self, call: Call, path: Path, submit: bool, covers: str | None) -> DataImport:
        table = read_table(path)
        user = call.actor
        held: list[NewValue] = []

        def statuses(values: Sequence[NewValue]) -> list[str]:
            if not submit:
                return ["draft"] * len(values)
            threshold = float(settings.read(change.connection, "review.change_threshold"))
            over = unexplained_changes(change.connection, values, threshold)
            held.extend(values[i] for i in sorted(over))
            return ["draft" if i in over else "submitted" for i in range(len(values))]

        def may_enter(entity_id: str) -> bool:
            return can(user, "datapoint.create", entity_id)

        with call.writing() as change:
            written = import_datapoints(
                change,
                table,
                self.context.catalogue,
                statuses,
                may_enter,
                visible=None if user.group_wide else user.sees,
                covers=covers or "",
            )
        return DataImport(
            written,
            [{"entity": v.entity_id, "period": v.period, "metric": v.metric_id} for v in held],
        )

    @staged("register.import")
    def transfers(self, call: Call, path: Path) -> int:
        """Import internal supplies (from, to, period, carrier, value, unit; optional
        reported_by = from|to when both sides report: they must agree)."""
        table = read_table(path)
        with call.writing() as change:
            return import_transfers(change, table)

    @staged("register.import")
    def certificates(self, call: Call, path: Path) -> int:
        """Import certificate claims (entity, period, scheme, certificate_id, mwh); each id once,
        ever, and never more than the electricity the entity consumed."""
        table = read_table(path)
        with call.writing() as change:
            electricity = consumption_by_period(
                current_datapoints_for_metric(
                    change.connection, self.context.catalogue.role("purchased_electricity").id
                )
            )
            return import_certificates(change, table, electricity)

    @staged("activity.import")
    def activity(self, call: Call, path: Path, period: str) -> ImportedFile:
        """Check an activity file (Parquet or CSV: entity, ts, metric, quantity, unit), store it
        under its SHA-256 and register it for the year. Nothing is written when any record is
        wrong; the check runs before the write lock is taken."""
        from esgledger.ingest.activity import (
            ImportedFile,
            check_activity_file,
            register_activity_file,
            reporting_year,
        )
        from esgledger.ingest.activity_files import store_file

        year = reporting_year(str(parse_period(period)))
        with call.reading() as connection:
            entities = load_entities(connection)
        checked = check_activity_file(path, year, entities, self.context.catalogue)
        directory = self.context.files.activity
        stored = store_file(path, checked.sha256, directory)
        with call.writing() as change:
            batch_id = register_activity_file(change, path, year, checked, directory)
        return ImportedFile(
            batch_id, str(year), path.name, checked.sha256, checked.records, str(stored)
        )

    @reads("datapoint.read")
    def template(self, call: Reading, entity_id: str, period: str) -> tuple[str, bytes]:
        """The collection workbook of an entity and period (one row per input metric, last
        year's values for reference): ``(file name, content)``."""
        entity = visible_entity(call, entity_id)
        parsed = parse_period(period)
        last_year = str(parsed.previous_year())
        previous = {
            p.metric_id: p.value_normalised
            for p in current_datapoints(call.connection, [last_year])
            if p.entity_id == entity.id
        }
        out = io.BytesIO()
        write_template(self.context.catalogue, entity, str(parsed), previous, out)
        return f"esgledger-{entity.id}-{parsed}.xlsx", out.getvalue()
