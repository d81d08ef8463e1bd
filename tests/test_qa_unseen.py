"""Issue 12, "Done means": reports the team had not keyed, checked as a new user would
(``esgledger check --reported FILE --json``, no ledger). tests/data/unseen_reports/README.md
names the source of each table.

- three real HKEX KPI tables (CHALCO 2024, China Hongqiao 2024, an industrial issuer 2024) are
  consistent: no finding but rows not checked (``label.unresolved``: metrics the catalogue does
  not hold, intensities per US dollar of sales);
- the constructed aluminium group's tables with the errors of the issue's "Why" paragraph give
  the careful reader's 13 findings and nothing else; their consistent twin gives none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esgledger.cli.main import app
from esgledger.ingest.report_tables import entity_fold
from esgledger.qa.checks.change import _significant
from esgledger.qa.labels import LabelIndex, bilingual
from esgledger.units import UnitError, conversion_factor
from tests.ledger_fixture import Ledger
from tests.qa_tables import CATALOGUE
from tests.test_governance_doors import _wide_console  # noqa: F401  (the autouse fixture)

DATA = Path(__file__).parent / "data" / "unseen_reports"


def _run(tmp_path: Path, name: str) -> dict:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "none.db"), "check", "--reported", str(DATA / name), "--json"],
        env={"ESGLEDGER_PASSWORD": ""},
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _check(tmp_path: Path, name: str) -> list[dict]:
    """The findings and the rows not read of a report's tables, in one list."""
    shown = _run(tmp_path, name)
    return [*shown["findings"], *shown["rows_not_read"]]


@pytest.mark.parametrize(
    "name",
    [
        "chalco_2024_ghg.csv",
        "chalco_2019_env.csv",
        "hongqiao_2024_kpi.csv",
        "industrial_2024_ghg.csv",
    ],  # fmt: skip
)
def test_real_consistent_tables_give_no_finding_but_rows_not_checked(
    tmp_path: Path, name: str
) -> None:
    shown = _run(tmp_path, name)
    assert shown["findings"] == [] and shown["counts"]["error"] == shown["counts"]["warning"] == 0
    assert {f["rule"] for f in shown["rows_not_read"]} <= {"label.unresolved"}


def test_real_tables_rows_not_checked_are_metrics_outside_the_catalogue(tmp_path: Path) -> None:
    rows = {v["row_label"] for f in _check(tmp_path, "hongqiao_2024_kpi.csv") for v in f["values"]}
    # Scope 1, Scope 2, their total, NOx, SO2, PM, COD, the per-tonne intensities are read
    assert "Scope 1 total direct GHG emissions (tCO2e)" not in rows
    assert "Total NOx emissions (tonnes)" not in rows
    assert "GHG emission intensity (tCO2e/USD million sales)" in rows  # no exchange rate


def test_an_intensity_per_dollar_is_reported_once_per_row_as_another_currency(
    tmp_path: Path,
) -> None:
    findings = _check(tmp_path, "hongqiao_2024_kpi.csv")
    currency = [f for f in findings if "another currency" in f["message"]]
    rows = sorted(f["row_label"] for f in currency)
    assert rows == [
        "GHG emission intensity (tCO2e/USD million sales)",
        "Intensity of carbon emissions (tCO2-e per USD million sales)",
    ]
    assert all(len(f["values"]) == 2 for f in currency)  # 2023 and 2024 in one finding


def test_the_consistent_twin_gives_no_finding(tmp_path: Path) -> None:
    assert _check(tmp_path, "constructed_consistent.csv") == []


