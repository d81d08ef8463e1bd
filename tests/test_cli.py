"""The ``esgledger`` command line, driven through Typer's test runner on both backends.

Exit codes: 0 success, 1 bad input or failed check, 2 unexpected error.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.store import open_database, resolve_url
from esgledger.store.database import URL_ENV
from esgledger.store.schema import entities, factor_sets
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG_HEADER = ["id", "name", "parent", "country", "type"]
ORG_ROWS = [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]]
DATA_HEADER = ["entity", "period", "metric", "value", "unit", "method", "source"]
# 100 t diesel x 1.4571 kgce/kg (GB/T 2589-2020 Appendix A) = 145.71 tce
DIESEL_SOURCE = "GB/T 2589-2020, Appendix A (diesel 柴油)"


@pytest.fixture(autouse=True)
def _no_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    # Rich wraps at the terminal's width (80 without one): a wide console keeps messages whole
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


def cli(db: str | None, *args: str) -> Result:
    prefix = ["--db", db] if db is not None else []
    return CliRunner().invoke(app, [*prefix, *args])


def ok(db: str | None, *args: str) -> str:
    result = cli(db, *args)
    assert result.exit_code == 0, f"{args}: exit {result.exit_code}\n{result.output}"
    return result.output


def fails(db: str | None, *args: str) -> str:
    result = cli(db, *args)
    assert result.exit_code == 1, f"{args}: exit {result.exit_code}\n{result.output}"
    return " ".join(result.output.split())


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A database that exists but was never initialised, on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = sa.make_url(db_url).set(database="postgres")
    name = f"esgledger_fresh_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "org": write_csv(tmp_path / "org.csv", ORG_HEADER, ORG_ROWS),
        "data": write_csv(
            tmp_path / "data.csv",
            DATA_HEADER,
            [
                ["plant", "2024", "energy.diesel", "100", "t", "measured", "fuel ledger"],
            ],
        ),
        "bad": write_csv(
            tmp_path / "bad.csv",
            DATA_HEADER,
            [
                ["plant", "2024", "energy.gasoline", "5", "t", "", ""],
                ["plant", "2024", "energy.diesel", "-100", "t", "", ""],
                ["plant", "2024", "energy.coke", "5", "kWh", "", ""],
            ],
        ),
    }


def _count(url: str, table: sa.Table) -> int:
    database = open_database(url)
    try:
        with database.reading() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
    finally:
        database.dispose()


# -- URLs ----------------------------------------------------------------------------------------


def test_resolve_url_accepts_the_fixture_urls(db_url: str, tmp_path: Path) -> None:
    assert resolve_url(db_url) == db_url
    assert resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


# -- init ----------------------------------------------------------------------------------------


def test_init_creates_and_is_idempotent(fresh_url: str) -> None:
    output = ok(fresh_url, "init")
    assert "ledger ready" in output
    sets = _count(fresh_url, factor_sets)
    assert sets > 0 and f"({sets} factor sets added)" in " ".join(output.split())
    output = ok(fresh_url, "init")
    assert "(0 factor sets added)" in " ".join(output.split())
    assert _count(fresh_url, factor_sets) == sets
    ok(fresh_url, "audit", "verify")


def test_init_on_an_initialised_ledger_keeps_its_data(db_url: str, files: dict[str, Path]) -> None:
    ok(db_url, "org", "import", str(files["org"]))
    output = ok(db_url, "init")
    assert "(0 factor sets added)" in " ".join(output.split())
    assert _count(db_url, entities) == 2
    ok(db_url, "audit", "verify")


# -- the main flow -------------------------------------------------------------------------------


def test_import_calc_show_explain_verify(db_url: str, files: dict[str, Path]) -> None:
    output = ok(db_url, "org", "import", str(files["org"]))
    assert "2 created" in output

    output = ok(db_url, "data", "import", str(files["data"]))
    assert "1 new" in output and "0 corrected" in output
    output = ok(db_url, "data", "import", str(files["data"]))
    assert "0 new" in output and "1 unchanged" in output

    output = ok(db_url, "calc", "--period", "2024")
    assert "calculated" in output and "2024" in output
    # the one diesel figure was imported and submitted, not approved: the calculation says so
    assert "1 of the data points read are not approved yet (1 submitted)" in output

    shown = json.loads(
        ok(db_url, "show", "energy.total_tce", "--entity", "grp", "--period", "2024", "--json")
    )
    assert shown["value"] == pytest.approx(145.71)
    assert shown["unit"] == "tce"
    assert shown["status"] == "calculated"
    reported = json.loads(
        ok(db_url, "show", "energy.diesel", "--entity", "plant", "--period", "2024", "--json")
    )
    assert (reported["value"], reported["unit"], reported["status"]) == (100.0, "t", "submitted")
    text = ok(db_url, "show", "energy.total_tce", "--entity", "grp", "--period", "2024")
    assert "145.71" in text and "tce" in text

    text = ok(db_url, "explain", "energy.total_tce", "--entity", "grp", "--period", "2024")
    assert "energy.total_tce@grp@2024" in text
    assert "energy.total_tce@plant@2024" in text
    assert DIESEL_SOURCE in text
    assert "1.4571" in text and "GB/T 2589-2020" in text

    tree = json.loads(
        ok(db_url, "explain", "energy.total_tce", "--entity", "grp", "--period", "2024", "--json")
    )
    assert tree["root"] == "energy.total_tce@grp@2024"
    records = tree["records"]
    assert tree["root"] in records
    assert records[tree["root"]]["value"] == pytest.approx(145.71)
    assert "energy.total_tce@plant@2024" in records
    assert records["energy.diesel@plant@2024"]["value"] == 100.0
    factors = [f for record in records.values() for f in record.get("factors", [])]
    assert [(f["factor"], f["value"], f["source"]) for f in factors] == [
        ("gbt2589.coal_equivalent.diesel", pytest.approx(1.4571), DIESEL_SOURCE)
    ]

    output = ok(db_url, "audit", "verify")
    assert "intact" in output


def test_bad_data_import_exits_1_with_row_level_messages(
    db_url: str, files: dict[str, Path]
) -> None:
    ok(db_url, "org", "import", str(files["org"]))
    before = _count(db_url, sa.table("datapoints"))
    output = fails(db_url, "data", "import", str(files["bad"]))
    assert "nothing written" in output and "2 problem(s)" in output
    assert f"{files['bad']}, row 3, field 'value': found '-100'" in output
    assert f"{files['bad']}, row 4, field 'unit': found 'kWh'" in output
    assert _count(db_url, sa.table("datapoints")) == before
    ok(db_url, "audit", "verify")


def test_missing_file_exits_1(db_url: str, tmp_path: Path) -> None:
    output = fails(db_url, "data", "import", str(tmp_path / "nowhere.csv"))
    assert "nowhere.csv" in output


def test_unknown_metric_exits_1(db_url: str, files: dict[str, Path]) -> None:
    ok(db_url, "org", "import", str(files["org"]))
    for command in ("show", "explain"):
        output = fails(db_url, command, "energy.unobtainium", "--entity", "grp", "--period", "2024")
        assert "unknown metric 'energy.unobtainium'" in output


def test_value_not_calculated_exits_1_and_says_what_to_run(
    db_url: str, files: dict[str, Path]
) -> None:
    ok(db_url, "org", "import", str(files["org"]))
    output = fails(db_url, "show", "ghg.scope1", "--entity", "grp", "--period", "2023")
    assert "esgledger calc --period 2023" in output
    output = fails(db_url, "explain", "ghg.scope1", "--entity", "grp", "--period", "2023")
    assert "esgledger calc --period 2023" in output


def test_bad_period_exits_1(db_url: str, files: dict[str, Path]) -> None:
    ok(db_url, "org", "import", str(files["org"]))
    output = fails(db_url, "calc", "--period", "FY2024")
    assert "FY2024" in output


# -- a database that was never initialised -------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["audit", "verify"],
        ["org", "import", "{org}"],
        ["data", "import", "{data}"],
        ["calc", "--period", "2024"],
        ["show", "energy.diesel", "--entity", "plant", "--period", "2024"],
        ["explain", "energy.total_tce", "--entity", "grp", "--period", "2024"],
    ],
)
def test_uninitialised_database_exits_1_and_says_run_init(
    fresh_url: str, files: dict[str, Path], command: list[str]
) -> None:
    args = [part.format(org=files["org"], data=files["data"]) for part in command]
    output = fails(fresh_url, *args)
    assert "esgledger init" in output
    assert "Traceback" not in output


def test_sqlite_file_in_a_missing_directory_exits_1(tmp_path: Path) -> None:
    output = fails(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}", "audit", "verify")
    assert "x.db" in output


# -- ESGLEDGER_DATABASE_URL ----------------------------------------------------------------------


def test_environment_url_overrides_db_option(
    db_url: str, tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    monkeypatch.setenv(URL_ENV, db_url)
    ok(str(elsewhere), "org", "import", str(files["org"]))
    output = ok(str(elsewhere), "audit", "verify")
    assert "intact" in output
    assert not elsewhere.exists(), "--db was used although ESGLEDGER_DATABASE_URL is set"
    # and without --db at all
    ok(None, "data", "import", str(files["data"]))
    monkeypatch.delenv(URL_ENV)
    workspace = Ledger.open(db_url)
    try:
        assert {e.id for e in workspace.entities()} == {"grp", "plant"}
        assert [p.metric_id for p in workspace.datapoints(["2024"])] == ["energy.diesel"]
    finally:
        workspace.db.dispose()
