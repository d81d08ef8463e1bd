"""Issue 12, "Done means": the tables of CHALIECO's 2019 report (HKEX 2068; the text at
/work/shared/reference/seed-chalieco-2019.txt), keyed as report tables
(tests/data/chalieco_2019/report_tables.csv: every table and every figure row as printed, the
table being the table's title or the section printing the figure), checked with
``esgledger check --reported``.

What a careful reader finds, and what the checks must find or must leave alone:

- safety training hours, 291,570 ("Ensuring Safe Production"), exceed all the hours of training
  the employees received, 167,680 ("Building Growth Platforms"): a part above its whole;
- "about 11.4 hours per person" is 167,680 h / 14,685 employees = 11.42 h: consistent, no finding;
- the four 2019 intensities per RMB 10,000 of revenue (energy 0.00367, CO2 0.0176, water 0.2187,
  wastewater 0.0572) each imply a revenue; the ranges their printed rounding allows overlap (RMB
  3,105,801 to 3,106,248 ten-thousands): consistent, and revenue itself is not printed;
- the suppliers by type (1,405 + 3,331 + 196) and the patents by jurisdiction have no printed
  total: nothing to add up;
- the tendering company's 88 hours and 820 person-times train outsiders (bid appraisers and
  bidders): another entity than the Group, no clash with the Group's training figures;
- "Fuel consumption" in litres (gasoline and diesel together) and the 196 person-times of
  training offered in poor areas name no metric: reported as not checked (``label.unresolved``).

With the ledger keyed from the same report (tests/data/chalieco_2019/data.csv), the tables agree
with it: no identity finding.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from esgledger.cli.main import app
from tests.ledger_fixture import Ledger
from tests.test_governance_doors import _wide_console  # noqa: F401  (the autouse fixture)

DATA = Path(__file__).parent / "data" / "chalieco_2019"
TABLES = DATA / "report_tables.csv"


def _check(db: str, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(
        app, ["--db", db, "check", "--reported", str(TABLES), "--json", *args],
        env={"ESGLEDGER_PASSWORD": ""},
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _metrics(finding: dict) -> set[str]:
    return {v["metric"] for v in finding["values"] if v["metric"]}


def _assert_the_careful_readers_findings(result: dict) -> None:
    by_rule: dict[str, list[dict]] = {}
    for finding in result["findings"]:
        by_rule.setdefault(finding["rule"], []).append(finding)
    (part,) = by_rule.pop("sum.part_within_whole")
    assert _metrics(part) == {"training.hours", "safety.training_hours"}
    assert part["arithmetic"] == "291,570 > 167,680 h (difference 123,890, 73.9%)"
    assert part["tables"] == ["Building Growth Platforms", "Ensuring Safe Production"]
    # the rows the checks could not read are not findings: listed apart, one per printed row
    assert "label.unresolved" not in by_rule
    unread = result["rows_not_read"]
    assert [(u["row_label"], u["lines"], u["periods"], u["reason"]) for u in unread] == [
        ("Fuel consumption", [6, 7], ["2018", "2019"], "no_metric"),
        ("Professional training offered in poor areas", [42], ["2019"], "no_metric"),
    ]
    assert all(u["file"] == "report_tables.csv" and u["severity"] == "warning" for u in unread)
    assert result["counts"]["rows_not_read"] == 2
    # consistent figures are left alone: no sum, identity or label finding of any other kind,
    # and no finding at all on the average training hours, the intensities or the suppliers
    assert not [rule for rule in by_rule if rule.split(".")[0] in ("sum", "identity", "label")]
    quiet = {"training.average_hours", "energy.intensity_revenue", "ghg.intensity_revenue",
             "water.intensity_revenue", "wastewater.intensity_revenue",
             "supply_chain.engineering_subcontractors", "supply_chain.material_suppliers",
             "supply_chain.service_providers", "rnd.patents_granted{region=mainland_china}"}  # fmt: skip
    assert not [f for rest in by_rule.values() for f in rest if _metrics(f) & quiet]


def test_the_report_tables_alone(tmp_path: Path) -> None:
    code, result = _check(str(tmp_path / "no-ledger.db"))
    assert code == 0  # warnings only: nothing here blocks a report by itself
    _assert_the_careful_readers_findings(result)
    assert result["counts"] == {"error": 0, "warning": 1, "rows_not_read": 2}
    findings = result["findings"]
    message = next(f for f in findings if f["rule"] == "sum.part_within_whole")["message"]
    assert "Ensuring Safe Production" in message and "Building Growth Platforms" in message


def test_the_report_tables_against_the_ledger_keyed_from_the_report(
    ws: Ledger, db_url: str
) -> None:
    ws.import_organisation(DATA / "organisation.csv")
    ws.import_data(DATA / "data.csv")
    ws.services.calculation.run(ws.admin, "2019")
    code, result = _check(db_url, "--period", "2019")
    _assert_the_careful_readers_findings(result)
    # both the report's training figures and the ledger's: one part-above-whole finding each
    assert code == 0
    _code, chinese = _check(db_url, "--period", "2019", "--lang", "zh")
    assert any("部分超过整体" in f["message"] for f in chinese["findings"])
    assert all("未作检查" in u["message"] for u in chinese["rows_not_read"])
