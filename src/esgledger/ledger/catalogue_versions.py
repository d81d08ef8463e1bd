"""The versions of the organisation's own catalogue: each import adds one, holding the whole of
the organisation's metrics, axes and members (canonical JSON); the newest is in effect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.catalogue import organisation as org
from esgledger.ledger.canonical import canonical_json
from esgledger.ledger.change import Change
from esgledger.store.schema import catalogue_versions

_NEWEST_VERSION = sa.select(sa.func.max(catalogue_versions.c.version))


@dataclass(frozen=True)
class CatalogueVersion:
    version: int
    content: dict[str, Any]
    sha256: str
    file_name: str
    imported_at: str
    imported_by: str

    def summary(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "sha256": self.sha256,
            "file": self.file_name,
            "at": self.imported_at,
            "by": self.imported_by,
            "metrics": len(self.content.get("metrics") or {}),
            "axes": len(self.content.get("axes") or {}),
            "members": sum(len(m) for m in (self.content.get("members") or {}).values()),
        }


def newest_version(connection: sa.Connection) -> int:
    """The number of the version in effect; 0 when the organisation has added nothing."""
    return int(connection.execute(_NEWEST_VERSION).scalar() or 0)


def read_version(connection: sa.Connection, version: int) -> CatalogueVersion | None:
    row = connection.execute(
        sa.select(catalogue_versions).where(catalogue_versions.c.version == version)
    ).first()
    if row is None:
        return None
    return CatalogueVersion(
        row.version,
        json.loads(row.content),
        row.sha256,
        row.file_name,
        row.imported_at,
        row.imported_by,
    )


def history(connection: sa.Connection) -> list[CatalogueVersion]:
    versions = connection.execute(
        sa.select(catalogue_versions.c.version).order_by(catalogue_versions.c.version)
    ).scalars()
    return [v for v in (read_version(connection, n) for n in versions) if v is not None]


def record_version(change: Change, content: dict[str, Any], file_name: str) -> CatalogueVersion:
    """Store ``content`` as the next version, with an audit entry naming what it adds."""
    version = newest_version(change.connection) + 1
    sha = org.content_sha256(content)
    stored_name = file_name[:200]
    row = {
        "version": version,
        "content": canonical_json(content),
        "sha256": sha,
        "file_name": stored_name,
        "imported_at": change.at,
        "imported_by": change.actor,
    }
    stamps = change.insert(catalogue_versions, [row])
    stored = CatalogueVersion(version, content, sha, stored_name, change.at, change.actor)
    change.record("catalogue.import", "catalogue", str(version), stored.summary(), stamps)
    return stored
