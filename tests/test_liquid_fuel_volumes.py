"""Liquid fuels entered by volume (issue 9, part 6): kept as entered, read as tonnes with the
density valid for the period (the entity's measured one first), the density cited in lineage and
``explain``; a volume for a carrier with no density is refused naming the row, the field and the
units the metric accepts. The arithmetic is worked in ``tests/cases/liquid_fuel_volumes.yaml``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esgledger.errors import InputRejected
from esgledger.factors.densities import accepted_units, is_volume, mass_per_unit
from esgledger.service_errors import Invalid
from esgledger.workflow.entries import Entry
from tests.helpers import DATA_HEADER, GROUP_AND_PLANT, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

DIESEL_T = 10000 / 1149  # 10 000 L / 1 149 L/t (UNSD Energy Statistics Yearbook 2004)


def _organisation(ws: Ledger, tmp_path: Path) -> None:
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ORG_HEADER,
            GROUP_AND_PLANT,
        )
    )


def _refused(ws: Ledger, tmp_path: Path, rows: list[list[str]]) -> list:
    with pytest.raises(InputRejected) as caught:
        ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    return caught.value.issues


def test_volume_arithmetic() -> None:
    assert mass_per_unit("L", 1149, "L/t", "t") == pytest.approx(1 / 1149, rel=1e-12)
    assert mass_per_unit("万升", 1149, "L/t", "t") == pytest.approx(10000 / 1149, rel=1e-12)
    assert mass_per_unit("m3", 840, "kg/m**3", "t") == pytest.approx(0.84, rel=1e-12)
    assert mass_per_unit("kL", 0.84, "t/kL", "t") == pytest.approx(0.84, rel=1e-12)
    assert is_volume("升") and is_volume("m³") and is_volume("litres") and not is_volume("t")


def test_volume_is_kept_as_entered(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path)
    row = ["plant", "2024", "energy.diesel", "10,000", "L", "measured", "fuel card", ""]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, [row]))
    (point,) = ws.datapoints(["2024"])
    assert (point.value, point.unit) == (10000, "L")
    assert point.value_normalised == pytest.approx(DIESEL_T, rel=1e-12)


def test_explain_cites_the_density(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path)
    row = ["plant", "2024", "energy.diesel", "10000", "升", "measured", "fuel card", ""]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, [row]))
    ws.calc("2024")
    for metric, expected in (("energy.total_tce", DIESEL_T * 1.4571), ("ghg.scope1", None)):
        explained = ws.explain(metric, "grp", "2024")
        if expected is not None:
            assert explained["records"][explained["root"]]["value"] == pytest.approx(expected)
        diesel = next(
            r for r in explained["records"].values() if r["key"].startswith("energy.diesel@")
        )
        assert diesel["value"] == pytest.approx(DIESEL_T, rel=1e-12)
        (density,) = diesel["factors"]
        assert density["factor"] == "liquid_fuel_density.diesel"
        assert (density["value"], density["unit"]) == (1149, "L/t")
        assert density["edition"] == "UNSD Energy Statistics Yearbook 2004"
        assert "Gas diesel oil" in density["source"] and density["confidence"] == "S"
        (term,) = diesel["terms"]
        assert term["detail"].startswith("10000 升 (= 10 m3) / 1149 L/t")
        assert "volume_to_mass" in json.dumps(diesel["notes"])
    assert all(item.ok for item in ws.recompute("2024"))


def test_measured_density_wins(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path)
    rows = [
        ["plant", "2024", "energy.diesel", "10", "m3", "measured", "", ""],
        ["plant", "2024", "site.diesel.density", "840", "kg/m3", "measured", "lab", ""],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    ws.calc("2024")
    explained = ws.explain("energy.total_tce", "grp", "2024")
    diesel = explained["records"]["energy.diesel@plant@2024"]
    assert diesel["value"] == pytest.approx(8.4, rel=1e-12)
    (density,) = diesel["factors"]
    assert density["measured"] and density["replaces"] == "liquid_fuel_density.diesel"
    assert explained["records"]["energy.total_tce@grp@2024"]["value"] == pytest.approx(12.23964)


@pytest.mark.parametrize(
    ("metric", "unit"), [("energy.raw_coal", "L"), ("energy.coke", "m3"), ("energy.coke", "万升")]
)
def test_volume_without_density_is_refused(
    ws: Ledger, tmp_path: Path, metric: str, unit: str
) -> None:
    _organisation(ws, tmp_path)
    (issue,) = _refused(ws, tmp_path, [["plant", "2024", metric, "500", unit, "", "", ""]])
    assert (issue.row, issue.field, issue.found) == (2, "unit", unit)
    assert "convertible to t, such as t, kg, 万吨" in issue.expected
    assert "volume" in issue.expected and "density" not in issue.expected
    assert ws.datapoints(["2024"]) == []


def test_wrong_unit_for_a_liquid_fuel_names_its_volumes(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path)
    (issue,) = _refused(ws, tmp_path, [["plant", "2024", "energy.diesel", "5", "kWh", "", "", ""]])
    assert (issue.row, issue.field) == (2, "unit")
    assert "or a volume (L, 升, kL, m3, 万升) converted with liquid_fuel_density.diesel" in (
        issue.expected
    )


def test_volume_before_the_density_applies_is_refused(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path)
    rows = [["plant", "2003", "energy.diesel", "500", "L", "", "", ""]]
    (issue,) = _refused(ws, tmp_path, rows)
    assert (issue.row, issue.field, issue.found) == (2, "unit", "L")
    assert "liquid_fuel_density.diesel has no density valid on 2003-01-01" in issue.expected


def test_accepted_units_in_the_users_notation() -> None:
    assert accepted_units("t", {}).startswith("t, kg, 万吨")
    assert "万升" in accepted_units("t", {"energy": {"density": "liquid_fuel_density.lpg"}})


def test_the_entry_door_takes_litres_and_refuses_them_for_coal(ws: Ledger, tmp_path: Path) -> None:
    """The entry form and the API create a data point through the same service."""
    _organisation(ws, tmp_path)
    created = ws.services.datapoints.create(
        ws.admin, Entry("plant", "2024", "energy.gasoline", 1351, "litres")
    )
    assert created is not None
    (point,) = ws.datapoints(["2024"])
    assert (point.value, point.unit) == (1351, "litres")
    assert point.value_normalised == pytest.approx(1.0, rel=1e-12)  # 1 351 L / 1 351 L/t
    with pytest.raises(Invalid) as refused:
        ws.services.datapoints.create(ws.admin, Entry("plant", "2024", "energy.coke", 5, "L"))
    assert refused.value.field == "unit"
    assert "t, kg, 万吨" in str(refused.value)
