"""``esgledger recompute`` and ``Ledger.recompute``: re-derive stored values from their lineage.

- right after a calculation every stored value re-derives: 0 differences, exit 0;
- after tampering with the ledger behind the engine's back (the value inside a stored lineage JSON,
  the stored value column, a data point's value_normalised, a transfer in the register) recompute
  names the value that no longer follows and the CLI exits 1;
- a past inventory is reproduced with the factor editions it used after a newer edition of a factor
  set was loaded (a revised version of the same edition, or a new data year), while a fresh
  calculation uses the new factor.

Numbers (standards.md 5(a)(ii), 5(c)): power plant raw coal 1 000 t x 1.8665366104 tCO2/t (GB/T 2589 NCV
20.908 GJ/t x 26.18 tC/TJ x 93 % x 44/12); smelter 1 000 MWh x 0.5306 (national average, data year
2023) = 530.6 tCO2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.ledger.change import changing
from esgledger.store.database import URL_ENV
from esgledger.store.schema import calc_runs, calc_values, datapoints, factor_sets, factor_values
from esgledger.store.schema import transfers as transfers_table
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

PERIOD = "2024"
LEDGER = "audit verify"  # the difference naming the first table row that differs from the log
GRID_SET, GRID_FACTOR = "cn_grid_mee", "cn_grid_mee.national_average"


@pytest.fixture(autouse=True)
def _no_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setenv("COLUMNS", "2000")


@pytest.fixture
def calculated(ws: Ledger, tmp_path: Path) -> Iterator[Ledger]:
    """A group with a captive power plant supplying a smelter that also buys grid electricity and
    claims certificates; 2024 calculated and stored."""
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ["id", "name", "parent", "country", "type", "grid_region"],
            [
                ["grp", "Group", "", "CN", "group", ""],
                ["power", "Power plant", "grp", "CN", "plant", "northwest"],
                ["smelter", "Smelter", "grp", "CN", "plant", "northwest"],
            ],
        )
    )
    ws.import_data(
        write_csv(
            tmp_path / "data.csv",
            ["entity", "period", "metric", "value", "unit"],
            [
                ["power", PERIOD, "energy.raw_coal", "1000", "t"],
                ["power", PERIOD, "production.electricity_generated", "2000", "MWh"],
                ["smelter", PERIOD, "production.primary_aluminium", "10000", "t"],
                ["smelter", PERIOD, "process.anode_net_consumption", "0.41", "tC/t"],
                ["smelter", PERIOD, "process.anode_effect_minutes", "0.3", "1"],
                ["smelter", PERIOD, "energy.electricity_purchased", "1000", "MWh"],
                ["smelter", PERIOD, "process.limestone", "100", "t"],
                ["smelter", PERIOD, "scope3.transport_upstream_rail", "1000000", "t*km"],
            ],
        )
    )
    ws.import_transfers(
        write_csv(
            tmp_path / "transfers.csv",
            ["from", "to", "period", "carrier", "value", "unit"],
            [["power", "smelter", PERIOD, "electricity", "1500", "MWh"]],
        )
    )
    ws.import_certificates(
        write_csv(
            tmp_path / "certificates.csv",
            ["entity", "period", "scheme", "certificate_id", "mwh"],
            [["smelter", PERIOD, "GEC", "GEC-R-1", "200"]],
        )
    )
    ws.calc(PERIOD)
    yield ws


def cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", db_url, *args])


def _differences(ws: Ledger) -> dict[str, str | None]:
    """The differences recompute reports, without the one that says the tables differ from the
    audit log (every tampering below is also that; tests/test_ledger_tables.py covers it)."""
    found = {check.key: check.problem for check in ws.recompute(PERIOD) if not check.ok}
    found.pop(LEDGER, None)
    return found


def _current_run_id(ws: Ledger) -> int:
    with ws.db.reading() as connection:
        return connection.execute(
            sa.select(calc_runs.c.id).where(
                calc_runs.c.period == PERIOD,
                calc_runs.c.kind == "inventory",
                calc_runs.c.is_current.is_(True),
            )
        ).scalar_one()


def _stored(ws: Ledger, metric: str, entity: str) -> sa.Row:
    with ws.db.reading() as connection:
        return connection.execute(
            sa.select(calc_values).where(
                calc_values.c.run_id == _current_run_id(ws),
                calc_values.c.metric_id == metric,
                calc_values.c.entity_id == entity,
            )
        ).one()


def _update(ws: Ledger, statement: sa.Executable) -> None:
    with ws.db.transaction() as connection:
        assert connection.execute(statement).rowcount == 1


def _tamper_lineage(ws: Ledger, metric: str, entity: str, delta: float) -> None:
    """Change the value inside the stored lineage JSON of one value (nothing else)."""
    row = _stored(ws, metric, entity)
    record = json.loads(row.lineage)
    record["value"] += delta
    _update(
        ws,
        calc_values.update()
        .where(
            calc_values.c.run_id == row.run_id,
            calc_values.c.metric_id == metric,
            calc_values.c.entity_id == entity,
        )
        .values(lineage=json.dumps(record, ensure_ascii=False)),
    )


# -- nothing changed -------------------------------------------------------------------------------


def test_recompute_after_calc_reports_no_difference(calculated: Ledger, db_url: str) -> None:
    checks = calculated.recompute(PERIOD)
    kinds = {check.kind for check in checks}
    assert {"formula", "rollup", "input"} <= kinds, kinds
    assert len(checks) > 50
    assert [c.as_dict() for c in checks if not c.ok] == []

    result = cli(db_url, "recompute", "--period", PERIOD)
    assert result.exit_code == 0, result.output
    assert f"recomputed {len(checks)} value(s): 0 difference(s)" in " ".join(result.output.split())

    result = cli(db_url, "recompute", "--period", PERIOD, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report == {"checked": len(checks), "differences": []}


def test_recompute_of_one_value_and_its_tree(calculated: Ledger, db_url: str) -> None:
    checks = calculated.recompute(PERIOD, "ghg.scope12_location", "grp")
    keys = {check.key for check in checks}
    assert "ghg.scope12_location@grp@2024" in keys
    assert "ghg.scope2_internal@smelter@2024" in keys  # reached through the tree
    assert all(check.ok for check in checks)
    result = cli(
        db_url,
        "recompute",
        "--period",
        PERIOD,
        "--metric",
        "ghg.scope12_location",
        "--entity",
        "grp",
    )
    assert result.exit_code == 0, result.output


def test_recompute_of_a_metric_without_its_entity_is_refused(
    calculated: Ledger, db_url: str
) -> None:
    result = cli(db_url, "recompute", "--period", PERIOD, "--metric", "ghg.scope12_location")
    assert result.exit_code == 1
    assert "both metric and entity" in " ".join(result.output.split())
    result = cli(db_url, "recompute", "--period", PERIOD, "--entity", "grp")
    assert result.exit_code == 1
    assert "both metric and entity" in " ".join(result.output.split())


def test_recompute_before_any_calc_is_an_error(ws: Ledger, db_url: str) -> None:
    result = cli(db_url, "recompute", "--period", "2023")
    assert result.exit_code == 1
    assert "no calculation for 2023" in " ".join(result.output.split())


# -- tampering -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric,entity",
    [
        ("ghg.scope1_stationary", "power"),  # a formula value (combustion)
        ("ghg.pfc", "smelter"),  # a formula value (slope method, per gas)
        ("ghg.scope2_internal", "smelter"),  # valued at the supplier's rate
        ("ghg.scope2_market_electricity", "smelter"),
        ("ghg.scope1", "grp"),  # a roll-up
        ("ghg.scope2_location", "grp"),  # a roll-up with an elimination
    ],
)
def test_tampered_lineage_value_is_reported(
    calculated: Ledger, db_url: str, metric: str, entity: str
) -> None:
    _tamper_lineage(calculated, metric, entity, 1.0)
    key = f"{metric}@{entity}@{PERIOD}"
    differences = _differences(calculated)
    assert list(differences) == [key], differences
    assert "re-derived" in str(differences[key])

    result = cli(db_url, "recompute", "--period", PERIOD)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert f"difference {key}" in text and "2 difference(s)" in text
    assert f"difference {LEDGER}: the ledger's tables are not what its audit log recorded" in text
    report = json.loads(cli(db_url, "recompute", "--period", PERIOD, "--json").output)
    assert [d["key"] for d in report["differences"]] == [LEDGER, key]


def test_tampered_stored_value_column_is_reported(calculated: Ledger, db_url: str) -> None:
    """The value column is what the API, ``stored_values`` and the base-year check read; a value
    there that differs from its lineage is a difference too."""
    row = _stored(calculated, "ghg.scope1", "grp")
    _update(
        calculated,
        calc_values.update()
        .where(
            calc_values.c.run_id == row.run_id,
            calc_values.c.metric_id == "ghg.scope1",
            calc_values.c.entity_id == "grp",
        )
        .values(value=row.value + 1000.0),
    )
    assert "ghg.scope1@grp@2024" in _differences(calculated)
    assert cli(db_url, "recompute", "--period", PERIOD).exit_code == 1


def test_tampered_datapoint_is_reported(calculated: Ledger, db_url: str) -> None:
    _update(
        calculated,
        datapoints.update()
        .where(
            datapoints.c.entity_id == "power",
            datapoints.c.metric_id == "energy.raw_coal",
            datapoints.c.is_current.is_(True),
        )
        .values(value_normalised=1001.0),
    )
    differences = _differences(calculated)
    assert list(differences) == ["energy.raw_coal@power@2024"], differences
    assert "1001" in str(differences["energy.raw_coal@power@2024"])
    result = cli(db_url, "recompute", "--period", PERIOD)
    assert result.exit_code == 1
    assert "difference energy.raw_coal@power@2024" in " ".join(result.output.split())


def test_tampered_transfer_is_reported(calculated: Ledger, db_url: str) -> None:
    """The smelter's internal electricity came from the transfer register; a register entry that
    no longer holds the recorded amount is a difference."""
    _update(
        calculated,
        transfers_table.update()
        .where(transfers_table.c.from_entity == "power", transfers_table.c.is_current.is_(True))
        .values(value_normalised=1400.0),
    )
    differences = _differences(calculated)
    assert "energy.electricity_internal@smelter@2024" in differences, differences
    assert cli(db_url, "recompute", "--period", PERIOD).exit_code == 1


# -- factor editions -------------------------------------------------------------------------------


def _load_revised_version(ws: Ledger, value: float) -> str:
    """A revised version 2023.9 of the same edition of cn_grid_mee: every value copied, the 2023
    national average changed. Returns the version."""
    with ws.db.transaction() as connection, changing(connection, "tester") as change:
        old = connection.execute(
            sa.select(factor_sets).where(factor_sets.c.set_id == GRID_SET)
        ).one()
        rows = [
            dict(r._mapping)
            for r in connection.execute(
                sa.select(factor_values).where(
                    factor_values.c.factor_set == GRID_SET, factor_values.c.version == old.version
                )
            )
        ]
        for row in rows:
            row["version"] = "2023.9"
            if row["factor_id"] == GRID_FACTOR and row["valid_from"].year == 2023:
                row["value"] = value
                row["source"] = "revised 2023 national average (test edition)"
        parent = {
            **old._asdict(),
            "version": "2023.9",
            "sha256": "0" * 64,
            "loaded_at": "2999-01-01T00:00:00.000000+00:00",
        }
        stamp = change.insert_with_children(factor_sets, parent, factor_values, rows)
        change.record("factors.load", "factor_set", f"{GRID_SET}@2023.9", {}, [stamp])
    return "2023.9"


def _load_new_data_year(ws: Ledger, value: float) -> str:
    """A new edition of cn_grid_mee carrying the 2024 national average only."""
    with ws.db.transaction() as connection, changing(connection, "tester") as change:
        old = connection.execute(
            sa.select(factor_sets).where(factor_sets.c.set_id == GRID_SET)
        ).one()
        edition = "MEE/NBS electricity CO2 emission factors (data year 2024, test edition)"
        template = connection.execute(
            sa.select(factor_values).where(factor_values.c.factor_id == GRID_FACTOR)
        ).first()
        assert template is not None
        parent = {
            **old._asdict(),
            "version": "2024.1",
            "edition": edition,
            "sha256": "1" * 64,
            "loaded_at": "2999-01-01T00:00:00.000000+00:00",
        }
        child = {
            **template._asdict(),
            "valid_from": template.valid_from.replace(year=2024),
            "version": "2024.1",
            "edition": edition,
            "value": value,
            "source": "2024 national average (test edition)",
        }
        stamp = change.insert_with_children(factor_sets, parent, factor_values, [child])
        change.record("factors.load", "factor_set", f"{GRID_SET}@2024.1", {}, [stamp])
    return "2024.1"


def _grid_factors(record: dict) -> list[tuple[str, float, str]]:
    return [
        (f["factor"], f["value"], f["version"])
        for f in record["factors"]
        if f["factor"] == GRID_FACTOR
    ]


@pytest.mark.parametrize(
    "load", [_load_revised_version, _load_new_data_year], ids=["revised-version", "new-data-year"]
)
def test_past_inventory_is_reproduced_with_the_editions_it_used(
    calculated: Ledger, db_url: str, load
) -> None:
    old_run = _current_run_id(calculated)
    assert calculated.show("ghg.scope2_electricity", "smelter", PERIOD).value == pytest.approx(
        530.6, abs=1e-9
    )  # 1 000 MWh x 0.5306
    version = load(calculated, 0.5)

    # the stored (old) run still re-derives with the factor it recorded
    assert _differences(calculated) == {}
    assert cli(db_url, "recompute", "--period", PERIOD).exit_code == 0
    record = calculated.explain("ghg.scope2_electricity", "smelter", PERIOD)["records"][
        "ghg.scope2_electricity@smelter@2024"
    ]
    assert _grid_factors(record) == [(GRID_FACTOR, 0.5306, "2023.2")]

    # a fresh calculation uses the new edition
    calculated.calc(PERIOD)
    assert _current_run_id(calculated) != old_run
    assert calculated.show("ghg.scope2_electricity", "smelter", PERIOD).value == pytest.approx(
        500.0, abs=1e-9
    )  # 1 000 MWh x 0.5
    record = calculated.explain("ghg.scope2_electricity", "smelter", PERIOD)["records"][
        "ghg.scope2_electricity@smelter@2024"
    ]
    assert _grid_factors(record) == [(GRID_FACTOR, 0.5, version)]
    assert _differences(calculated) == {}

    # and the old run's values are still stored as they were
    with calculated.db.reading() as connection:
        old_value = connection.execute(
            sa.select(calc_values.c.value).where(
                calc_values.c.run_id == old_run,
                calc_values.c.metric_id == "ghg.scope2_electricity",
                calc_values.c.entity_id == "smelter",
            )
        ).scalar_one()
    assert old_value == pytest.approx(530.6, abs=1e-9)
