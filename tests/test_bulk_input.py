"""Bad activity files (issue 3, "Bad input"): missing columns, wrong units, dates outside the period
and the other record checks each name the record and the field, many alike are counted, and
nothing from the batch is written: no import batch, no audit entry, no stored file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli.main import app
from esgledger.errors import EsgLedgerError, InputIssue, InputRejected
from esgledger.ingest.activity_files import store_dir
from esgledger.store.database import URL_ENV
from esgledger.store.schema import audit_log, datapoints, import_batches
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

HEADER = ["id", "name", "parent", "country", "type", "grid_region", "aliases"]
GOOD = ("plant", dt.datetime(2024, 5, 1, 8), "energy.natural_gas", 100.0, "m3")


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(URL_ENV, raising=False)
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            HEADER,
            [
                ["grp", "Group", "", "CN", "group", "", ""],
                ["plant", "Plant", "grp", "CN", "plant", "", "Plant No. 1;一厂"],
            ],
        )
    )
    return ws


def parquet(path: Path, rows: list[tuple[Any, ...]], drop: str | None = None) -> Path:
    names = ["entity", "ts", "metric", "quantity", "unit"]
    types = [pa.string(), pa.timestamp("us"), pa.string(), pa.float64(), pa.string()]
    columns = {
        n: pa.array([r[i] for r in rows], t)
        for i, (n, t) in enumerate(zip(names, types, strict=True))
        if n != drop
    }
    pq.write_table(pa.table(columns), path)
    return path


def written(ws: Ledger) -> tuple[int, int, int]:
    with ws.db.reading() as connection:
        return tuple(
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (import_batches, datapoints, audit_log)
        )  # type: ignore[return-value]


def rejected(ws: Ledger, path: Path, period: str = "2024") -> list[InputIssue]:
    store = store_dir(ws.db.engine.url)
    before = written(ws), sorted(store.glob("*")) if store.exists() else []
    with pytest.raises(InputRejected) as caught:
        ws.import_activity(path, period)
    after = written(ws), sorted(store.glob("*")) if store.exists() else []
    assert after == before, "a rejected file was written to the ledger or the store"
    return caught.value.issues


def test_missing_columns_are_named(ledger: Ledger, tmp_path: Path) -> None:
    issues = rejected(ledger, parquet(tmp_path / "a.parquet", [GOOD], drop="unit"))
    assert [(i.row, i.field, i.found) for i in issues] == [(None, "unit", "no such column")]
    csv = write_csv(
        tmp_path / "a.csv",
        ["entity", "metric", "quantity", "unit"],
        [["plant", "energy.diesel", "1", "t"]],
    )
    assert [(i.field, i.found) for i in rejected(ledger, csv)] == [("ts", "no such column")]


def test_wrong_units_name_the_record_and_are_counted(ledger: Ledger, tmp_path: Path) -> None:
    rows = [GOOD] * 3 + [("plant", GOOD[1], "energy.natural_gas", 5.0, "kWh")] * 25
    rows += [("plant", GOOD[1], "energy.diesel", 1.0, "furlongs")]
    issues = rejected(ledger, parquet(tmp_path / "u.parquet", rows))
    by_value = {i.found: i for i in issues}
    assert set(by_value) == {"kWh", "furlongs"}
    wrong = by_value["kWh"]
    assert (wrong.row, wrong.field) == (4, "unit")
    assert "10^4 m3 (万立方米)" in wrong.expected and "25 records" in wrong.expected
    assert "wan_m3" not in wrong.expected  # the spelling a user types, not the registry name
    assert (by_value["furlongs"].row, by_value["furlongs"].field) == (29, "unit")


def test_dates_outside_the_period_are_listed_then_counted(ledger: Ledger, tmp_path: Path) -> None:
    late = ("plant", dt.datetime(2025, 1, 1), "energy.natural_gas", 1.0, "m3")
    early = ("plant", dt.datetime(2023, 12, 31, 23, 59, 59), "energy.natural_gas", 1.0, "m3")
    edge = ("plant", dt.datetime(2024, 12, 31, 23, 59, 59), "energy.natural_gas", 1.0, "m3")
    issues = rejected(ledger, parquet(tmp_path / "d.parquet", [edge, early] + [late] * 30))
    listed = [i for i in issues if i.row is not None]
    assert [(i.row, i.field) for i in listed] == [(2, "ts")] + [(r, "ts") for r in range(3, 12)]
    assert listed[0].found.startswith("2023-12-31 23:59:59")
    [rest] = [i for i in issues if i.row is None]
    assert rest.field == "ts" and "21 more records" in rest.found and "31 in all" in rest.found


def test_unknown_entities_metrics_and_bad_quantities(ledger: Ledger, tmp_path: Path) -> None:
    rows = [
        ("nowhere", GOOD[1], "energy.diesel", 1.0, "t"),
        ("plant", GOOD[1], "energy.electricity_internal", 1.0, "MWh"),
        ("plant", GOOD[1], "energy.diesel", -2.0, "t"),
        ("plant", GOOD[1], "energy.diesel", None, "t"),
        ("plant", None, "energy.diesel", 1.0, "t"),
    ]
    issues = rejected(ledger, parquet(tmp_path / "e.parquet", rows))
    assert [(i.row, i.field) for i in issues] == [
        (1, "entity"),
        (2, "metric"),
        (3, "quantity"),
        (4, "quantity"),
        (5, "ts"),
    ]
    assert "energy.electricity_internal" not in issues[1].expected.split("one of ")[1]
    assert issues[3].found == "an empty cell"


def test_csv_cells_that_are_not_numbers_or_timestamps(ledger: Ledger, tmp_path: Path) -> None:
    csv = write_csv(
        tmp_path / "b.csv",
        ["entity", "ts", "metric", "quantity", "unit"],
        [
            ["plant", "2024-03-01 10:00", "energy.diesel", "1.5", "t"],
            ["plant", "yesterday", "energy.diesel", "1.5", "t"],
            ["Plant No. 1", "2024-03-02", "energy.diesel", "1,5", "t"],
        ],
    )
    issues = rejected(ledger, csv)
    assert [(i.row, i.field, i.found) for i in issues] == [
        (3, "ts", "yesterday"),
        (4, "quantity", "1,5"),
    ]


def test_a_column_of_the_wrong_type(ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "entity": ["plant"],
                "ts": [GOOD[1]],
                "metric": [GOOD[2]],
                "quantity": [True],
                "unit": ["m3"],
            }
        ),
        path,
    )
    [issue] = rejected(ledger, path)
    assert (issue.row, issue.field, issue.found) == (None, "quantity", "a column of type BOOLEAN")


def test_empty_unreadable_and_unsupported_files(ledger: Ledger, tmp_path: Path) -> None:
    assert rejected(ledger, parquet(tmp_path / "n.parquet", []))[0].found == "no records"
    (tmp_path / "x.parquet").write_text("not parquet")
    assert rejected(ledger, tmp_path / "x.parquet")[0].field == "file"
    (tmp_path / "x.xlsx").write_text("")
    assert rejected(ledger, tmp_path / "x.xlsx")[0].found == "a .xlsx file"


def test_a_file_imported_twice_and_a_month_period(ledger: Ledger, tmp_path: Path) -> None:
    path = parquet(tmp_path / "g.parquet", [GOOD, ("Plant No. 1", *GOOD[1:])])
    first = ledger.import_activity(path, "2024")
    assert first.records == 2 and Path(first.stored).name == f"{first.sha256}.parquet"
    [issue] = rejected(ledger, path)
    assert issue.field == "file" and f"batch {first.batch_id}" in issue.found
    with pytest.raises(EsgLedgerError, match="reporting year"):
        ledger.import_activity(path, "2024-05")
    with pytest.raises(EsgLedgerError, match="no activity files imported for 2023"):
        ledger.calc_activity("2023")


def test_the_cli_commands(
    ledger: Ledger, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "2000")
    bad = parquet(tmp_path / "bad.parquet", [("plant", GOOD[1], "energy.diesel", 1.0, "kWh")])
    result = CliRunner().invoke(
        app, ["--db", db_url, "activity", "import", str(bad), "--period", "2024"]
    )
    assert result.exit_code == 1 and "row 1, field 'unit'" in result.output
    good = parquet(tmp_path / "good.parquet", [GOOD])
    result = CliRunner().invoke(
        app, ["--db", db_url, "activity", "import", str(good), "--period", "2024"]
    )
    assert result.exit_code == 0 and "imported 1 activity records" in result.output
    result = CliRunner().invoke(app, ["--db", db_url, "activity", "calc", "--period", "2024"])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output  # May energy and Scope 1 of the plant
    assert ledger.show("activity.energy_tce", "plant", "2024-05").value == pytest.approx(
        100 * 1.2143 / 1000
    )  # 100 m3 x 1.2143 kgce/m3 (GB/T 2589-2020 Appendix A)
