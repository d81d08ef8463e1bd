"""Reading report tables (issue 12, part 2): CSV and XLSX, entities by id, alias or name,
metrics by id or by the row label (catalogue names in English and Chinese, reviewed labels),
units converted to the catalogue unit; every malformed cell refused naming row and column, the
whole file refused; an unresolved label is not an input error (the label check reports it)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from esgledger.errors import InputRejected
from esgledger.ingest.report_tables import read_report_tables
from tests.qa_tables import CATALOGUE, COLUMNS, ENTITIES, read, row


def test_rows_resolve_entities_metrics_and_units(tmp_path: Path) -> None:
    tables = read(tmp_path, [
        row("能源", "综合能耗", "", "1.2", "万吨标准煤", entity="示例铝业集团"),
        row("Energy", "Natural gas usage", "", "1,242,626.7", "cubic meters", entity="GROUP"),
        row("Water", "Total water consumption", "", "679,394.0", "tons", entity="Alumina Co."),
        row("People", "Employees", "workforce.headcount", "120", "persons",
            dimensions="gender=female"),
        row("Other", "Something else", "", "5", "t", entity="Unknown Subsidiary Ltd"),
        row("Other", "Nothing", "", "-", "t"),
    ])  # fmt: skip
    facts = tables.facts
    assert len(facts) == 5  # the nil cell is no figure
    energy, gas, water, people, other = facts
    assert (energy.metric_key, energy.entity_id, energy.value, energy.unit) == (
        "energy.total_tce", "group", pytest.approx(12_000.0), "tce")  # fmt: skip
    assert (gas.metric_key, gas.entity_id, gas.unit) == ("energy.natural_gas", "group", "wan_m3")
    assert gas.value == pytest.approx(124.26267)
    assert (water.metric_key, water.entity_id, water.value) == (
        "water.withdrawal", "alumina_co", pytest.approx(679_394.0))  # fmt: skip
    assert people.metric_key == "workforce.headcount{gender=female}"
    assert (other.metric_key, other.entity_id) == (
        None,
        "~unknown subsidiary",
    )  # legal form folded away
    assert gas.origin == "reported_table" and gas.text_as_written == "1,242,626.7"
    assert gas.location == "report table 'Energy', row 'Natural gas usage' (t.csv row 3)"


def test_malformed_cells_refuse_the_whole_file_naming_row_and_column(tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as refused:
        read(tmp_path, [
            row("Energy", "Electricity", "energy.electricity_purchased", "1,5", "MWh"),
            row("Energy", "Gas", "energy.natural_gas", "12", "furlongs"),
            row("Energy", "Coal", "energy.raw_coal", "12", "t", period="FY24"),
            row("Energy", "Coke", "energy.cokes", "12", "t"),
            row("Energy", "Diesel", "energy.diesel", "12", "MWh"),
            row("People", "Staff", "workforce.headcount", "12", "persons", dimensions="colour=red"),
            row("", "Untitled", "energy.diesel", "12", "t"),
        ])  # fmt: skip
    issues = {(i.row, i.field): i.expected for i in refused.value.issues}
    assert set(issues) == {
        (2, "value"), (3, "unit"), (4, "period"), (5, "metric"), (6, "unit"), (7, "dimensions"),
        (8, "table"),
    }  # fmt: skip
    assert "a comma only separates thousands" in issues[(2, "value")]
    assert "a year (2024) or a month (2024-03)" in issues[(4, "period")]
    assert "did you mean 'energy.coke'" in issues[(5, "metric")]
    assert "unknown axis 'colour'" in issues[(7, "dimensions")]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("table,row_label,entity,period,value,unit\nA,B,group,2024,1,t\n")
    with pytest.raises(InputRejected) as refused:
        read_report_tables(path, CATALOGUE, ENTITIES)
    assert [(i.field, i.found) for i in refused.value.issues] == [("metric", "no such column")]


def test_an_xlsx_file_reads_like_a_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(COLUMNS)
    sheet.append(["GHG", "Scope 1", "group", "", "2024", 12000.5, "tCO2e", "", ""])
    book.save(tmp_path / "t.xlsx")
    (fact,) = read_report_tables(tmp_path / "t.xlsx", CATALOGUE, ENTITIES).facts
    assert (fact.metric_key, fact.value, fact.unit) == ("ghg.scope1", 12000.5, "tCO2e")


def test_a_row_read_in_its_table(tmp_path: Path) -> None:
    facts = read(tmp_path, [
        row("Employees by gender", "Female", "", "40", "persons"),
        row("Employees by gender", "Male", "", "60", "persons"),
        row("Employees by gender", "Total", "", "100", "persons"),
        row("按性别划分的员工人数", "女性", "", "40", "人"),
        row("GHG intensity per revenue", "Alumina Co.", "", "0.5", "tCO2e/万元", entity=""),
        row("GHG intensity per revenue", "Foil maker Ltd", "", "0.6", "tCO2e/万元", entity=""),
        row("Employees", "Head office", "", "10", "persons", entity=""),
        row("Employees", "Smelter Company", "", "20", "persons", entity=""),
    ]).facts  # fmt: skip
    keys = [(f.metric_key, f.entity_id) for f in facts]
    assert keys == [
        ("workforce.headcount{gender=female}", "group"),
        ("workforce.headcount{gender=male}", "group"),
        ("workforce.headcount", "group"),
        ("workforce.headcount{gender=female}", "group"),
        ("ghg.intensity_revenue", "alumina_co"),  # an intensity by company: the row names whom
        ("ghg.intensity_revenue", "~foil maker"),  # its legal form folded away
        (None, "group"),  # a total of one metric: an unknown row is not taken for an entity
        ("workforce.headcount", "smelter"),  # unless the ledger knows it
    ]
    assert facts[0].attributes["resolved_by"] == "member"
