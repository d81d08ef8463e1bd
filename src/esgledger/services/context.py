"""What every operation runs with: the ledger database, the rules it is computed with (catalogue,
factor sets), the caches a server keeps, where the ledger's files live, and the service options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from esgledger.access import login
from esgledger.calc.formulas import FORMULAS
from esgledger.catalogue import Catalogue, load_catalogue
from esgledger.evidence import store as evidence_store
from esgledger.factors import FactorLibrary
from esgledger.factors.persist import load_stored_library
from esgledger.ledger import catalogue_versions
from esgledger.ledger.group_commit import GroupCommitter
from esgledger.service_errors import NotInitialised
from esgledger.store import Database
from esgledger.store.locations import LedgerFiles
from esgledger.workflow.configuration import ConfigurationCache

# Writes the report of a period: (connection to read through, catalogue, period, output
# directory, language) -> the file written. Tests substitute a fast one.
ReportBuilder = Callable[[sa.Connection, Catalogue, str, Path, str], Path]


def _build_report(
    connection: sa.Connection, catalogue: Catalogue, period: str, out: Path, lang: str
) -> Path:
    from esgledger.report.build import build_report

    return Path(build_report(connection, catalogue, period, out, lang))


@cache
def _builtin_catalogue() -> Catalogue:
    """The package's catalogue, read once per process (contexts share it; nothing mutates it)."""
    return load_catalogue(known_functions=set(FORMULAS))


@dataclass
class Options:
    """How a service runs: credential lifetimes, sign-in limits, upload limits, file locations."""

    token_ttl: dt.timedelta = dt.timedelta(hours=12)
    session_ttl: dt.timedelta = dt.timedelta(hours=8)
    lockout: login.LockoutPolicy = field(default_factory=login.LockoutPolicy)
    failures_per_address: int = 20  # failed sign-ins per client address, all names, ...
    failure_window: dt.timedelta = dt.timedelta(minutes=15)  # ... in this window
    evidence_max_bytes: int = evidence_store.DEFAULT_MAX_BYTES
    files_dir: Path | None = None  # evidence and reports (default: store.locations' rule)
    report_builder: ReportBuilder = _build_report


class Context:
    """One ledger and what operations on it share. A server holds one for its lifetime."""

    def __init__(
        self,
        db: Database,
        options: Options | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ):
        self.db = db
        self.options = options or Options()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        where = LedgerFiles.of(db.engine.url)
        root = self.options.files_dir
        self.files = (
            where
            if root is None
            else LedgerFiles(root / "evidence", root / "reports", where.activity)
        )
        self.evidence_dir = self.files.evidence
        self.reports_dir = self.files.reports
        self.configuration = ConfigurationCache()
        self.writes = GroupCommitter(db)
        self.sign_in = login.SignInGuard(
            self.options.lockout, self.options.failures_per_address, self.options.failure_window
        )
        self._initialised = False
        self._catalogue: tuple[int, Catalogue] | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The built-in catalogue with the organisation's own metrics, axes and members (the
        version in effect: read on each use, so an import made by another process counts at once)."""
        version = self._organisation_version()
        cached = self._catalogue
        if cached is not None and cached[0] == version:
            return cached[1]
        content = None
        if version:
            with self.db.reading() as connection:
                stored = catalogue_versions.read_version(connection, version)
            content = stored.content if stored else None
        catalogue = self.catalogue_with(content, f"the organisation's catalogue v{version}")
        self._catalogue = (version, catalogue)
        return catalogue

    @staticmethod
    def catalogue_with(organisation: dict | None, where: str = "the import") -> Catalogue:
        """The built-in catalogue extended by ``organisation`` (its metrics, axes and members)."""
        if not organisation:
            return _builtin_catalogue()
        return load_catalogue(
            known_functions=set(FORMULAS), organisation=organisation, organisation_where=where
        )

    def _organisation_version(self) -> int:
        try:
            with self.db.reading() as connection:
                return catalogue_versions.newest_version(connection)
        except sa.exc.DBAPIError:  # a ledger not created or upgraded yet: the built-ins only
            return 0

    def library(self, connection: sa.Connection) -> FactorLibrary:
        """The factor sets stored in the ledger (the editions its inventories use)."""
        return load_stored_library(connection)

    def require_initialised(self) -> None:
        """Refuse to work on a database that is not an esgledger ledger of this version."""
        if self._initialised:
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
