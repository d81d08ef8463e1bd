"""Helpers of the backup and restore tests: CLI calls, empty target databases, a ledger with a
row in every table, reading a ledger's rows and files, and repacking an archive to damage it."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import tarfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.services import Principal, Services
from esgledger.store import locations, open_database, resolve_url
from esgledger.store.locations import LedgerFiles
from esgledger.store.schema import LEGACY_REPORT_BUILD_KEY, audit_head, metadata
from esgledger.store.table_copy import read_rows
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD
from tests.conftest import _admin_execute, _admin_url_for
from tests.governance_authz_cases import seed_every_governance_table
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
EVIDENCE_SHA = hashlib.sha256(PDF).hexdigest()
EVIDENCE_MEMBER = f"files/evidence/{EVIDENCE_SHA[:2]}/{EVIDENCE_SHA}"


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", url, *args])


def said(message: str, output: str) -> bool:
    """Whether ``output`` holds ``message``, however the terminal wrapped it."""
    return "".join(message.split()) in "".join(output.split())


def use_folders(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Where a PostgreSQL ledger's files go from now on (a SQLite ledger's sit beside it)."""
    monkeypatch.setenv(locations.FILES_DIR_ENV, str(root / "files"))
    monkeypatch.setenv(locations.DATA_DIR_ENV, str(root / "data"))


def files_of(url: str) -> LedgerFiles:
    return LedgerFiles.of(sa.make_url(resolve_url(url)))


@contextmanager
def empty_target(backend: str, folder: Path) -> Iterator[str]:
    """A new, empty database of ``backend`` (made the way conftest makes them)."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'restored.db'}"
        return
    name = f"esgledger_restore_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield _admin_url_for(name)
    finally:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(url: str, files: LedgerFiles) -> dict[str, list[dict[str, Any]]]:
    """Every ledger table's rows in key order; report paths relative to the report folder."""
    database = open_database(resolve_url(url))
    try:
        with database.reading() as connection:
            found = {table.name: read_rows(connection, table) for table in metadata.sorted_tables}
    finally:
        database.dispose()
    for row in found["settings"]:
        if LEGACY_REPORT_BUILD_KEY.match(row["key"]):
            record = json.loads(row["value"])
            record["path"] = str(Path(record["path"]).relative_to(files.reports.resolve()))
            row["value"] = record
    return found


def tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def head_of(url: str) -> tuple[int, str]:
    database = open_database(resolve_url(url))
    try:
        with database.reading() as connection:
            row = connection.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
            return row.seq, row.hash
    finally:
        database.dispose()


def report_text(url: str, out: Path) -> str:
    """The 2024 report as ``esgledger report`` writes it, its build date and the audit chain head
    it was built at normalised (the head moves with every entry, a restore's included)."""
    result = cli(url, "report", "--period", "2024", "--out", str(out), "--lang", "en", "--kpi")
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.html")
    text = path.read_text(encoding="utf-8")
    text, found = re.subn(r"(<dd>|· )\d{4}-\d{2}-\d{2}(</dd>|</p>)", r"\1BUILT\2", text)
    assert found == 2  # the build date, in the title block and the footer
    text, found = re.subn(r'(<p class="lead" id="ledger-head">).*?(</p>)', r"\1HEAD\2", text)
    assert found == 1
    return text


