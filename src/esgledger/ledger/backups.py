"""Back up and restore a ledger: the audited operations over the mechanism in
:mod:`esgledger.store.backup` and :mod:`esgledger.store.restore`.

A backup first appends ``ledger.backup`` to the audit log, in its own transaction before the
snapshot, so the backup holds its own record. A restore is accepted only when
:func:`verify_restored`, the one check a restored ledger must pass, says so.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from esgledger.ledger.change import changing
from esgledger.ledger.verify import VerifyResult, verify
from esgledger.store.archive import Manifest
from esgledger.store.backup import backup
from esgledger.store.database import Database
from esgledger.store.locations import LedgerFiles
from esgledger.store.restore import Restored, restore
from esgledger.store.table_copy import Progress

BACKUP_ACTION = "ledger.backup"


def verify_restored(connection: sa.Connection) -> VerifyResult:
    """What a restored ledger must pass before it is committed: its audit chain intact and every
    table exactly what the chain recorded (:func:`esgledger.ledger.verify.verify`)."""
    return verify(connection)


def back_up(
    db: Database,
    archive: Path,
    actor: str,
    files: LedgerFiles | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write a backup of ``db`` and its files (by default where :mod:`esgledger.store.locations`
    puts them) to the new file ``archive``, recorded in the audit log as done by ``actor``."""

    def record() -> None:
        with db.transaction() as connection, changing(connection, actor) as change:
            change.record(BACKUP_ACTION, "ledger", "backup", {"file": archive.name})

    chosen = files or LedgerFiles.of(db.engine.url)
    return backup(db, chosen, archive, before_snapshot=record, progress=progress)


def restore_backup(
    db: Database,
    archive: Path,
    files: LedgerFiles | None = None,
    progress: Progress | None = None,
) -> Restored:
    """Restore ``archive`` into the empty ledger ``db`` and its files, verified with
    :func:`verify_restored`; nothing is kept when any step fails."""
    chosen = files or LedgerFiles.of(db.engine.url)
    return restore(db, chosen, archive, verify=verify_restored, progress=progress)
