"""Activity files: reading (Arrow, DuckDB), hashing, and the content-addressed store beside the
ledger.

An imported file is copied, byte for byte, to ``<store>/<sha256><suffix>``, in the folder that
:func:`esgledger.store.locations.activity_dir` names. The ledger keeps the hash (import batch), so a
stored file can always be checked against what was imported.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from esgledger.store import locations

SUFFIXES = (".parquet", ".csv")
COLUMNS = ("entity", "ts", "metric", "quantity", "unit")
ROW_COLUMN = "__row"


@dataclass(frozen=True)
class StoredFile:
    """An imported activity file: its batch, original name, hash and place in the store."""

    batch_id: int
    name: str
    sha256: str
    path: Path

    @property
    def is_csv(self) -> bool:
        return self.path.suffix.lower() == ".csv"


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose timestamps with a time zone are read in UTC."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def literal(path: Path) -> str:
    """``path`` as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_csv_text(path: Path, with_rows: bool = False) -> pa.Table:
    """A CSV file as text columns (empty cells null); ``__row`` numbers rows as a spreadsheet
    does (header row 1) when ``with_rows``."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=True
        ),
    )
    if with_rows:
        table = table.append_column(ROW_COLUMN, pa.array(range(2, table.num_rows + 2), pa.int64()))
    return table


def store_dir(url: sa.URL) -> Path:
    """Where the activity files of the ledger at ``url`` are kept."""
    return locations.activity_dir(url)


def store_file(path: Path, sha256: str, directory: Path) -> Path:
    """Copy ``path`` into the store under its hash (atomically; a file already there is kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{sha256}{path.suffix.lower()}"
    if target.exists() and sha256_of(target) == sha256:
        return target
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    os.close(handle)
    try:
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
