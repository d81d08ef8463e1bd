"""Units as real reports print them (issue 9, part 6). Each expected factor is the definition of
the printed unit: 万 = 10^4 and 亿 = 10^8 (GB 3101-93 and common usage), a tonne is 1,000 kg
(the metric tonne of SSE Guideline No. 14 and HKEX tables), 1 度 = 1 kWh, and the short ton is
2,000 lb = 907.18474 kg (NIST SP 811, B.8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgledger.units import UnitError, conversion_factor, conversion_factor_via, parse_unit
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger


@pytest.mark.parametrize(
    ("printed", "unit", "factor"),
    [
        ("t", "kg", 1_000.0),
        ("tonne", "kg", 1_000.0),
        ("tonnes", "kg", 1_000.0),
        ("ton", "kg", 1_000.0),  # metric, never the US short ton
        ("tons", "kg", 1_000.0),
        ("metric tons", "kg", 1_000.0),
        ("short_ton", "kg", 907.18474),
        ("kt", "t", 1_000.0),  # a kilotonne, not a knot
        ("Mt", "t", 1_000_000.0),
        ("10,000 tonnes", "t", 10_000.0),
        ("万t", "t", 10_000.0),
        ("万吨", "t", 10_000.0),
        ("10,000 m³", "m3", 10_000.0),
        ("万m3", "m3", 10_000.0),
        ("万 m³", "m3", 10_000.0),
        ("10,000 kWh", "kWh", 10_000.0),
        ("万kWh", "kWh", 10_000.0),
        ("100 million kWh", "kWh", 100_000_000.0),
        ("亿kWh", "kWh", 100_000_000.0),
        ("度", "kWh", 1.0),
        ("degrees", "kWh", 1.0),  # of electricity, as translated tables print 度
        ("tonnes of standard coal", "tce", 1.0),
        ("10,000 tonnes of standard coal", "tce", 10_000.0),
        ("万tce", "tce", 10_000.0),
        ("RMB10,000", "RMB", 10_000.0),
        ("RMB 10,000", "RMB", 10_000.0),
        ("RMB million", "RMB", 1_000_000.0),
        ("RMB 100 million", "RMB", 100_000_000.0),
        ("RMB billion", "RMB", 1_000_000_000.0),
        ("person-times", "person", 1.0),
        ("人次", "person", 1.0),
        ("件", "case", 1.0),  # cases (corruption cases, complaints) as Chinese tables count them
        ("起", "case", 1.0),
        ("‰", "percent", 0.1),
        ("tons/year", "t/year", 1.0),
        ("kg/ton", "kg/t", 1.0),
        ("１０,０００ ｍ³", "m3", 10_000.0),  # full-width digits and letters from a PDF
    ],
)
def test_a_printed_unit_converts_by_its_definition(printed: str, unit: str, factor: float) -> None:
    assert conversion_factor(printed, unit) == pytest.approx(factor, rel=1e-12)


def test_water_printed_in_tons_is_metric_tonnes_of_water() -> None:
    """679,394.0 tons of water is 679,394.0 m3 (1 t/m3), not 616,336 m3 of short tons."""
    factor = conversion_factor_via("tons", "m**3", "1 t/m**3")
    assert 679_394.0 * factor == pytest.approx(679_394.0)


@pytest.mark.parametrize("printed", ["10,000 knots", "万 furlongs", "RMB zillion", "100 million"])
def test_a_multiple_of_something_unknown_is_refused_not_guessed(printed: str) -> None:
    with pytest.raises(UnitError, match="unknown unit"):
        parse_unit(printed)


def test_an_error_speaks_the_printed_notation() -> None:
    with pytest.raises(UnitError) as refused:
        conversion_factor("RMB million", "t")
    assert "'RMB million' measures money" in str(refused.value)
    assert "million_RMB" not in str(refused.value)


def test_a_table_with_printed_units_imports_as_printed(ws: Ledger, tmp_path: Path) -> None:
    """Rows keyed as a report prints them keep their unit and convert by its definition."""
    org = [["id", "name", "parent", "country", "type"], ["grp", "Group", "", "CN", "group"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))
    rows = [
        ["grp", "2019", "water.withdrawal", "679,394.0", "tons"],
        ["grp", "2019", "energy.electricity_purchased", "123.4", "10,000 kWh"],
        ["grp", "2019", "energy.raw_coal", "2.5", "万t"],
    ]
    header = ["entity", "period", "metric", "value", "unit"]
    written = ws.import_data(write_csv(tmp_path / "data.csv", header, rows))
    assert written.created == 3
    stored = {p.metric_id: p for p in ws.datapoints(["2019"])}
    assert stored["water.withdrawal"].unit == "tons"
    assert stored["water.withdrawal"].value_normalised == pytest.approx(679_394.0)  # m3
    assert stored["energy.raw_coal"].value_normalised == pytest.approx(25_000.0)  # t
    electricity = stored["energy.electricity_purchased"]
    assert electricity.value_normalised == pytest.approx(
        1_234_000.0 * conversion_factor("kWh", ws.catalogue["energy.electricity_purchased"].unit)
    )
