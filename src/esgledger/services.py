"""The service layer: every operation the CLI (and later the API and web UI) offers.

Interfaces call these methods; they never compute, and they never touch SQL themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esgledger.calc import CalcOptions, Inventory, runner
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.lineage import Record, key
from esgledger.calc.recompute import Recomputed, recompute_all
from esgledger.calc.results import load_run_records, load_tree, period_values, save_run
from esgledger.catalogue import Catalogue, load_catalogue
from esgledger.domain import DataPoint, Entity, OrgTree, Period
from esgledger.errors import EsgLedgerError
from esgledger.factors import FactorLibrary, load_library
from esgledger.factors.persist import load_stored_library, store_library
from esgledger.ingest.datapoints import import_datapoints
from esgledger.ingest.organisation import import_organisation
from esgledger.ingest.transfers import import_certificates, import_transfers
from esgledger.ledger import audit
from esgledger.ledger.audit import AuditEvent, VerifyResult
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import (
    current_datapoint,
    current_datapoints,
    current_datapoints_for_metric,
    load_entities,
)
from esgledger.ledger.writes import WriteSummary
from esgledger.store import Database, open_database, resolve_url

if TYPE_CHECKING:  # imported when used: DuckDB and Arrow load only for bulk activity
    from esgledger.calc.bulk.service import ActivityCalc
    from esgledger.ingest.activity import ImportedFile


class NotInitialised(EsgLedgerError):
    pass


@dataclass
class Shown:
    """A value as ``show`` reports it."""

    metric: str
    entity: str
    period: str
    value: float
    unit: str
    status: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Workspace:
    """One ledger database plus the rules (catalogue, factor sets) it is computed with."""

    def __init__(self, database: Database, actor: str = "cli"):
        self.db = database
        self.actor = actor

    @classmethod
    def open(cls, db: str | None, actor: str = "cli") -> Workspace:
        return cls(open_database(resolve_url(db)), actor)

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(known_functions=set(FORMULAS))

    def library(self) -> FactorLibrary:
        with self.db.reading() as connection:
            return load_stored_library(connection)

    # -- set-up ------------------------------------------------------------------------------
    def init(self) -> dict[str, Any]:
        """Create or upgrade the schema and store the bundled factor sets (idempotent)."""
        self.db.migrate()
        library = load_library()
        with self.db.transaction() as connection:
            head = audit.lock_head(connection)
            added = store_library(connection, library, audit.utc_now())
            events = [
                AuditEvent("factors.load", "factor_set", set_version, {"factor_set": set_version})
                for set_version in added
            ]
            events.append(
                AuditEvent(
                    "catalogue.load",
                    "catalogue",
                    self.catalogue.sha256,
                    {"metrics": len(self.catalogue.metrics)},
                )
            )
            audit.append(connection, head, self.actor, events)
            audit.save_head(connection, head)
        return {
            "factor_sets_added": added,
            "metrics": len(self.catalogue.metrics),
            "factors": len(library.factor_ids()),
        }

    def require_initialised(self) -> None:
        if getattr(self, "_initialised", False):
            return
        try:
            current = self.db.schema_is_current()
        except Exception as exc:  # an unreachable server, a file that is no database
            raise NotInitialised(f"cannot open the ledger at {self.db.url}: {exc}") from exc
        if not current:
            raise NotInitialised(
                f"no ledger, or one from an older version, at {self.db.url}: run "
                "'esgledger init' first (it creates or upgrades it)"
            )
        self._initialised = True

    # -- organisation and data ---------------------------------------------------------------
    def import_organisation(self, path: Path) -> dict[str, int]:
        self.require_initialised()
        with self.db.transaction() as connection:
            return import_organisation(connection, path, self.actor)

    def import_data(self, path: Path) -> WriteSummary:
        self.require_initialised()
        with self.db.transaction() as connection:
            return import_datapoints(connection, path, self.catalogue, self.actor)

    def entities(self) -> list[Entity]:
        self.require_initialised()
        with self.db.reading() as connection:
            return load_entities(connection)

    def datapoints(self, periods: list[str]) -> list[DataPoint]:
        with self.db.reading() as connection:
            return current_datapoints(connection, periods)

    # -- calculation -------------------------------------------------------------------------
    def compute(self, period: str, options: CalcOptions | None = None) -> Inventory:
        """Compute an inventory without storing it."""
        self.require_initialised()
        with self.db.reading() as connection:
            return runner.compute(
                connection, self.catalogue, Period.parse(period), options or CalcOptions()
            )

    def calc(
        self, period: str, options: CalcOptions | None = None, actor: str | None = None
    ) -> tuple[Inventory, int]:
        """Compute and store the inventory of ``period`` as its current run; then check whether
        the base year must be restated. ``actor``: who ran it (default: this workspace's)."""
        inventory, run_id, _restatement = self.calc_with_restatement(period, options, actor)
        return inventory, run_id

    def calc_with_restatement(
        self, period: str, options: CalcOptions | None = None, actor: str | None = None
    ) -> tuple[Inventory, int, runner.Restatement | None]:
        options = options or CalcOptions()
        actor = actor or self.actor
        inventory = self.compute(period, options)
        with self.db.transaction() as connection:
            refuse_locked(connection, [str(Period.parse(period))], "the calculation")
            run_id = save_run(connection, inventory, self.catalogue.sha256, actor)
            restatement = runner.check_base_year(
                connection, self.catalogue, Period.parse(period), options, actor
            )
        return inventory, run_id, restatement

    def set_base_year(self, year: str, threshold: float | None = None) -> None:
        self.require_initialised()
        Period.parse(year)
        with self.db.transaction() as connection:
            runner.set_setting(connection, "base_year", year, self.actor)
            if threshold is not None:
                if not 0 < threshold < 1:
                    raise EsgLedgerError("the restatement threshold is a fraction, e.g. 0.05")
                runner.set_setting(connection, "restatement_threshold", str(threshold), self.actor)

    def base_year(self) -> tuple[str | None, float]:
        with self.db.reading() as connection:
            year = runner.get_setting(connection, "base_year")
            threshold = runner.get_setting(connection, "restatement_threshold")
        return year, float(threshold) if threshold else runner.DEFAULT_THRESHOLD

    def restated_value(self, metric_id: str, entity_id: str, period: str) -> float | None:
        with self.db.reading() as connection:
            return runner.restated_value(connection, metric_id, entity_id, period)

    def import_transfers(self, path: Path) -> int:
        self.require_initialised()
        with self.db.transaction() as connection:
            return import_transfers(connection, path, self.actor)

    def import_certificates(self, path: Path) -> int:
        self.require_initialised()
        with self.db.transaction() as connection:
            electricity = consumption_by_period(
                current_datapoints_for_metric(connection, "energy.electricity_purchased")
            )
            return import_certificates(connection, path, self.actor, electricity)

    def import_activity(self, path: Path, period: str) -> ImportedFile:
        """Check an activity file, store it and register it for the year (calc.bulk)."""
        from esgledger.ingest.activity import import_activity

        self.require_initialised()
        return import_activity(self.db, path, period, self.catalogue, self.actor)

    def calc_activity(self, period: str, options: CalcOptions | None = None) -> ActivityCalc:
        """Compute the year's activity files and store the monthly activity.* results."""
        from esgledger.calc.bulk.service import calc_activity

        self.require_initialised()
        return calc_activity(self.db, period, self.catalogue, self.actor, options)

    def recompute(
        self, period: str, metric_id: str | None = None, entity_id: str | None = None
    ) -> list[Recomputed]:
        """Re-derive stored values of the current run from their lineage; report differences."""
        self.require_initialised()
        with self.db.reading() as connection:
            if metric_id and entity_id:
                self._check_metric(metric_id)
                records = load_tree(connection, key(metric_id, entity_id, period))
                if not records:
                    raise EsgLedgerError(
                        f"no calculated value for {key(metric_id, entity_id, period)}"
                    )
            else:
                records = load_run_records(connection, period)
                if not records:
                    raise EsgLedgerError(f"no calculation for {period}: run 'esgledger calc' first")
            entities = {e.id: e for e in load_entities(connection)}
            return recompute_all(connection, records, self.catalogue, entities)

    def show(self, metric_id: str, entity_id: str, period: str) -> Shown:
        self.require_initialised()
        self._check_metric(metric_id)
        with self.db.reading() as connection:
            records = load_tree(connection, key(metric_id, entity_id, period), max_records=1)
            record = records.get(key(metric_id, entity_id, period))
            if record is not None:
                status = "calculated" if record["kind"] != "input" else _input_status(record)
                return Shown(
                    metric_id,
                    entity_id,
                    period,
                    record["value"],
                    record["unit"],
                    status,
                    record["kind"],
                )
            point = current_datapoint(connection, entity_id, period, metric_id)
        if point is not None:
            return Shown(
                metric_id,
                entity_id,
                period,
                point.value_normalised,
                self.catalogue[metric_id].unit,
                point.status,
                "input",
            )
        raise EsgLedgerError(
            f"no value for {key(metric_id, entity_id, period)}: not reported"
            + (
                f" and not calculated (run 'esgledger calc --period {period}')"
                if self.catalogue[metric_id].is_derived
                else ""
            )
        )

    def explain(self, metric_id: str, entity_id: str, period: str) -> dict[str, Any]:
        """The lineage tree of a value: the root record and every record it depends on."""
        self.require_initialised()
        self._check_metric(metric_id)
        root = key(metric_id, entity_id, period)
        with self.db.reading() as connection:
            records = load_tree(connection, root)
        if root not in records:
            raise EsgLedgerError(
                f"no calculated value for {root}: run 'esgledger calc --period "
                f"{period}' first (or check the entity and metric)"
            )
        return {"root": root, "records": records}

    def stored_values(self, period: str) -> dict[tuple[str, str], tuple[float, str]]:
        with self.db.reading() as connection:
            return period_values(connection, period)

    def verify_audit(self) -> VerifyResult:
        self.require_initialised()
        with self.db.reading() as connection:
            return audit.verify(connection)

    def org_tree(self) -> OrgTree:
        return OrgTree(self.entities())

    def _check_metric(self, metric_id: str) -> None:
        if metric_id not in self.catalogue:
            raise EsgLedgerError(f"unknown metric {metric_id!r}; see the catalogue for metric ids")


def consumption_by_period(points: list[DataPoint]) -> dict[tuple[str, str], float]:
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


def _input_status(record: Record) -> str:
    statuses = {point["status"] for point in record.get("datapoints", [])}
    return statuses.pop() if len(statuses) == 1 else "mixed"
