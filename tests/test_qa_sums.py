"""The sum checks (issue 12): totals against their parts and breakdowns against their totals,
with a tolerance of the printed rounding, on hand-made report tables that trigger each rule and
on consistent ones that must not."""

from __future__ import annotations

from pathlib import Path

from tests.qa_tables import check, row, rules_of


def test_scope_totals_that_do_not_add_up_are_an_error_naming_the_arithmetic(
    tmp_path: Path,
) -> None:
    found = check(tmp_path, [
        row("GHG", "Scope 1", "ghg.scope1", "12,000.4", "tCO2e"),
        row("GHG", "Scope 2", "ghg.scope2_location", "3,000.2", "tCO2e"),
        row("GHG", "Total", "ghg.scope12_location", "15,600.6", "tCO2e"),
    ])  # fmt: skip
    assert rules_of(found) == ["sum.totals"]
    finding = found[0]
    assert finding.severity == "error"
    assert finding.arithmetic == (
        "12,000.4 + 3,000.2 = 15,000.6 ≠ 15,600.6 tCO2e (difference -600, 3.8%)"
    )
    assert "'GHG'" in finding.message and "Scope 1" in finding.message
    assert [f.row_label for f in finding.facts] == ["Total", "Scope 1", "Scope 2"]


def test_parts_that_add_up_within_their_printed_rounding_are_no_finding(tmp_path: Path) -> None:
    # 1.24 + 2.24 = 3.48, printed 3.5 (one decimal): within 0.05 + 0.005 + 0.005
    assert check(tmp_path, [
        row("Waste", "Hazardous", "waste.hazardous", "1.24", "t"),
        row("Waste", "General", "waste.non_hazardous", "2.24", "t"),
        row("Waste", "Total", "waste.total", "3.5", "t"),
        row("Waste", "Hazardous", "waste.hazardous", "100", "kt", period="2023"),
        row("Waste", "General", "waste.non_hazardous", "250,000", "t", period="2023"),
        row("Waste", "Total", "waste.total", "350", "kt", period="2023"),
    ]) == []  # fmt: skip


def test_a_sum_off_by_more_than_its_rounding_is_found(tmp_path: Path) -> None:
    # the real report: total solid waste is not general plus hazardous (off by 60,000 t)
    found = check(tmp_path, [
        row("Waste", "Hazardous", "waste.hazardous", "1.2", "t"),
        row("Waste", "General", "waste.non_hazardous", "2.2", "t"),
        row("Waste", "Total", "waste.total", "3.6", "t"),  # 3.4 at most 3.5 with its rounding
        row("Solid waste", "Hazardous waste", "", "40,000", "t", period="2023"),
        row("Solid waste", "General waste", "", "300,000", "t", period="2023"),
        row("Solid waste", "Total solid waste", "", "400,000", "t", period="2023"),
    ])  # fmt: skip
    assert rules_of(found) == ["sum.totals", "sum.totals"]
    assert {f.facts[0].period for f in found} == {"2024", "2023"}
    assert "(difference -60,000, 15.0%)" in found[1].arithmetic + found[0].arithmetic


def test_a_total_with_a_part_missing_is_not_checked_as_equal(tmp_path: Path) -> None:
    assert check(tmp_path, [
        row("GHG", "Scope 1", "ghg.scope1", "12,000", "tCO2e"),
        row("GHG", "Total", "ghg.scope12_location", "15,000", "tCO2e"),
    ]) == []  # fmt: skip


def test_scope_3_is_the_sum_of_the_categories_printed(tmp_path: Path) -> None:
    rows = [
        row("Scope 3", "Category 1", "ghg.scope3_cat1", "1,000", "tCO2e"),
        row("Scope 3", "Category 4", "ghg.scope3_cat4", "500", "tCO2e"),
        row("Scope 3", "Scope 3", "", "1,600", "tCO2e"),
    ]
    found = check(tmp_path, rows)
    assert (
        rules_of(found) == ["sum.totals"] and "1,000 + 500 = 1,500 ≠ 1,600" in found[0].arithmetic
    )
    rows[2] = row("Scope 3", "Scope 3", "", "1,500", "tCO2e")
    assert check(tmp_path, rows) == []


def test_a_part_larger_than_its_whole_is_a_warning(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("Training", "Training hours", "training.hours", "167,680", "hours"),
        row("Safety", "Safety training hours", "safety.training_hours", "291,570", "hours"),
    ])  # fmt: skip
    assert rules_of(found) == ["sum.part_within_whole"]
    assert found[0].severity == "warning"
    assert found[0].arithmetic == "291,570 > 167,680 h (difference 123,890, 73.9%)"
    assert check(tmp_path, [
        row("Training", "Training hours", "training.hours", "167,680", "hours"),
        row("Safety", "Safety training hours", "safety.training_hours", "91,570", "hours"),
    ]) == []  # fmt: skip