def nothing_left(url: str, files: LedgerFiles) -> None:
    """The target holds no ledger (no table, no SQLite file, no temporary file) and no file."""
    parsed = sa.make_url(resolve_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        assert not path.exists()
        assert sorted(p.name for p in path.parent.iterdir() if "restor" in p.name) == []
    else:
        engine = sa.create_engine(parsed)
        try:
            with engine.connect() as connection:
                assert sa.inspect(connection).get_table_names() == []
        finally:
            engine.dispose()
    for folder in (files.evidence, files.reports, files.activity):
        assert tree(folder) == {}


@dataclass
class Source:
    url: str
    files: LedgerFiles
    tokens: dict[str, str]


def build_full_ledger(url: str, folder: Path) -> Source:
    """Entities (a child whose id sorts before its parent's), aliases, the organisation's own
    metric, imported and entered data, transfers, certificates, two calculated years, a base
    year, users with a token and a web session, a review trail, evidence, a period lock, a built
    report and an activity file."""
    ws = Ledger.open(url)
    ws.import_organisation(
        write_csv(
            folder / "org.csv",
            ["id", "name", "parent", "country", "name_zh", "type", "aliases"],
            [
                ["grp", "Group", "", "CN", "集团", "group", ""],
                ["plant_a", "Plant A", "grp", "CN", "甲厂", "plant", "Plant No. 1;一厂"],
                ["line_a1", "Line A1", "plant_a", "CN", "甲一线", "branch", ""],
                ["plant_b", "Plant B", "grp", "CN", "乙厂", "plant", ""],
            ],
        )
    )
    own = folder / "ours.yaml"  # the organisation's own metric, with a figure below
    own.write_text(
        "metrics:\n  org.drills:\n    name: {en: Emergency drills, zh: 应急演练次数}\n"
        "    unit: count\n    kind: input\n",
        encoding="utf-8",
    )
    ws.services.catalogue.import_file(ws.admin, own)
    rows = [
        ["plant_a", year, "energy.diesel", str(100 + n), "t", "measured", "fuel ledger", "燃料"]
        for n, year in enumerate(["2023", "2024"])
    ] + [
        ["plant_a", "2024", "energy.electricity_purchased", "1200", "MWh", "measured", "", ""],
        ["plant_b", "2024", "energy.raw_coal", "200.25", "t", "estimated", "weighbridge", ""],
        ["plant_b", "2024", "production.electricity_generated", "500", "MWh", "measured", "", ""],
        ["plant_b", "2024", "org.drills", "12", "count", "measured", "", ""],
    ]
    ws.import_data(write_csv(folder / "data.csv", DATA_HEADER, rows))
    ws.import_transfers(
        write_csv(
            folder / "transfers.csv",
            ["from", "to", "period", "carrier", "value", "unit"],
            [["plant_b", "plant_a", "2024", "electricity", "300", "MWh"]],
        )
    )
    ws.import_certificates(
        write_csv(
            folder / "certificates.csv",
            ["entity", "period", "scheme", "certificate_id", "mwh"],
            [["plant_a", "2024", "GEC", "GEC-B-1", "20"]],
        )
    )
    ws.set_base_year("2023")
    # a setting under report.*, where builds were registered before migration 0006
    ws.services.settings.set(ws.admin, "report.print_reported", ["energy.total_tce"])
    ws.calc("2023")
    ws.calc("2024")
    ws.services.targets.create(  # a target (issue 10), with a milestone
        ws.admin,
        {"target_id": "T-1", "name": "Diesel -30 %", "kind": "absolute",
         "metric_key": "energy.diesel", "entity_id": "plant_a", "base_year": 2023,
         "target_year": 2030, "target_change": -0.3, "milestones": [{"year": 2026, "value": 90}]},
    )  # fmt: skip
    ws.import_activity(
        write_csv(
            folder / "meters.csv",
            ["entity", "ts", "metric", "quantity", "unit"],
            [
                ["plant_a", "2024-03-01 10:00", "energy.natural_gas", "120", "m3"],
                ["Plant No. 1", "2024-04-02", "energy.diesel", "1.5", "t"],
            ],
        ),
        "2024",
    )
    services = ws.services
    for name, role, entities in [
        ("admin", "admin", []),
        ("manager", "esg_manager", []),
        ("owner_a", "data_owner", ["plant_a"]),
    ]:
        services.accounts.create(ws.admin, name, PASSWORD, role, entities)
    tokens = {
        name: services.accounts.issue_token(name, PASSWORD, "setup").secret for name in ("manager",)
    }
    tokens["owner_a"] = services.accounts.issue_token("owner_a", PASSWORD, "setup").secret
    services.accounts.open_session("owner_a", PASSWORD, "setup")
    owner = services.accounts.principal_for_token(tokens["owner_a"])
    manager = services.accounts.principal_for_token(tokens["manager"])
    point = services.datapoints.create(owner, Entry("plant_a", "2025", "energy.diesel", 5.0, "t"))
    point = services.datapoints.submit(owner, point.id, point.version, "first entry")
    services.datapoints.approve(manager, point.id, point.version, "checked against the invoice")
    services.evidence.upload(owner, point.id, "invoice.pdf", PDF)
    seed_every_governance_table(services, manager)
    services.report_content.save(
        manager, "2024", "water", "en", "Water: {{ value('water.withdrawal') }}"
    )
    services.disclose.set_profile(manager, "2025", ["hkex"], "main_board")
    not_applicable = {"reference": "HKEX-A2.5", "status": "not_applicable",
                      "text_en": "Services only", "text_zh": "仅提供服务"}  # fmt: skip
    services.disclose.explain(manager, "2025", not_applicable)
    seed_qa_tables(services)
    services.periods.lock(manager, "2022", "closed")
    services.reports.build(manager, "2024", "en")
    build_materiality(services, manager)  # issue 10: the assessment's tables
    ws.db.dispose()
    return Source(url, files_of(url), tokens)


def seed_qa_tables(services: Services) -> None:
    """A justification of a finding and an override of the report gate (migration 0016), written
    through the repository as the services do (the shipped rules may find nothing here)."""
    from esgledger.ledger import qa as qa_records
    from esgledger.ledger.change import changing

    with services.db.transaction() as connection, changing(connection, "manager") as change:
        finding = {"rule": "sum.waste", "finding_key": "waste.total@grp@2024"}
        qa_records.save_justification(
            change,
            {**finding, "period": "2024", "severity": "error", "message": "1 + 2 != 4",
             "text": "The total includes a kind reported elsewhere"},
        )  # fmt: skip
        qa_records.record_override(
            change, "2024", [{"rule": "sum.waste", "key": "waste.total@grp@2024"}], "Board"
        )


def build_materiality(services: Services, manager: Principal) -> None:
    """A materiality assessment with a stakeholder group, a scored IRO, a link's response, a
    run and an override: every table of migration 0012 has rows."""
    from esgledger.services.stakeholders import RESPONDENT

    found = services.materiality.create(manager, "2024", "survey and workshop", None, ["climate"])
    services.stakeholders.save_group(manager, {"id": "investors", "name": "Investors"})
    iro = services.iros.create(
        manager,
        found["id"],
        {
            "topic_id": "climate",
            "kind": "risk",
            "risk_type": "climate_transition_policy_legal",
            "value_chain": "own_operations",
            "title": "ETS allowance costs",
        },
    )
    services.iros.score(
        manager, iro["id"], {"magnitude": 4, "likelihood": 4, "horizon": "medium"}, "ETS"
    )
    (token,) = services.stakeholders.issue_links(manager, found["id"], "investors", 1)
    services.stakeholders.respond(RESPONDENT, token, {"climate": 5})
    services.materiality.run(manager, found["id"])


def repack(
    archive: Path,
    out: Path,
    *,
    edit_manifest: Callable[[dict[str, Any]], None] | None = None,
    edit_database: str | None = None,
    replace: tuple[str, bytes] | None = None,
) -> Path:
    """A copy of ``archive``: its database changed by the SQL ``edit_database`` (checksum
    updated), a member's bytes replaced (checksum not updated), its manifest edited."""
    with tarfile.open(archive) as tar:
        members = {info.name: _read(tar, info) for info in tar}
    manifest = json.loads(members.pop("manifest.json"))
    if edit_database is not None:
        path = out.with_suffix(".sqlite")
        path.write_bytes(members["ledger.sqlite"])
        with sqlite3.connect(path) as connection:
            connection.executescript(edit_database)
        connection.close()
        members["ledger.sqlite"] = path.read_bytes()
        manifest["database"]["sha256"] = hashlib.sha256(members["ledger.sqlite"]).hexdigest()
        manifest["database"]["size"] = len(members["ledger.sqlite"])
    if replace is not None:
        members[replace[0]] = replace[1]
    if edit_manifest is not None:
        edit_manifest(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def _read(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(info)
    assert handle is not None
    return handle.read()


def plain_tar(out: Path, name: str) -> Path:
    with tarfile.open(out, "w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 5
        tar.addfile(info, io.BytesIO(b"notes"))
    return out
