"""Backup and restore (issue 8, part 4), where a ledger's files live, and SQLite durability.

Round trips run on every pair of backends (SQLite and PostgreSQL, each way): every table's rows,
the audit chain head, the evidence, report and activity files, and the report built before the
backup and after the restore are compared. The report embeds the date it was built on; that one
field is normalised before the comparison. A stored report's record holds its absolute path, which
a restore moves to the target's report folder: rows are compared with that path taken relative to
each ledger's report folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sqlite3
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from esgledger.access.principal import Principal
from esgledger.cli.main import app
from esgledger.collaboration import Collaboration
from esgledger.ledger import audit
from esgledger.ledger.backups import back_up, restore_backup
from esgledger.services import Workspace
from esgledger.store import locations, open_database, resolve_url
from esgledger.store.archive import BackupError
from esgledger.store.database import SYNCHRONOUS_ENV, URL_ENV
from esgledger.store.locations import LedgerFiles
from esgledger.store.schema import audit_head, audit_log, datapoints, evidence, metadata
from esgledger.store.table_copy import count_rows, read_rows
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, World
from tests.conftest import BACKENDS, _admin_execute, _admin_url_for
from tests.helpers import DATA_HEADER, write_csv

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


# -- helpers ---------------------------------------------------------------------------------------
def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", url, *args])


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


@pytest.fixture(params=BACKENDS)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        request.getfixturevalue("postgres_template")  # the server answers
    with empty_target(request.param, tmp_path / "target") as url:
        yield url


def tables(url: str, files: LedgerFiles) -> dict[str, list[dict[str, Any]]]:
    """Every ledger table's rows in key order; report paths relative to the report folder."""
    database = open_database(resolve_url(url))
    try:
        with database.reading() as connection:
            found = {table.name: read_rows(connection, table) for table in metadata.sorted_tables}
    finally:
        database.dispose()
    for row in found["settings"]:
        if row["key"].startswith("report."):
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
    """The 2024 report as ``esgledger report`` writes it, its build date normalised."""
    result = cli(url, "report", "--period", "2024", "--out", str(out))
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.html")
    text = path.read_text(encoding="utf-8")
    text, found = re.subn(r"(<dd>|· )\d{4}-\d{2}-\d{2}(</dd>|</p>)", r"\1BUILT\2", text)
    assert found == 2  # the build date, in the title block and the footer
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


# -- where the files live ------------------------------------------------------------------------
def test_a_sqlite_ledger_keeps_its_files_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(locations.FILES_DIR_ENV, str(tmp_path / "elsewhere"))
    monkeypatch.setenv(locations.DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    files = locations.LedgerFiles.of(sa.make_url(f"sqlite:///{tmp_path}/group.db"))
    assert files == locations.LedgerFiles(
        evidence=tmp_path / "group-files" / "evidence",
        reports=tmp_path / "group-files" / "reports",
        activity=tmp_path / "group.db.activity",
    )


def test_a_server_ledger_keeps_its_files_where_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sa.make_url("postgresql+psycopg://postgres@127.0.0.1/ledger")
    monkeypatch.delenv(locations.FILES_DIR_ENV, raising=False)
    monkeypatch.delenv(locations.DATA_DIR_ENV, raising=False)
    assert locations.LedgerFiles.of(url) == locations.LedgerFiles(
        Path("esgledger-files/evidence"),
        Path("esgledger-files/reports"),
        Path("esgledger-data/activity"),
    )
    monkeypatch.setenv(locations.FILES_DIR_ENV, str(tmp_path / "files"))
    monkeypatch.setenv(locations.DATA_DIR_ENV, str(tmp_path / "data"))
    assert locations.LedgerFiles.of(url) == locations.LedgerFiles(
        tmp_path / "files" / "evidence", tmp_path / "files" / "reports", tmp_path / "data/activity"
    )


# -- durability ----------------------------------------------------------------------------------
def _synchronous(path: Path) -> int:
    database = open_database(f"sqlite:///{path}")
    try:
        with database.reading() as connection:
            return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    finally:
        database.dispose()


def test_sqlite_commits_sync_normal_unless_full_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SYNCHRONOUS_ENV, raising=False)
    assert _synchronous(tmp_path / "a.db") == 1  # NORMAL
    monkeypatch.setenv(SYNCHRONOUS_ENV, "full")
    assert _synchronous(tmp_path / "a.db") == 2  # FULL