def test_the_careful_readers_findings_and_nothing_else(tmp_path: Path) -> None:
    found = sorted(
        (f["rule"], f["period"], f["arithmetic"])
        for f in _check(tmp_path, "constructed_errors.csv")
    )
    rules = [rule for rule, _period, _arithmetic in found]
    assert sorted(rules) == sorted(
        ["sum.totals"] * 3 + ["recompute.energy"] * 2 + ["label.duplicate"] * 2
        + ["identity.tables", "recompute.ratio", "bounds.part_of_whole", "bounds.scope2_per_mwh",
           "targets.status", "sum.part_within_whole"]
    )  # fmt: skip
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for rule, period, arithmetic in found:
        by_rule.setdefault(rule, []).append((period, arithmetic))
    waste = dict(by_rule["sum.totals"])
    assert "5,285,000 ≠ 5,345,000" in waste["2022"]  # +60,000 t
    assert "5,490,000 ≠ 5,432,300" in waste["2023"]  # -57,700 t
    assert "5,592,000 ≠ 5,650,000" in waste["2024"]
    assert [p for p, _a in by_rule["recompute.energy"]] == ["2022", "2023"]
    assert "95,500" in by_rule["bounds.part_of_whole"][0][1]
    assert "1,250,000 > 1,100,000" in by_rule["sum.part_within_whole"][0][1]
    assert "7,000,000" in by_rule["identity.tables"][0][1]
    assert "25,750,384" in by_rule["targets.status"][0][1]
    assert sorted(p for p, _a in by_rule["label.duplicate"]) == ["2023", "2024"]


# -- the fixes the trial asked for, each on its own -------------------------------------------


@pytest.mark.parametrize(
    ("printed", "unit", "factor"),
    [
        ("Kg", "t", 0.001),
        ("Kg/RMB10000", "t/wan_RMB", 0.001),
        ("Ton/RMB 10000", "t/wan_RMB", 1.0),
        ("Tons/RMB million revenue", "t/wan_RMB", 0.01),
        ("Ton/Ton of alumina production output", "t/t", 1.0),
        ("Tonnes of carbon dioxide equivalent/RMB10000", "tCO2e/wan_RMB", 1.0),
        ("tCO2-e per USD million sales", "tCO2e/million_USD", 1.0),
        ("per million hours", "1/million_hours", 1.0),
        ("suppliers", "1", 1.0),
        ("10000 t of CO2e", "tCO2e", 10_000.0),
        ("tonne of CO₂", "t", 1.0),
        ("g/RMB10000", "t/wan_RMB", 1e-6),
        ("tonnes of standard coal/RMB10,000", "tce/wan_RMB", 1.0),  # "of" kept where it is a unit
    ],
)
def test_units_as_real_kpi_tables_print_them(printed: str, unit: str, factor: float) -> None:
    assert conversion_factor(printed, unit) == pytest.approx(factor)


def test_a_figure_per_dollar_is_never_one_per_yuan() -> None:
    with pytest.raises(UnitError):
        conversion_factor("tCO2e/USD million", "tCO2e/wan_RMB")


def test_labels_in_two_languages_and_the_basis_in_a_bracket() -> None:
    labels = LabelIndex(CATALOGUE)
    assert bilingual("Raw coal 原煤") == ("Raw coal", "原煤")
    assert bilingual("山西华兴铝业有限公司") is None
    assert labels.resolve("Hazardous waste 危险废物产生量") == "waste.hazardous"
    assert labels.resolve("原煤 Raw coal") == "energy.raw_coal"
    total = "Total greenhouse gas emissions (Scope 1 plus Scope 2)"
    assert labels.resolve(f"{total} (based on location)") == "ghg.scope12_location"
    assert labels.resolve(f"{total} (based on market)") == "ghg.scope12_market"
    assert labels.resolve("Total NOₓ emissions") == "air.nox"  # NFKC: subscripts as typed
    assert labels.resolve("The amount of red mud generated") == "waste.bauxite_residue_generated"
    hazardous = "The amount of hazardous waste per RMB10000 revenue"  # = "RMB10,000"
    assert labels.resolve(hazardous) == "waste.hazardous_intensity_revenue"
    # GHG intensity per revenue is of Scope 1+2 location-based: a market-based one is not it
    intensity = "Intensity of greenhouse gas emissions"
    assert labels.resolve(f"{intensity} (based on location)") == "ghg.intensity_revenue"
    assert labels.resolve(f"{intensity} (based on market)") is None
    assert labels.resolve("Scope 1 greenhouse gas emissions (market-based)") == "ghg.scope1"


def test_an_entity_with_or_without_its_legal_form_is_one_entity() -> None:
    assert entity_fold("Shanxi Huaxing Alumina Co., Ltd.") == entity_fold("Shanxi Huaxing Alumina")
    assert entity_fold("山西华兴铝业有限公司") == entity_fold("山西华兴铝业")
    assert entity_fold("Alumina Company") == "alumina company"  # a name, not a legal form


