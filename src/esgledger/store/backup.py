"""Take a consistent online backup of a ledger, its database and its files, into one archive
(format in :mod:`esgledger.store.archive`) while the ledger is in use.

The database part is always a SQLite file, so that there is one restore path and a backup restores
into either backend:

- a SQLite ledger is copied with SQLite's online backup API (``sqlite3.Connection.backup``) in one
  step, under one read transaction: every committed write, those still in the WAL included, and
  nothing half-done. Writers carry on meanwhile (WAL mode lets them).
- a PostgreSQL ledger is read in one ``REPEATABLE READ, READ ONLY`` transaction (one snapshot) and
  every table copied into a fresh SQLite file made by the same Alembic migrations.

The files (evidence, reports, activity) are read after the snapshot. Evidence and activity files are
stored under their SHA-256 and never change, so every one the snapshot refers to is there; a file it
refers to that is missing (or a report rebuilt since the snapshot) is named in the manifest's
warnings. A partial archive is never left under the chosen name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from esgledger.store.archive import (
    DATABASE,
    BackupError,
    Manifest,
    Member,
    Writer,
    member_name,
    open_for_writing,
)
from esgledger.store.database import Database, open_database
from esgledger.store.locations import LedgerFiles
from esgledger.store.schema import (
    LEGACY_REPORT_BUILD_KEY,
    audit_head,
    evidence,
    import_batches,
    policies,
    settings,
)
from esgledger.store.table_copy import Progress, copy_tables, count_rows

SNAPSHOT_SQLITE = "SQLite online backup API"
SNAPSHOT_POSTGRESQL = "PostgreSQL REPEATABLE READ, READ ONLY transaction, copied into SQLite"
ACTIVITY_KIND = "activity"  # import batches whose file is kept in the activity folder


@dataclass
class _References:
    """SHA-256 of the files a snapshot refers to, by kind (reports: by ``period.lang``)."""

    evidence: set[str] = field(default_factory=set)
    activity: set[str] = field(default_factory=set)
    reports: dict[str, str] = field(default_factory=dict)


def backup(
    db: Database,
    files: LedgerFiles,
    archive: Path,
    *,
    before_snapshot: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write a backup of the ledger ``db`` and its ``files`` to ``archive`` (a new file).
    ``before_snapshot`` runs once the checks have passed, just before the snapshot (the caller
    records the backup in the audit log there, so the backup holds its own record)."""
    if archive.exists():
        raise BackupError(f"{archive} exists already: a backup never overwrites a file")
    if not archive.parent.is_dir():
        raise BackupError(f"no folder {archive.parent} to write the backup in")
    _require_ledger(db)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".esgledger-backup-") as work:
        snapshot = Path(work) / DATABASE
        if before_snapshot is not None:
            before_snapshot()
        method = _snapshot(db, snapshot, progress)
        revision, head, tables, references = _describe(snapshot)
        partial = Path(work) / "archive.partial"
        with open_for_writing(partial) as tar:
            writer = Writer(tar)
            database = writer.add(DATABASE, snapshot)
            members, warnings = _add_files(writer, files, references, progress)
            manifest = Manifest(
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                source_backend=db.engine.dialect.name,
                source_url=db.url,
                snapshot=method,
                schema_revision=revision,
                audit_head=head,
                tables=tables,
                database=database,
                files=members,
                source_files={
                    kind: str(getattr(files, kind).resolve())
                    for kind in ("evidence", "reports", "activity")
                },
                warnings=warnings,
            )
            writer.finish(manifest)
        if archive.exists():
            raise BackupError(f"{archive} was created meanwhile: a backup never overwrites a file")
        os.replace(partial, archive)
    return manifest


def _require_ledger(db: Database) -> None:
    database = db.engine.url.database
    if db.is_sqlite and (not database or not Path(database).is_file()):
        raise BackupError(f"no ledger at {database}")
    try:
        current = db.schema_is_current()
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"cannot open the ledger at {db.url}: {exc}") from exc
    if not current:
        raise BackupError(
            f"the ledger at {db.url} is not at this esgledger's schema: run 'esgledger init' "
            "(it upgrades it) before backing it up"
        )