def test_an_unknown_synchronous_level_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SYNCHRONOUS_ENV, "OFF")
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(ValueError, match="ESGLEDGER_SQLITE_SYNCHRONOUS is 'OFF'; expected NORMAL"):
        open_database(f"sqlite:///{tmp_path / 'a.db'}")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "a.db"), "init"])
    assert result.exit_code == 1
    assert "ESGLEDGER_SQLITE_SYNCHRONOUS is 'OFF'" in result.stderr


# -- a ledger with a row in every table ------------------------------------------------------------
@dataclass
class Source:
    url: str
    files: LedgerFiles
    tokens: dict[str, str]


def build_full_ledger(url: str, folder: Path) -> Source:
    """Entities (a child whose id sorts before its parent's), aliases, imported and entered data,
    transfers, certificates, two calculated years, a base year, users with a token and a web
    session, a review trail, evidence, a period lock, a built report and an activity file."""
    ws = Workspace.open(url, actor="setup")
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
    rows = [
        ["plant_a", year, "energy.diesel", str(100 + n), "t", "measured", "fuel ledger", "燃料"]
        for n, year in enumerate(["2023", "2024"])
    ] + [
        ["plant_a", "2024", "energy.electricity_purchased", "1200", "MWh", "measured", "", ""],
        ["plant_b", "2024", "energy.raw_coal", "200.25", "t", "estimated", "weighbridge", ""],
        ["plant_b", "2024", "production.electricity_generated", "500", "MWh", "measured", "", ""],
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
    ws.calc("2023")
    ws.calc("2024")
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
    collab = Collaboration(ws)
    for name, role, entities in [
        ("admin", "admin", []),
        ("manager", "esg_manager", []),
        ("owner_a", "data_owner", ["plant_a"]),
    ]:
        collab.create_user(None, name, PASSWORD, role, entities)
    tokens = {name: collab.issue_token(name, PASSWORD, "setup").secret for name in ("manager",)}
    tokens["owner_a"] = collab.issue_token("owner_a", PASSWORD, "setup").secret
    collab.open_session("owner_a", PASSWORD, "setup")
    owner = collab.principal_for_token(tokens["owner_a"])
    manager = collab.principal_for_token(tokens["manager"])
    point = collab.create_datapoint(owner, Entry("plant_a", "2025", "energy.diesel", 5.0, "t"))
    point = collab.submit(owner, point.id, point.version, "first entry")
    collab.approve(manager, point.id, point.version, "checked against the invoice")
    collab.upload_evidence(owner, point.id, "invoice.pdf", PDF)
    collab.lock_period(manager, "2022", "closed")
    collab.build_report(manager, "2024", "en")
    ws.db.dispose()
    return Source(url, files_of(url), tokens)


@pytest.fixture
def full_ledger(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cheap_password_hashing: None
) -> Source:
    monkeypatch.delenv(URL_ENV, raising=False)
    use_folders(monkeypatch, tmp_path / "source")
    source = build_full_ledger(db_url, tmp_path)
    database = open_database(resolve_url(db_url))
    with database.reading() as connection:
        empty = [name for name, count in count_rows(connection).items() if count == 0]
    database.dispose()
    assert empty == []
    return source


# -- round trips -----------------------------------------------------------------------------------
def test_a_round_trip_gives_the_same_rows_chain_files_and_report(
    full_ledger: Source, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = full_ledger
    report_before = report_text(source.url, tmp_path / "report-before")
    archive = tmp_path / "ledger.tar.gz"

    backed_up = cli(source.url, "backup", str(archive))

    assert backed_up.exit_code == 0, backed_up.output
    assert "audit head entry" in backed_up.stdout
    rows_before, head_before = tables(source.url, source.files), head_of(source.url)
    assert rows_before["audit_log"][-1]["action"] == "ledger.backup"  # the backup's own record
    use_folders(monkeypatch, tmp_path / "target")
    target = files_of(target_url)

    restored = cli(target_url, "restore", str(archive))

    assert restored.exit_code == 0, restored.output
    assert f"audit chain verified to entry {head_before[0]}" in restored.stdout
    assert tables(target_url, target) == rows_before
    assert head_of(target_url) == head_before
    for kind in ("evidence", "reports", "activity"):
        assert tree(getattr(target, kind)) == tree(getattr(source.files, kind)) != {}
    assert report_text(target_url, tmp_path / "report-after") == report_before
    assert cli(target_url, "audit", "verify").exit_code == 0


def test_a_restored_ledger_works_on(
    full_ledger: Source, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its stored report is served from the target's folder, new evidence gets the next id
    (PostgreSQL sequences moved past the copied ids), and its activity files are found."""
    archive = tmp_path / "ledger.tar.gz"
    assert cli(full_ledger.url, "backup", str(archive)).exit_code == 0
    use_folders(monkeypatch, tmp_path / "target")
    assert cli(target_url, "restore", str(archive)).exit_code == 0
    ws = Workspace.open(target_url, actor="after")
    collab = Collaboration(ws)
    try:
        manager = collab.principal_for_token(full_ledger.tokens["manager"])
        record, path = collab.report_file(manager, "2024", "en")
        assert path.parent.parent == files_of(target_url).reports.resolve()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
        owner = collab.principal_for_token(full_ledger.tokens["owner_a"])
        point = collab.create_datapoint(owner, Entry("plant_a", "2026", "energy.diesel", 1.0, "t"))
        added = collab.upload_evidence(owner, point.id, "more.pdf", PDF + b"% second\n")
        assert added["id"] == 2
        done = ws.calc_activity("2024")
        assert done.records == 2
    finally:
        ws.db.dispose()


# -- the issue's failure: acknowledged writes kept while writes go on ------------------------------
def test_sixty_acknowledged_writes_are_in_a_backup_taken_while_writes_go_on(
    world: World, backend: str, tmp_path: Path
) -> None:
    collab = world.collab
    owner, manager = world.user("owner_a"), world.user("manager")
    acknowledged = {
        collab.create_datapoint(
            owner, Entry("plant_a", str(1901 + n), "energy.diesel", 10.0 + n, "t")
        ).id: 10.0 + n
        for n in range(60)
    }
    if backend == "sqlite":  # the issue's copy of the live file: the writes are in the WAL
        database = Path(str(collab.db.engine.url.database))
        shutil.copy(database, tmp_path / "naive-copy.db")
        with sqlite3.connect(tmp_path / "naive-copy.db") as naive:
            in_copy = naive.execute("SELECT count(*) FROM datapoints").fetchone()[0]
        assert in_copy < 60
    stop, started = threading.Event(), threading.Event()
    written_meanwhile: list[int] = []
    failures: list[BaseException] = []

    def keep_writing() -> None:
        try:
            for n in range(2000):
                period = f"{1901 + n // 12}-{n % 12 + 1:02d}"
                entry = Entry("plant_b", period, "energy.diesel", 1.0 + n, "t")
                written_meanwhile.append(collab.create_datapoint(manager, entry).id)
                started.set()
                if stop.is_set():
                    return
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
            started.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    assert started.wait(30)
    files = LedgerFiles(
        *(tmp_path / "files" / kind for kind in ("evidence", "reports", "activity"))
    )
    try:
        manifest = back_up(collab.db, tmp_path / "live.tar.gz", "admin", files)
        during = len(written_meanwhile)
    finally:
        stop.set()
        writer.join(60)
    assert failures == []
    assert len(written_meanwhile) > during > 0  # writes went on before, during and after

    with empty_target(backend, tmp_path / "target") as target:
        database = open_database(resolve_url(target))
        target_files = LedgerFiles(*(tmp_path / "target-files" / k for k in ("e", "r", "a")))
        restored = restore_backup(database, tmp_path / "live.tar.gz", target_files)
        database = open_database(resolve_url(target))
        try:
            with database.reading() as connection:
                values = dict(
                    connection.execute(sa.select(datapoints.c.id, datapoints.c.value)).all()
                )
                verdict = audit.verify(connection)
                recorded = connection.execute(
                    sa.select(audit_log.c.actor).where(audit_log.c.action == "ledger.backup")
                ).scalars()
                backups = list(recorded)
        finally:
            database.dispose()
    assert {key: values.get(key) for key in acknowledged} == acknowledged
    assert verdict.ok and restored.verdict.ok
    head = manifest.audit_head
    assert (verdict.entries, verdict.head_hash) == (head["seq"], head["hash"])
    assert len(values) == manifest.tables["datapoints"]
    # One snapshot: of the writes that went on, those committed before it and none after.
    kept = [key for key in written_meanwhile if key in values]
    assert kept == written_meanwhile[: len(kept)] and 1 <= len(kept) <= during
    assert backups == ["admin"]  # the backup holds its own record
