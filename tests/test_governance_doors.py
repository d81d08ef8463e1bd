"""The governance records through the command line and the REST API (SQLite and PostgreSQL):
add, list, tree, import and export (CSV and XLSX, round trip), the near-duplicate warning and
refusals naming the field or row with exit code 1 / HTTP 422, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.store.database import URL_ENV
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv("ESGLEDGER_USER", raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


def cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["--db", db_url, "assess", *args], env={"ESGLEDGER_PASSWORD": ""}
    )


def test_the_command_line(ws: Ledger, db_url: str, tmp_path: Path) -> None:
    board = ["--id", "board", "--kind", "board", "--name-en", "Board", "--name-zh", "董事会"]
    board += ["--duties", "Oversight", "--frequency", "quarterly", "--topics", "climate; water"]
    assert cli(db_url, "governance", "add-body", *board).exit_code == 0
    orphan = ["--id", "wg", *board[2:], "--parent", "ghost"]
    refused = cli(db_url, "governance", "add-body", *orphan)
    assert refused.exit_code == 1 and "parent body 'ghost' does not exist" in refused.stderr
    assert json.loads(cli(db_url, "governance", "covered", "--json").stdout) == ["climate", "water"]
    training = ["--held-on", "2024-05-01", "--directors", "A; B", "--subject", "ESG"]
    bad = cli(db_url, "governance", "add-training", *training, "--hours=-3", "--provider", "P")
    assert bad.exit_code == 1 and "hours '-3' must be above 0" in bad.stderr

    policy = ["--id", "ac", "--name-en", "Anti-Corruption Policy", "--name-zh", "反腐败制度"]
    policy += ["--owner", "Legal", "--version", "1", "--effective", "2024-01-01"]
    document = tmp_path / "ac.pdf"
    document.write_bytes(PDF)
    assert cli(db_url, "policies", "add", *policy, "--document", str(document)).exit_code == 0
    similar = [*policy]
    similar[1], similar[3], similar[5] = "ac2", "Anti-Coruption Policy", "廉洁规定"
    warned = cli(db_url, "policies", "add", *similar)
    assert warned.exit_code == 0 and "warning: Anti-Coruption Policy resembles" in warned.stdout
    clash = [*similar]
    clash[1], clash[3], clash[5] = "ac3", "anti corruption", "另一个"
    refused = cli(db_url, "policies", "add", *clash)
    assert refused.exit_code == 1 and "of policy 'ac'" in refused.stderr
    register = json.loads(cli(db_url, "policies", "list", "--json").stdout)
    assert [p["near"] for p in register] == [["ac2"], ["ac"]]
    assert cli(db_url, "policies", "withdraw", "ac2", "--reason", "typo").exit_code == 0
    assert json.loads(cli(db_url, "policies", "duplicates", "--json").stdout) == []

    out = tmp_path / "policies.xlsx"
    assert cli(db_url, "policies", "export", "--format", "xlsx", "--out", str(out)).exit_code == 0
    assert cli(db_url, "policies", "import", str(out)).exit_code == 0  # the round trip
    shown = json.loads(cli(db_url, "policies", "show", "ac").stdout)
    assert shown["version"] == 1 and shown["document_name"] == "ac.pdf"  # nothing changed
    topics = json.loads(cli(db_url, "topics", "list", "--json").stdout)
    assert len(topics) == 25 and topics[0]["id"] == "climate"
    rows = [["org.dams", "Dam safety", "坝体安全", "environment", "GRI-14", ""]]
    header = ["id", "name_en", "name_zh", "dimension", "frameworks", "metrics"]
    assert (
        cli(db_url, "topics", "import", str(write_csv(tmp_path / "t.csv", header, rows))).exit_code
        == 0
    )
    exported = cli(db_url, "topics", "export").stdout
    assert exported.splitlines()[1].startswith("org.dams,Dam safety,坝体安全,environment,GRI-14")
    assert ws.verify_audit().ok


def test_the_rest_api(world: World, client: TestClient) -> None:
    h = world.headers("manager")
    body = {"id": "board", "kind": "board", "name_en": "Board", "name_zh": "董事会"}
    body |= {"duties": "Oversight", "reporting_frequency": "yearly", "topic_ids": ["climate"]}
    assert client.post(f"{API}/assess/governance/bodies", json=body, headers=h).status_code == 201
    orphan = client.post(
        f"{API}/assess/governance/bodies", json={**body, "id": "x", "parent_id": "nope"}, headers=h
    )
    assert orphan.status_code == 422 and orphan.json()["error"]["field"] == "parent_id"
    unknown = client.post(
        f"{API}/assess/governance/bodies", json={**body, "topic_ids": ["weather"]}, headers=h
    )
    assert unknown.status_code == 422 and "weather" in unknown.json()["error"]["message"]
    policy = {"id": "ac", "name_en": "Anti-Corruption Policy", "name_zh": "反腐败管理办法",
              "owner": "Legal", "policy_version": "1", "effective_on": "2024-01-01"}  # fmt: skip
    created = client.post(f"{API}/assess/policies", json=policy, headers=h)
    assert created.status_code == 201 and created.json()["warnings"] == []
    clash = {**policy, "id": "ac2", "name_zh": "反腐败制度", "name_en": "Integrity"}
    refused = client.post(f"{API}/assess/policies", json=clash, headers=h)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "name_zh"
    late = client.post(f"{API}/assess/policies", json={**policy, "effective_on": "soon"}, headers=h)
    assert late.status_code == 422 and late.json()["error"]["field"] == "effective_on"
    workbook = client.get(f"{API}/assess/policies/export?format=xlsx", headers=h)
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    files = {"file": ("policies.xlsx", workbook.content)}
    again = client.post(f"{API}/assess/policies/imports", files=files, headers=h)
    assert again.status_code == 200 and again.json()["ids"] == ["ac"]
    rows = "body_id,held_on,decisions,attended,invited\nboard,2024-13-01,x,1,1\n"
    bad = client.post(
        f"{API}/assess/governance/meetings/imports",
        files={"file": ("m.csv", rows.encode())},
        headers=h,
    )
    assert bad.status_code == 422 and "row 2" in bad.text and "held_on" in bad.text
    assert client.get(f"{API}/assess/governance/meetings", headers=h).json() == []
    assert (
        client.post(
            f"{API}/assess/policies", json=policy, headers=world.headers("viewer")
        ).status_code
        == 403
    )
