"""The per-unit factor table of the bulk path (issue 3, item 8): made by the engine's formulas,
split wherever a factor or a measured parameter changes, and exact for a change in mid-month."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from esgledger.calc.bulk.factors import FactorTable
from esgledger.calc.bulk.metrics import activity_metrics, result_metrics
from esgledger.calc.bulk.run import DuckDBEngine, compute, load_selection
from esgledger.calc.context import SiteParameter
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.options import CalcOptions
from esgledger.catalogue import Catalogue, load_catalogue
from esgledger.domain import Entity, Period
from esgledger.errors import CalculationError
from esgledger.factors import FactorLibrary, load_library
from esgledger.ingest.activity_files import StoredFile, sha256_of
from tests import bulk_data

ELECTRICITY, GAS = "energy.electricity_purchased", "energy.natural_gas"
GRID = "cn_grid_mee.national_average"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(known_functions=set(FORMULAS))


def _library(change: dt.date = bulk_data.CHANGE) -> FactorLibrary:
    return FactorLibrary([*load_library().sets.values(), bulk_data.midyear_grid_edition(change)])


def _table(
    catalogue: Catalogue,
    entities: list[Entity],
    library: FactorLibrary,
    parameters: dict[str, list[dict]] | None = None,
) -> FactorTable:
    table = FactorTable(
        catalogue, library, load_selection(), CalcOptions(), Period(2024), parameters
    )
    units = {column: catalogue[m].unit for column, m in result_metrics(catalogue).items()}
    targets = activity_metrics(catalogue)
    for entity in entities:
        for metric_id in (ELECTRICITY, GAS):
            table.add(entity, metric_id, targets[metric_id], units)
    return table


def test_rows_follow_the_factor_changes(catalogue: Catalogue) -> None:
    library = _library()
    table = _table(catalogue, [Entity("a", "A", "CN")], library)
    rows = [r for r in table.rows if r.metric == ELECTRICITY]
    assert [(r.valid_from, r.valid_to) for r in rows] == [
        (dt.date(2024, 1, 1), dt.date(2024, 7, 1)),
        (dt.date(2024, 7, 1), dt.date(2025, 1, 1)),
    ]
    old = library.lookup(GRID, dt.date(2024, 1, 1)).value
    assert [r.per_unit["scope2_location_co2e"] for r in rows] == pytest.approx(
        [old, bulk_data.GRID["national_average"]]
    )  # tCO2e per MWh (GWP of CO2 = 1)
    assert [r.per_unit["energy_tce"] for r in rows] == pytest.approx([0.1229, 0.1229])
    assert rows[0].per_unit.get("scope1_co2e") is None
    assert table.month_aligned()


def test_measured_parameters_split_the_rows_where_they_start_and_stop(catalogue: Catalogue) -> None:
    measured = {("ncv", GAS): SiteParameter("site.natural_gas.ncv", 400.0, "GJ/wan_m3", "k")}
    parameters = {"a": [measured if 4 <= m <= 9 else {} for m in range(1, 13)]}
    table = _table(catalogue, [Entity("a", "A", "CN")], _library(), parameters)
    rows = [r for r in table.rows if r.metric == GAS]
    assert [r.valid_from.month for r in rows] == [1, 4, 10]
    assert rows[1].per_unit["energy_tce"] == pytest.approx(400.0 / 29.3076)  # NCV / 29 307.6 kJ
    assert rows[0].per_unit["energy_tce"] == rows[2].per_unit["energy_tce"]
    assert any(f.get("measured") for f in rows[1].factors["scope1_co2e"])


def test_entities_the_formulas_cannot_tell_apart_share_an_evaluation(catalogue: Catalogue) -> None:
    entities = [Entity(f"p{i}", "P", "CN", grid_region="north") for i in range(50)]
    table = _table(catalogue, entities, _library())
    assert len(table._intervals) == 2  # one per metric, not per entity
    assert len({r.entity for r in table.rows}) == 50


def test_a_failing_pair_is_an_error_only_when_it_has_records(catalogue: Catalogue) -> None:
    # Antarctica (AQ): no grid emission factor in any bundled set (every country has one now)
    table = _table(catalogue, [Entity("fr", "Station", "AQ")], _library())
    assert ("fr", ELECTRICITY) in table.errors
    assert [r.metric for r in table.rows] == [GAS]  # IPCC defaults apply to gas anywhere
    table.check({("fr", GAS)})
    with pytest.raises(CalculationError, match="no grid emission factor series"):
        table.check({("fr", ELECTRICITY)})


def test_a_change_in_mid_month_is_exact(catalogue: Catalogue, tmp_path: Path) -> None:
    change = dt.date(2024, 7, 15)
    rows = [
        ("a", dt.datetime(2024, 7, day, 12), ELECTRICITY, float(day), "MWh") for day in range(1, 32)
    ]
    path = bulk_data.write_parquet(tmp_path / "july.parquet", rows)
    library = _library(change)
    result = compute(
        DuckDBEngine(),
        [StoredFile(1, path.name, sha256_of(path), path)],
        Period(2024),
        catalogue,
        library,
        [Entity("a", "A", "CN")],
    )
    assert result.bucket == "day"
    old = library.lookup(GRID, dt.date(2024, 7, 1)).value
    expected = sum(
        day * (old if day < 15 else bulk_data.GRID["national_average"]) for day in range(1, 32)
    )
    assert result.values[("a", 2024, 7)]["scope2_location_co2e"] == pytest.approx(
        expected, rel=1e-12
    )
    assert len(result.factors_used(("a", 2024, 7))) == 2
