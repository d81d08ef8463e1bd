"""The service layer: every operation the CLI (and later the API and web UI) offers.

Interfaces call these methods; they never compute, and they never touch SQL themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from esgledger.calc import CalcOptions, Engine, Inventory
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.lineage import key
from esgledger.calc.results import load_tree, period_values, save_inventory
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue, load_catalogue
from esgledger.domain import DataPoint, Entity, OrgTree, Period
from esgledger.errors import EsgLedgerError
from esgledger.factors import FactorLibrary, load_library
from esgledger.factors.persist import load_stored_library, store_library
from esgledger.ingest.datapoints import import_datapoints
from esgledger.ingest.organisation import import_organisation
from esgledger.ledger import audit
from esgledger.ledger.audit import AuditEvent, VerifyResult
from esgledger.ledger.reads import current_datapoint, current_datapoints, load_entities
from esgledger.ledger.writes import WriteSummary
from esgledger.store import Database, open_database, resolve_url


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
            events = [AuditEvent("factors.load", "factor_set", set_version,
                                 {"factor_set": set_version}) for set_version in added]
            events.append(AuditEvent("catalogue.load", "catalogue", self.catalogue.sha256,
                                     {"metrics": len(self.catalogue.metrics)}))
            audit.append(connection, head, self.actor, events)
            audit.save_head(connection, head)
        return {"factor_sets_added": added, "metrics": len(self.catalogue.metrics),
                "factors": len(library.factor_ids())}

    def require_initialised(self) -> None:
        try:
            current = self.db.schema_is_current()
        except Exception as exc:  # an unreachable server, a file that is no database
            raise NotInitialised(f"cannot open the ledger at {self.db.url}: {exc}") from exc
        if not current:
            raise NotInitialised(f"no ledger at {self.db.url}: run 'esgledger init' first")

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
        with self.db.reading() as connection:
            return load_entities(connection)

    def datapoints(self, periods: list[str]) -> list[DataPoint]:
        with self.db.reading() as connection:
            return current_datapoints(connection, periods)

    # -- calculation -------------------------------------------------------------------------
    def compute(self, period: str, options: CalcOptions | None = None) -> Inventory:
        """Compute an inventory without storing it."""
        self.require_initialised()
        parsed = Period.parse(period)
        engine = Engine(self.catalogue, self.library(), Selection.load(), options)
        with self.db.reading() as connection:
            entities = load_entities(connection)
            wanted = [str(parsed)] if parsed.month else [str(parsed)] + [
                f"{parsed.year}-{m:02d}" for m in range(1, 13)]
            points = current_datapoints(connection, wanted)
        return engine.run(entities, points, parsed)

    def calc(self, period: str, options: CalcOptions | None = None) -> tuple[Inventory, int]:
        """Compute and store the inventory of ``period`` as its current run."""
        inventory = self.compute(period, options)
        with self.db.transaction() as connection:
            run_id = save_inventory(connection, inventory, self.catalogue.sha256, self.actor)
        return inventory, run_id

    def show(self, metric_id: str, entity_id: str, period: str) -> Shown:
        self.require_initialised()
        self._check_metric(metric_id)
        with self.db.reading() as connection:
            records = load_tree(connection, key(metric_id, entity_id, period), max_records=1)
            record = records.get(key(metric_id, entity_id, period))
            if record is not None:
                status = "calculated" if record["kind"] != "input" else _input_status(record)
                return Shown(metric_id, entity_id, period, record["value"], record["unit"],
                             status, record["kind"])
            point = current_datapoint(connection, entity_id, period, metric_id)
        if point is not None:
            return Shown(metric_id, entity_id, period, point.value_normalised,
                         self.catalogue[metric_id].unit, point.status, "input")
        raise EsgLedgerError(
            f"no value for {key(metric_id, entity_id, period)}: not reported"
            + (" and not calculated (run 'esgledger calc --period "
               f"{period}')" if self.catalogue[metric_id].is_derived else "")
        )

    def explain(self, metric_id: str, entity_id: str, period: str) -> dict[str, Any]:
        """The lineage tree of a value: the root record and every record it depends on."""
        self.require_initialised()
        self._check_metric(metric_id)
        root = key(metric_id, entity_id, period)
        with self.db.reading() as connection:
            records = load_tree(connection, root)
        if root not in records:
            raise EsgLedgerError(f"no calculated value for {root}: run 'esgledger calc --period "
                                 f"{period}' first (or check the entity and metric)")
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


def _input_status(record: dict[str, Any]) -> str:
    statuses = {point["status"] for point in record.get("datapoints", [])}
    return statuses.pop() if len(statuses) == 1 else "mixed"
