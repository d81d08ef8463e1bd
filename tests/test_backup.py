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
import json
import shutil
import sqlite3
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli.main import app
from esgledger.ledger.backups import back_up, restore_backup
from esgledger.ledger.verify import verify
from esgledger.store import locations, open_database, resolve_url
from esgledger.store.archive import BackupError
from esgledger.store.database import SYNCHRONOUS_ENV, URL_ENV
from esgledger.store.locations import LedgerFiles
from esgledger.store.schema import audit_head, audit_log, datapoints, evidence
from esgledger.store.table_copy import count_rows
from esgledger.workflow.entries import Entry
from tests.backup_helpers import (
    EVIDENCE_MEMBER,
    EVIDENCE_SHA,
    PDF,
    Source,
    build_full_ledger,
    cli,
    empty_target,
    files_of,
    head_of,
    nothing_left,
    plain_tar,
    repack,
    report_text,
    said,
    tables,
    tree,
    use_folders,
)
from tests.collab_fixtures import World
from tests.conftest import BACKENDS
from tests.ledger_fixture import Ledger


@pytest.fixture(params=BACKENDS)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        request.getfixturevalue("postgres_template")  # the server answers
    with empty_target(request.param, tmp_path / "target") as url:
        yield url


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
    assert said("ESGLEDGER_SQLITE_SYNCHRONOUS is 'OFF'", result.stderr)


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
    assert said("audit head entry", backed_up.stdout)
    rows_before, head_before = tables(source.url, source.files), head_of(source.url)
    assert rows_before["audit_log"][-1]["action"] == "ledger.backup"  # the backup's own record
    use_folders(monkeypatch, tmp_path / "target")
    target = files_of(target_url)

    restored = cli(target_url, "restore", str(archive))

    assert restored.exit_code == 0, restored.output
    assert said(f"audit chain and tables verified to entry {head_before[0]}", restored.stdout)
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
    ws = Ledger.open(target_url)
    services = ws.services
    try:
        manager = services.accounts.principal_for_token(full_ledger.tokens["manager"])
        record, path = services.reports.download(manager, "2024", "en")
        assert path.parent.parent == files_of(target_url).reports.resolve()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record["sha256"]
        owner = services.accounts.principal_for_token(full_ledger.tokens["owner_a"])
        point = services.datapoints.create(
            owner, Entry("plant_a", "2026", "energy.diesel", 1.0, "t")
        )
        added = services.evidence.upload(owner, point.id, "more.pdf", PDF + b"% second\n")
        assert added["id"] == 2
        done = ws.calc_activity("2024")
        assert done.records == 2
    finally:
        ws.db.dispose()


# -- the failure: acknowledged writes kept while writes go on ------------------------------
def test_sixty_acknowledged_writes_are_in_a_backup_taken_while_writes_go_on(
    world: World, backend: str, tmp_path: Path
) -> None:
    services = world.services
    owner, manager = world.user("owner_a"), world.user("manager")
    acknowledged = {
        services.datapoints.create(
            owner, Entry("plant_a", str(1901 + n), "energy.diesel", 10.0 + n, "t")
        ).id: 10.0 + n
        for n in range(60)
    }
    if backend == "sqlite":  # the copy of the live file: the writes are in the WAL
        database = Path(str(services.db.engine.url.database))
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
                written_meanwhile.append(services.datapoints.create(manager, entry).id)
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
        manifest = back_up(services.db, tmp_path / "live.tar.gz", "admin", files)
        during = len(written_meanwhile)
        deadline = time.monotonic() + 30
        while len(written_meanwhile) < during + 3 and not failures:  # and go on after it
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(60)
    assert failures == []

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
                verdict = verify(connection)
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


# -- what a backup holds -------------------------------------------------------------------------
@pytest.fixture
def small(world: World, tmp_path: Path) -> tuple[World, LedgerFiles, Path]:
    """A ledger with one value and its evidence, and its backup."""
    owner = world.user("owner_a")
    point = world.services.datapoints.create(
        owner, Entry("plant_a", "2024", "energy.coke", 2.0, "t")
    )
    world.services.evidence.upload(owner, point.id, "coke.pdf", PDF)
    files = LedgerFiles(
        world.services.context.evidence_dir,
        world.services.context.reports_dir,
        tmp_path / "activity",
    )
    archive = tmp_path / "small.tar.gz"
    back_up(world.services.db, archive, "admin", files)
    return world, files, archive


