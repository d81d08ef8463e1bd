"""Store an evidence file (content-addressed in the evidence directory) and its audited record."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import authorize
from esgledger.access.principal import Principal
from esgledger.evidence.files import ALLOWED, safe_name, sniff, suffix_matches
from esgledger.ledger.change import Change
from esgledger.service_errors import Invalid, NotFound, TooLarge, UnsupportedMedia
from esgledger.store.schema import datapoints, evidence
from esgledger.workflow.entries import current_by_id
from esgledger.workflow.periods import refuse_if_locked
from esgledger.workflow.queries import evidence_rows, version_ids

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks, ready to be stored."""

    file_name: str
    content_type: str
    sha256: str
    data: bytes


def check(file_name: str, data: bytes, max_bytes: int) -> Checked:
    """Size, type by content, name ending consistent with the content; no I/O."""
    if len(data) > max_bytes:
        raise TooLarge(
            f"the file has {len(data)} bytes; at most {max_bytes} are accepted",
            field="file",
            details={"max_bytes": max_bytes},
        )
    if not data:
        raise Invalid("the file is empty", field="file")
    name = safe_name(file_name)
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedMedia(
            "the file is not a PDF, XLSX, CSV, PNG or JPEG file",
            field="file",
            details={"allowed": sorted(ALLOWED)},
        )
    if not suffix_matches(name, content_type):
        raise UnsupportedMedia(
            f"the file's content is {content_type} but its name {name!r} does "
            f"not end in {' or '.join(ALLOWED[content_type])}",
            field="file",
        )
    return Checked(name, content_type, hashlib.sha256(data).hexdigest(), data)


def storage_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def write_file(directory: Path, checked: Checked) -> str:
    """Write the content once (atomically) under its hash; return the relative path."""
    relative = storage_path(checked.sha256)
    target = directory / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as out:
            out.write(checked.data)
        os.replace(temporary, target)
    return relative


def attach(
    change: Change, user: Principal, datapoint_id: int, checked: Checked, directory: Path
) -> dict[str, Any]:
    """Attach the file to the current version of the data point; audited."""
    connection = change.connection
    point = current_by_id(connection, user, datapoint_id)
    authorize(user, "evidence.upload", point.entity_id)
    refuse_if_locked(connection, point.period)
    relative = write_file(directory, checked)
    record = {
        "datapoint_id": point.id,
        "sha256": checked.sha256,
        "size": len(checked.data),
        "content_type": checked.content_type,
        "file_name": checked.file_name,
        "storage_path": relative,
        "uploaded_by": user.username,
        "uploaded_at": change.at,
    }
    evidence_id, stamp = change.insert_returning_id(evidence, record)
    change.record(
        "evidence.attach",
        "datapoint",
        str(point.id),
        {k: v for k, v in record.items() if k != "storage_path"} | {"evidence_id": evidence_id},
        [stamp],
    )
    (row,) = [r for r in evidence_rows(connection, [point.id]) if r["id"] == evidence_id]
    return row


def locate(
    connection: sa.Connection, user: Principal, evidence_id: int, directory: Path
) -> tuple[dict[str, Any], Path]:
    """The record and file of an evidence item the user may read (NotFound otherwise)."""
    row = connection.execute(
        sa.select(evidence, datapoints.c.entity_id)
        .join(datapoints, datapoints.c.id == evidence.c.datapoint_id)
        .where(evidence.c.id == evidence_id)
    ).first()
    if row is None or not user.sees(row.entity_id):
        raise NotFound(f"no evidence {evidence_id}")
    authorize(user, "evidence.read", row.entity_id)
    path = (directory / row.storage_path).resolve()
    if directory.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"the file of evidence {evidence_id} is missing from the evidence store")
    (record,) = [r for r in evidence_rows(connection, [row.datapoint_id]) if r["id"] == evidence_id]
    return record, path


def list_for(connection: sa.Connection, user: Principal, datapoint_id: int) -> list[dict[str, Any]]:
    point = current_by_id(connection, user, datapoint_id)
    authorize(user, "evidence.read", point.entity_id)
    return evidence_rows(connection, version_ids(connection, point))
