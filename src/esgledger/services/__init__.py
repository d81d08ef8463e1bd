"""The service layer: every operation of esgledger, declared once, on behalf of a person.

The command line, the REST API and the web pages are thin callers of these operations: they
parse, call one operation with the acting person, and render. Each capability is one module;
:mod:`esgledger.services.operation` is the one wrapper every operation runs through (permission
policy, transaction, audit entries, typed result).

    services = Services.open("group.db")
    admin = services.accounts.principal("alice")
    services.imports.data(admin, Path("smelter-2024.xlsx"))
    services.calculation.run(admin, "2024")
"""

from __future__ import annotations

import os
from pathlib import Path

from esgledger.access.policy import can as may
from esgledger.access.principal import ROLES, Principal
from esgledger.service_errors import NotInitialised
from esgledger.services.accounts import Accounts, os_login
from esgledger.services.assurance import Assurance
from esgledger.services.audit import Audit
from esgledger.services.backup import Backups, Progress, Restored, restore
from esgledger.services.calculation import Calculation
from esgledger.services.catalogue import Catalogues
from esgledger.services.collection import Collection
from esgledger.services.context import Context, Options
from esgledger.services.datapoints import DataPoints
from esgledger.services.disclose import Disclose
from esgledger.services.entry_form import EntryForms
from esgledger.services.evidence import Evidence
from esgledger.services.explain import Explain
from esgledger.services.factors import Factors
from esgledger.services.frameworks import Frameworks
from esgledger.services.governance import Governance
from esgledger.services.imports import Imports
from esgledger.services.iros import Iros
from esgledger.services.materiality import Materiality
from esgledger.services.organisation import Organisation
from esgledger.services.periods import Periods
from esgledger.services.policies import Policies
from esgledger.services.qa import QA
from esgledger.services.qa_review import QAReview
from esgledger.services.report_content import ReportContent
from esgledger.services.report_files import ReportFiles
from esgledger.services.report_jobs import ReportJobs
from esgledger.services.reports import Reports
from esgledger.services.settings import Settings
from esgledger.services.setup import Initialised, initialise
from esgledger.services.stakeholders import Stakeholders
from esgledger.services.targets import Targets
from esgledger.services.topics import Topics
from esgledger.store import Database, open_database, resolve_url, sqlite_file
from esgledger.store.database import URL_ENV
from esgledger.store.roles import grant_server_role


class Services:
    """One ledger's operations, grouped by capability."""

    def __init__(self, context: Context):
        self.context = context
        self.accounts = Accounts(context)
        self.organisation = Organisation(context)
        self.datapoints = DataPoints(context)
        self.collection = Collection(context)
        self.entry_forms = EntryForms(context)
        self.evidence = Evidence(context)
        self.periods = Periods(context)
        self.settings = Settings(context)
        self.imports = Imports(context)
        self.calculation = Calculation(context)
        self.explain = Explain(context)
        self.reports = Reports(context)
        self.assurance = Assurance(context)
        self.report_content = ReportContent(context)
        self.report_files = ReportFiles(context)
        self.report_jobs = ReportJobs(context)
        self.audit = Audit(context)
        self.catalogue = Catalogues(context)
        self.factors = Factors(context)
        self.frameworks = Frameworks(context)
        self.backups = Backups(context)
        self.materiality = Materiality(context)
        self.iros = Iros(context)
        self.qa = QA(context)
        self.stakeholders = Stakeholders(context)
        self.targets = Targets(context)
        self.topics = Topics(context)
        self.governance = Governance(context)
        self.disclose = Disclose(context)
        self.policies = Policies(context)
        self.qa_review = QAReview(context)

    @classmethod
    def open(
        cls, db: str | None = None, options: Options | None = None, create: bool = False
    ) -> Services:
        """The ledger at ``db`` (a SQLite path or a database URL; ``ESGLEDGER_DATABASE_URL``
        wins; default ``./esgledger.db``). A SQLite file that does not exist is created only
        with ``create`` (``init``), so that a mistyped path leaves no empty file behind."""
        url = resolve_url(db)
        missing = sqlite_file(url)
        if missing is not None and not create and not missing.exists():
            raise NotInitialised(
                f"no ledger at {missing}: check the path, or create one there with "
                "'esgledger init' (and the same --db)"
            )
        return cls(Context(open_database(url), options))

    @property
    def db(self) -> Database:
        return self.context.db

    def init(self, admin: str | None = None) -> Initialised:
        """Create or upgrade the ledger (see :mod:`esgledger.services.setup`)."""
        return initialise(self.context, admin)

    def require_initialised(self) -> None:
        self.context.require_initialised()

    def grant_server_role(self, role: str) -> list[str]:
        """PostgreSQL: grant ``role`` what a server needs and no more (the audit log: SELECT and
        INSERT only; see :mod:`esgledger.store.roles`). Run as the tables' owner."""
        self.require_initialised()
        with self.db.transaction() as connection:
            return grant_server_role(connection, role)

    def restore(self, archive: Path, progress: Progress | None = None) -> Restored:
        """Restore a backup into this ledger, which must be empty (see
        :mod:`esgledger.services.backup`)."""
        return restore(self.context, archive, progress)

    def dispose(self) -> None:
        self.context.db.dispose()


def serve_environment(services: Services) -> None:
    """Name the ledger in the environment, for the server's worker processes to open."""
    os.environ[URL_ENV] = services.db.engine.url.render_as_string(hide_password=False)


__all__ = [
    "ROLES",
    "URL_ENV",
    "Options",
    "Principal",
    "Services",
    "may",
    "os_login",
    "serve_environment",
]
