"""Where a ledger's files live: evidence files, built reports and stored activity files.

One rule for every caller (the collaboration service, the bulk activity store, backup and
restore):

- a SQLite ledger keeps its files beside the database file: ``NAME-files/evidence``,
  ``NAME-files/reports`` (for ``NAME.db``) and ``NAME.db.activity/``;
- any other ledger (PostgreSQL) keeps evidence and reports in the folder named by
  ``ESGLEDGER_FILES_DIR`` (default ``./esgledger-files``) and activity files in
  ``ESGLEDGER_DATA_DIR/activity`` (default ``./esgledger-data/activity``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

FILES_DIR_ENV = "ESGLEDGER_FILES_DIR"
DEFAULT_FILES_DIR = "esgledger-files"
DATA_DIR_ENV = "ESGLEDGER_DATA_DIR"
DEFAULT_DATA_DIR = "./esgledger-data"


def _sqlite_file(url: sa.URL) -> Path | None:
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        return Path(database)
    return None


def files_dir(url: sa.URL) -> Path:
    """The folder holding ``evidence/`` and ``reports/`` of the ledger at ``url``."""
    database = _sqlite_file(url)
    if database is not None:
        return database.with_name(f"{database.stem}-files")
    return Path(os.environ.get(FILES_DIR_ENV) or DEFAULT_FILES_DIR)


def activity_dir(url: sa.URL) -> Path:
    """The folder of the stored activity files of the ledger at ``url``."""
    database = _sqlite_file(url)
    if database is not None:
        return Path(f"{database}.activity")
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR) / "activity"


@dataclass(frozen=True)
class LedgerFiles:
    """The three folders of one ledger's files."""

    evidence: Path
    reports: Path
    activity: Path

    @classmethod
    def of(cls, url: sa.URL) -> LedgerFiles:
        """The folders the rule above gives for the ledger at ``url``."""
        root = files_dir(url)
        return cls(root / "evidence", root / "reports", activity_dir(url))
