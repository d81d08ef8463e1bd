"""Recomputation checks on hand-made report tables and ledger figures: a printed intensity, rate or
comprehensive energy total against esgledger's own arithmetic from the same inputs. Expected
values are worked by hand from the definitions (GRI 403-9, GB 6441-1986, GRI 401-1, GB/T 2589)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.qa_check_support import cell, ledger, run

HOURS = "8,000,000"


def safety_table(ltifr: str) -> list:
    return [
        cell("safety.lost_time_injuries", "2024", "12", table="Safety"),
        cell("safety.hours_worked", "2024", HOURS, table="Safety"),
        cell("safety.ltifr", "2024", ltifr, table="Safety"),
    ]


def test_an_injury_rate_that_follows_from_its_counts_passes() -> None:
    # 12 x 1,000,000 / 8,000,000 = 1.5 per million hours
    assert run("recompute.ratio", safety_table("1.50")) == []


def test_a_rate_on_the_200000_hour_basis_is_not_an_error() -> None:
    # 12 x 200,000 / 8,000,000 = 0.3 (GRI 403-9 allows either basis)
    assert run("recompute.ratio", safety_table("0.30")) == []


def test_an_injury_rate_that_does_not_follow_is_reported_with_its_arithmetic() -> None:
    (found,) = run("recompute.ratio", safety_table("3.20"))
    assert found.rule == "recompute.ratio" and found.severity == "error"
    assert "3.20" in found.message and "1.5" in found.message
    assert "Safety" in found.message and "2024" in found.message
    assert found.arithmetic.startswith("12 persons / 8,000,000 h = 1.5 per million hours worked")
    assert found.details["computed"] == pytest.approx(1.5)


def test_injuries_per_thousand_employees() -> None:
    facts = [
        cell("safety.work_injuries", "2024", "36", table="Safety"),
        cell("workforce.headcount", "2024", "12,000", table="Safety"),
    ]
    ok = [*facts, cell("safety.injury_rate_per_1000_employees", "2024", "3.00", table="Safety")]
    bad = [*facts, cell("safety.injury_rate_per_1000_employees", "2024", "9.00", table="Safety")]
    assert run("recompute.ratio", ok) == []
    (found,) = run("recompute.ratio", bad)
    assert found.details["computed"] == pytest.approx(3.0)


@pytest.mark.parametrize(("printed", "findings"), [("12.0", 0), ("10.7", 0), ("15.0", 1)])
def test_turnover_over_year_end_headcount_or_headcount_plus_leavers(
    printed: str, findings: int
) -> None:
    # 1,200 / 10,000 = 12.0 %; 1,200 / (10,000 + 1,200) = 10.7 %
    facts = [
        cell("workforce.leavers", "2024", "1,200", table="Employees"),
        cell("workforce.headcount", "2024", "10,000", table="Employees"),
        cell("workforce.turnover_rate", "2024", printed, table="Employees"),
    ]
    assert len(run("recompute.ratio", facts)) == findings


def test_average_training_hours_of_a_breakdown_member() -> None:
    female = "{gender=female}"
    facts = [
        cell(f"training.hours{female}", "2024", "24,000", table="Training"),
        cell(f"workforce.headcount{female}", "2024", "1,000", table="Training"),
    ]
    assert (
        run(
            "recompute.ratio",
            [*facts, cell(f"training.average_hours{female}", "2024", "24.0", table="Training")],
        )
        == []
    )
    (found,) = run(
        "recompute.ratio",
        [*facts, cell(f"training.average_hours{female}", "2024", "30.0", table="Training")],
    )
    assert found.details["computed"] == pytest.approx(24.0)


def test_the_tolerance_is_the_printed_rounding() -> None:
    # 10,000 h / 3 persons = 3,333.33 h per person, printed without decimals
    facts = [
        cell("training.hours", "2024", "10,000", table="Training"),
        cell("workforce.headcount", "2024", "3", table="Training"),
        cell("training.average_hours", "2024", "3,333", table="Training"),
    ]
    assert run("recompute.ratio", facts) == []
    facts[-1] = cell("training.average_hours", "2024", "3,400", table="Training")
    assert len(run("recompute.ratio", facts)) == 1


def test_a_ratio_whose_inputs_are_not_printed_is_not_recomputed() -> None:
    # the report prints only the rate; the ledger's inputs are the identity check's business
    facts = [
        cell("safety.ltifr", "2024", "3.20", table="Safety"),
        ledger("safety.lost_time_injuries", "2024", 12),
        ledger("safety.hours_worked", "2024", 8_000_000),
    ]
    assert run("recompute.ratio", facts) == []


def test_a_data_point_of_a_derived_metric_is_recomputed_from_the_ledger() -> None:
    facts = [
        ledger("energy.total_tce", "2024", 150_000),
        ledger("finance.revenue", "2024", 1_000_000),
        ledger("energy.intensity_revenue", "2024", 0.25, origin="datapoint"),
    ]
    (found,) = run("recompute.ratio", facts)
    assert found.details["computed"] == pytest.approx(0.15)
    facts[-1] = ledger("energy.intensity_revenue", "2024", 0.15, origin="datapoint")
    assert run("recompute.ratio", facts) == []


def test_messages_in_chinese() -> None:
    (found,) = run("recompute.ratio", safety_table("3.20"), lang="zh")
    assert "印为" in found.message and "2024年" in found.message


# -- comprehensive energy (GB/T 2589-2020) ---------------------------------------------------------
# raw coal 100,000 t x 0.7143 kgce/kg = 71,430 tce; electricity 500,000 MWh x 0.1229 kgce/kWh =
# 61,450 tce (calorific equivalent) or x 0.3055 = 152,750 tce (equivalent value, CEC 2020)


def energy_table(total: str, *, carriers_table: str = "Energy") -> list:
    return [
        cell("energy.raw_coal", "2024", "100,000", table=carriers_table),
        cell("energy.electricity_purchased", "2024", "500,000", table=carriers_table),
        cell("energy.total_tce", "2024", total, table="Energy"),
    ]


@pytest.mark.parametrize("total", ["132,880", "224,180", "132,900"])
def test_energy_that_follows_from_its_carriers_by_either_method_passes(total: str) -> None:
    assert run("recompute.energy", energy_table(total)) == []


def test_energy_that_follows_by_no_method_names_the_implied_coefficient() -> None:
    (found,) = run("recompute.energy", energy_table("180,000"))
    # (180,000 - 71,430) tce / 500,000 MWh = 0.21714 kgce/kWh, inside 0.1229..0.36
    assert found.details["implied_electricity_coefficient"] == pytest.approx(0.21714)
    assert "0.21714 kgce/kWh" in found.message and "outside" not in found.message
    assert found.details["computed"]["calorific"] == pytest.approx(132_880)
    assert found.details["computed"]["equivalent"] == pytest.approx(224_180)


def test_an_implied_coefficient_outside_the_standard_is_said() -> None:
    (found,) = run("recompute.energy", energy_table("400,000"))
    assert found.details["implied_electricity_coefficient"] == pytest.approx(0.65714)
    assert "outside the range" in found.message


def test_a_total_printed_apart_from_its_carriers_is_left_alone() -> None:
    assert run("recompute.energy", energy_table("400,000", carriers_table="Other")) == []


def test_a_total_above_a_partial_list_of_carriers_is_left_alone() -> None:
    # the ledger holds diesel the table does not print: the total may include it
    facts = [*energy_table("400,000"), ledger("energy.diesel", "2024", 5_000)]
    assert run("recompute.energy", facts) == []
    # a total below its printed carriers is wrong whatever else there is
    (found,) = run(
        "recompute.energy", [*energy_table("100,000"), ledger("energy.diesel", "2024", 5_000)]
    )
    assert found.details["computed"]["calorific"] == pytest.approx(132_880)


def test_ledger_figures_of_the_year_before_are_left_to_their_own_run() -> None:
    facts = [
        ledger("energy.total_tce", "2023", 150_000),
        ledger("finance.revenue", "2023", 1_000_000),
        ledger("energy.intensity_revenue", "2023", 0.25, origin="datapoint"),
    ]
    assert len(run("recompute.ratio", facts)) == 1
    assert run("recompute.ratio", facts, period="2024") == []


def test_a_total_a_little_above_its_printed_carriers_may_hold_minor_ones() -> None:
    # 134,000 is 0.8 % above 132,880: diesel and gasoline left out of the table
    assert run("recompute.energy", energy_table("134,000")) == []


def test_another_year_of_the_same_row_shows_the_list_whole() -> None:
    facts = [
        *energy_table("134,000"),
        cell("energy.raw_coal", "2023", "100,000", table="Energy"),
        cell("energy.electricity_purchased", "2023", "500,000", table="Energy"),
        cell("energy.total_tce", "2023", "132,880", table="Energy"),
    ]
    (found,) = run("recompute.energy", facts)
    assert found.facts[0].period == "2024"


def test_a_row_the_table_prints_in_a_form_not_read_may_be_a_carrier() -> None:
    # fuel printed in litres of a mixture (CHALIECO 2019): no metric, so the total may hold it
    fuel = cell(None, "2024", "3,581,559.9", table="Energy", row="Fuel consumption")
    assert run("recompute.energy", [*energy_table("400,000"), fuel]) == []


def test_a_year_before_the_equivalent_value_is_checked_by_the_calorific_equivalent() -> None:
    # 2018: GB/T 2589-2008 (raw coal 0.7143, electricity 0.1229); no CEC equivalent value yet
    facts = [
        cell("energy.raw_coal", "2018", "100,000", table="Energy"),
        cell("energy.electricity_purchased", "2018", "500,000", table="Energy"),
        cell("energy.total_tce", "2018", "132,880", table="Energy"),
    ]
    assert run("recompute.energy", facts) == []
    facts[-1] = cell("energy.total_tce", "2018", "100,000", table="Energy")
    (found,) = run("recompute.energy", facts)
    assert list(found.details["computed"]) == ["calorific"]


def test_a_published_total_above_the_ledger_s_carriers() -> None:
    # the ledger keyed from a report lacks a carrier the published total holds (fuel in litres)
    carriers = [
        ledger("energy.raw_coal", "2024", 100_000),
        ledger("energy.electricity_purchased", "2024", 500_000),
    ]
    above = ledger("energy.total_tce", "2024", 400_000, origin="datapoint")
    assert run("recompute.energy", [*carriers, above]) == []
    below = ledger("energy.total_tce", "2024", 100_000, origin="datapoint")
    assert len(run("recompute.energy", [*carriers, below])) == 1


def test_the_rule_files_are_read_together_and_an_id_is_used_once(tmp_path: Path) -> None:
    from esgledger.errors import RuleFileError
    from esgledger.qa.rules import CHECK_RULES_FILE, RULES_FILE, load_rules

    ids = [rule.id for rule in load_rules()]
    assert ids[: len(load_rules(RULES_FILE))] == [r.id for r in load_rules(RULES_FILE)]
    assert "recompute.energy" in ids and len(ids) == len(set(ids))
    twice = tmp_path / "twice.yaml"
    twice.write_text(CHECK_RULES_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="used twice"):
        load_rules([CHECK_RULES_FILE, twice])
