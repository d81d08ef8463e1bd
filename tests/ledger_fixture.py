"""The service layer acting as one admin, for tests that set a ledger up and look at it.

``Ledger`` calls the real operations of :class:`esgledger.services.Services` on behalf of the
ledger's first admin (the account ``init`` creates for the OS login), so that a test about, say,
the calculation reads ``ledger.import_data(path)`` rather than spelling out the acting person at
every step. Tests about who may do what call the services with their own principals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esgledger.calc import CalcOptions, Inventory, runner
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Entity, Period
from esgledger.factors import FactorLibrary
from esgledger.ledger import settings
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.verify import VerifyResult
from esgledger.ledger.writes import WriteSummary
from esgledger.services import Principal, Services, os_login
from esgledger.services.calculation import Calculated
from esgledger.services.explain import Shown
from esgledger.store import Database


class Ledger:
    """One ledger and its first admin."""

    def __init__(self, services: Services, admin: str | None = None):
        self.services = services
        self.admin_name = admin or os_login()

    @classmethod
    def open(cls, db: str) -> Ledger:
        """The ledger at ``db`` (a URL or SQLite path), acting as the OS login's admin."""
        return cls(Services.open(db))

    @property
    def admin(self) -> Principal:
        return self.services.accounts.principal(self.admin_name)

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def catalogue(self) -> Catalogue:
        return self.services.context.catalogue

    def library(self) -> FactorLibrary:
        with self.db.reading() as connection:
            return self.services.context.library(connection)

    # -- set-up ------------------------------------------------------------------------------
    def import_organisation(self, path: Path) -> dict[str, int]:
        return self.services.imports.organisation(self.admin, path)

    def import_data(self, path: Path, submit: bool = True) -> WriteSummary:
        return self.services.imports.data(self.admin, path, submit).written

    def import_transfers(self, path: Path) -> int:
        return self.services.imports.transfers(self.admin, path)

    def import_certificates(self, path: Path) -> int:
        return self.services.imports.certificates(self.admin, path)

    def import_activity(self, path: Path, period: str) -> Any:
        return self.services.imports.activity(self.admin, path, period)

    def set_base_year(self, year: str, threshold: float | None = None) -> None:
        self.services.settings.set(self.admin, "base_year", year)
        if threshold is not None:
            self.services.settings.set(self.admin, "restatement_threshold", threshold)

    def base_year(self) -> tuple[str | None, float]:
        with self.db.reading() as connection:
            year = settings.read(connection, "base_year")
            threshold = settings.read(connection, "restatement_threshold")
        return (None if year is None else str(year)), float(threshold)

    # -- calculation -------------------------------------------------------------------------
    def compute(self, period: str, options: CalcOptions | None = None) -> Inventory:
        """An inventory computed without storing it."""
        with self.db.reading() as connection:
            return runner.compute(
                connection, self.catalogue, Period.parse(period), options or CalcOptions()
            )

    def calc(self, period: str, options: CalcOptions | None = None) -> Calculated:
        return self.services.calculation.run(self.admin, period, options)

    def calc_activity(self, period: str, options: CalcOptions | None = None) -> Any:
        return self.services.calculation.activity(self.admin, period, options)

    def recompute(
        self, period: str, metric_id: str | None = None, entity_id: str | None = None
    ) -> list[Any]:
        return self.services.calculation.recompute(self.admin, period, metric_id, entity_id)

    def restated_value(self, metric_id: str, entity_id: str, period: str) -> float | None:
        with self.db.reading() as connection:
            return runner.restated_value(connection, metric_id, entity_id, period)

    # -- reading -----------------------------------------------------------------------------
    def show(
        self, metric_id: str, entity_id: str, period: str, dimensions: str | None = None
    ) -> Shown:
        return self.services.explain.show(self.admin, metric_id, entity_id, period, dimensions)

    def explain(
        self, metric_id: str, entity_id: str, period: str, dimensions: str | None = None
    ) -> dict[str, Any]:
        return self.services.explain.explain(self.admin, metric_id, entity_id, period, dimensions)

    def stored_values(self, period: str) -> dict[tuple[str, str], tuple[float, str]]:
        return {
            (v["entity"], v["metric"]): (v["value"], v["unit"])
            for v in self.services.calculation.values(self.admin, period)
        }

    def entities(self) -> list[Entity]:
        with self.db.reading() as connection:
            return load_entities(connection)

    def datapoints(self, periods: list[str]) -> list[DataPoint]:
        with self.db.reading() as connection:
            return current_datapoints(connection, periods)

    def report_file(self, period: str, out: Path, lang: str = "en", **options: Any) -> Path:
        """The report written by :func:`esgledger.report.build.build_report` (not registered)."""
        from esgledger.report.build import build_report

        with self.db.reading() as connection:
            return Path(build_report(connection, self.catalogue, period, out, lang, **options))

    def verify_audit(self) -> VerifyResult:
        return self.services.audit.verify(self.admin)