def _snapshot(db: Database, target: Path, progress: Progress | None) -> str:
    if progress is not None:
        progress("snapshot", 0, 1)
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            try:
                source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
                source.backup(copy)  # pages=-1: one step, under one read snapshot
            finally:
                copy.close()
        finally:
            raw.close()
        method = SNAPSHOT_SQLITE
    else:
        _copy_postgresql(db, target, progress)
        method = SNAPSHOT_POSTGRESQL
    copy = sqlite3.connect(target)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL beside it
    finally:
        copy.close()
    if progress is not None:
        progress("snapshot", 1, 1)
    return method


def _copy_postgresql(db: Database, target: Path, progress: Progress | None) -> None:
    copy = open_database(f"sqlite:///{target}")
    try:
        copy.migrate()
        reading = db.engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        with reading as source, source.begin(), copy.transaction() as destination:
            copy_tables(source, destination, progress=progress)
    finally:
        copy.dispose()
    Path(f"{target}-writer.lock").unlink(missing_ok=True)


def _describe(
    snapshot: Path,
) -> tuple[str, dict[str, object], dict[str, int], _References]:
    """Schema revision, audit head, rows per table and referenced files, read from the snapshot."""
    engine = sa.create_engine(f"sqlite:///{snapshot}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            head = connection.execute(
                sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            ).one()
            references = _References(
                evidence=set(connection.execute(sa.select(evidence.c.sha256)).scalars())
                | set(  # policy documents (migration 0013) are files of the evidence store
                    connection.execute(
                        sa.select(policies.c.document_sha256).where(
                            policies.c.document_sha256.is_not(None)
                        )
                    ).scalars()
                ),
                activity=set(
                    connection.execute(
                        sa.select(import_batches.c.sha256).where(
                            import_batches.c.kind == ACTIVITY_KIND
                        )
                    ).scalars()
                ),
            )
            for key, value in connection.execute(
                sa.select(settings.c.key, settings.c.value).where(
                    settings.c.key.startswith("report.", autoescape=True)
                )
            ):
                if not LEGACY_REPORT_BUILD_KEY.match(key):
                    continue  # a setting of the report (report.print_reported), not a build
                recorded = json.loads(value).get("sha256")
                if isinstance(recorded, str):
                    references.reports[key.removeprefix("report.")] = recorded
            return (
                str(revision.scalar_one()),
                {"seq": head.seq, "hash": head.hash},
                count_rows(connection),
                references,
            )
    finally:
        engine.dispose()


def _add_files(
    writer: Writer, files: LedgerFiles, references: _References, progress: Progress | None
) -> tuple[list[Member], list[str]]:
    found = {
        kind: sorted(_files_in(getattr(files, kind)))
        for kind in ("evidence", "reports", "activity")
    }
    total = sum(len(paths) for paths in found.values())
    members: list[Member] = []
    hashes: dict[str, set[str]] = {kind: set() for kind in found}
    for kind, paths in found.items():
        folder: Path = getattr(files, kind)
        for path in paths:
            if progress is not None:
                progress("files", len(members), total)
            member = writer.add(member_name(kind, path.relative_to(folder).as_posix()), path)
            members.append(member)
            hashes[kind].add(member.sha256)
    if progress is not None:
        progress("files", total, total)
    warnings = [
        f"the evidence file with SHA-256 {sha} is missing from {files.evidence}"
        for sha in sorted(references.evidence - hashes["evidence"])
    ]
    warnings += [
        f"the activity file with SHA-256 {sha} is missing from {files.activity}"
        for sha in sorted(references.activity - hashes["activity"])
    ]
    warnings += [
        f"the report {name} recorded with SHA-256 {sha} is not in {files.reports} "
        "(rebuilt or removed since)"
        for name, sha in sorted(references.reports.items())
        if sha not in hashes["reports"]
    ]
    return members, warnings


def _files_in(folder: Path) -> list[Path]:
    """The stored files under ``folder``; files being written (names starting with a dot, as
    the evidence, activity and restore writers name them until they are complete) are left out."""
    if not folder.is_dir():
        return []
    return [
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
