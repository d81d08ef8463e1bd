"""Restore a backup (see :mod:`esgledger.store.backup`) into an empty ledger, all or nothing.

1. The target must be empty: no esgledger table (PostgreSQL), no table in the file (SQLite).
2. The archive is checked whole (format, version, every member's SHA-256) and extracted to a
   temporary folder (``TMPDIR``); a file it would put in the target's file folders must be absent
   or the same; the backup's SQLite file is brought to this esgledger's schema.
3. The files are put in place; then, in one transaction, the schema is created by the Alembic
   migrations, the rows are copied in foreign-key order (PostgreSQL sequences moved past the
   copied ids), the counts and the chain head are compared with the manifest and the caller's
   ``verify`` is run. Only if all of that holds is the transaction committed: on PostgreSQL the
   schema and the rows in one commit; on SQLite the ledger is built in a temporary file beside
   the target and renamed to it. On any failure the files put in place are removed again.

Built reports are recorded with their absolute path (settings ``report.<period>.<lang>``); the
path is moved to the target's report folder, the only value a restore changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Protocol

import sqlalchemy as sa
from alembic.util.exc import CommandError

from esgledger.store.archive import (
    DATABASE,
    BackupError,
    Manifest,
    esgledger_version,
    extract,
    sha256_of,
    split_member_name,
)
from esgledger.store.database import Database, open_database
from esgledger.store.locations import LedgerFiles
from esgledger.store.schema import LEGACY_REPORT_BUILD_KEY, audit_head, metadata
from esgledger.store.table_copy import CopyFailed, Progress, Row, copy_tables

LEDGER_TABLES = {table.name for table in metadata.sorted_tables} | {"alembic_version"}


class RestoreError(BackupError):
    """The restore was refused or failed; nothing of it was kept."""


class Verdict(Protocol):
    """What a verification answers (``esgledger.ledger.audit.VerifyResult`` is one)."""

    @property
    def ok(self) -> bool: ...

    @property
    def problem(self) -> str | None: ...


Verify = Callable[[sa.Connection], Verdict]


@dataclass
class Restored:
    manifest: Manifest
    rows: dict[str, int]
    files_written: int
    files_present: int  # already in the target's folders with the same content
    verdict: Verdict


@dataclass
class _Placement:
    staged: Path
    target: Path


@dataclass
class _Placed:
    """What a restore has put in the file folders so far, so that a failure can take it back."""

    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        for path in reversed(self.files):
            path.unlink(missing_ok=True)
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):  # not empty: someone else's file is in it
                folder.rmdir()


def restore(
    db: Database,
    files: LedgerFiles,
    archive: Path,
    *,
    verify: Verify,
    progress: Progress | None = None,
) -> Restored:
    """Restore ``archive`` into the empty ledger ``db`` and its ``files`` folders; ``verify`` is
    run on the restored rows before they are committed, and a failed verdict undoes the restore."""
    _refuse_non_empty(db)
    with tempfile.TemporaryDirectory(prefix="esgledger-restore-") as work:
        manifest, members = extract(archive, Path(work))
        placements, present = _plan_files(manifest, members, files)
        backup_db = open_database(f"sqlite:///{members[DATABASE]}")
        placed = _Placed()
        try:
            _upgrade(backup_db, manifest)
            _place_files(placements, placed, progress)
            fill = _Filler(backup_db, manifest, files, verify, progress)
            if db.is_sqlite:
                _restore_sqlite(db, fill)
            else:
                _restore_postgresql(db, fill)
        except BaseException:
            placed.undo()
            raise
        finally:
            backup_db.dispose()
        assert fill.rows is not None and fill.verdict is not None
        return Restored(manifest, fill.rows, len(placed.files), present, fill.verdict)


def _refuse_non_empty(db: Database) -> None:
    if db.is_sqlite:
        database = db.engine.url.database
        if not database or database == ":memory:":
            raise RestoreError("restore needs a ledger file or a PostgreSQL URL as --db")
        path = Path(database)
        if not path.parent.is_dir():
            raise RestoreError(f"no folder {path.parent} for the restored ledger")
        tables = _sqlite_tables(path) if path.exists() else []
        if tables:
            raise RestoreError(
                f"the target {path} is not empty: it holds the tables {_some(tables)}; "
                "restore into a new file"
            )
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:
            raise RestoreError(
                f"the target {path} is in use or was not closed cleanly (it has a WAL file "
                "beside it); restore into a new file"
            )
        return
    try:
        with db.engine.connect() as connection:
            found = sorted(LEDGER_TABLES & set(sa.inspect(connection).get_table_names()))
    except sa.exc.SQLAlchemyError as exc:
        raise RestoreError(f"cannot open the target ledger at {db.url}: {exc}") from exc
    if found:
        raise RestoreError(
            f"the target ledger at {db.url} is not empty: it has the esgledger tables "
            f"{_some(found)}; restore into a new, empty database"
        )


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:4])
    return f"{shown} and {len(names) - 4} more" if len(names) > 4 else shown


def _sqlite_tables(path: Path) -> list[str]:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(
            f"the target {path} exists and is not an empty SQLite database ({exc}); "
            "restore into a new file"
        ) from exc
    return [str(row[0]) for row in rows]


def _plan_files(
    manifest: Manifest, members: dict[str, Path], files: LedgerFiles
) -> tuple[list[_Placement], int]:
    """Where each file of the backup goes; refuses a different file already there."""
    placements: list[_Placement] = []
    present = 0
    for member in manifest.files:
        kind, relative = split_member_name(member.path)
        target = getattr(files, kind) / relative
        if target.exists():
            if target.is_file() and sha256_of(target) == member.sha256:
                present += 1
                continue
            raise RestoreError(
                f"{target} exists with other content than the backup's {member.path}: "
                "restore into empty file folders"
            )
        placements.append(_Placement(members[member.path], target))
    return placements, present


def _upgrade(backup_db: Database, manifest: Manifest) -> None:
    """Bring the backup's database to this esgledger's schema (a backup of an older version)."""
    try:
        backup_db.migrate()
    except CommandError as exc:
        raise RestoreError(
            f"the backup's schema revision {manifest.schema_revision} is unknown to this "
            f"esgledger ({esgledger_version()}): restore it with esgledger "
            f"{manifest.esgledger_version} or newer"
        ) from exc


def _place_files(placements: list[_Placement], placed: _Placed, progress: Progress | None) -> None:
    for done, placement in enumerate(placements):
        if progress is not None:
            progress("files", done, len(placements))
        target = placement.target
        missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            placed.folders.append(folder)
        temporary = target.with_name(f".restoring-{target.name}")
        try:
            shutil.move(placement.staged, temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        placed.files.append(target)
    if progress is not None:
        progress("files", len(placements), len(placements))


class _Filler:
    """Copies the backup's rows into a target connection, checks them and runs ``verify``."""

    def __init__(
        self,
        backup_db: Database,
        manifest: Manifest,
        files: LedgerFiles,
        verify: Verify,
        progress: Progress | None,
    ):
        self.backup_db = backup_db
        self.manifest = manifest
        self.verify = verify
        self.progress = progress
        self.source_reports = manifest.source_files.get("reports")
        self.target_reports = files.reports.resolve()
        self.rows: dict[str, int] | None = None
        self.verdict: Verdict | None = None

    def __call__(self, target: sa.Connection) -> None:
        with self.backup_db.reading() as source:
            try:
                rows = copy_tables(source, target, self._relocate, self.progress)
            except CopyFailed as exc:
                raise RestoreError(f"the rows of {exc}; nothing was restored") from exc
        for table, count in self.manifest.tables.items():
            if rows.get(table) != count:
                raise RestoreError(
                    f"the backup's database holds {rows.get(table)} rows of {table}, its "
                    f"manifest records {count}; nothing was restored"
                )
        head = target.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
        recorded = (self.manifest.audit_head.get("seq"), self.manifest.audit_head.get("hash"))
        if (head.seq, head.hash) != recorded:
            raise RestoreError(
                f"the backup's audit head is entry {head.seq} ({head.hash}), its manifest "
                f"records entry {recorded[0]} ({recorded[1]}); nothing was restored"
            )
        verdict = self.verify(target)
        if not verdict.ok:
            raise RestoreError(
                f"the restored ledger does not verify: {verdict.problem}; nothing was restored"
            )
        self.rows, self.verdict = rows, verdict

    def _relocate(self, table: sa.Table, row: Row) -> Row:
        if table.name != "settings" or not LEGACY_REPORT_BUILD_KEY.match(row["key"]):
            return row
        record: dict[str, Any] = json.loads(row["value"])
        path = record.get("path")
        if not self.source_reports or not isinstance(path, str):
            return row
        try:
            relative = PurePath(path).relative_to(self.source_reports)
        except ValueError:
            return row
        record["path"] = str(self.target_reports / relative)
        return {**row, "value": json.dumps(record)}


def _restore_postgresql(db: Database, fill: _Filler) -> None:
    with db.engine.begin() as connection:
        db.migrate_within(connection)
        fill(connection)


def _restore_sqlite(db: Database, fill: _Filler) -> None:
    database = db.engine.url.database
    assert database is not None
    target = Path(database)
    building = target.with_name(f".{target.name}.restoring-{uuid.uuid4().hex[:8]}")
    ledger = open_database(f"sqlite:///{building}")
    try:
        ledger.migrate()
        with ledger.transaction() as connection:
            fill(connection)
        ledger.dispose()  # the last connection checkpoints the WAL into the file
        os.replace(building, target)
    finally:
        ledger.dispose()
        for leftover in (building, *(Path(f"{building}{end}") for end in _SQLITE_SIDE_FILES)):
            leftover.unlink(missing_ok=True)
    db.dispose()


_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal", "-writer.lock")
