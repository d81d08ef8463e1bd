"""Scope coherence and target checks on hand-made figures: one table mixing boundaries, an entity
of the boundary without data, captive supply counted in Scope 2, a typed status the figures do not
bear out, a target equal to its actual, a target looser than its base."""

from __future__ import annotations

from typing import Any

import pytest

from esgledger.domain import Entity
from tests.qa_check_support import cell, ledger, run

# -- scope coherence ----------------------------------------------------------------------------


def test_one_table_showing_figures_of_different_boundaries() -> None:
    facts = [
        cell("ghg.scope1", "2023", "1,000", table="GHG", covers="pl1,pl2"),
        cell("ghg.scope1", "2024", "1,400", table="GHG"),
    ]
    (found,) = run("scope.table_coverage", facts)
    assert "pl1,pl2" in found.message and "whole entity" in found.message
    assert (
        run("scope.table_coverage", [facts[1], cell("ghg.scope1", "2023", "1,300", table="GHG")])
        == []
    )


def test_a_breakdown_key_covering_part_of_the_subtree_counts_as_a_boundary() -> None:
    facts = [
        cell("ghg.scope1{covers=pl1}", "2024", "900", table="GHG", row="Scope 1 (smelter)"),
        cell("ghg.scope1", "2024", "1,400", table="GHG"),
    ]
    assert len(run("scope.table_coverage", facts)) == 1


TREE = [
    Entity("grp", "Group", "CN", type="group"),
    Entity("co1", "Company 1", "CN", parent_id="grp"),
    Entity("pl1", "Plant 1", "CN", parent_id="co1"),
    Entity("pl2", "Plant 2", "CN", parent_id="co1"),
    Entity("line1", "Line 1", "CN", parent_id="pl1"),
]


def test_an_entity_of_the_boundary_without_data() -> None:
    facts = [ledger("energy.raw_coal", "2024-03", 10, entity="pl1", origin="datapoint")]
    (found,) = run("scope.boundary_without_data", facts, entities=TREE, period="2024")
    assert found.facts[0].entity_id == "pl2" and "Plant 2" in found.message
    # line 1 is reported with plant 1: not a gap
    facts.append(ledger("energy.raw_coal", "2024", 4, entity="pl2", origin="datapoint"))
    assert run("scope.boundary_without_data", facts, entities=TREE, period="2024") == []


def test_an_entity_the_user_does_not_see_is_not_reported_missing() -> None:
    facts = [ledger("energy.raw_coal", "2024", 10, entity="pl1", origin="datapoint")]
    assert run("scope.boundary_without_data", facts, entities=TREE, visible_entities={"pl1"}) == []


def test_a_stated_boundary() -> None:
    facts = [ledger("energy.raw_coal", "2024", 10, entity="pl1", origin="datapoint")]
    found = run("scope.boundary_without_data", facts, boundary_entities=["pl1", "line1"])
    assert [f.facts[0].entity_id for f in found] == ["line1"]


def captive(scope2: str) -> list:
    # 1,000,000 MWh bought, 1,500,000 MWh from the group's own plants
    return [
        cell("ghg.scope2_location", "2024", scope2, table="GHG"),
        cell("energy.electricity_purchased", "2024", "1,000,000", table="Energy"),
        cell("production.electricity_generated", "2024", "1,500,000", table="Energy"),
    ]


def test_captive_supply_counted_in_scope2() -> None:
    # 2,400,000 / 1,000,000 = 2.4 tCO2e/MWh > 1.575 x 1.25; / 2,500,000 = 0.96
    (found,) = run("scope.captive_in_scope2", captive("2,400,000"))
    assert found.severity == "error" and "twice" in found.message
    assert "0.96" in found.message


@pytest.mark.parametrize("scope2", ["800,000", "9,000,000"])
def test_scope2_that_fits_the_purchased_electricity_or_nothing_is_not_captive(scope2: str) -> None:
    assert run("scope.captive_in_scope2", captive(scope2)) == []


# -- targets ----------------------------------------------------------------------------------


def target(**changes: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "target_id": "T-1",
        "name": "Carbon peak",
        "name_zh": "碳达峰",
        "metric_key": "ghg.scope12_location",
        "entity_id": "grp",
        "base_year": 2020,
        "base_value": 100_000.0,
        "target_year": 2024,
        "target_value": 90_000.0,
        "unit": "tCO2e",
        "assessment": {
            "status": "off_track",
            "base": {"year": 2020, "value": 100_000.0},
            "current": {"year": 2024, "value": 95_000.0},
            "target_value": 90_000.0,
            "direction": "decrease",
        },
    }
    assessment = changes.pop("assessment", {})
    shown.update(changes)
    shown["assessment"].update(assessment)
    return shown


@pytest.mark.parametrize(
    "text",
    ["The Carbon peak target was achieved in 2024.", "2024年，碳达峰目标已完成。"],
)
def test_a_target_called_achieved_that_is_off_track(text: str) -> None:
    (found,) = run("targets.status", [], targets=[target()], sections={"climate": text})
    assert found.severity == "error" and "off track" in found.message
    assert found.facts[0].location == "section climate"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("The Carbon peak target was achieved in 2024.", "achieved"),
        ("The Carbon peak target was not achieved in 2024.", "off_track"),
        ("Energy savings were achieved across the group.", "off_track"),
    ],
)
def test_a_status_the_figures_bear_out_passes(text: str, status: str) -> None:
    targets = [target(assessment={"status": status})]
    assert run("targets.status", [], targets=targets, sections={"s": text}) == []


