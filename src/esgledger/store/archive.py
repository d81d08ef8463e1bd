"""The backup archive: one gzip-compressed tar file.

Members, in this order::

    ledger.sqlite                  the database snapshot (always SQLite, whatever the source)
    files/evidence/<path>          evidence files, as stored (content-addressed)
    files/reports/<path>           built reports
    files/activity/<path>          stored activity files
    manifest.json                  last: written once every checksum is known

The manifest names the format and its version, the esgledger version, the source (backend, how
the snapshot was taken), the time, the schema revision, the audit chain head, the rows of every
table, and the size and SHA-256 of every other member. Reading checks all of it before anything
is restored, and never extracts a name it did not expect.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from esgledger.errors import EsgLedgerError

FORMAT = "esgledger-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "ledger.sqlite"
FILE_KINDS = ("evidence", "reports", "activity")
CHUNK = 1 << 20


class BackupError(EsgLedgerError):
    """A backup or restore cannot be done; says what and why (the CLI exits 1)."""


class ArchiveError(BackupError):
    """The file is missing, is not a backup, has another format version, or is damaged."""


def esgledger_version() -> str:
    try:
        return version("esgledger")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


@dataclass
class Member:
    """One file of the archive: its name, size and SHA-256."""

    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass
class Manifest:
    created_at: str
    source_backend: str
    source_url: str
    snapshot: str
    schema_revision: str
    audit_head: dict[str, Any]
    tables: dict[str, int]
    database: Member
    files: list[Member] = field(default_factory=list)
    source_files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    esgledger_version: str = field(default_factory=esgledger_version)
    format_version: int = FORMAT_VERSION

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "esgledger_version": self.esgledger_version,
            "created_at": self.created_at,
            "source": {
                "backend": self.source_backend,
                "url": self.source_url,
                "snapshot": self.snapshot,
                "files": self.source_files,
            },
            "schema_revision": self.schema_revision,
            "audit_head": self.audit_head,
            "tables": self.tables,
            "database": self.database.as_dict(),
            "files": [member.as_dict() for member in self.files],
            "warnings": self.warnings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        source = data["source"]
        return cls(
            created_at=str(data["created_at"]),
            source_backend=str(source["backend"]),
            source_url=str(source["url"]),
            snapshot=str(source["snapshot"]),
            schema_revision=str(data["schema_revision"]),
            audit_head=dict(data["audit_head"]),
            tables={str(k): int(v) for k, v in data["tables"].items()},
            database=Member(**data["database"]),
            files=[Member(**member) for member in data["files"]],
            source_files={str(k): str(v) for k, v in source.get("files", {}).items()},
            warnings=[str(w) for w in data.get("warnings", [])],
            esgledger_version=str(data["esgledger_version"]),
            format_version=int(data["format_version"]),
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def member_name(kind: str, relative: str) -> str:
    return f"files/{kind}/{relative}"


def split_member_name(name: str) -> tuple[str, str]:
    """``files/<kind>/<relative>`` as ``(kind, relative)``; anything else is refused."""
    parts = PurePosixPath(name).parts
    if (
        len(parts) < 3
        or parts[0] != "files"
        or parts[1] not in FILE_KINDS
        or name.startswith("/")
        or "\\" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise ArchiveError(f"unexpected member {name!r}")
    return parts[1], "/".join(parts[2:])


class _Hashing(io.RawIOBase):
    """Reads the first ``size`` bytes of a file for tarfile, hashing exactly what it hands on
    (a file that grows meanwhile is cut at the size recorded in its header)."""

    def __init__(self, handle: IO[bytes], size: int):
        self.handle = handle
        self.remaining = size
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(min(len(buffer), self.remaining))
        self.remaining -= len(data)
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


class Writer:
    """Adds members to an archive opened with :func:`open_for_writing`, recording each one's
    size and SHA-256; the manifest goes last."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar = tar

    def add(self, name: str, source: Path) -> Member:
        try:
            with source.open("rb") as handle:
                status = os.fstat(handle.fileno())
                info = tarfile.TarInfo(name)
                info.size = status.st_size
                info.mtime = int(status.st_mtime)
                info.mode = 0o600
                hashing = _Hashing(handle, status.st_size)
                self.tar.addfile(info, io.BufferedReader(hashing, CHUNK))
        except OSError as exc:  # unreadable, or cut short while it was read
            raise BackupError(f"cannot copy {source} into the backup: {exc}") from exc
        return Member(name, status.st_size, hashing.digest.hexdigest())

    def finish(self, manifest: Manifest) -> None:
        data = json.dumps(manifest.as_dict(), ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(data))


def open_for_writing(path: Path) -> tarfile.TarFile:
    return tarfile.open(path, "w:gz", compresslevel=6)


def extract(archive: Path, into: Path) -> tuple[Manifest, dict[str, Path]]:
    """Check ``archive`` whole and extract its members under ``into``: the manifest, and where each
    member listed in it was written. Raises :class:`ArchiveError` naming what is wrong."""
    if not archive.is_file():
        raise ArchiveError(f"no backup file at {archive}")
    found: dict[str, Member] = {}
    written: dict[str, Path] = {}
    manifest_data: bytes | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for number, info in enumerate(tar):
                if info.name == MANIFEST and info.isreg() and manifest_data is None:
                    handle = tar.extractfile(info)
                    assert handle is not None
                    manifest_data = handle.read()
                    continue
                if not info.isreg() or info.name in found:
                    raise ArchiveError(f"unexpected member {info.name!r}")
                if info.name != DATABASE:
                    split_member_name(info.name)
                target = into / f"{number:08d}"
                found[info.name] = _copy_out(tar, info, target)
                written[info.name] = target
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"{archive} is not an esgledger backup archive ({exc})") from exc
    except ArchiveError as exc:
        raise ArchiveError(f"{archive} is not an esgledger backup archive: {exc}") from exc
    manifest = _parse_manifest(archive, manifest_data)
    listed = {member.path: member for member in [manifest.database, *manifest.files]}
    for name, member in listed.items():
        got = found.get(name)
        if got is None:
            raise ArchiveError(f"{archive} is damaged: {name}, listed in its manifest, is missing")
        if (got.size, got.sha256) != (member.size, member.sha256):
            raise ArchiveError(
                f"{archive} is damaged: {name} has SHA-256 {got.sha256} ({got.size} bytes), "
                f"its manifest records {member.sha256} ({member.size} bytes)"
            )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveError(f"{archive} is damaged: {extra[0]} is not listed in its manifest")
    return manifest, written


def _copy_out(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> Member:
    handle = tar.extractfile(info)
    assert handle is not None
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return Member(info.name, size, digest.hexdigest())


def _parse_manifest(archive: Path, data: bytes | None) -> Manifest:
    not_a_backup = f"{archive} is not an esgledger backup"
    if data is None:
        raise ArchiveError(f"{not_a_backup}: it has no {MANIFEST}")
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise ArchiveError(f"{not_a_backup}: its {MANIFEST} is not JSON ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ArchiveError(f"{not_a_backup}: its {MANIFEST} does not name the format {FORMAT}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"{archive} is a backup of format version {raw.get('format_version')!r}; this "
            f"esgledger ({esgledger_version()}) reads format version {FORMAT_VERSION}"
        )
    try:
        return Manifest.from_dict(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(f"{archive} is damaged: its {MANIFEST} lacks {exc}") from exc
