"""The quality checks through their doors, on SQLite and PostgreSQL (issue 12): the ledger's
figures of a period (data points, the current run, a target's stated base) checked with a
report's tables; ``esgledger check`` (text grouped by severity, JSON, exit 1 on an error, the
tables alone without a ledger) and ``/api/v1/qa/{period}/check|findings``."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.services.datapoints import Entry
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.qa_tables import COLUMNS, row
from tests.test_governance_doors import _wide_console  # noqa: F401  (the autouse fixture)

FINDING_KEYS = {"rule", "severity", "message", "table", "tables", "row_label", "period", "values",
                "arithmetic", "key", "reference"}  # fmt: skip
VALUE_KEYS = {"value", "unit", "entity", "metric", "period", "origin", "location", "table",
              "row_label", "as_written", "unit_as_written"}  # fmt: skip


def cli(db: str, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", db, "check", *args], env={"ESGLEDGER_PASSWORD": ""})


def _ledger(world: World) -> None:
    """Plant A's diesel for 2023 and 2024, Plant B's; a run; a target with a stated base."""
    services, admin = world.services, world.ws.admin
    for entity, period, value in (("plant_a", "2024", 10.0), ("plant_b", "2024", 5.0),
                                  ("plant_a", "2023", 9.0), ("plant_b", "2023", 6.0)):  # fmt: skip
        services.datapoints.create(admin, Entry(entity, period, "energy.diesel", value, "t"))
    services.calculation.run(admin, "2024")
    services.targets.create(admin, {
        "target_id": "T-DIESEL", "name": "Diesel down", "kind": "absolute",
        "metric_key": "energy.diesel", "entity_id": "plant_a", "base_year": 2023,
        "base_value": 9.8, "base_source": "2023 report", "target_year": 2030,
        "target_change": -0.5,
    })  # fmt: skip


def _tables(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "report.csv", COLUMNS, [
        row("Energy", "Diesel", "energy.diesel", "10.0", "t", entity="Plant A"),
        row("Energy", "Diesel", "energy.diesel", "5.4", "t", entity="plant_b"),
        row("Waste", "Hazardous", "waste.hazardous", "1.2", "t", entity="grp"),
        row("Waste", "General", "waste.non_hazardous", "2.2", "t", entity="grp"),
        row("Waste", "Total", "waste.total", "3.4", "t", entity="grp"),
    ])  # fmt: skip


def test_the_ledger_and_a_report_checked_together(world: World, tmp_path: Path) -> None:
    _ledger(world)
    services, admin = world.services, world.ws.admin
    alone = services.qa.check(admin, "2024")
    assert [f.rule for f in alone.findings] == ["identity.target_base"]  # 9.8 stated, 9 stored
    assert alone.facts >= 8 and alone.counts == {"error": 1, "warning": 0, "rows_not_read": 0}
    tables = services.qa.read_reported(admin, _tables(tmp_path))
    result = services.qa.check(admin, "2024", tables)
    rules = [f.rule for f in result.findings]
    assert rules == ["identity.ledger", "identity.target_base"]
    differing = result.findings[0]
    assert {(v.origin, v.entity_id, v.value) for v in differing.facts} == {
        ("reported_table", "plant_b", 5.4), ("computed", "plant_b", 5.0)}  # fmt: skip
    # a user limited to Plant A checks Plant A's figures only
    owner = world.user("owner_a")
    assert [f.rule for f in services.qa.check(owner, "2024", tables).findings] == [
        "identity.target_base"
    ]


def test_the_command_line(world: World, db_url: str, tmp_path: Path) -> None:
    _ledger(world)
    report = _tables(tmp_path)
    text = cli(db_url, "--period", "2024", "--reported", str(report))
    assert text.exit_code == 1, text.output
    assert (
        "2 error(s), 0 warning(s)" in text.stdout and "Errors (block the report) (2)" in text.stdout
    )
    assert "identity.ledger" in text.stdout and "5.4" in text.stdout
    shown = json.loads(cli(db_url, "--period", "2024", "--reported", str(report), "--json").stdout)
    assert shown["counts"] == {"error": 2, "warning": 0, "rows_not_read": 0}
    assert shown["rows_not_read"] == [] and shown["period"] == "2024"
    findings = shown["findings"]
    assert [f["rule"] for f in findings] == ["identity.ledger", "identity.target_base"]
    assert all(set(f) == FINDING_KEYS | {"justification"} for f in findings)  # null if none
    assert all(set(v) == VALUE_KEYS for f in findings for v in f["values"])
    assert findings[0]["table"] == "Energy" and findings[0]["period"] == "2024"
    chinese = cli(db_url, "--period", "2024", "--reported", str(report), "--lang", "zh")
    assert "错误（阻止发布报告）" in chinese.stdout and "在不同位置数值不同" in chinese.stdout
    consistent = write_csv(tmp_path / "ok.csv", COLUMNS, [
        row("Waste", "Hazardous", "waste.hazardous", "1.2", "t", entity="grp")])  # fmt: skip
    ok = cli(db_url, "--reported", str(consistent))
    assert ok.exit_code == 0 and "0 error(s), 0 warning(s)" in ok.stdout
    assert cli(db_url).exit_code == 2  # neither a period nor tables: a usage error
    bad = write_csv(tmp_path / "bad.csv", COLUMNS, [row("W", "H", "waste.hazardous", "x", "t")])
    refused = cli(db_url, "--reported", str(bad))
    assert refused.exit_code == 1 and "row 2" in refused.stderr and "'value'" in refused.stderr


def test_report_tables_alone_without_a_ledger(tmp_path: Path) -> None:
    tables = write_csv(tmp_path / "t.csv", COLUMNS, [
        row("Training", "Training hours", "training.hours", "167,680", "hours"),
        row("Safety", "Safety training hours", "safety.training_hours", "291,570", "hours"),
        row("GHG", "Scope 1", "ghg.scope1", "100", "tCO2e"),
        row("GHG", "Scope 2", "ghg.scope2_location", "50", "tCO2e"),
        row("GHG", "Total", "ghg.scope12_location", "160", "tCO2e"),
    ])  # fmt: skip
    missing = tmp_path / "none.db"
    result = cli(str(missing), "--reported", str(tables), "--json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in found] == ["sum.totals", "sum.part_within_whole"]
    assert "checked alone" in result.stderr and not missing.exists()
    assert cli(str(missing), "--period", "2024").exit_code == 1  # no ledger, no tables


def test_the_rest_api(world: World, client: TestClient, tmp_path: Path) -> None:
    _ledger(world)
    headers = world.headers("viewer")
    shown = client.get(f"{API}/qa/2024/findings", headers=headers)
    assert shown.status_code == 200
    body = shown.json()
    assert body["counts"] == {"error": 1, "warning": 0, "rows_not_read": 0}
    assert [f["rule"] for f in body["findings"]] == ["identity.target_base"]
    assert {r["id"] for r in body["rules"]} >= {"sum.totals", "identity.ledger", "label.duplicate"}
    upload = {"file": ("report.csv", _tables(tmp_path).read_bytes())}
    checked = client.post(f"{API}/qa/2024/check?lang=zh", headers=headers, files=upload)
    assert checked.status_code == 200
    assert [f["rule"] for f in checked.json()["findings"]] == [
        "identity.ledger", "identity.target_base"]  # fmt: skip
    assert "在不同位置数值不同" in checked.json()["findings"][0]["message"]
    bad = {"file": ("bad.csv", b"table,row_label\nA,B\n")}
    refused = client.post(f"{API}/qa/2024/check", headers=headers, files=bad)
    assert refused.status_code == 422 and "entity" in refused.text
    assert client.get(f"{API}/qa/24/findings", headers=headers).status_code == 422
