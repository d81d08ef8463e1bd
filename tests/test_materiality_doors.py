"""Stakeholder links and response files, and the CLI and REST doors of the materiality
assessment (issue 10, parts 2 and 3), on both backends: a link takes one response, a tampered or
reused one is refused and nothing is written; a response file is all or nothing with its rows and
cells named; the doors call the same operations with the same refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.cli.main import app
from esgledger.errors import InputRejected
from esgledger.service_errors import Conflict, NotFound
from esgledger.services.stakeholders import RESPONDENT
from tests.collab_fixtures import API, PASSWORD, World
from tests.helpers import write_csv
from tests.materiality_case import Built, build
from tests.test_materiality import audit_count


@pytest.fixture
def built(world: World) -> Built:
    return build(world.services, world.user("manager"))


def test_a_link_takes_one_response_and_a_tampered_one_is_refused(
    world: World, built: Built
) -> None:
    services, manager = world.services, world.user("manager")
    (token,) = services.stakeholders.issue_links(manager, built.assessment, "community", 1)
    shown = services.stakeholders.questionnaire(RESPONDENT, token)
    assert shown["group"]["id"] == "community" and len(shown["topics"]) == 5
    link_id, nonce, signature = token.split(".")
    before = audit_count(world)
    for bad in (
        # a character in the middle: the last one of base64 may carry only unused bits
        f"{link_id}.{nonce}.{signature[:10]}{'A' if signature[10] != 'A' else 'B'}{signature[11:]}",
        f"{int(link_id) - 1}.{nonce}.{signature}",
        f"{link_id}.{nonce[:-1]}x.{signature}",
        "1.2",
        "",
    ):
        with pytest.raises(NotFound, match="not valid"):
            services.stakeholders.respond(RESPONDENT, bad, {"water": 3})
    assert audit_count(world) == before
    services.stakeholders.respond(RESPONDENT, token, {"water": 2}, "dust from the yard")
    before = audit_count(world)
    with pytest.raises(Conflict, match="already been used"):
        services.stakeholders.respond(RESPONDENT, token, {"water": 5})
    with pytest.raises(Conflict, match="already been used"):
        services.stakeholders.questionnaire(RESPONDENT, token)
    assert audit_count(world) == before
    used = [
        x for x in services.stakeholders.link_listing(manager, built.assessment) if x["used_at"]
    ]
    assert len(used) == len(built.case["responses"]) + 1
    assert "nonce_sha256" not in used[0]


def test_a_response_out_of_scale_through_a_link_is_refused(world: World, built: Built) -> None:
    services, manager = world.services, world.user("manager")
    (token,) = services.stakeholders.issue_links(manager, built.assessment, "community", 1)
    for answers, field in (
        ({"water": 9}, "answers.water"),
        ({"tailings": 3}, "answers"),
        ({}, "answers"),
    ):
        with pytest.raises(Exception) as refused:
            services.stakeholders.respond(RESPONDENT, token, answers)
        assert getattr(refused.value, "field", None) == field
    services.stakeholders.respond(RESPONDENT, token, {"water": 5})  # the link is still unused


def test_a_response_file_is_all_or_nothing_naming_rows_and_cells(
    world: World, built: Built, tmp_path: Path
) -> None:
    services, manager = world.services, world.user("manager")
    header = ["group", "respondent", "water", "climate"]
    bad = write_csv(
        tmp_path / "bad.csv",
        header,
        [["community", "A", "3", "4"], ["suppliers", "B", "2", ""], ["investors", "C", "7", ""]],
    )
    before = audit_count(world)
    with pytest.raises(InputRejected) as refused:
        services.stakeholders.import_responses(manager, built.assessment, bad)
    issues = {(i.row, i.field) for i in refused.value.issues}
    assert issues == {(3, "group"), (4, "water")}
    assert audit_count(world) == before
    good = write_csv(
        tmp_path / "good.csv", header, [["community", "A", "3", "4"], ["investors", "", "", "5"]]
    )
    assert services.stakeholders.import_responses(manager, built.assessment, good) == {
        "responses": 2
    }
    spread = services.stakeholders.responses(manager, built.assessment)["spread"]
    assert spread["climate"]["investors"]["count"] == 3


def test_the_cli_runs_shows_and_refuses(
    world: World, built: Built, db_url: str, tmp_path: Path
) -> None:
    def cli(*args: str) -> object:
        return CliRunner().invoke(
            app,
            ["--db", db_url, "--user", "manager", "assess", *args],
            env={"ESGLEDGER_PASSWORD": PASSWORD},
        )

    done = cli("materiality", "run", str(built.assessment), "--json")
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    shown = cli("materiality", "show", str(built.assessment))
    assert "innovation" in shown.output and "financial_only" in shown.output  # type: ignore[attr-defined]
    refused = cli(
        "iro",
        "score",
        str(built.iros["jobs"]),
        "--set",
        "scale=9",
        "--set",
        "scope=2",
        "--rationale",
        "x",
    )
    assert refused.exit_code == 1 and "out of scale" in refused.output  # type: ignore[attr-defined]
    out = tmp_path / "classes.xlsx"
    assert cli("materiality", "export", str(built.assessment), "--out", str(out)).exit_code == 0  # type: ignore[attr-defined]
    assert out.read_bytes()[:2] == b"PK"
    svg = tmp_path / "m.svg"
    assert cli("materiality", "matrix", str(built.assessment), "--out", str(svg)).exit_code == 0  # type: ignore[attr-defined]
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    links = cli(
        "stakeholders", "links", "issue", str(built.assessment), "investors", "--count", "2"
    )
    assert links.output.count("/q/") == 2  # type: ignore[attr-defined]


def test_the_api_scores_runs_and_refuses(world: World, built: Built, client: TestClient) -> None:
    headers = world.headers("manager")
    base = f"{API}/assess/materiality/{built.assessment}"
    bad = client.post(
        f"{API}/assess/iros/{built.iros['jobs']}/scores",
        json={"components": {"scale": 6, "scope": 2}, "rationale": "x"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "scale"
    ok = client.post(
        f"{API}/assess/iros/{built.iros['jobs']}/scores",
        json={"components": {"scale": 4, "scope": 2}, "rationale": "more jobs"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert client.post(f"{base}/runs", headers=headers).status_code == 200
    shown = client.get(base, headers=world.headers("viewer")).json()
    assert shown["current"] is True
    svg = client.get(f"{base}/matrix.svg?lang=zh", headers=headers)
    assert svg.headers["content-type"].startswith("image/svg+xml") and "双重重要" in svg.text
    threshold = client.patch(
        f"{base}/method", json={"method": {"thresholds": {"impact": 7}}}, headers=headers
    )
    assert threshold.status_code == 422
    assert threshold.json()["error"]["field"] == "thresholds.impact"
    refused = client.post(
        f"{base}/approval", json={"body": "Board", "date": "2026-03-20"}, headers=headers
    )
    assert refused.status_code == 422 and "Art. 7" in refused.json()["error"]["message"]
    viewer = client.post(f"{base}/runs", headers=world.headers("viewer"))
    assert viewer.status_code == 403
    links = client.post(f"{base}/links", json={"group": "investors", "count": 1}, headers=headers)
    assert links.json()["links"][0].startswith("/q/")
    csv_file = client.get(f"{base}/export?kind=csv", headers=headers)
    assert csv_file.status_code == 200 and "innovation" in csv_file.text


def test_a_response_workbook_names_the_cell(world: World, built: Built, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["group", "water", "climate"])
    sheet.append(["investors", 4, 5])
    sheet.append(["community", "very", 3])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    services, manager = world.services, world.user("manager")
    before = audit_count(world)
    with pytest.raises(InputRejected) as refused:
        services.stakeholders.import_responses(manager, built.assessment, path)
    (issue,) = refused.value.issues
    assert (issue.row, issue.cell, issue.field) == (3, "B3", "water")
    assert audit_count(world) == before
    sheet["B3"] = 2
    book.save(path)
    assert services.stakeholders.import_responses(manager, built.assessment, path)["responses"] == 2
