"""The authorization matrix: every role x every endpoint x an entity inside and outside the
user's scope. Expectations are written out here from the issue's role descriptions, not derived
from the policy module. Out-of-scope entities answer 404; nobody approves their own values."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.workflow.entries import Entry
from tests import (
    authz_assess,
    disclose_authz_cases,
    governance_authz_cases,
    qa_authz_cases,
    qa_justify_authz_cases,
)
from tests.collab_fixtures import API, USERS, World
from tests.helpers import DATA_HEADER, ORG_HEADER
from tests.job_helpers import finished_job

PDF = b"%PDF-1.4\n%%EOF\n"
ACTIVITY_HEADER = ["entity", "ts", "metric", "quantity", "unit"]
ORG_ROWS = [  # the organisation as it is (an import that changes nothing)
    ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
    ["plant_a", "Plant A", "grp", "CN", "甲厂", "plant", "", "", "", ""],
]
ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
EDITORS = {"admin", "esg_manager", "data_owner"}
REVIEWERS = {"admin", "esg_manager"}
TRAIL = {"admin", "esg_manager", "data_owner", "auditor"}
AUDIT_READERS = {"admin", "esg_manager", "auditor"}
# who sees what: None = the whole group
VISIBLE: dict[str, set[str] | None] = {
    "admin": None,
    "manager": None,
    "auditor": None,
    "viewer": None,
    "owner_a": {"plant_a", "line_a1"},
    "owner_b": {"plant_b"},
    "viewer_a": {"plant_a", "line_a1"},
}
ACTORS = sorted(VISIBLE)
SEEDER = "manager2"  # enters the values the actors act on (so no actor reviews their own)


@dataclass
class Ctx:
    world: World
    client: TestClient
    read_ids: dict[str, int]
    evidence_ids: dict[str, int]
    years: itertools.count[int] = field(default_factory=lambda: itertools.count(1950))

    def period(self) -> str:
        """A period no other case of the test uses."""
        return str(next(self.years))

    def seed(self, entity: str, status: str = "draft") -> tuple[int, str]:
        """A fresh value entered by the seeder in a fresh period, moved to ``status``."""
        services, seeder = self.world.services, self.world.user(SEEDER)
        period = self.period()
        point = services.datapoints.create(seeder, Entry(entity, period, "energy.diesel", 5, "t"))
        if status == "submitted":
            services.datapoints.submit(seeder, point.id, 1)
        return point.id, period


@dataclass
class Case:
    name: str
    roles: set[str]  # roles allowed (before scope)
    call: Callable[[Ctx, str, dict[str, str]], Any]  # (ctx, entity, headers) -> response
    success: int = 200
    # the answer for an entity outside the scope: 404, or, for an entity named inside an
    # uploaded file, 422 (the role is checked first; the file's entities outside the scope are
    # unknown to the user, exactly as an entity that does not exist)
    outside: int = 404


def _post(path: str, body: dict) -> Callable[[Ctx, str, dict[str, str]], Any]:
    return lambda ctx, _e, h: ctx.client.post(f"{API}{path}", json=body, headers=h)


def _get(path: str) -> Callable[[Ctx, str, dict[str, str]], Any]:
    return lambda ctx, _e, h: ctx.client.get(f"{API}{path}", headers=h)


def _create(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    body = {
        "entity": entity,
        "period": ctx.period(),
        "metric": "energy.diesel",
        "value": 3.0,
        "unit": "t",
    }
    return ctx.client.post(f"{API}/datapoints", json=body, headers=h)


def _correct(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    point_id, _ = ctx.seed(entity)
    return ctx.client.patch(
        f"{API}/datapoints/{point_id}", json={"version": 1, "value": 4.0}, headers=h
    )


def _transition(action: str, status: str, body: dict) -> Callable[[Ctx, str, dict], Any]:
    def call(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
        point_id, _ = ctx.seed(entity, status)
        return ctx.client.post(
            f"{API}/datapoints/{point_id}/{action}", json={"version": 1, **body}, headers=h
        )

    return call


def _upload(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    point_id, _ = ctx.seed(entity)
    return ctx.client.post(
        f"{API}/datapoints/{point_id}/evidence",
        files={"file": ("e.pdf", PDF, "application/pdf")},
        headers=h,
    )


@dataclass
class ItemAnswer:
    """The answer about one item of a bulk request, in the shape the matrix compares."""

    status_code: int
    text: str
    request: Any


def _approve_in_bulk(ctx: Ctx, entity: str, h: dict[str, str]) -> ItemAnswer:
    """``POST /datapoints/approvals`` answers 200 and says per value what a single approval
    would have answered; that per-value status is what the matrix checks."""
    point_id, _ = ctx.seed(entity, "submitted")
    answer = ctx.client.post(
        f"{API}/datapoints/approvals", json={"items": [{"id": point_id, "version": 1}]}, headers=h
    )
    if answer.status_code != 200:
        return ItemAnswer(answer.status_code, answer.text, answer.request)
    refused = answer.json()["refused"]
    status = refused[0]["status"] if refused else 200
    return ItemAnswer(status, answer.text, answer.request)


def _csv(header: list[str], *rows: list[object]) -> bytes:
    lines = [",".join(header), *(",".join(str(cell) for cell in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def _file(kind: str, content: bytes, **fields: str) -> Callable[[Ctx, str, dict[str, str]], Any]:
    return lambda ctx, _e, h: ctx.client.post(
        f"{API}/imports/{kind}", files={"file": (f"{kind}.csv", content)}, data=fields, headers=h
    )


ORG_CATALOGUE = (
    b"metrics:\n  org.drills:\n    name: {en: Drills, zh: \xe6\xbc\x94\xe7\xbb\x83}\n"
    b"    unit: count\n    kind: input\n"
)


def _import_catalogue(ctx: Ctx, _entity: str, h: dict[str, str]) -> Any:
    files = {"file": ("ours.yaml", ORG_CATALOGUE)}
    return ctx.client.post(f"{API}/catalogue/imports", files=files, headers=h)


def _import_factor_set(ctx: Ctx, _entity: str, h: dict[str, str]) -> Any:
    """The organisation's own factor set, in a version no other call used."""
    content = (
        f"set: org_site\nedition: Site factors\nversion: '{ctx.period()}'\n"
        "title: {en: Site factors, zh: 厂区因子}\ncitation: Site laboratory report\n"
        "factors:\n  ncv:\n    unit: GJ/t\n    values:\n"
        "      - {from: 2024-01-01, value: 21.5, source: Lab report 7, confidence: S}\n"
    )
    files = {"file": ("site.yaml", content.encode())}
    return ctx.client.post(f"{API}/factor-sets/imports", files=files, headers=h)