def test_a_breakdown_must_add_up_to_its_total_by_every_axis(tmp_path: Path) -> None:
    rows = [
        row("Training", "Total", "training.hours", "1,000", "h"),
        row("Training", "Male", "training.hours", "600", "h", dimensions="gender=male"),
        row("Training", "Female", "training.hours", "300", "h", dimensions="gender=female"),
        row("Training", "Management", "training.hours", "100", "h",
            dimensions="employee_category=senior_management"),
        row("Training", "Staff", "training.hours", "900", "h",
            dimensions="employee_category=general_staff"),
    ]  # fmt: skip
    found = check(tmp_path, rows)
    assert rules_of(found) == ["sum.breakdowns"]
    assert "by Gender" in found[0].message and found[0].arithmetic.startswith(
        "300 + 600 = 900 ≠ 1,000"
    )
    rows[2] = row("Training", "Female", "training.hours", "400", "h", dimensions="gender=female")
    assert check(tmp_path, rows) == []


def test_without_a_total_the_axes_are_compared_with_each_other(tmp_path: Path) -> None:
    rows = [
        row("Training", "Male", "training.hours", "600", "h", dimensions="gender=male"),
        row("Training", "Female", "training.hours", "300", "h", dimensions="gender=female"),
        row("Training", "Management", "training.hours", "100", "h",
            dimensions="employee_category=senior_management"),
        row("Training", "Staff", "training.hours", "900", "h",
            dimensions="employee_category=general_staff"),
    ]  # fmt: skip
    found = check(tmp_path, rows)
    assert rules_of(found) == ["sum.breakdowns"]
    assert found[0].arithmetic == "100 + 900 = 1,000 ≠ 300 + 600 = 900 h"
    assert "by Employee category and by Gender" in found[0].message


def test_ratios_are_never_added(tmp_path: Path) -> None:
    assert check(tmp_path, [
        row("Training", "Average", "training.average_hours", "11.4", "h/person"),
        row("Training", "Male", "training.average_hours", "12", "h/person",
            dimensions="gender=male"),
        row("Training", "Female", "training.average_hours", "10", "h/person",
            dimensions="gender=female"),
    ]) == []  # fmt: skip


def test_the_message_is_in_chinese_when_asked(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("温室气体", "范围一", "ghg.scope1", "12,000", "tCO2e"),
        row("温室气体", "范围二", "ghg.scope2_location", "3,000", "tCO2e"),
        row("温室气体", "合计", "ghg.scope12_location", "15,600", "tCO2e"),
    ], lang="zh")  # fmt: skip
    assert "各部分之和与合计不符" in found[0].message and "差额 -600" in found[0].arithmetic


def test_one_member_printed_is_part_of_the_total_and_may_not_exceed_it(tmp_path: Path) -> None:
    rows = [
        row("People", "Employees", "workforce.headcount", "14,685", "persons"),
        row("People", "Female employees", "workforce.headcount", "3,000", "persons",
            dimensions="gender=female"),
    ]  # fmt: skip
    assert check(tmp_path, rows) == []
    rows[1] = row("People", "Female employees", "workforce.headcount", "15,000", "persons",
                  dimensions="gender=female")  # fmt: skip
    found = check(tmp_path, rows)
    assert rules_of(found) == ["sum.breakdowns"]
    assert found[0].arithmetic.startswith("15,000 > 14,685")


def test_whole_numbers_of_people_are_exact(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("People", "Employees", "workforce.headcount", "151", "persons"),
        row("People", "Female", "workforce.headcount", "100", "persons",
            dimensions="gender=female"),
        row("People", "Male", "workforce.headcount", "50", "persons", dimensions="gender=male"),
    ])  # fmt: skip
    assert rules_of(found) == ["sum.breakdowns"]
    assert found[0].arithmetic == "100 + 50 = 150 ≠ 151 person (difference -1, 0.7%)"


def test_a_chinese_waste_table_of_three_years_keyed_by_its_labels(tmp_path: Path) -> None:
    # the real report: total solid waste is not general plus hazardous in two years
    rows = []
    for period, general, hazardous, total in (
        ("2022", "1,200,000", "40,000", "1,300,000"),
        ("2023", "1,100,000", "42,309", "1,084,618"),
        ("2024", "1,000,000", "45,000", "1,045,000"),
    ):
        rows += [row("固体废弃物", "一般固体废物", "", general, "吨", period=period),
                 row("固体废弃物", "危险废物", "", hazardous, "吨", period=period),
                 row("固体废弃物", "固体废弃物总量", "", total, "吨", period=period)]  # fmt: skip
    found = check(tmp_path, rows, lang="zh")
    assert rules_of(found) == ["sum.totals", "sum.totals"]
    assert [f.facts[0].period for f in found] == ["2022", "2023"]
    assert "差额 -60,000" in found[0].arithmetic and "差额 57,691" in found[1].arithmetic
