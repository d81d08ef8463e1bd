"""The recomputation, bounds, change, scope and target checks through the doors (issue 12), on
SQLite and PostgreSQL: a move against last year in the ledger, explained or not; a report's tables
checked alone with ``esgledger check --reported FILE --json``, inconsistent and consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.services.datapoints import Entry
from tests.case_runner import _load
from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_governance_doors import _wide_console  # noqa: F401  (the autouse fixture)

CASES = Path(__file__).parent / "cases_group"
COLUMNS = [
    "table",
    "row_label",
    "entity",
    "metric",
    "period",
    "value",
    "unit",
    "footnote",
    "status",
]


def cli(db: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", db, "check", *args], env={"ESGLEDGER_PASSWORD": ""})


def rules_of(result: Result) -> list[str]:
    return [f["rule"] for f in json.loads(result.stdout)["findings"]]


def test_a_move_in_the_ledger_needs_an_explanation(world: World) -> None:
    services, admin = world.services, world.ws.admin
    for entity, period, value in (("plant_a", "2023", 100.0), ("plant_b", "2023", 40.0),
                                  ("plant_b", "2024", 42.0)):  # fmt: skip
        services.datapoints.create(admin, Entry(entity, period, "waste.hazardous", value, "t"))
    moved = services.datapoints.create(
        admin, Entry("plant_a", "2024", "waste.hazardous", 300.0, "t")
    )
    result = services.qa.check(admin, "2024")
    mine = [f for f in result.findings if f.rule.split(".")[0] in ("change", "scope")]
    assert [(f.rule, f.facts[0].entity_id) for f in mine] == [("change.unexplained", "plant_a")]
    assert "200.0 %" in mine[0].message and "Plant A" in mine[0].message
    services.datapoints.explain_change(admin, moved.id, moved.version, "Second potline started")
    after = services.qa.check(admin, "2024")
    assert [f.rule for f in after.findings if f.rule.startswith("change")] == []


def test_the_organisation_s_review_threshold_applies(world: World) -> None:
    services, admin = world.services, world.ws.admin
    services.settings.set(admin, "review.change_threshold", 3.0)
    for entity in ("plant_a", "plant_b"):
        services.datapoints.create(admin, Entry(entity, "2023", "waste.hazardous", 100.0, "t"))
        services.datapoints.create(admin, Entry(entity, "2024", "waste.hazardous", 300.0, "t"))
    assert [f.rule for f in services.qa.check(admin, "2024").findings] == []


def _report(tmp_path: Path, consistent: bool) -> Path:
    """A report's tables: safety rates, energy from carriers, Scope 2 against electricity,
    hazardous waste recovered, a target row typed achieved."""
    pick = (lambda good, bad: good) if consistent else (lambda good, bad: bad)
    rows = [
        ("Safety", "Lost-time injuries", "safety.lost_time_injuries", "12", "person", ""),
        ("Safety", "Hours worked", "safety.hours_worked", "8,000,000", "h", ""),
        ("Safety", "LTIFR", "safety.ltifr", pick("1.50", "3.20"), "1/million_hours", ""),
        ("Energy", "Raw coal", "energy.raw_coal", "100,000", "t", ""),
        ("Energy", "Purchased electricity", "energy.electricity_purchased", "5", "亿千瓦时", ""),
        (
            "Energy",
            "Comprehensive energy",
            "energy.total_tce",
            pick("132,880", "400,000"),
            "tce",
            "",
        ),
        ("GHG", "Scope 2", "ghg.scope2_location", pick("400,000", "3,200,000"), "tCO2e", ""),
        ("Waste", "Hazardous waste", "waste.hazardous", "1,000", "t", ""),
        (
            "Waste",
            "Hazardous waste recovered",
            "waste.hazardous_recycled",
            pick("900", "1,200"),
            "t",
            "",
        ),
        ("GHG", "Scope 1", "ghg.scope1", "52,000", "tCO2e", ""),
        ("Targets", "2024 target", "ghg.scope1", pick("53,000", "50,000"), "tCO2e", "achieved"),
    ]
    name = "ok.csv" if consistent else "report.csv"
    return write_csv(tmp_path / name, COLUMNS, [
        [table, label, "", metric, "2024", value, unit, "", status]
        for table, label, metric, value, unit, status in rows
    ])  # fmt: skip


def test_report_tables_alone_through_the_command_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = cli(str(missing), "--reported", str(_report(tmp_path, consistent=False)), "--json")
    assert result.exit_code == 1
    found = rules_of(result)
    for rule in ("recompute.ratio", "recompute.energy", "bounds.scope2_per_mwh",
                 "bounds.part_of_whole", "targets.status"):  # fmt: skip
        assert rule in found, (rule, found)
    energy = next(
        f for f in json.loads(result.stdout)["findings"] if f["rule"] == "recompute.energy"
    )
    # (400,000 - 71,430) tce / 500,000 MWh = 0.65714 kgce/kWh: above any equivalent value
    assert "0.65714 kgce/kWh" in energy["message"] and energy["table"] == "Energy"
    assert {v["metric"] for v in energy["values"]} == {
        "energy.total_tce", "energy.raw_coal", "energy.electricity_purchased"}  # fmt: skip
    ok = cli(str(missing), "--reported", str(_report(tmp_path, consistent=True)), "--json")
    assert ok.exit_code == 0 and rules_of(ok) == []
    chinese = cli(
        str(missing), "--reported", str(_report(tmp_path, consistent=False)), "--lang", "zh"
    )
    assert "综合能源消耗量" in chinese.stdout and "折标系数" in chinese.stdout


def test_a_report_table_mixing_boundaries_through_the_command_line(tmp_path: Path) -> None:
    columns = [*COLUMNS, "covers"]
    rows = [
        [
            "GHG",
            "Scope 1",
            "Group",
            "ghg.scope1",
            "2023",
            "1,000",
            "tCO2e",
            "",
            "",
            "Plant A, Plant B",
        ],
        ["GHG", "Scope 1", "Group", "ghg.scope1", "2024", "1,400", "tCO2e", "", "", ""],
    ]
    tables = write_csv(tmp_path / "mixed.csv", columns, rows)
    result = cli(str(tmp_path / "none.db"), "--reported", str(tables), "--json")
    found = json.loads(result.stdout)["findings"]
    (finding,) = [f for f in found if f["rule"] == "scope.table_coverage"]
    assert "plant a, plant b" in finding["message"] and finding["table"] == "GHG"
    rows[0][-1] = ""
    same = write_csv(tmp_path / "same.csv", columns, rows)
    result = cli(str(tmp_path / "none.db"), "--reported", str(same), "--json")
    assert "scope.table_coverage" not in rules_of(result)


def test_a_group_scope2_entered_with_the_captive_supply_added_back(
    ws: Ledger, tmp_path: Path
) -> None:
    """The captive power case of the calculation tests: the smelter's 746,614.64416 tCO2e of
    Scope 2 from the group's own plant is eliminated at the group (53,060 tCO2e, grid only)."""
    case = yaml.safe_load((CASES / "captive_power.yaml").read_text(encoding="utf-8"))["cases"][0]
    _load(case, ws, tmp_path)
    ws.services.calculation.run(ws.admin, "2024")
    entered = Entry(
        "grp",
        "2024",
        "ghg.scope2_location",
        799_674.64416,
        "tCO2e",
        "reported",
        "2024 report p. 12",
    )
    ws.services.datapoints.create(ws.admin, entered)
    result = ws.services.qa.check(ws.admin, "2024")
    (found,) = [f for f in result.findings if f.rule == "scope.captive_in_group_total"]
    assert found.details["eliminated"] == pytest.approx(746_614.64416)
    assert "53,060" in found.message
