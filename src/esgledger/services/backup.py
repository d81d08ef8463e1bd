"""Backups: a consistent online backup of the ledger and its files (admins; recorded in the audit
log before the snapshot, so the backup holds its own record), and restoring one into an empty
ledger, verified (chain and tables) before it is kept."""

from __future__ import annotations

from pathlib import Path

from esgledger.ledger.backups import back_up, restore_backup
from esgledger.services.context import Context
from esgledger.services.operation import Call, Capability, staged
from esgledger.store.archive import Manifest
from esgledger.store.restore import Restored
from esgledger.store.table_copy import Progress

__all__ = ["Backups", "Manifest", "Progress", "Restored", "restore"]


class Backups(Capability):
    @staged("ledger.backup")
    def take(self, call: Call, archive: Path, progress: Progress | None = None) -> Manifest:
        """Write a backup to the new file ``archive``."""
        context = self.context
        return back_up(context.db, archive, call.actor.username, context.files, progress)


def restore(context: Context, archive: Path, progress: Progress | None = None) -> Restored:
    """Restore ``archive`` into the empty ledger of ``context`` (no account exists there yet:
    the accounts come with the backup) and its file folders; nothing is kept unless it
    verifies."""
    return restore_backup(context.db, archive, context.files, progress)