def _import_data(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    rows = _csv(DATA_HEADER, [entity, ctx.period(), "energy.diesel", 2, "t", "", "", ""])
    return _file("datapoints", rows)(ctx, entity, h)


def _import_transfers(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    header = ["from", "to", "period", "carrier", "value", "unit"]
    rows = _csv(header, ["plant_b", "plant_a", ctx.period(), "electricity", 3, "MWh"])
    return _file("transfers", rows)(ctx, _e, h)


def _import_certificates(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    header = ["entity", "period", "scheme", "certificate_id", "mwh"]
    rows = _csv(header, ["plant_a", "2024", "GEC", f"GEC-{ctx.period()}", 1])
    return _file("certificates", rows)(ctx, _e, h)


def _import_activity(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    year = ctx.period()
    rows = _csv(ACTIVITY_HEADER, ["plant_a", f"{year}-05-01", "energy.natural_gas", 10, "m3"])
    return _file("activity", rows, period=year)(ctx, _e, h)


def _read(suffix: str) -> Callable[[Ctx, str, dict[str, str]], Any]:
    return lambda ctx, e, h: ctx.client.get(
        f"{API}/datapoints/{ctx.read_ids[e]}{suffix}", headers=h
    )


def _target(ctx: Ctx, entity: str, fresh: bool = False) -> str:
    """A target of ``entity`` set by the seeder (a fresh one on each call with ``fresh``)."""
    target_id = f"T-{entity}-{ctx.period()}" if fresh else f"T-{entity}"
    services, seeder = ctx.world.services, ctx.world.user(SEEDER)
    if fresh or target_id not in {t["target_id"] for t in services.targets.listing(seeder)}:
        services.targets.create(seeder, {**_TARGET, "target_id": target_id, "entity_id": entity})
    return target_id


_TARGET = {"name": "Diesel -10 %", "kind": "absolute", "metric_key": "energy.diesel",
           "base_year": 2023, "target_year": 2030, "target_change": -0.1}  # fmt: skip


def _create_target(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    body = {**_TARGET, "target_id": f"T-new-{ctx.period()}", "entity_id": entity}
    return ctx.client.post(f"{API}/assess/targets", json=body, headers=h)


def _change_target(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    body = {**_TARGET, "entity_id": entity, "target_change": -0.2}
    return ctx.client.put(f"{API}/assess/targets/{_target(ctx, entity)}", json=body, headers=h)


def _withdraw_target(ctx: Ctx, entity: str, h: dict[str, str]) -> Any:
    path = f"{API}/assess/targets/{_target(ctx, entity, fresh=True)}/withdraw"
    return ctx.client.post(path, json={"reason": "superseded"}, headers=h)


def _import_targets(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    text = "target_id,name,kind,metric_key,entity,base_year,target_year,target\n"
    text += "T-IMP,Diesel,absolute,energy.diesel,plant_a,2023,2030,-10%\n"
    return ctx.client.post(
        f"{API}/assess/targets/imports",
        files={"file": ("targets.csv", text.encode(), "text/csv")},
        headers=h,
    )


ENTITY_CASES = [
    Case("create target", REVIEWERS, _create_target, 201),
    Case("change target", REVIEWERS, _change_target),
    Case("withdraw target", REVIEWERS, _withdraw_target),
    Case(
        "read target",
        ALL,
        lambda ctx, e, h: ctx.client.get(f"{API}/assess/targets/{_target(ctx, e)}", headers=h),
    ),
    Case("create", EDITORS, _create, 201),
    Case("correct", EDITORS, _correct),
    Case("submit", EDITORS, _transition("submit", "draft", {})),
    Case("approve", REVIEWERS, _transition("approve", "submitted", {})),
    Case("reject", REVIEWERS, _transition("reject", "submitted", {"comment": "fix"})),
    Case("approve in bulk", REVIEWERS, _approve_in_bulk),
    Case("upload evidence", EDITORS, _upload, 201),
    Case("read", ALL, _read("")),
    Case("last year", ALL, _read("/last-year")),
    Case("history", TRAIL, _read("/history")),
    Case("list evidence", TRAIL, _read("/evidence")),
    Case(
        "download evidence",
        TRAIL,
        lambda ctx, e, h: ctx.client.get(f"{API}/evidence/{ctx.evidence_ids[e]}", headers=h),
    ),
    Case("entity", ALL, lambda ctx, e, h: ctx.client.get(f"{API}/entities/{e}", headers=h)),
    Case(
        "list filtered",
        ALL,
        lambda ctx, e, h: ctx.client.get(f"{API}/datapoints?entity={e}", headers=h),
    ),
    Case(
        "calc values",
        ALL,
        lambda ctx, e, h: ctx.client.get(f"{API}/calculations/2024?entity={e}", headers=h),
    ),
    Case(
        "audit log of an entity",
        AUDIT_READERS,
        lambda ctx, e, h: ctx.client.get(f"{API}/audit?entity={e}&limit=5", headers=h),
    ),
    Case(
        "explain",
        ALL,
        lambda ctx, e, h: ctx.client.get(
            f"{API}/explain?metric=energy.total_tce&entity={e}&period=2024", headers=h
        ),
    ),
    Case("import data points", EDITORS, _import_data, outside=422),
    Case(
        "collection workbook",
        ALL,
        lambda ctx, e, h: ctx.client.get(f"{API}/template?entity={e}&period=2024", headers=h),
    ),
    Case(
        "entry form",
        ALL,
        lambda ctx, e, h: ctx.client.get(f"{API}/entry/{e}/2024", headers=h),
    ),
    Case(
        "entry preview",
        ALL,
        lambda ctx, e, h: ctx.client.get(
            f"{API}/entry/{e}/2024/preview?metric=energy.diesel&value=12&unit=t", headers=h
        ),
    ),
    Case("review card", ALL, _read("/card")),
]


def _lock(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    return ctx.client.post(f"{API}/periods/{ctx.period()}/lock", json={"reason": "done"}, headers=h)


def _reopen(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    period = ctx.period()
    ctx.world.services.periods.lock(ctx.world.user(SEEDER), period, "done")
    return ctx.client.post(f"{API}/periods/{period}/reopen", json={"reason": "typo"}, headers=h)


READERS_OF_REPORTS = {"admin", "esg_manager", "auditor", "viewer"}


def _full_file(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    manager = ctx.world.user("manager")
    ctx.world.services.report_content.build(manager, "2024", None, ("en",), ("html",))
    return ctx.client.get(f"{API}/full-report/2024/esgledger-full-report-2024-en.html", headers=h)


def _start_full_job(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    body = {"period": ctx.period(), "lang": "en", "formats": ["html"]}
    answer = ctx.client.post(f"{API}/full-report/jobs", json=body, headers=h)
    if answer.status_code == 202:  # its own year: let it end (no calculation: it fails at once)
        finished_job(ctx.world.services, ctx.world.user("manager"), answer.json()["id"])
    return answer


def _full_job(ctx: Ctx, _e: str, h: dict[str, str]) -> Any:
    manager = ctx.world.user("manager")
    job = ctx.world.services.report_jobs.start(manager, ctx.period(), ("en",), ("html",))
    finished_job(ctx.world.services, manager, job["id"])
    return ctx.client.get(f"{API}/full-report/jobs/{job['id']}", headers=h)


GROUP_CASES = [
    Case("list targets", ALL, _get("/assess/targets")),
    Case("export targets", ALL, _get("/assess/targets/export?format=xlsx")),
    Case("import targets", REVIEWERS, _import_targets),
    Case("run calc", REVIEWERS, _post("/calculations", {"period": "2024"}), 201),
    Case("lock period", REVIEWERS, _lock),
    Case("reopen period", REVIEWERS, _reopen),
    Case("build report", REVIEWERS, _post("/reports", {"period": "2024"}), 201),
    Case(
        "download report", {"admin", "esg_manager", "auditor", "viewer"}, _get("/reports/2024/en")
    ),
    Case("verify audit", AUDIT_READERS, _get("/audit/verify")),
    Case("verify against anchors", AUDIT_READERS, _post("/audit/verify", {"anchors": []})),
    Case("anchor the audit chain", AUDIT_READERS, _get("/audit/anchor")),
    Case("assurance pack", AUDIT_READERS, _get("/assurance/2024")),
    Case("list reports", {"admin", "esg_manager", "auditor", "viewer"}, _get("/reports")),
    Case("report sections", READERS_OF_REPORTS, _get("/full-report/sections/2024")),
    Case("report section", READERS_OF_REPORTS, _get("/full-report/sections/2024/water/en")),
    Case(
        "save report section",
        REVIEWERS,
        lambda ctx, _e, h: ctx.client.put(
            f"{API}/full-report/sections/{ctx.period()}/water/en",
            json={"body": "Water."},
            headers=h,
        ),
    ),
    Case(
        "build full report",
        REVIEWERS,
        _post("/full-report", {"period": "2024", "lang": "en", "formats": ["html"]}),
        201,
    ),
    Case("download full report", READERS_OF_REPORTS, _full_file),
    Case("start a full report job", REVIEWERS, _start_full_job, 202),
    Case("full report job", READERS_OF_REPORTS, _full_job),
    Case("full report files", READERS_OF_REPORTS, _get("/full-report/2024/files")),
    Case("audit log", AUDIT_READERS, _get("/audit?order=asc&limit=10")),
    Case("audit export", AUDIT_READERS, _get("/audit/export.csv?action=datapoint.")),
    Case("list users", {"admin"}, _get("/users")),
    Case(
        "create user",
        {"admin"},
        lambda ctx, _e, h: ctx.client.post(
            f"{API}/users",
            json={"username": f"u{ctx.period()}", "password": "long enough pw", "role": "viewer"},
            headers=h,
        ),
        201,
    ),
    Case("read user", {"admin"}, _get(f"/users/{SEEDER}")),
    Case(
        "update user",
        {"admin"},
        lambda ctx, _e, h: ctx.client.patch(
            f"{API}/users/viewer", json={"active": True}, headers=h
        ),
    ),
    Case("me", ALL, _get("/auth/me")),
    Case("list entities", ALL, _get("/entities")),
    Case("list metrics", ALL, _get("/metrics")),
    Case("read metric", ALL, _get("/metrics/energy.diesel")),
    Case("list periods", ALL, _get("/periods")),
    Case("read period", ALL, _get("/periods/2024")),
    Case("list datapoints", ALL, _get("/datapoints?limit=500")),
    Case("import organisation", REVIEWERS, _file("organisation", _csv(ORG_HEADER, *ORG_ROWS))),
    Case("import transfers", REVIEWERS, _import_transfers),
    Case("import certificates", REVIEWERS, _import_certificates),
    Case("import activity", REVIEWERS, _import_activity),
    Case("calc activity", REVIEWERS, _post("/calculations/2024/activity", {}), 201),
    Case("recompute", AUDIT_READERS, _get("/calculations/2024/recompute")),
    Case("list settings", ALL, _get("/settings")),
    Case(
        "change setting",
        REVIEWERS,
        lambda ctx, _e, h: ctx.client.put(
            f"{API}/settings/review.change_threshold", json={"value": 0.3}, headers=h
        ),
    ),
    Case("collection progress", ALL, _get("/collection/2024")),
    Case("waiting", ALL, _get("/collection/2024/waiting")),
    Case("backup", {"admin"}, _post("/backups", {}), 201),
    Case("catalogue axes", ALL, _get("/catalogue/axes")),
    Case("catalogue versions", ALL, _get("/catalogue/versions")),
    Case("organisation catalogue", ALL, _get("/catalogue/organisation")),
    Case("import catalogue", {"admin"}, _import_catalogue),
    Case("factor sets", ALL, _get("/factor-sets")),
    Case("import factor set", {"admin"}, _import_factor_set),
    *(Case(*row) for row in authz_assess.CASES),  # issue 10: materiality and IROs
    Case("frameworks", ALL, _get("/frameworks")),
    Case("framework items", ALL, _get("/frameworks/hkex?period=2025")),
]
GROUP_WIDE = {
    "run calc",
    "lock period",
    "reopen period",
    "build report",
    "download report",
    "list reports",
    "verify audit",
    "verify against anchors",
    "anchor the audit chain",
    "assurance pack",
    "audit log",
    "audit export",
    "list users",
    "create user",
    "read user",
    "update user",
    "import organisation",
    "import transfers",
    "import certificates",
    "import activity",
    "calc activity",
    "recompute",
    "change setting",
    "backup",
    "import catalogue",
    "import factor set",
    *authz_assess.GROUP_WIDE,
}
GROUP_CASES += [Case(*row) for row in governance_authz_cases.CASES]
GROUP_WIDE |= governance_authz_cases.GROUP_WIDE
GROUP_WIDE |= {  # the full report (issue 11)
    "report sections",
    "report section",
    "save report section",
    "build full report",
    "download full report",
    "start a full report job",
    "full report job",
    "full report files",
}
GROUP_CASES += [Case(*row) for row in disclose_authz_cases.CASES]
GROUP_WIDE |= disclose_authz_cases.GROUP_WIDE
GROUP_CASES += [Case(*row) for row in qa_authz_cases.CASES]  # issue 12
GROUP_CASES += [Case(*row) for row in qa_justify_authz_cases.CASES]  # issue 12, part 3
GROUP_WIDE |= qa_justify_authz_cases.GROUP_WIDE


@pytest.fixture
def ctx(world: World, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ctx:
    monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path / "data"))
    services, seeder, admin = world.services, world.user(SEEDER), world.user("admin")
    read_ids, evidence_ids = {}, {}
    for entity in ("plant_a", "plant_b", "line_a1"):
        point = services.datapoints.create(seeder, Entry(entity, "2024", "energy.diesel", 10, "t"))
        read_ids[entity] = point.id
        evidence_ids[entity] = services.evidence.upload(seeder, point.id, "m.pdf", PDF)["id"]
        services.datapoints.create(seeder, Entry(entity, "2023", "energy.diesel", 9, "t"))
    electricity = Entry("plant_a", "2024", "energy.electricity_purchased", 1200, "MWh")
    services.datapoints.create(seeder, electricity)  # certificates claim against it
    meters = tmp_path / "meters.csv"
    meters.write_bytes(_csv(ACTIVITY_HEADER, ["plant_b", "2024-02-01", "energy.diesel", 1, "t"]))
    services.imports.activity(admin, meters, "2024")
    services.calculation.run(admin, "2024")
    services.reports.build(admin, "2024", "en")
    return Ctx(world, client, read_ids, evidence_ids)


def _expected(actor: str, case: Case, entity: str | None) -> int:
    role = USERS[actor][0]
    visible = VISIBLE[actor]
    if entity is not None and visible is not None and entity not in visible:
        if case.outside == 404:
            return 404
        return case.outside if role in case.roles else 403
    if role not in case.roles:
        return 403
    if entity is None and case.name in GROUP_WIDE and visible is not None:
        return 403
    return case.success


@pytest.mark.parametrize("actor", ACTORS)
def test_authorization_matrix(ctx: Ctx, actor: str) -> None:
    headers = ctx.world.headers(actor)
    mismatches = []
    for case in ENTITY_CASES:
        for entity in ("plant_a", "line_a1", "plant_b"):
            answer = case.call(ctx, entity, headers)
            expected = _expected(actor, case, entity)
            if answer.status_code != expected:
                mismatches.append(
                    f"{case.name} {entity}: {answer.status_code} != {expected} {answer.text[:200]}"
                )
    for case in GROUP_CASES:
        answer = case.call(ctx, "", headers)
        expected = _expected(actor, case, None)
        if answer.status_code != expected:
            mismatches.append(
                f"{case.name}: {answer.status_code} != {expected} {answer.text[:200]}"
            )
    assert not mismatches, "\n".join(mismatches)
    _assert_no_cross_entity_reads(ctx, actor, headers)
    _assert_no_cross_entity_writes(ctx, actor)


def _assert_no_cross_entity_reads(ctx: Ctx, actor: str, headers: dict[str, str]) -> None:
    visible = VISIBLE[actor]
    if visible is None:
        return
    client = ctx.client
    seen = {
        p["entity"]
        for p in client.get(f"{API}/datapoints?limit=500", headers=headers).json()["items"]
    }
    seen |= {e["id"] for e in client.get(f"{API}/entities", headers=headers).json()["items"]}
    values = client.get(f"{API}/calculations/2024?limit=5000", headers=headers).json()["items"]
    seen |= {v["entity"] for v in values}
    explained = client.get(
        f"{API}/explain?metric=energy.total_tce&entity=plant_a&period=2024", headers=headers
    )
    if explained.status_code == 200:
        seen |= {r["entity"] for r in explained.json()["records"].values()}
    progress = client.get(f"{API}/collection/2024", headers=headers).json()
    seen |= {row["entity"] for row in progress["entities"]}
    waiting = client.get(f"{API}/collection/2024/waiting", headers=headers).json()
    seen |= {item["entity"] for item in waiting["items"]}
    assert seen and seen <= visible, seen - visible


def _assert_no_cross_entity_writes(ctx: Ctx, actor: str) -> None:
    visible = VISIBLE[actor]
    with ctx.world.services.db.reading() as connection:
        written = set(
            connection.execute(
                sa.text("select entity_id from datapoints where created_by = :u"), {"u": actor}
            ).scalars()
        )
        reviewed = set(
            connection.execute(
                sa.text(
                    "select d.entity_id from review_comments r"
                    " join datapoints d on d.id = r.datapoint_id where r.by = :u"
                ),
                {"u": actor},
            ).scalars()
        )
        attached = set(
            connection.execute(
                sa.text(
                    "select d.entity_id from evidence v join datapoints d on d.id = v.datapoint_id"
                    " where v.uploaded_by = :u"
                ),
                {"u": actor},
            ).scalars()
        )
    if USERS[actor][0] not in EDITORS:
        assert not (written | reviewed | attached)
    elif visible is not None:
        assert (written | reviewed | attached) <= visible


# Endpoints outside the matrix, and why: anyone may ask for a token; revoking one ends the
# caller's own session and nothing else (tested in test_api_errors.py).
OUTSIDE_MATRIX = {("POST", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/token")}


def test_matrix_covers_every_endpoint(ctx: Ctx) -> None:
    """Every operation of the REST API is called by some case of the matrix: a new endpoint
    without a row in the matrix fails here."""
    headers = ctx.world.headers("admin")
    called = [case.call(ctx, "plant_a", headers).request for case in ENTITY_CASES]
    called += [case.call(ctx, "", headers).request for case in GROUP_CASES]
    schema = ctx.client.get(f"{API}/openapi.json").json()
    operations = {(m.upper(), path) for path, item in schema["paths"].items() for m in item}
    covered = {
        (request.method, path)
        for request in called
        for path in schema["paths"]
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), request.url.path)
        and request.method.lower() in schema["paths"][path]
    }
    assert operations - OUTSIDE_MATRIX - covered == set()


def test_nobody_approves_a_value_they_submitted_or_explained(ctx: Ctx) -> None:
    """A data owner's draft, submitted by a manager with an explanation: that manager may not
    approve it; another manager may."""
    client, owner = ctx.client, ctx.world.user("owner_a")
    point = ctx.world.services.datapoints.create(
        owner, Entry("plant_a", "2031", "energy.coke", 2, "t")
    )
    url = f"{API}/datapoints/{point.id}"
    submitted = client.post(
        f"{url}/submit",
        json={"version": 1, "explanation": "checked against the invoice"},
        headers=ctx.world.headers("manager"),
    )
    assert submitted.status_code == 200
    refused = client.post(
        f"{url}/approve", json={"version": 1}, headers=ctx.world.headers("manager")
    )
    assert refused.status_code == 403
    assert "submitted or explained" in refused.json()["error"]["message"]
    approved = client.post(
        f"{url}/approve", json={"version": 1}, headers=ctx.world.headers("manager2")
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


@pytest.mark.parametrize("actor", ["admin", "manager"])
def test_nobody_approves_own_values(ctx: Ctx, actor: str) -> None:
    headers = ctx.world.headers(actor)
    client = ctx.client
    created = client.post(
        f"{API}/datapoints",
        json={
            "entity": "plant_b",
            "period": "2030",
            "metric": "energy.coke",
            "value": 1.0,
            "unit": "t",
        },
        headers=headers,
    ).json()
    url = f"{API}/datapoints/{created['id']}"
    assert client.post(f"{url}/submit", json={"version": 1}, headers=headers).status_code == 200
    for action, body in (("approve", {}), ("reject", {"comment": "mine"})):
        answer = client.post(f"{url}/{action}", json={"version": 1, **body}, headers=headers)
        assert answer.status_code == 403
        assert "segregation of duties" in answer.json()["error"]["message"]
    with ctx.world.services.db.reading() as connection:
        approvals = connection.execute(
            sa.text(
                "select count(*) from review_comments r join datapoints d on d.id = r.datapoint_id "
                "where r.action in ('approve', 'reject') and r.by = d.created_by"
            )
        ).scalar_one()
    assert approvals == 0
