"""The multi-user service: what the REST API and the web UI call, always on behalf of a user.

A sibling of :class:`esgledger.services.Workspace`: it holds one workspace and adds users,
credentials, the review workflow, evidence, period locks and reports. Each method opens one
transaction and delegates to a module that does one job (``access``, ``workflow``, ``evidence``);
permissions are decided in :mod:`esgledger.access.policy` only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.access import credentials, login
from esgledger.access import users as accounts
from esgledger.access.policy import authorize, can
from esgledger.access.principal import Principal
from esgledger.access.redaction import visible_records
from esgledger.calc import CalcOptions
from esgledger.domain import DataPoint, Entity
from esgledger.errors import EsgLedgerError
from esgledger.evidence import store as evidence_store
from esgledger.ledger import audit, audit_query
from esgledger.ledger.audit import AuditEvent, VerifyResult
from esgledger.ledger.audit_query import AuditFilters
from esgledger.ledger.group_commit import GroupCommitter, Work
from esgledger.ledger.reads import periods_with_data
from esgledger.service_errors import Invalid, NotFound, ServiceError
from esgledger.services import Workspace
from esgledger.store import Database
from esgledger.store.schema import settings as settings_table
from esgledger.workflow import entries, periods, queries, review
from esgledger.workflow.configuration import ConfigurationCache
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import metric_dict

ReportBuilder = Callable[[Workspace, str, Path, str], Path]
SYSTEM = "system"  # actor of set-up done outside any user's session (the CLI's ``user add``)
MAX_BATCH = 500  # values approved in one request


def default_files_dir(workspace: Workspace) -> Path:
    """Where evidence and built reports live: beside a SQLite file (``NAME-files``), else
    ``ESGLEDGER_FILES_DIR`` or ``./esgledger-files``."""
    database = workspace.db.engine.url.database
    if workspace.db.is_sqlite and database:
        path = Path(database)
        return path.with_name(f"{path.stem}-files")
    return Path(os.environ.get("ESGLEDGER_FILES_DIR", "esgledger-files"))


def _build_report(workspace: Workspace, period: str, out: Path, lang: str) -> Path:
    from esgledger.report import build_report

    return Path(build_report(workspace, period, out, lang))


@dataclass
class Settings:
    token_ttl: dt.timedelta = dt.timedelta(hours=12)
    session_ttl: dt.timedelta = dt.timedelta(hours=8)
    lockout: login.LockoutPolicy = field(default_factory=login.LockoutPolicy)
    failures_per_address: int = 20  # failed sign-ins per client address, all names, ...
    failure_window: dt.timedelta = dt.timedelta(minutes=15)  # ... in this window
    evidence_max_bytes: int = evidence_store.DEFAULT_MAX_BYTES
    files_dir: Path | None = None
    report_builder: ReportBuilder = _build_report


class Collaboration:
    def __init__(
        self,
        workspace: Workspace,
        settings: Settings | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ):
        self.ws = workspace
        self.settings = settings or Settings()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        files = self.settings.files_dir or default_files_dir(workspace)
        self.evidence_dir = files / "evidence"
        self.reports_dir = files / "reports"
        self.configuration = ConfigurationCache()
        self.writes = GroupCommitter(self.db)
        self._sign_in = login.SignInGuard(
            self.settings.lockout, self.settings.failures_per_address, self.settings.failure_window
        )

    @property
    def db(self) -> Database:
        return self.ws.db

    # -- sign-in -----------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str) -> str:
        """Check credentials, slowed down after failures (:mod:`esgledger.access.login`);
        return the user name."""
        return self._sign_in.authenticate(self.db, username, password, client, self.clock())

    def issue_token(self, username: str, password: str, client: str) -> credentials.Issued:
        name = self.authenticate(username, password, client)
        with self.db.transaction() as connection:
            return credentials.issue_token(connection, name, self.clock(), self.settings.token_ttl)

    def open_session(self, username: str, password: str, client: str) -> credentials.Session:
        name = self.authenticate(username, password, client)
        with self.db.transaction() as connection:
            return credentials.open_session(
                connection, name, self.clock(), self.settings.session_ttl
            )

    def principal_for_token(self, token: str) -> Principal:
        with self.db.reading() as connection:
            username, generation = credentials.token_holder(connection, token, self.clock())
            return self.configuration.principal(connection, username, generation)

    @contextmanager
    def signed_in(self, token: str) -> Iterator[Principal]:
        """The token's user, for a request that only reads: its reads share the connection of
        the token check (see :meth:`Database.reading`)."""
        with self.db.reading():
            yield self.principal_for_token(token)

    def principal_for_session(self, session_id: str) -> tuple[Principal, credentials.Session]:
        with self.db.reading() as connection:
            session = credentials.find_session(connection, session_id, self.clock())
            generation = audit.configuration_generation(connection)
            return self.configuration.principal(connection, session.username, generation), session

    def revoke_token(self, token: str) -> None:
        with self.db.transaction() as connection:
            credentials.revoke_token(connection, token)

    def close_session(self, session_id: str) -> None:
        with self.db.transaction() as connection:
            credentials.close_session(connection, session_id)

    # -- users -------------------------------------------------------------------------------
    def create_user(
        self, actor: Principal | None, username: str, password: str, role: str, entities: list[str]
    ) -> accounts.UserInfo:
        """Create an account; ``actor=None`` is the command line (set-up of the first admin)."""
        if actor is not None:
            authorize(actor, "user.admin")
        with self.db.transaction() as connection:
            return accounts.create_user(
                connection, username, password, role, entities, actor.username if actor else SYSTEM
            )

    def update_user(self, actor: Principal, username: str, **changes: Any) -> accounts.UserInfo:
        authorize(actor, "user.admin")
        with self.db.transaction() as connection:
            return accounts.update_user(connection, username, actor.username, **changes)

    def users(
        self, actor: Principal, role: str | None = None, active: bool | None = None
    ) -> list[accounts.UserInfo]:
        """Accounts by user name, of ``role`` and in the ``active`` state when given."""
        authorize(actor, "user.admin")
        with self.db.reading() as connection:
            found = accounts.list_users(connection)
        return [u for u in found if role in (None, u.role) and active in (None, u.active)]

    def user(self, actor: Principal, username: str) -> accounts.UserInfo:
        if username != actor.username:
            authorize(actor, "user.admin")
        with self.db.reading() as connection:
            return accounts.get_user(connection, username)

    def allowed(self, user: Principal, action: str, datapoint_id: int | None = None) -> bool:
        """Whether to offer ``action`` (a button, a link); the action checks again when done."""
        if datapoint_id is None:
            return can(user, action)
        with self.db.reading() as connection:
            try:
                point = entries.current_by_id(connection, user, datapoint_id)
            except NotFound:
                return False
            return can(user, action, datapoint=entries.facts(connection, point))

    # -- organisation, catalogue, periods ----------------------------------------------------
    def entities(
        self,
        user: Principal,
        parent: str | None = None,
        country: str | None = None,
        entity_type: str | None = None,
    ) -> list[Entity]:
        """The entities the user may see, by id; with ``parent`` its direct children only
        (NotFound for a parent outside the scope)."""
        authorize(user, "entity.read")
        if parent is not None and not user.sees(parent):
            raise NotFound(f"no entity {parent!r}", field="parent")
        return [
            e
            for e in self.ws.entities()
            if user.sees(e.id)
            and parent in (None, e.parent_id)
            and country in (None, e.country)
            and entity_type in (None, e.type)
        ]

    def entity(self, user: Principal, entity_id: str) -> Entity:
        for found in self.entities(user):
            if found.id == entity_id:
                return found
        raise NotFound(f"no entity {entity_id!r}")

    def metrics(
        self, user: Principal, group: str | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        """The catalogue in its order, of ``group`` and ``kind`` (input, formula, ...) if given."""
        authorize(user, "metric.read")
        return [
            metric_dict(m)
            for m in self.ws.catalogue.metrics.values()
            if group in (None, m.group) and kind in (None, m.kind)
        ]

    def metric(self, user: Principal, metric_id: str) -> dict[str, Any]:
        authorize(user, "metric.read")
        if metric_id not in self.ws.catalogue:
            raise NotFound(f"no metric {metric_id!r}")
        return metric_dict(self.ws.catalogue[metric_id])

    def periods(self, user: Principal) -> list[dict[str, Any]]:
        authorize(user, "period.read")
        with self.db.reading() as connection:
            locks = periods.all_locks(connection)
            names = sorted(set(periods_with_data(connection, user.scope)) | set(locks))
        return [{"period": name, "locked": locks.get(name, False)} for name in names]

    def period(self, user: Principal, period: str) -> dict[str, Any]:
        authorize(user, "period.read")
        name = str(periods.parse_period(period))
        with self.db.reading() as connection:
            return {
                "period": name,
                **periods.lock_state(connection, name),
                "locked_by": periods.locked_by(connection, name),
                "by_status": periods.status_counts(connection, name, user.scope),
            }

    def lock_period(self, user: Principal, period: str, reason: str | None) -> dict[str, Any]:
        with self.db.transaction() as connection:
            return periods.set_lock(connection, user, period, True, reason)

    def reopen_period(self, user: Principal, period: str, reason: str) -> dict[str, Any]:
        with self.db.transaction() as connection:
            return periods.set_lock(connection, user, period, False, reason)

    # -- data points -------------------------------------------------------------------------
    def datapoints(
        self, user: Principal, filters: Filters, limit: int = 50, offset: int = 0
    ) -> tuple[list[DataPoint], int]:
        authorize(user, "datapoint.read")
        if filters.entity is not None and not user.sees(filters.entity):
            raise NotFound(f"no entity {filters.entity!r}", field="entity")
        with self.db.reading() as connection:
            return queries.list_points(connection, user, filters, limit, offset)

    def datapoint(self, user: Principal, datapoint_id: int) -> DataPoint:
        with self.db.reading() as connection:
            point = entries.current_by_id(connection, user, datapoint_id)
        authorize(user, "datapoint.read", point.entity_id)
        return point

    def last_year(self, user: Principal, datapoint_id: int) -> DataPoint | None:
        """Last year's value of the same metric and entity (shown beside the entry field)."""
        with self.db.reading() as connection:
            point = entries.current_by_id(connection, user, datapoint_id)
            return review.last_year(connection, point)

    def history(self, user: Principal, datapoint_id: int) -> dict[str, Any]:
        with self.db.reading() as connection:
            return queries.history(connection, user, datapoint_id)

    # Writes of data points run on the group committer (see ledger/group_commit.py). Each has a
    # blocking form and an ``_async`` form for coroutines, which waits without holding a thread.
    def create_datapoint(
        self, user: Principal, entry: Entry, explanation: str | None = None
    ) -> DataPoint:
        return self.writes.run(self._creation(user, entry, explanation))

    async def create_datapoint_async(
        self, user: Principal, entry: Entry, explanation: str | None = None
    ) -> DataPoint:
        return await self.writes.run_async(self._creation(user, entry, explanation))

    def _creation(self, user: Principal, entry: Entry, explanation: str | None) -> Work[DataPoint]:
        catalogue, configuration = self.ws.catalogue, self.configuration
        return lambda connection: entries.create(
            connection, user, entry, catalogue, explanation, configuration
        )

    def correct_datapoint(
        self,
        user: Principal,
        datapoint_id: int,
        version: int,
        changes: dict[str, Any],
        explanation: str | None = None,
    ) -> DataPoint:
        return self.writes.run(self._correction(user, datapoint_id, version, changes, explanation))

    async def correct_datapoint_async(
        self,
        user: Principal,
        datapoint_id: int,
        version: int,
        changes: dict[str, Any],
        explanation: str | None = None,
    ) -> DataPoint:
        return await self.writes.run_async(
            self._correction(user, datapoint_id, version, changes, explanation)
        )

    def _correction(
        self,
        user: Principal,
        datapoint_id: int,
        version: int,
        changes: dict[str, Any],
        explanation: str | None,
    ) -> Work[DataPoint]:
        catalogue, configuration = self.ws.catalogue, self.configuration
        return lambda connection: entries.correct(
            connection, user, datapoint_id, version, changes, catalogue, explanation, configuration
        )

    def submit(
        self, user: Principal, datapoint_id: int, version: int, explanation: str | None = None
    ) -> DataPoint:
        return self.writes.run(self._review(user, datapoint_id, version, "submit", explanation))

    def approve(
        self, user: Principal, datapoint_id: int, version: int, comment: str | None = None
    ) -> DataPoint:
        return self.writes.run(self._review(user, datapoint_id, version, "approve", comment))

    def approve_many(
        self, user: Principal, items: list[tuple[int, int]], comment: str | None = None
    ) -> tuple[list[DataPoint], dict[int, ServiceError]]:
        """Approve each ``(datapoint_id, version)`` on its own, with every check of a single
        approval (scope, segregation of duties, lock, version, state): ``(approved, refused by
        id)``. One refusal does not hold back the others."""
        if len(items) > MAX_BATCH:
            raise Invalid(f"at most {MAX_BATCH} values at a time", field="items")
        approved: list[DataPoint] = []
        refused: dict[int, ServiceError] = {}
        for datapoint_id, version in items:
            try:
                approved.append(self.approve(user, datapoint_id, version, comment))
            except ServiceError as error:
                refused[datapoint_id] = error
        return approved, refused

    def reject(self, user: Principal, datapoint_id: int, version: int, comment: str) -> DataPoint:
        return self.writes.run(self._review(user, datapoint_id, version, "reject", comment))

    def explain_change(
        self, user: Principal, datapoint_id: int, version: int, text: str
    ) -> DataPoint:
        """Explain the change against last year of a draft or rejected value (its current
        version), without changing the value."""
        configuration = self.configuration
        return self.writes.run(
            lambda connection: review.explain(
                connection, user, datapoint_id, version, text, configuration
            )
        )

    async def review_async(
        self, user: Principal, datapoint_id: int, version: int, action: str, comment: str | None
    ) -> DataPoint:
        """Submit, approve or reject (``action``) for a coroutine."""
        return await self.writes.run_async(
            self._review(user, datapoint_id, version, action, comment)
        )

    def _review(
        self, user: Principal, datapoint_id: int, version: int, action: str, comment: str | None
    ) -> Work[DataPoint]:
        configuration = self.configuration
        return lambda connection: review.transition(
            connection, user, datapoint_id, version, action, comment, configuration
        )

    def set_change_threshold(self, user: Principal, ratio: float) -> None:
        """The relative change against last year above which submitting needs an explanation."""
        authorize(user, "period.lock")
        if not 0 < ratio <= 10:
            raise Invalid("the threshold is a ratio between 0 and 10 (0.3 = 30 %)", field="ratio")
        with self.db.transaction() as connection:
            head = audit.lock_head(connection)
            key = review.THRESHOLD_KEY
            connection.execute(settings_table.delete().where(settings_table.c.key == key))
            connection.execute(settings_table.insert(), [{"key": key, "value": repr(ratio)}])
            audit.append(
                connection,
                head,
                user.username,
                [AuditEvent("settings.update", "setting", key, {"value": ratio})],
            )
            audit.save_head(connection, head)

    # -- evidence ----------------------------------------------------------------------------
    def upload_evidence(
        self, user: Principal, datapoint_id: int, file_name: str, data: bytes
    ) -> dict[str, Any]:
        with self.db.reading() as connection:  # who asks comes before what they send
            point = entries.current_by_id(connection, user, datapoint_id)
            authorize(user, "evidence.upload", point.entity_id)
        checked = evidence_store.check(file_name, data, self.settings.evidence_max_bytes)
        with self.db.transaction() as connection:
            return evidence_store.attach(connection, user, datapoint_id, checked, self.evidence_dir)

    def evidence(self, user: Principal, datapoint_id: int) -> list[dict[str, Any]]:
        with self.db.reading() as connection:
            return evidence_store.list_for(connection, user, datapoint_id)

    def evidence_file(self, user: Principal, evidence_id: int) -> tuple[dict[str, Any], Path]:
        with self.db.reading() as connection:
            return evidence_store.locate(connection, user, evidence_id, self.evidence_dir)

    # -- calculation, explain, audit ---------------------------------------------------------
    def run_calc(
        self, user: Principal, period: str, options: dict[str, str] | None = None
    ) -> dict[str, Any]:
        authorize(user, "calc.run")
        name = str(periods.parse_period(period))
        try:
            chosen = CalcOptions(**(options or {}))
        except (TypeError, ValueError) as exc:
            raise Invalid(f"calculation options: {exc}", field="options") from exc
        inventory, run_id = self.ws.calc(name, chosen, actor=user.username)
        return {
            "period": name,
            "run_id": run_id,
            "values": len(inventory.results),
            "options": chosen.as_dict(),
        }

    def calc_values(
        self, user: Principal, period: str, entity: str | None = None, metric: str | None = None
    ) -> list[dict[str, Any]]:
        authorize(user, "calc.read")
        if entity is not None and not user.sees(entity):
            raise NotFound(f"no entity {entity!r}", field="entity")
        name = str(periods.parse_period(period))
        values = self.ws.stored_values(name)
        return [
            {"entity": e, "metric": m, "period": name, "value": v, "unit": u}
            for (e, m), (v, u) in sorted(values.items())
            if user.sees(e) and entity in (None, e) and metric in (None, m)
        ]

    def explain(self, user: Principal, metric: str, entity: str, period: str) -> dict[str, Any]:
        """The lineage of a computed value, without records of entities the user may not see."""
        authorize(user, "calc.read", entity, what="entity")
        try:
            tree = self.ws.explain(metric, entity, str(periods.parse_period(period)))
        except EsgLedgerError as exc:
            raise NotFound(str(exc)) from exc
        if user.scope is None:
            return {"root": tree["root"], "records": tree["records"]}
        return {
            "root": tree["root"],
            "records": visible_records(tree["records"], entity, user.sees),
        }

    def audit_entries(
        self,
        user: Principal,
        filters: AuditFilters,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """The audit log, filtered and paginated (admin, ESG manager, auditor: group-wide)."""
        if filters.entity is not None and not user.sees(filters.entity):
            raise NotFound(f"no entity {filters.entity!r}", field="entity")
        authorize(user, "audit.read")
        if filters.period is not None:
            filters = replace(filters, period=str(periods.parse_period(filters.period)))
        for name in ("since", "until"):
            text = getattr(filters, name)
            try:
                if text is not None:
                    audit_query.instant(text, end=name == "until")
            except ValueError as exc:
                raise Invalid(
                    f"{name}: expected an ISO date (2024-12-31) or date and time "
                    f"(2024-12-31T18:00:00+08:00), got {text!r}",
                    field=name,
                ) from exc
        with self.db.reading() as connection:
            return audit_query.list_entries(connection, filters, limit, offset, newest_first)

    def audit_export(
        self, user: Principal, filters: AuditFilters, batch: int = 5000
    ) -> Iterator[list[dict[str, Any]]]:
        """Every entry matching ``filters``, oldest first, in batches (each read on its own;
        the log only grows at its end, so the batches neither skip nor repeat an entry). The
        user and the filters are checked at the call, before anything is sent."""
        self.audit_entries(user, filters, 1, 0)

        def batches() -> Iterator[list[dict[str, Any]]]:
            offset = 0
            while True:
                found, _total = self.audit_entries(user, filters, batch, offset, False)
                if not found:
                    return
                yield found
                offset += len(found)

        return batches()

    def verify_audit(self, user: Principal) -> VerifyResult:
        authorize(user, "audit.read")
        return self.ws.verify_audit()

    # -- reports -----------------------------------------------------------------------------
    def build_report(self, user: Principal, period: str, lang: str) -> dict[str, Any]:
        authorize(user, "report.build")
        name = str(periods.parse_period(period))
        if lang not in ("en", "zh"):
            raise Invalid("lang is en or zh", field="lang")
        out = self.reports_dir / f"{name}-{lang}"
        path = self.settings.report_builder(self.ws, name, out, lang)
        record = {
            "path": str(path.resolve()),
            "file_name": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "at": audit.utc_now(),
            "by": user.username,
        }
        key = f"report.{name}.{lang}"
        with self.db.transaction() as connection:
            head = audit.lock_head(connection)
            connection.execute(settings_table.delete().where(settings_table.c.key == key))
            connection.execute(settings_table.insert(), [{"key": key, "value": json.dumps(record)}])
            audit.append(
                connection,
                head,
                user.username,
                [
                    AuditEvent(
                        "report.build",
                        "report",
                        f"{name}.{lang}",
                        {k: v for k, v in record.items() if k != "path"},
                    )
                ],
            )
            audit.save_head(connection, head)
        return {
            "period": name,
            "lang": lang,
            **{k: record[k] for k in ("file_name", "sha256", "at", "by")},
        }

    def reports(self, user: Principal) -> list[dict[str, Any]]:
        """The last build of each period's report in each language, newest period first."""
        authorize(user, "report.read")
        with self.db.reading() as connection:
            rows = connection.execute(
                sa.select(settings_table.c.key, settings_table.c.value).where(
                    settings_table.c.key.startswith("report.", autoescape=True)
                )
            ).all()
        built = []
        for row in rows:
            _prefix, period, lang = row.key.split(".")
            record = json.loads(row.value)
            keep = ("file_name", "sha256", "at", "by")
            built.append({"period": period, "lang": lang, **{k: record[k] for k in keep}})
        return sorted(built, key=lambda r: (r["period"], r["lang"]), reverse=True)

    def report_file(self, user: Principal, period: str, lang: str) -> tuple[dict[str, Any], Path]:
        authorize(user, "report.read")
        name = str(periods.parse_period(period))
        with self.db.reading() as connection:
            stored = connection.execute(
                sa.select(settings_table.c.value).where(
                    settings_table.c.key == f"report.{name}.{lang}"
                )
            ).scalar()
        if stored is None:
            raise NotFound(f"no report built for {name} ({lang}); build it first")
        record = json.loads(stored)
        path = Path(record["path"])
        if self.reports_dir.resolve() not in path.parents or not path.is_file():
            raise NotFound(f"the report file for {name} ({lang}) is missing; build it again")
        return record, path