def test_the_manifest_describes_the_snapshot_and_every_file(
    small: tuple[World, LedgerFiles, Path], backend: str
) -> None:
    world, files, archive = small
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
    with world.services.db.reading() as connection:
        counts = count_rows(connection)
        head = connection.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
        (stored,) = connection.execute(sa.select(evidence.c.storage_path)).scalars()
    assert manifest["format"] == "esgledger-backup" and manifest["format_version"] == 1
    assert manifest["esgledger_version"] == "0.1.0"
    assert manifest["source"]["backend"] == backend
    assert manifest["source"]["snapshot"].startswith(
        {"sqlite": "SQLite", "postgresql": "Postg"}[backend]
    )
    assert manifest["audit_head"] == {"seq": head.seq, "hash": head.hash}
    assert manifest["tables"] == counts  # nothing was written after the backup
    assert manifest["files"] == [
        {
            "path": f"files/evidence/{stored}",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        }
    ]
    assert names == ["ledger.sqlite", f"files/evidence/{stored}", "manifest.json"]
    assert manifest["warnings"] == []


def test_a_file_the_ledger_refers_to_but_lacks_is_named_in_the_backup(
    small: tuple[World, LedgerFiles, Path], tmp_path: Path
) -> None:
    world, files, _archive = small
    (stored,) = [path for path in files.evidence.rglob("*") if path.is_file()]
    stored.unlink()
    manifest = back_up(world.services.db, tmp_path / "second.tar.gz", "admin", files)
    assert manifest.warnings == [
        f"the evidence file with SHA-256 {stored.name} is missing from {files.evidence}"
    ]


def test_a_backup_never_overwrites_and_needs_a_ledger(
    small: tuple[World, LedgerFiles, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _files, archive = small
    before = archive.read_bytes()
    with pytest.raises(BackupError, match="exists already: a backup never overwrites a file"):
        back_up(world.services.db, archive, "admin")
    assert archive.read_bytes() == before
    monkeypatch.delenv(URL_ENV, raising=False)
    result = cli(str(tmp_path / "none.db"), "backup", str(tmp_path / "none.tar.gz"))
    assert result.exit_code == 1
    assert said(f"no ledger at {tmp_path / 'none.db'}", result.stderr)
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "none.tar.gz").exists()


# -- refusals and failures: exit 1, a clear message, nothing left behind -------------------------
def _other_version(manifest: dict[str, Any]) -> None:
    manifest["format_version"] = 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda archive, out: out, "no backup file at {out}"),
        (
            lambda archive, out: out.write_bytes(b"SQLite format 3\0 not a tar") and out,
            "{out} is not an esgledger backup archive",
        ),
        (
            lambda archive, out: plain_tar(out, "ledger.sqlite"),
            "{out} is not an esgledger backup: it has no manifest.json",
        ),
        (
            lambda archive, out: plain_tar(out, "../notes.txt"),
            "{out} is not an esgledger backup archive: unexpected member '../notes.txt'",
        ),
        (
            lambda archive, out: repack(archive, out, edit_manifest=_other_version),
            "{out} is a backup of format version 2; this esgledger (0.1.0) reads format version 1",
        ),
        (
            lambda archive, out: repack(
                archive, out, replace=(EVIDENCE_MEMBER, b"%PDF-1.4 forged")
            ),
            "{out} is damaged: files/evidence/",
        ),
    ],
    ids=["missing", "not-a-tar", "no-manifest", "foreign-member", "format-version", "checksum"],
)
def test_restore_refuses_what_is_not_an_intact_backup(
    small: tuple[World, LedgerFiles, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path, Path], Path],
    message: str,
) -> None:
    _world, _files, archive = small
    out = tmp_path / "suspect.tar.gz"
    make(archive, out)
    monkeypatch.delenv(URL_ENV, raising=False)
    target = f"sqlite:///{tmp_path / 'target' / 'restored.db'}"
    (tmp_path / "target").mkdir()

    result = cli(target, "restore", str(out))

    assert result.exit_code == 1, result.output
    assert said(message.format(out=out), result.stderr)
    nothing_left(target, files_of(target))


