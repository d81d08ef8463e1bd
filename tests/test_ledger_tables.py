"""``audit verify`` proves the tables hold what the audit log wrote: a row changed, removed or added
by a database writer is found and named (table and row), on both backends; ``recompute`` does not
adopt a tampered input as its baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli.main import app
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG = [
    ["id", "name", "parent", "country", "aliases"],
    ["grp", "Group", "", "CN", ""],
    ["smelter", "Smelter", "grp", "CN", "SM-01"],
    ["plant", "Power plant", "grp", "CN", ""],
]
DATA_HEADER = ["entity", "period", "metric", "value", "unit"]


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    """A group with data, a correction, transfers, certificates, a calculation, users, a period
    lock and settings: every tracked table has rows."""
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG[0], ORG[1:]))
    ws.import_data(
        write_csv(
            tmp_path / "d1.csv",
            DATA_HEADER,
            [
                ["smelter", "2024", "energy.raw_coal", "100", "t"],
                ["smelter", "2024", "energy.electricity_purchased", "2000", "MWh"],
                ["plant", "2024", "energy.raw_coal", "5000", "t"],
                ["plant", "2024", "production.electricity_generated", "9000", "MWh"],
                ["plant", "2023", "energy.raw_coal", "4900", "t"],
            ],
        )
    )
    ws.import_data(
        write_csv(
            tmp_path / "d2.csv", DATA_HEADER, [["smelter", "2024", "energy.raw_coal", "101", "t"]]
        )
    )
    ws.import_transfers(
        write_csv(
            tmp_path / "transfers.csv",
            ["from", "to", "period", "carrier", "value", "unit"],
            [["plant", "smelter", "2024", "electricity", "500", "MWh"]],
        )
    )
    ws.import_certificates(
        write_csv(
            tmp_path / "certificates.csv",
            ["entity", "period", "scheme", "certificate_id", "mwh"],
            [["smelter", "2024", "GEC", "GEC-0001", "100"]],
        )
    )
    ws.set_base_year("2023")
    ws.calc("2024")
    services = ws.services
    admin = services.accounts.create(ws.admin, "boss", "correct horse battery", "admin", [])
    owner = services.accounts.create(
        ws.admin, "wang", "correct horse battery", "data_owner", ["plant"]
    )
    assert admin and owner
    result = ws.verify_audit()
    assert result.ok, result.problem
    return ws


def execute(ws: Ledger, sql: str, **params: object) -> None:
    with ws.db.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def datapoint_id(ws: Ledger, entity: str, metric: str, period: str = "2024") -> int:
    with ws.db.reading() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT id FROM datapoints WHERE entity_id = :e AND metric_id = :m "
                    "AND period = :p AND is_current"
                ),
                {"e": entity, "m": metric, "p": period},
            ).scalar_one()
        )


def test_intact_ledger_checks_every_tracked_row(ledger: Ledger) -> None:
    result = ledger.verify_audit()
    assert result.ok and result.differences == 0
    with ledger.db.reading() as connection:
        calc_values = connection.execute(sa.text("SELECT count(*) FROM calc_values")).scalar_one()
        factor_values = connection.execute(
            sa.text("SELECT count(*) FROM factor_values")
        ).scalar_one()
    assert result.rows_checked > calc_values + factor_values


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("UPDATE datapoints SET value = value * 0.5 WHERE id = :dp", "datapoints"),
        ("UPDATE datapoints SET status = 'approved' WHERE id = :dp", "datapoints"),
        ("UPDATE datapoints SET created_by = 'someone' WHERE id = :dp", "datapoints"),
        ("UPDATE transfers SET value = 1, value_normalised = 1", "transfers"),
        ("UPDATE certificates SET mwh = 99999", "certificates"),
        ("UPDATE users SET role = 'admin' WHERE username = 'wang'", "users"),
        ("UPDATE settings SET value = '2022' WHERE key = 'base_year'", "settings"),
        ("UPDATE entities SET parent_id = NULL WHERE id = 'plant'", "entities"),
        ("UPDATE entity_aliases SET entity_id = 'plant'", "entity_aliases"),
        ("UPDATE import_batches SET actor = 'nobody'", "import_batches"),
        ("UPDATE calc_runs SET options = '{}'", "calc_runs"),
        ("UPDATE factor_sets SET citation = 'none' WHERE set_id = 'gbt2589'", "factor_sets"),
    ],
)
def test_a_changed_row_is_named(ledger: Ledger, sql: str, table: str) -> None:
    execute(ledger, sql, dp=datapoint_id(ledger, "smelter", "energy.raw_coal"))
    result = ledger.verify_audit()
    assert not result.ok
    assert (result.table, result.kind) == (table, "row_changed"), result.problem
    assert f"table {table}, row " in (result.problem or "")
    assert "differ from what audit entry" in (result.problem or "")


def test_the_changed_data_point_is_named_by_its_id(ledger: Ledger) -> None:
    target = datapoint_id(ledger, "smelter", "energy.electricity_purchased")
    execute(ledger, "UPDATE datapoints SET value = value * 0.5 WHERE id = :dp", dp=target)
    result = ledger.verify_audit()
    assert result.row == f"[{target}]"
    assert f"datapoint.create by {ledger.admin_name}" in (result.problem or "")


def test_a_changed_key_is_a_row_added_and_one_missing(ledger: Ledger) -> None:
    execute(ledger, "UPDATE user_entities SET entity_id = 'grp' WHERE username = 'wang'")
    result = ledger.verify_audit()
    assert (result.table, result.row, result.kind) == (
        "user_entities",
        '["wang","grp"]',
        "row_unlogged",
    )
    assert result.differences == 2  # and ["wang","plant"] is missing


def test_a_deleted_row_is_missing(ledger: Ledger) -> None:
    target = datapoint_id(ledger, "plant", "energy.raw_coal", "2023")
    execute(ledger, "DELETE FROM datapoints WHERE id = :dp", dp=target)
    result = ledger.verify_audit()
    assert (result.table, result.row, result.kind) == ("datapoints", f"[{target}]", "row_missing")
    assert "is missing" in (result.problem or "")


def test_a_row_added_outside_esgledger_is_not_in_the_log(ledger: Ledger) -> None:
    execute(
        ledger,
        "INSERT INTO period_locks (period, locked, reason, changed_by, changed_at) "
        "VALUES ('2024', :locked, 'sneaky', 'x', '2024-01-01')",
        locked=True,
    )
    result = ledger.verify_audit()
    assert (result.table, result.row, result.kind) == ("period_locks", '["2024"]', "row_unlogged")
    assert "not in the audit log" in (result.problem or "")


def test_changed_calculated_values_are_found(ledger: Ledger) -> None:
    execute(ledger, "UPDATE calc_values SET value = value * 2 WHERE metric_id = 'ghg.scope1'")
    result = ledger.verify_audit()
    assert (result.table, result.kind) == ("calc_runs", "values_changed"), result.problem
    assert "calc_values rows differ" in (result.problem or "")


def test_changed_factor_values_are_found(ledger: Ledger) -> None:
    execute(ledger, "UPDATE factor_values SET value = value * 2 WHERE factor_set = 'mrv2015'")
    result = ledger.verify_audit()
    assert (result.table, result.kind) == ("factor_sets", "values_changed"), result.problem


def test_every_difference_is_counted(ledger: Ledger) -> None:
    execute(ledger, "UPDATE datapoints SET note = 'x'")
    result = ledger.verify_audit()
    with ledger.db.reading() as connection:
        points = connection.execute(sa.text("SELECT count(*) FROM datapoints")).scalar_one()
    assert result.differences == points
    assert f"({points - 1} more row(s) differ)" in (result.problem or "")


def test_failed_sign_ins_are_not_ledger_contents(ledger: Ledger, tmp_path: Path) -> None:
    services = ledger.services
    for _ in range(3):
        with pytest.raises(Exception, match="wrong user name or password"):
            services.accounts.authenticate("wang", "not the password", "127.0.0.1")
    assert ledger.verify_audit().ok


def test_recompute_does_not_adopt_a_tampered_input(ledger: Ledger) -> None:
    """The issue's case: a value halved in the database, then a calculation: recompute used to
    pass, because the new run's lineage holds the tampered value."""
    target = datapoint_id(ledger, "plant", "energy.raw_coal")
    execute(
        ledger,
        "UPDATE datapoints SET value = value * 0.5, value_normalised = "
        "value_normalised * 0.5 WHERE id = :dp",
        dp=target,
    )
    ledger.calc("2024")
    found = [d for d in ledger.recompute("2024") if not d.ok]
    assert found, "recompute adopted the tampered data point"
    assert any(f"[{target}]" in (d.problem or "") for d in found)


def test_cli_verify_names_the_table_and_row(ledger: Ledger, db_url: str) -> None:
    target = datapoint_id(ledger, "smelter", "energy.raw_coal")
    execute(ledger, "UPDATE datapoints SET value = 1 WHERE id = :dp", dp=target)
    ledger.db.dispose()
    result = CliRunner().invoke(app, ["--db", db_url, "audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"table datapoints, row [{target}]" in " ".join(result.output.split())
