"""Disclosure coverage through its three doors on SQLite and PostgreSQL: the command line
(``esgledger disclose``; ``coverage --strict`` exits 1 on errors), the REST API under
``/api/v1/disclose`` (strict request models, 422 naming the field) and the web page
``/disclose/coverage`` (English and Chinese, its JSON twin, filters, CSRF-protected forms)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_governance_doors import _wide_console  # noqa: F401  (the autouse fixture)
from tests.web_clients import csrf

COLUMNS = ["reference", "status", "reason_id", "text_en", "text_zh"]


def cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["--db", db_url, "disclose", *args], env={"ESGLEDGER_PASSWORD": ""}
    )


def test_the_command_line(ws: Ledger, db_url: str, tmp_path: Path) -> None:
    refused = cli(db_url, "profile", "set", "--period", "2019", "--framework", "hkex")
    assert refused.exit_code == 1 and "pin one as hkex@2020" in refused.stderr
    set_ = cli(db_url, "profile", "set", "--period", "2025", "--framework", "hkex",
               "--framework", "sse14", "--issuer-class", "main_board")  # fmt: skip
    assert set_.exit_code == 0 and (
        "2025: hkex, sse14 (issuer class main_board: Main Board issuer (not LargeCap)), version 1"
    ) in " ".join(set_.stdout.split())
    assert json.loads(cli(db_url, "profile", "show", "--period", "2025", "--json").stdout)[
        "frameworks"
    ] == ["hkex", "sse14"]
    mandatory = cli(db_url, "explain", "HKEX-D28(a)", "--period", "2025",
                    "--reason", "considered_reasons", "--text", "x", "--text-zh", "y")  # fmt: skip
    assert mandatory.exit_code == 1 and "allows no omission" in mandatory.stderr
    unknown = cli(db_url, "explain", "HKEX-Q1", "--period", "2025", "--reason",
                  "considered_reasons", "--text", "x", "--text-zh", "y")  # fmt: skip
    assert unknown.exit_code == 1 and "HKEX-Q1 is not an item" in unknown.stderr
    ok = cli(db_url, "explain", "HKEX-A2.5", "--period", "2025", "--not-applicable",
             "--text", "Services only", "--text-zh", "仅提供服务")  # fmt: skip
    assert ok.exit_code == 0 and "HKEX-A2.5: not_applicable" in ok.stdout
    rows = [["SSE14-32", "explained", "not_applicable", "No ecosystems", "不涉及生态系统"]]
    path = write_csv(tmp_path / "e.csv", COLUMNS, rows)
    assert cli(db_url, "import", str(path), "--period", "2025").exit_code == 0
    out = tmp_path / "e.xlsx"
    assert (
        cli(db_url, "export", "--period", "2025", "--format", "xlsx", "--out", str(out)).exit_code
        == 0
    )
    assert cli(db_url, "import", str(out), "--period", "2025").exit_code == 0
    shown = json.loads(cli(db_url, "coverage", "--period", "2025", "--json").stdout)
    assert shown["counts"]["not_applicable"] >= 1 and shown["errors"] > 0
    assert cli(db_url, "coverage", "--period", "2025").exit_code == 0
    strict = cli(db_url, "coverage", "--period", "2025", "--framework", "hkex", "--strict")
    assert strict.exit_code == 1 and "error: HKEX-D28(a) is mandatory and missing" in strict.stdout
    said = " ".join(strict.stdout.split())  # names, not ids; each error with its next step
    assert "issuer class: Main Board issuer (not LargeCap)" in said and "main_board" not in said
    assert "│ HKEX-A2.5 │ comply or explain │ not applicable │" in said
    assert (
        "error: HKEX-D28(a) is mandatory and missing: no value of Scope 1 GHG emissions → Enter "
        "Scope 1 GHG emissions for 2025 (metric ids: `ghg.scope1`) on the Data entry page or in a "
        "data file, then calculate the period. $ esgledger data import FILE && esgledger calc "
        "--period 2025 error:"
    ) in said
    assert (
        "error: HKEX-MDR-14 is mandatory and missing: no section meets it → Write the text that "
        "discloses HKEX-MDR-14 in a section on the Report texts page and declare it there: "
        "`meets: [HKEX-MDR-14]` in the section's front matter"
    ) in said
    assert "$ esgledger report sections export texts/ --period 2025, edit texts/en/" in said
    assert (
        "$ esgledger disclose explain HKEX-B1.1 --period 2025 --reason considered_reasons" in said
    )
    chinese = " ".join(cli(db_url, "coverage", "--period", "2025", "--lang", "zh").stdout.split())
    assert "发行人类别：主板发行人（非大型股）" in chinese and "所在章节" in chinese
    assert "错误：HKEX-MDR-14为强制条目，但未披露：无章节披露 → 在“报告文本”页面" in chinese
    assert "│ HKEX-A2.5 │ 不遵守就解释 │ 不适用 │" in chinese


def test_the_rest_api(world: World, client: TestClient) -> None:
    manager = world.headers("manager")
    put = client.put(f"{API}/disclose/2025/profile", headers=manager,
                     json={"frameworks": ["hkex"], "issuer_class": "largecap"})  # fmt: skip
    assert put.status_code == 200 and put.json()["version"] == 1
    extra = client.put(f"{API}/disclose/2025/profile", headers=manager,
                       json={"frameworks": ["hkex"], "colour": "red"})  # fmt: skip
    assert extra.status_code == 422
    body = {"reference": "HKEX-B6.5", "reason_id": "nope", "text_en": "x", "text_zh": "y"}
    refused = client.post(f"{API}/disclose/2025/explanations", headers=manager, json=body)
    assert refused.status_code == 422 and "reason 'nope'" in refused.text
    body["reason_id"] = "considered_reasons"
    assert (
        client.post(f"{API}/disclose/2025/explanations", headers=manager, json=body).status_code
        == 201
    )
    viewer = world.headers("viewer")
    assert (
        client.post(f"{API}/disclose/2025/explanations", headers=viewer, json=body).status_code
        == 403
    )
    shown = client.get(f"{API}/disclose/2025/coverage?framework=hkex&lang=zh", headers=viewer)
    assert shown.status_code == 200
    rows = {r["reference"]: r for r in shown.json()["rows"]}
    assert rows["HKEX-B6.5"]["status"] == "explained" and rows["HKEX-B6.5"]["text"] == "y"
    csv = client.get(f"{API}/disclose/2025/explanations/export?format=csv", headers=manager)
    assert csv.status_code == 200 and "HKEX-B6.5,explained,considered_reasons" in csv.text


def test_the_coverage_page(world: World, browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    empty = manager.get("/disclose/coverage?period=2025")
    assert empty.status_code == 200 and 'id="no-profile"' in empty.text
    token = csrf(manager, "/disclose/coverage?period=2025")
    profile = {"period": "2025", "frameworks": "hkex", "issuer_class": "main_board"}
    saved = manager.post("/disclose/coverage/profile", data={**profile, "csrf_token": token})
    assert saved.status_code == 303
    bad = {"period": "2025", "reference": "HKEX-D28(b)", "status": "explained",
           "reason_id": "considered_reasons", "text_en": "x", "text_zh": "y"}  # fmt: skip
    bad["csrf_token"] = token
    refused = manager.post("/disclose/coverage/explanations", data=bad)
    assert refused.status_code == 422 and "allows no omission" in refused.text
    assert world.services.disclose.explanations(world.user("manager"), "2025") == []
    good = {**bad, "reference": "HKEX-A2.5", "status": "not_applicable", "reason_id": ""}
    assert manager.post("/disclose/coverage/explanations", data=good).status_code == 303
    page = manager.get("/disclose/coverage?period=2025").text
    assert page.index('id="finding-list"') < page.index('id="fw-hkex"')  # errors first
    assert 'id="item-HKEX-A2.5" class="status-not_applicable"' in page
    only = manager.get("/disclose/coverage?period=2025&status=not_applicable").text
    assert only.count('class="status-') == 1
    twin = manager.get("/disclose/coverage.json?period=2025").json()
    assert twin["period"] == "2025" and twin["coverage"]["profile"]["frameworks"] == ["hkex"]
    assert "Main Board issuer (not LargeCap)" in page and ">main_board<" not in page
    steps = page[page.index('data-code="strict_missing"') :]
    assert '<a href="/reports/sections?period=2025">Report texts →</a>' in steps
    explain_link = "/disclose/coverage?period=2025&amp;explain=HKEX-B1.1#explain-form"
    assert explain_link in page
    prefilled = manager.get("/disclose/coverage?period=2025&explain=HKEX-B1.1").text
    assert 'name="reference" required placeholder="HKEX-A2.5" value="HKEX-B1.1"' in prefilled
    assert twin["coverage"]["findings"][0]["steps"][0]["command"].startswith("esgledger ")
    withdraw = {"period": "2025", "reference": "HKEX-A2.5", "reason": "", "csrf_token": token}
    assert manager.post("/disclose/coverage/withdraw", data=withdraw).status_code == 422
    withdraw["reason"] = "it applies after all"
    assert manager.post("/disclose/coverage/withdraw", data=withdraw).status_code == 303
    assert world.services.disclose.explanations(world.user("manager"), "2025") == []
    manager.get("/lang/zh")
    chinese = manager.get("/disclose/coverage?period=2025").text
    assert "披露覆盖情况" in chinese and "不遵守就解释" in chinese and "错误" in chinese
    assert "主板发行人（非大型股）" in chinese and "“报告文本”页面" in chinese
    assert manager.post("/disclose/coverage/profile", data={"period": "2025"}).status_code == 403