def test_restore_refuses_a_ledger_that_is_not_empty(
    small: tuple[World, LedgerFiles, Path], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _world, _files, archive = small
    monkeypatch.delenv(URL_ENV, raising=False)
    head = head_of(db_url)
    result = cli(db_url, "restore", str(archive))
    assert result.exit_code == 1
    assert said("is not empty: it has the esgledger tables", result.stderr) or said(
        "is not empty: it holds the tables", result.stderr
    )
    assert said("audit_head", result.stderr)  # names the tables found
    assert head_of(db_url) == head


def test_a_restore_that_does_not_verify_leaves_nothing_behind(
    small: tuple[World, LedgerFiles, Path], backend: str, tmp_path: Path
) -> None:
    _world, _files, archive = small
    edited = repack(
        archive,
        tmp_path / "edited.tar.gz",
        edit_database="UPDATE audit_log SET payload = '{\"value\":1e9}' WHERE seq = 3",
    )
    target_files = LedgerFiles(*(tmp_path / "target-files" / k for k in ("e", "r", "a")))
    with empty_target(backend, tmp_path / "target") as target:
        with pytest.raises(BackupError) as refused:
            restore_backup(open_database(resolve_url(target)), edited, target_files)
        assert str(refused.value).startswith(
            "the restored ledger does not verify: entry 3 (factors.load "
        )
        assert str(refused.value).endswith(
            "was edited: its content no longer matches its hash; nothing was restored"
        )
        nothing_left(target, target_files)


LONG_ROWS = {  # a key longer than its column allows, in a table of a few rows and one of many
    "entities": (
        "INSERT INTO entities (id, name, country, type, ownership, operational_control, "
        f"financial_control) VALUES ('{'x' * 100}', 'Long', 'CN', 'plant', 1, 1, 1)",
        "varying(64)",
    ),
    "factor_values": (
        "INSERT INTO factor_values (factor_id, valid_from, version, factor_set, edition, value, "
        f"unit, source, confidence, file_sha256) VALUES ('{'f' * 300}', '2020-01-01', '1', 's', "
        "'e', 1.0, 't', 'src', 'A', 'sha')",
        "varying(200)",
    ),
}


@pytest.mark.parametrize("table", sorted(LONG_ROWS))
def test_a_row_the_target_refuses_is_named_and_nothing_is_kept(
    small: tuple[World, LedgerFiles, Path], backend: str, tmp_path: Path, table: str
) -> None:
    """A key longer than its column allows: PostgreSQL refuses the row (by INSERT for a few
    rows, by COPY for many); SQLite, which does not check lengths, takes it, and the count
    against the manifest fails instead."""
    world, _files, archive = small
    with world.services.db.reading() as connection:
        rows = count_rows(connection)[table]
    statement, column = LONG_ROWS[table]
    edited = repack(archive, tmp_path / "edited.tar.gz", edit_database=statement)
    target_files = LedgerFiles(*(tmp_path / "target-files" / k for k in ("e", "r", "a")))
    with empty_target(backend, tmp_path / "target") as target:
        with pytest.raises(BackupError) as refused:
            restore_backup(open_database(resolve_url(target)), edited, target_files)
        expected = {
            "postgresql": f"the rows of table {table}: value too long for type character {column}",
            "sqlite": f"the backup's database holds {rows + 1} rows of {table}, its manifest "
            f"records {rows}",
        }[backend]
        assert str(refused.value).startswith(expected)
        assert str(refused.value).endswith("nothing was restored")
        nothing_left(target, target_files)


def test_restore_refuses_a_file_folder_holding_another_file_under_the_same_name(
    small: tuple[World, LedgerFiles, Path], backend: str, tmp_path: Path
) -> None:
    _world, _files, archive = small
    target_files = LedgerFiles(*(tmp_path / "target-files" / k for k in ("e", "r", "a")))
    clash = target_files.evidence / EVIDENCE_SHA[:2] / EVIDENCE_SHA
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"someone else's file")
    with empty_target(backend, tmp_path / "target") as target:
        with pytest.raises(BackupError, match="restore into empty file folders") as refused:
            restore_backup(open_database(resolve_url(target)), archive, target_files)
        assert str(refused.value).startswith(f"{clash} exists with other content than the backup's")
        clash.unlink()
        nothing_left(target, target_files)
        assert clash.parent.is_dir()  # a folder that was there stays


def test_a_failed_restore_keeps_a_file_that_was_there_before_it(
    small: tuple[World, LedgerFiles, Path], backend: str, tmp_path: Path
) -> None:
    _world, _files, archive = small
    edited = repack(
        archive,
        tmp_path / "edited.tar.gz",
        edit_database="UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
    )
    target_files = LedgerFiles(*(tmp_path / "target-files" / k for k in ("e", "r", "a")))
    same = target_files.evidence / EVIDENCE_SHA[:2] / EVIDENCE_SHA
    same.parent.mkdir(parents=True)
    same.write_bytes(PDF)
    with empty_target(backend, tmp_path / "target") as target:
        with pytest.raises(BackupError, match="does not verify: entry 2 .* was edited"):
            restore_backup(open_database(resolve_url(target)), edited, target_files)
        assert same.read_bytes() == PDF
