"""The full report's files as last built into the ledger's reports (``reports/<year>-full``):
listed with their size and time, each marked final when the report register holds it (a final
build records its files with their SHA-256), and one of them resolved for a download. The pages,
the dashboard and the API read them here, never from the disk themselves."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.ledger import report_builds as registry
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.context import Context
from esgledger.services.operation import Capability, Reading, reads
from esgledger.workflow.periods import parse_period

# the files a full report build writes (the documents, and the XLSX data annex)
PREFIXES = ("esgledger-full-report-", "esgledger-annex-")


def report_year(period: str) -> str:
    """The year a full report covers (``period`` checked: a month is refused)."""
    parsed = parse_period(period)
    if parsed.month is not None:
        raise Invalid(
            f"period {period!r} is a month: the full report covers a year", field="period"
        )
    return str(parsed)


def full_folder(context: Context, year: str) -> Path:
    """Where the web and the API build the full report of ``year``."""
    return context.reports_dir / f"{year}-full"


class ReportFiles(Capability):
    @reads("report.read")
    def full(self, call: Reading, period: str) -> dict[str, Any]:
        """The full report of a year as last built: its files (name, size, time, whether the
        register holds it as final), when it was built (the newest file's time) and whether it is
        final (every file registered); ``built_at`` None when it was never built."""
        year = report_year(period)
        folder = full_folder(self.context, year)
        found = sorted(p for p in folder.glob("esgledger-*") if p.name.startswith(PREFIXES))
        files = [_file(call.connection, year, p) for p in found if p.is_file()]
        return {
            "period": year,
            "files": files,
            "built_at": max((f["modified"] for f in files), default=None),
            "final": bool(files) and all(f["final"] for f in files),
        }

    @reads("report.read")
    def full_file(self, call: Reading, period: str, file_name: str) -> Path:
        """The path of one file of the year's full report as last built (NotFound otherwise)."""
        year = report_year(period)
        folder = full_folder(self.context, year).resolve()
        path = (folder / file_name).resolve()
        if path.parent != folder or not file_name.startswith(PREFIXES) or not path.is_file():
            raise NotFound(
                f"no file {file_name} of the {year} full report; build it first", field="file_name"
            )
        return path


def _file(connection: sa.Connection, year: str, path: Path) -> dict[str, Any]:
    stat = path.stat()
    lang = path.stem.rsplit("-", 1)[-1]
    record = registry.latest_build(connection, year, f"{lang}.{path.suffix[1:]}")
    final = (
        record is not None
        and record["size"] == stat.st_size
        and record["sha256"] == _sha256(str(path), stat.st_mtime_ns, stat.st_size)
    )
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
    return {
        "file_name": path.name,
        "lang": lang,
        "format": path.suffix[1:],
        "size": stat.st_size,
        "modified": modified.isoformat(timespec="seconds"),
        "final": final,
    }


@lru_cache(maxsize=256)
def _sha256(path: str, modified_ns: int, size: int) -> str:
    """The SHA-256 of a file as it is at that time and size (a PDF is read once, not at every
    listing)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
