"""Backup and restore (issue 8, part 4), where a ledger's files live, and SQLite durability."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli.main import app
from esgledger.store import locations
from esgledger.store.database import SYNCHRONOUS_ENV, URL_ENV, open_database


# -- where the files live ------------------------------------------------------------------------
def test_a_sqlite_ledger_keeps_its_files_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(locations.FILES_DIR_ENV, str(tmp_path / "elsewhere"))
    monkeypatch.setenv(locations.DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    files = locations.LedgerFiles.of(sa.make_url(f"sqlite:///{tmp_path}/group.db"))
    assert files == locations.LedgerFiles(
        evidence=tmp_path / "group-files" / "evidence",
        reports=tmp_path / "group-files" / "reports",
        activity=tmp_path / "group.db.activity",
    )


def test_a_server_ledger_keeps_its_files_where_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sa.make_url("postgresql+psycopg://postgres@127.0.0.1/ledger")
    monkeypatch.delenv(locations.FILES_DIR_ENV, raising=False)
    monkeypatch.delenv(locations.DATA_DIR_ENV, raising=False)
    assert locations.LedgerFiles.of(url) == locations.LedgerFiles(
        Path("esgledger-files/evidence"),
        Path("esgledger-files/reports"),
        Path("esgledger-data/activity"),
    )
    monkeypatch.setenv(locations.FILES_DIR_ENV, str(tmp_path / "files"))
    monkeypatch.setenv(locations.DATA_DIR_ENV, str(tmp_path / "data"))
    assert locations.LedgerFiles.of(url) == locations.LedgerFiles(
        tmp_path / "files" / "evidence", tmp_path / "files" / "reports", tmp_path / "data/activity"
    )


# -- durability ----------------------------------------------------------------------------------
def _synchronous(path: Path) -> int:
    database = open_database(f"sqlite:///{path}")
    try:
        with database.reading() as connection:
            return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())
    finally:
        database.dispose()


def test_sqlite_commits_sync_normal_unless_full_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SYNCHRONOUS_ENV, raising=False)
    assert _synchronous(tmp_path / "a.db") == 1  # NORMAL
    monkeypatch.setenv(SYNCHRONOUS_ENV, "full")
    assert _synchronous(tmp_path / "a.db") == 2  # FULL


def test_an_unknown_synchronous_level_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SYNCHRONOUS_ENV, "OFF")
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(ValueError, match="ESGLEDGER_SQLITE_SYNCHRONOUS is 'OFF'; expected NORMAL"):
        open_database(f"sqlite:///{tmp_path / 'a.db'}")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "a.db"), "init"])
    assert result.exit_code == 1
    assert "ESGLEDGER_SQLITE_SYNCHRONOUS is 'OFF'" in result.stderr
