"""Online backup (admins): the ledger and its evidence, report and activity files in one
archive, written into the ledger's files folder (``backups/``); recorded in the audit log."""

from __future__ import annotations

from fastapi import APIRouter

from esgledger.api.deps import Service, User
from esgledger.api.models_admin import BackupOut

router = APIRouter(tags=["backups"])


@router.post("/backups", response_model=BackupOut, status_code=201)
def backup(user: User, service: Service) -> BackupOut:
    """Back up the ledger while it is in use: a consistent snapshot of the database and its
    files, with a manifest of checksums, kept on the server in the files folder's ``backups/``
    (restore it with ``esgledger restore``). Admin."""
    kept = service.backups.keep(user)
    return BackupOut(file=kept.file, manifest=kept.manifest.as_dict())
