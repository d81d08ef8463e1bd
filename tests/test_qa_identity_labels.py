"""The identity and label checks (issue 12) on hand-made report tables: one figure with two
values in two tables, against the ledger and in a target; two rows of one table that are one
figure (aliases included); labels that name no metric or another metric than their unit; a row an
order of magnitude away from the others of its intensity column. Consistent tables give nothing."""

from __future__ import annotations

from pathlib import Path

from esgledger.qa.facts import Fact
from tests.qa_tables import check, row, rules_of


def ledger(metric: str, value: float, unit: str, origin: str = "computed",
           entity: str = "group", period: str = "2024", **attributes: str) -> Fact:  # fmt: skip
    return Fact(origin, metric, entity, period, value, unit, f"{origin} {metric}",  # type: ignore[arg-type]
                attributes=attributes)  # fmt: skip


def test_one_figure_with_two_values_in_two_tables_is_an_error(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("GHG", "Scope 1", "ghg.scope1", "12,000.4", "tCO2e"),
        row("Summary", "Direct emissions (Scope 1)", "", "12,500", "tCO2e"),
    ])  # fmt: skip
    assert rules_of(found) == ["identity.tables"]
    assert found[0].arithmetic == "12,500 − 12,000.4 = 499.6 tCO2e (4.2%)"
    assert {f.table for f in found[0].facts} == {"GHG", "Summary"}


def test_the_same_figure_rounded_differently_is_no_finding(tmp_path: Path) -> None:
    assert check(tmp_path, [
        row("GHG", "Scope 1", "ghg.scope1", "12,345.6", "tCO2e"),
        row("Summary", "Scope 1", "ghg.scope1", "12,346", "tCO2e"),
        row("Highlights", "Scope 1", "ghg.scope1", "1.23", "万吨二氧化碳当量"),
    ]) == []  # fmt: skip


def test_a_report_figure_against_the_ledger(tmp_path: Path) -> None:
    rows = [row("Energy", "Comprehensive energy consumption", "", "11,384.4", "tce")]
    found = check(tmp_path, rows, extra=[ledger("energy.total_tce", 11_000.0, "tce")])
    assert rules_of(found) == ["identity.ledger"]
    assert "384.4" in found[0].arithmetic
    assert check(tmp_path, rows, extra=[ledger("energy.total_tce", 11_384.43, "tce")]) == []
    # a derived metric: the reported data point is the ledger's figure, not the computation
    both = [ledger("energy.total_tce", 6_975.2, "tce"),
            ledger("energy.total_tce", 11_384.4, "tce", origin="datapoint")]  # fmt: skip
    assert check(tmp_path, rows, extra=both) == []


def test_a_target_base_that_differs_from_the_ledger(tmp_path: Path) -> None:
    base = ledger("ghg.scope1", 10_000.0, "tCO2e", origin="target", period="2020", kind="base")
    aim = ledger("ghg.scope1", 5_000.0, "tCO2e", origin="target", period="2030", kind="target")
    actual = ledger("ghg.scope1", 10_400.0, "tCO2e", period="2020")
    found = check(tmp_path, [], extra=[base, aim, actual])
    assert rules_of(found) == ["identity.target_base"]
    assert len(found[0].facts) == 2
    assert (
        check(
            tmp_path, [], extra=[base, aim, ledger("ghg.scope1", 10_000.0, "tCO2e", period="2020")]
        )
        == []
    )


def test_two_targets_for_one_year_are_no_figure_with_two_values(tmp_path: Path) -> None:
    # a gross target and a net-zero target on one metric for one year (the demo's 2060 pair)
    gross = ledger("ghg.scope12_location", 995_641.0, "tCO2e", origin="target", period="2060",
                   kind="target", target_id="GROSS")  # fmt: skip
    net = ledger("ghg.scope12_location", 0.0, "tCO2e", origin="target", period="2060",
                 kind="target", target_id="NET")  # fmt: skip
    assert check(tmp_path, [], extra=[gross, net]) == []
    printed = [row("Targets", "Scope 1 and 2 target 2060", "ghg.scope12_location", "900,000",
                   "tCO2e", period="2060", dimensions="figure=target")]  # fmt: skip
    found = check(tmp_path, printed, extra=[gross])
    assert rules_of(found) == ["identity.target_base"] and "95,641" in found[0].arithmetic


def test_two_rows_of_one_table_naming_one_entity_through_an_alias(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("Intensity", "Alumina Company", "ghg.intensity_alumina", "0.50", "tCO2e/t",
            entity="Alumina Company"),
        row("Intensity", "Alumina Co.", "ghg.intensity_alumina", "0.70", "tCO2e/t",
            entity="Alumina Co."),
        row("Intensity", "Smelter", "ghg.intensity_alumina", "0.60", "tCO2e/t",
            entity="Smelter Company"),
    ])  # fmt: skip
    assert rules_of(found) == ["label.duplicate"]
    assert "'Alumina Company' (Alumina Company), 'Alumina Co.' (Alumina Co.)" in found[0].message
    assert found[0].severity == "error"


