"""Report rows the checks cannot read (a label that names no metric, a unit that cannot be the
metric's) are listed apart from the findings, one per printed row with its file rows and what was
expected, counted as rows not read and not as warnings; in English and Chinese, by the command
line and the REST API; they fail ``esgledger check`` only when the rule is made an error."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.qa.rules import load_rules
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.qa_tables import COLUMNS, row


def _tables(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "report.csv", COLUMNS, [
        row("Energy", "Fuel consumption", "", "3,581,559.9", "liters", period="2023"),
        row("Energy", "Fuel consumption", "", "3,612,338.2", "liters"),
        row("Energy", "Natural gas usage", "", "12", "tCO2e"),
        row("Process", "Anode sulphur", "process.anode_sulphur", "120", "%"),  # above 100 %
    ])  # fmt: skip


def _check(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app,
        ["--db", str(tmp_path / "none.db"), "check", "--reported", str(_tables(tmp_path)), *args],
        env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "300"},
    )


def _said(text: str) -> str:  # the console may wrap lines at its own width
    return " ".join(text.split())


def test_rows_not_read_are_listed_apart_with_their_rows_and_what_was_expected(
    tmp_path: Path,
) -> None:
    shown = json.loads(_check(tmp_path, "--json").stdout)
    assert shown["counts"] == {"error": 1, "warning": 0, "rows_not_read": 2}
    assert [f["rule"] for f in shown["findings"]] == ["bounds.percent"]  # not label.unresolved
    fuel, gas = shown["rows_not_read"]
    assert (fuel["table"], fuel["row_label"], fuel["file"], fuel["lines"]) == (
        "Energy",
        "Fuel consumption",
        "report.csv",
        [2, 3],
    )
    assert fuel["periods"] == ["2023", "2024"] and fuel["reason"] == "no_metric"
    assert (gas["reason"], gas["metric"], gas["lines"]) == ("unit", "energy.natural_gas", [4])
    assert "Expected: a unit of" in gas["message"] and len(gas["values"]) == 1

    text = _check(tmp_path)
    assert text.exit_code == 1  # the percentage's error; the rows not read alone would not
    said = _said(text.stdout)
    assert "1 error(s), 0 warning(s); 2 report row(s) not read" in said
    assert "Report rows not read (2): not checked, not counted as findings" in said
    assert (
        "- Table 'Energy', row 'Fuel consumption' (report.csv rows 2, 3): the label names no "
        "metric of the catalogue, so the row is not checked. Expected: a metric id in the row's "
        "metric column" in said
    )
    assert "row 'Natural gas usage' (report.csv row 4) reads as" in said
    assert said.index("Errors (block the report) (1)") < said.index("Report rows not read")

    chinese = _said(_check(tmp_path, "--lang", "zh").stdout)
    assert "1 项错误，0 项警告；2 行报告数据未能读取" in chinese
    assert "未能读取的报告行（2）：未作检查，不计入发现" in chinese
    assert "行“Fuel consumption”（report.csv 第 2、3 行）：该标签无法对应" in chinese
    assert "应为：" in chinese and "report row" not in chinese


def test_rows_not_read_alone_pass_unless_the_rule_is_made_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = write_csv(tmp_path / "only.csv", COLUMNS, [
        row("Energy", "Fuel consumption", "", "3,600,000", "liters")])  # fmt: skip

    def check() -> Result:
        return CliRunner().invoke(
            app,
            ["--db", str(tmp_path / "none.db"), "check", "--reported", str(tables)],
            env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "300"},
        )

    passed = check()
    assert passed.exit_code == 0, passed.output
    said = _said(passed.stdout)
    assert "0 error(s), 0 warning(s); 1 report row(s) not read" in said
    assert "The rows not read were not checked" in said
    strict = [
        dataclasses.replace(r, severity="error") if r.id == "label.unresolved" else r
        for r in load_rules()
    ]
    monkeypatch.setattr("esgledger.services.qa.load_rules", lambda: strict)
    failed = check()
    assert failed.exit_code == 1 and "0 error(s), 0 warning(s); 1 report row(s)" in _said(
        failed.stdout
    )


def test_the_rest_api_lists_rows_not_read(world: World, client: TestClient, tmp_path: Path) -> None:
    upload = {"file": ("report.csv", _tables(tmp_path).read_bytes())}
    checked = client.post(
        f"{API}/qa/2024/check?lang=zh", headers=world.headers("viewer"), files=upload
    )
    assert checked.status_code == 200
    body = checked.json()
    assert body["counts"]["rows_not_read"] == 2 and body["counts"]["warning"] == 0
    assert [u["row_label"] for u in body["rows_not_read"]] == [
        "Fuel consumption",
        "Natural gas usage",
    ]
    assert "未作检查" in body["rows_not_read"][0]["message"]
    assert "label.unresolved" not in {f["rule"] for f in body["findings"]}
