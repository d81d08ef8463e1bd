"""Bounds and physics checks on hand-made figures: a part larger than its whole, water that does
not balance, percentages out of range, Scope 2 no grid can cause, product intensities outside
their published ranges."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.qa_check_support import cell, ledger, run


def test_hazardous_waste_recovered_above_generated_is_an_error() -> None:
    facts = [
        cell("waste.hazardous", "2024", "1,000", table="Waste"),
        cell("waste.hazardous_recycled", "2024", "1,200", table="Waste"),
    ]
    (found,) = run("bounds.part_of_whole", facts)
    assert found.severity == "error"
    assert "Hazardous waste recovered" in found.message and "1,200 t" in found.message
    assert found.arithmetic == "1,200 > 1,000 t (by 200)"


@pytest.mark.parametrize("recycled", ["900", "1,000", "1,000.4"])
def test_recovered_within_generated_or_its_rounding_passes(recycled: str) -> None:
    facts = [
        cell("waste.hazardous", "2024", "1,000", table="Waste"),
        cell("waste.hazardous_recycled", "2024", recycled, table="Waste"),
    ]
    assert run("bounds.part_of_whole", facts) == []


def test_water_consumed_above_water_withdrawn() -> None:
    facts = [
        cell("water.withdrawal", "2024", "40,000", table="Water"),
        cell("water.consumption", "2024", "52,000", table="Water"),
    ]
    (found,) = run("bounds.part_of_whole", facts)
    assert "Water consumption" in found.message


def test_a_breakdown_member_above_its_total() -> None:
    facts = [
        cell("workforce.headcount", "2024", "5,000", table="Employees"),
        cell("workforce.headcount{gender=female}", "2024", "6,000", table="Employees"),
    ]
    (found,) = run("bounds.part_of_whole", facts)
    assert found.facts[0].metric_key == "workforce.headcount{gender=female}"


def test_parts_and_wholes_of_different_sources_are_not_compared() -> None:
    # the report's part against the ledger's whole: the identity check's business
    facts = [
        cell("waste.hazardous_recycled", "2024", "1,200", table="Waste"),
        ledger("waste.hazardous", "2024", 1_000),
    ]
    assert run("bounds.part_of_whole", facts) == []
    facts.append(ledger("waste.hazardous_recycled", "2024", 1_100, origin="datapoint"))
    (found,) = run("bounds.part_of_whole", facts)
    assert found.facts[0].origin == "datapoint"


def test_water_consumption_is_withdrawal_less_discharge() -> None:
    facts = [
        cell("water.withdrawal", "2024", "1,000,000", table="Water"),
        cell("wastewater.discharge", "2024", "300,000", table="Water"),
    ]
    assert (
        run(
            "bounds.water_balance",
            [*facts, cell("water.consumption", "2024", "700,000", table="Water")],
        )
        == []
    )
    (found,) = run(
        "bounds.water_balance",
        [*facts, cell("water.consumption", "2024", "1,000,000", table="Water")],
    )
    assert found.severity == "warning" and "= 700,000 !=" in found.arithmetic


@pytest.mark.parametrize(
    ("printed", "findings"), [("99.5", 0), ("100.0", 0), ("0", 0), ("105.3", 1)]
)
def test_percentages_lie_between_0_and_100(printed: str, findings: int) -> None:
    facts = [cell("training.coverage", "2024", printed, table="Training")]
    assert len(run("bounds.percent", facts)) == findings


def test_scope2_no_grid_can_cause_is_an_error() -> None:
    # 3,200,000 tCO2e / 1,000,000 MWh = 3.2 tCO2e/MWh; the highest grid factor of the library is
    # 1.575 tCO2/MWh (IFI, Zimbabwe), x 1.25 = 1.97
    facts = [
        cell("ghg.scope2_location", "2024", "3,200,000", table="GHG"),
        cell("energy.electricity_purchased", "2024", "1,000,000", table="Energy"),
    ]
    (found,) = run("bounds.scope2_per_mwh", facts)
    assert found.details["per_mwh"] == pytest.approx(3.2)
    assert found.details["highest"] == pytest.approx(1.575)
    assert "captive" in found.message


def test_the_grid_range_follows_the_countries_of_the_group() -> None:
    # a Chinese group: the highest factor of the Chinese, US, Indonesian and Hong Kong series and
    # the IFI factor of China (0.899 tCO2/MWh)
    facts = [
        cell("ghg.scope2_location", "2024", "1,300,000", table="GHG"),
        cell("energy.electricity_purchased", "2024", "1,000,000", table="Energy"),
    ]
    entities = [SimpleNamespace(id="grp", country="CN", parent_id=None)]
    (found,) = run("bounds.scope2_per_mwh", facts, entities=entities)
    assert found.details["highest"] == pytest.approx(0.899)
    assert run("bounds.scope2_per_mwh", facts) == []  # any country: up to 1.97


@pytest.mark.parametrize("scope2", ["600,000", "1,100,000"])
def test_scope2_within_the_grid_range_passes(scope2: str) -> None:
    facts = [
        cell("ghg.scope2_location", "2024", scope2, table="GHG"),
        cell("energy.electricity_purchased", "2024", "1,000,000", table="Energy"),
    ]
    entities = [SimpleNamespace(id="grp", country="CN", parent_id=None)]
    assert run("bounds.scope2_per_mwh", facts, entities=entities) == []


def test_scope2_of_internal_supply_and_heat_counts_in_the_ceiling() -> None:
    # 400,000 MWh bought + 600,000 MWh from the group's plant; 1,000,000 GJ of heat at 0.11
    facts = [
        ledger("ghg.scope2_location", "2024", 1_100_000, entity="pl1"),
        ledger("energy.electricity_purchased", "2024", 400_000, entity="pl1"),
        ledger("energy.electricity_internal", "2024", 600_000, entity="pl1"),
        ledger("energy.steam_purchased", "2024", 1_000_000, entity="pl1"),
    ]
    entities = [SimpleNamespace(id="pl1", country="CN", parent_id=None)]
    assert run("bounds.scope2_per_mwh", facts, entities=entities) == []


@pytest.mark.parametrize(
    ("metric", "printed", "findings"),
    [
        ("ghg.intensity_primary_aluminium", "16.5", 0),
        ("ghg.intensity_primary_aluminium", "0.8", 1),
        ("ghg.intensity_alumina", "1.1", 0),
        ("ghg.intensity_rolled_products", "0.45", 0),
        # a product footprint (cradle to gate) printed in a per-plant table
        ("ghg.intensity_rolled_products", "15.2", 1),
        ("ghg.intensity_foil", "18.0", 1),
        ("energy.electricity_per_primary_aluminium", "13,520", 0),
        ("energy.electricity_per_primary_aluminium", "1,352", 1),
    ],
)
def test_product_intensities_within_their_published_ranges(
    metric: str, printed: str, findings: int
) -> None:
    found = run("bounds.product_intensity", [cell(metric, "2024", printed, table="Intensity")])
    assert len(found) == findings
    if found:
        assert "IAI" in found[0].message and "not yet confirmed" in found[0].message