def test_one_figure_under_two_labels_with_one_value_is_a_warning(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("Energy", "Comprehensive energy consumption", "", "11,384.4", "tce"),
        row("Energy", "Total energy consumption", "", "11,384.4", "tce"),
    ])  # fmt: skip
    assert rules_of(found) == ["label.repeated"] and found[0].severity == "warning"


def test_labels_that_name_no_metric_or_another_metric_than_their_unit(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("Energy", "Fuel consumption", "", "3,581,559.9", "liters"),
        row("Energy", "Mystery figure", "", "12", "t"),
        row("Energy", "Natural gas usage", "", "12", "tCO2e"),
    ])  # fmt: skip
    # one row not read per printed row, each saying where it is and what was expected
    assert rules_of(found) == ["label.unresolved"] * 3
    assert {f.kind for f in found} == {"unread_row"}
    fuel, mystery, gas = found
    assert "row 'Fuel consumption' (" in fuel.message and "names no metric" in fuel.message
    assert "Expected: a metric id in the row's metric column" in fuel.message
    assert "row 'Mystery figure'" in mystery.message and "Fuel" not in mystery.message
    assert "Natural gas usage" in gas.message and "tCO2e" in gas.message
    assert "Expected: a unit of" in gas.message
    assert fuel.details == {"reason": "no_metric"} and gas.details["reason"] == "unit"


def test_a_row_an_order_of_magnitude_off_in_an_intensity_table(tmp_path: Path) -> None:
    rows = [
        row("Alumina refining intensity", "Refinery A", "ghg.intensity_alumina", "0.50",
            "tCO2e/t", entity="Alumina Company"),
        row("Alumina refining intensity", "Refinery B", "ghg.intensity_alumina", "0.60",
            "tCO2e/t", entity="Smelter Company"),
        row("Alumina refining intensity", "Refinery C", "ghg.intensity_alumina", "0.55",
            "tCO2e/t", entity="Rolling Company"),
        row("Alumina refining intensity", "Refinery D", "ghg.intensity_alumina", "12.5",
            "tCO2e/t", entity="Foil Company"),
    ]  # fmt: skip
    found = check(tmp_path, rows)
    assert rules_of(found) == ["label.magnitude"]
    assert found[0].facts[0].row_label == "Refinery D" and "22.7 times" in found[0].message
    rows[3] = row("Alumina refining intensity", "Refinery D", "ghg.intensity_alumina", "0.9",
                  "tCO2e/t", entity="Foil Company")  # fmt: skip
    assert check(tmp_path, rows) == []


def test_intensities_per_revenue_may_differ_by_an_order_of_magnitude(tmp_path: Path) -> None:
    assert check(tmp_path, [
        row("Carbon intensity", "Alumina", "ghg.intensity_revenue", "0.50", "tCO2e/万元",
            entity="Alumina Company"),
        row("Carbon intensity", "Smelting", "ghg.intensity_revenue", "9.60", "tCO2e/万元",
            entity="Smelter Company"),
        row("Carbon intensity", "Rolling", "ghg.intensity_revenue", "0.55", "tCO2e/万元",
            entity="Rolling Company"),
        row("Carbon intensity", "Foil", "ghg.intensity_revenue", "0.45", "tCO2e/万元",
            entity="Foil Company"),
    ]) == []  # fmt: skip


def test_messages_in_chinese(tmp_path: Path) -> None:
    found = check(tmp_path, [
        row("温室气体", "范围一", "", "12,000", "tCO2e"),
        row("摘要", "范围一排放", "", "13,000", "tCO2e"),
    ], lang="zh")  # fmt: skip
    assert rules_of(found) == ["identity.tables"]
    assert "在不同位置数值不同" in found[0].message and "范围一" in found[0].message


def test_a_target_printed_in_two_tables_but_never_against_the_actual(tmp_path: Path) -> None:
    rows = [
        row("2024 plan", "Comprehensive energy consumption", "", "11,000", "tce",
            dimensions="figure=target"),
        row("Targets and performance", "Comprehensive energy consumption", "", "11,500", "tce",
            dimensions="figure=target"),
        row("Energy", "Comprehensive energy consumption", "", "11,384.4", "tce"),
    ]  # fmt: skip
    found = check(tmp_path, rows)
    assert rules_of(found) == ["identity.tables"]
    assert {f.table for f in found[0].facts} == {"2024 plan", "Targets and performance"}
    assert all(f.attributes["figure"] == "target" for f in found[0].facts)
    rows[1] = row("Targets and performance", "Comprehensive energy consumption", "", "11,000",
                  "tce", dimensions="figure=target")  # fmt: skip
    assert check(tmp_path, rows) == []
