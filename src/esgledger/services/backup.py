"""Backups: a consistent online backup of the ledger and its files (admins; recorded in the audit
log before the snapshot, so the backup holds its own record), and restoring one into an empty
ledger, verified (chain and tables) before it is kept."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from esgledger.ledger.backups import back_up, restore_backup
from esgledger.services.context import Context
from esgledger.services.operation import Call, Capability, staged
from esgledger.store.archive import Manifest
from esgledger.store.restore import Restored
from esgledger.store.table_copy import Progress

__all__ = ["Backups", "Kept", "Manifest", "Progress", "Restored", "restore"]
BACKUPS_FOLDER = "backups"  # in the ledger's files folder, beside evidence/ and reports/


@dataclass(frozen=True)
class Kept:
    """A backup kept in the ledger's files folder: ``file`` relative to that folder."""

    file: str
    path: Path
    manifest: Manifest


class Backups(Capability):
    @staged("ledger.backup")
    def take(self, call: Call, archive: Path, progress: Progress | None = None) -> Manifest:
        """Write a backup to the new file ``archive``."""
        context = self.context
        return back_up(context.db, archive, call.actor.username, context.files, progress)

    @staged("ledger.backup")
    def keep(self, call: Call, progress: Progress | None = None) -> Kept:
        """Write a backup into the ledger's files folder, ``backups/`` (not itself backed up:
        a backup holds the evidence, report and activity folders), named by its time."""
        context = self.context
        root = context.files.evidence.parent
        folder = root / BACKUPS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        stamp = context.clock().strftime("%Y%m%dT%H%M%SZ")
        archive = folder / f"esgledger-backup-{stamp}-{secrets.token_hex(4)}.tar.gz"
        manifest = back_up(context.db, archive, call.actor.username, context.files, progress)
        return Kept(f"{BACKUPS_FOLDER}/{archive.name}", archive, manifest)


def restore(context: Context, archive: Path, progress: Progress | None = None) -> Restored:
    """Restore ``archive`` into the empty ledger of ``context`` (no account exists there yet:
    the accounts come with the backup) and its file folders; nothing is kept unless it
    verifies."""
    return restore_backup(context.db, archive, context.files, progress)