def test_a_status_typed_in_a_table_against_the_report_s_own_actual() -> None:
    # the service says achieved; the report's own GHG table says 95,000 > 90,000
    facts = [
        cell("ghg.scope12_location", "2024", "95,000", table="GHG"),
        cell("ghg.scope12_location", "2024", "90,000", table="Targets", row="2024 target",
             target_status="achieved"),
    ]  # fmt: skip
    (found,) = run("targets.status", facts, targets=[target(assessment={"status": "achieved"})])
    assert "95,000" in found.message and "not achieved" in found.message


def test_a_target_equal_to_the_actual_of_its_year() -> None:
    facts = [
        cell("ghg.scope12_location", "2024", "95,000", table="Targets", row="2024 target"),
        cell("ghg.scope12_location", "2024", "95,000", table="GHG"),
    ]
    (found,) = run("targets.equals_actual", facts)
    assert found.severity == "warning" and "Targets" in found.message


@pytest.mark.parametrize(("aim", "actual"), [("96,000", "95,000"), ("0", "0")])
def test_a_target_different_from_the_actual_or_zero_passes(aim: str, actual: str) -> None:
    facts = [
        cell("safety.fatalities", "2024", aim, table="Targets", row="2024 target"),
        cell("safety.fatalities", "2024", actual, table="Safety"),
    ]
    assert run("targets.equals_actual", facts) == []


def test_a_ledger_target_equal_to_the_computed_actual() -> None:
    aim = ledger("ghg.scope12_location", "2024", 95_000, origin="target", kind="target")
    assert (
        len(run("targets.equals_actual", [aim, ledger("ghg.scope12_location", "2024", 95_000)]))
        == 1
    )
    assert run("targets.equals_actual", [aim, ledger("ghg.scope12_location", "2023", 95_000)]) == []


@pytest.mark.parametrize(("aim", "findings"), [(110_000.0, 1), (100_000.0, 1), (90_000.0, 0)])
def test_a_reduction_target_looser_than_its_base(aim: float, findings: int) -> None:
    targets = [target(target_value=aim, assessment={"target_value": aim, "direction": "increase"})]
    found = run("targets.looser_than_base", [], targets=targets)
    assert len(found) == findings
    if found:
        assert "reduction" in found[0].message and "2020" in found[0].message


@pytest.mark.parametrize(("aim", "findings"), [(80.0, 1), (95.0, 0)])
def test_a_target_to_raise_is_looser_below_its_base(aim: float, findings: int) -> None:
    shown = target(metric_key="training.coverage", base_value=90.0, target_value=aim,
                   assessment={"base": {"year": 2020, "value": 90.0}, "target_value": aim,
                               "direction": "increase"})  # fmt: skip
    assert len(run("targets.looser_than_base", [], targets=[shown])) == findings


def test_a_report_table_target_above_its_base_year() -> None:
    facts = [
        cell("ghg.scope1", "2020", "50,000", table="Targets", row="Base year 2020"),
        cell("ghg.scope1", "2025", "52,000", table="Targets", row="2025 target"),
    ]
    (found,) = run("targets.looser_than_base", facts)
    assert "52,000" in found.message and "50,000" in found.message
    facts[1] = cell("ghg.scope1", "2025", "45,000", table="Targets", row="2025 target")
    assert run("targets.looser_than_base", facts) == []


def test_a_report_table_target_typed_achieved_without_the_ledger_s_targets() -> None:
    facts = [
        cell("ghg.scope1", "2024", "52,000", table="GHG"),
        cell("ghg.scope1", "2024", "50,000", table="Target vs actual", row="2024 target",
             target_status="achieved"),
    ]  # fmt: skip
    (found,) = run("targets.status", facts)
    assert "2024 target" in found.message
    facts[0] = cell("ghg.scope1", "2024", "49,800", table="GHG")
    assert run("targets.status", facts) == []


PLANTS = [
    Entity("grp", "Group", "CN", type="group"),
    Entity("smelter", "Smelter", "CN", parent_id="grp"),
    Entity("power", "Captive power plant", "CN", parent_id="grp"),
]


def group_scope2(entered: float) -> list:
    # the smelter's 800,000 tCO2e of Scope 2 from the captive plant is eliminated at the group
    return [
        ledger("ghg.scope2_location", "2024", 500_000),
        ledger("ghg.scope2_internal", "2024", 800_000, entity="smelter"),
        ledger("ghg.scope2_internal", "2024", 0, entity="grp"),
        ledger("ghg.scope2_location", "2024", entered, origin="datapoint"),
    ]


def test_a_group_total_that_adds_back_the_eliminated_internal_supply() -> None:
    (found,) = run("scope.captive_in_group_total", group_scope2(1_300_000), entities=PLANTS)
    assert found.severity == "error" and found.details["eliminated"] == pytest.approx(800_000)
    assert "800,000" in found.message and "Scope 1" in found.message


@pytest.mark.parametrize("entered", [500_000.0, 900_000.0])
def test_a_group_total_without_the_internal_supply_passes(entered: float) -> None:
    assert run("scope.captive_in_group_total", group_scope2(entered), entities=PLANTS) == []