def test_significant_digits_decide_mixed_rounding() -> None:
    assert (_significant("20,000"), _significant("19,500"), _significant("6,923,666")) == (1, 3, 7)
    assert _significant("0.0405") == 3


# -- one denominator: intensities per revenue printed without the revenue ----------------------

_HEAD = "table,row_label,entity,metric,period,value,unit\n"
_INTENSITIES = [
    'KPIs,Total greenhouse gas emissions,,,2024,"17,860,900",tCO2e',
    'KPIs,"GHG emissions per RMB10,000 of revenue",,ghg.intensity_revenue,2024,0.753,tCO2e/RMB10000',
    'KPIs,Comprehensive energy consumption,,,2024,"6,923,666",tonnes of standard coal',
    'KPIs,"Energy consumption per RMB10,000 of revenue",,energy.intensity_revenue,2024,0.292,'
    "tonnes of standard coal/RMB10000",
    'KPIs,Hazardous waste,,,2024,"92,000",tonnes',
]


def _check_rows(tmp_path: Path, rows: list[str]) -> list[dict]:
    path = tmp_path / "intensities.csv"
    path.write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "none.db"), "check", "--reported", str(path), "--json"],
        env={"ESGLEDGER_PASSWORD": ""},
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return [
        f for f in json.loads(result.stdout)["findings"] if f["rule"] == "recompute.denominator"
    ]


def test_intensities_that_share_one_revenue_are_left_alone(tmp_path: Path) -> None:
    # 17,860,900 / 0.753 and 6,923,666 / 0.292 and 92,000 / 0.00388: RMB ~23.7 bn each
    waste = 'KPIs,"Hazardous waste per RMB10,000 of revenue",,waste.hazardous_intensity_revenue,'
    assert _check_rows(tmp_path, [*_INTENSITIES, waste + "2024,0.00388,t/RMB10000"]) == []


def test_an_intensity_from_another_revenue_is_found(tmp_path: Path) -> None:
    # 92,000 / 0.0045 = 20,444,444 (ten-thousand yuan): not the 23.7 bn the other two share
    waste = 'KPIs,"Hazardous waste per RMB10,000 of revenue",,waste.hazardous_intensity_revenue,'
    (found,) = _check_rows(tmp_path, [*_INTENSITIES, waste + "2024,0.0045,t/RMB10000"])
    assert found["severity"] == "warning"
    assert found["row_label"] == "Hazardous waste per RMB10,000 of revenue"
    assert "20,444,444" in found["message"] and "another revenue" in found["message"]


def test_two_intensities_no_revenue_fits(tmp_path: Path) -> None:
    rows = [*_INTENSITIES[:3], _INTENSITIES[3].replace("0.292", "0.35")]
    (found,) = _check_rows(tmp_path, rows)
    assert "no single revenue fits" in found["message"]


def test_a_printed_revenue_leaves_the_intensities_to_recomputation(tmp_path: Path) -> None:
    revenue = 'KPIs,Operating revenue,,,2024,"23,706,600",RMB10000'
    rows = [*_INTENSITIES[:3], _INTENSITIES[3].replace("0.292", "0.35"), revenue]
    assert _check_rows(tmp_path, rows) == []


def test_with_a_ledger_that_knows_the_companies_by_their_full_names(
    ws: Ledger, db_url: str, tmp_path: Path
) -> None:
    """The constructed group's organisation in the ledger (names with their legal form, in
    English and Chinese): the tables resolve to its entities and give the same findings."""
    ws.import_organisation(DATA / "organisation.csv")

    def run(name: str) -> list[dict]:
        result = CliRunner().invoke(
            app, ["--db", db_url, "check", "--period", "2024", "--reported", str(DATA / name),
                  "--json"],
            env={"ESGLEDGER_PASSWORD": ""},
        )  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        shown = json.loads(result.stdout)
        return [*shown["findings"], *shown["rows_not_read"]]

    assert run("constructed_consistent.csv") == []
    found = run("constructed_errors.csv")
    assert len(found) == 13
    duplicates = [f for f in found if f["rule"] == "label.duplicate"]
    assert {v["entity"] for f in duplicates for v in f["values"]} == {"huaxing"}


def test_the_manufacturers_table_is_read_whole(tmp_path: Path) -> None:
    """ "/" prints a year with nothing to report; every other row names a metric and is checked."""
    assert _check(tmp_path, "manufacturer_2024_kpi.csv") == []
