"""The imports page, on SQLite and PostgreSQL: the files the command line imports, uploaded from the
browser through the service layer as the signed-in user (all or nothing, audited as theirs); a
refused file lists every issue (row, cell, field, found, expected), bounded, in the page language;
values held as drafts link to their entry rows; the collection workbook round trip; the bulk
activity calculation of the year."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from esgledger.errors import ISSUES_LISTED
from esgledger.services.imports import MAX_UPLOAD_BYTES
from esgledger.workflow.queries import Filters
from tests.collab_fixtures import World
from tests.helpers import DATA_HEADER, ORG_HEADER
from tests.test_web_i18n import chinese, text_of
from tests.web_clients import csrf
from tests.web_seed import LAST_YEAR, YEAR

JSON = {"Accept": "application/json"}
ACTIVITY_HEADER = ["entity", "ts", "metric", "quantity", "unit"]


@pytest.fixture(autouse=True)
def activity_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Activity files of a PostgreSQL ledger are kept under ESGLEDGER_DATA_DIR."""
    monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path / "data"))


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    return text.getvalue().encode()


def upload(
    client: TestClient,
    kind: str,
    name: str,
    content: bytes,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> httpx.Response:
    return client.post(
        f"/imports/{kind}",
        data={"csrf_token": csrf(client, "/imports"), **fields},
        files={"file": (name, content, "text/csv")},
        headers=headers or {},
    )


def values_of(world: World, period: str = YEAR) -> dict[tuple[str, str], tuple[float, str]]:
    points, _total = world.services.datapoints.find(
        world.user("manager"), Filters(period=period, months=True), 500, 0
    )
    return {(p.entity_id, p.metric_id): (p.value, p.status) for p in points}


def issue_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="data issues" id="issues">.*?</table>', page, re.S)
    assert table, "no table of issues"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)[1:]  # the header row first
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


# -- who may import what ---------------------------------------------------------------------------
def test_each_role_sees_the_imports_it_may_do(browse: dict[str, TestClient]) -> None:
    assert browse["manager"].get("/imports.json").json() == {
        "kinds": ["organisation", "data", "transfers", "certificates", "activity"],
        "max_upload_bytes": MAX_UPLOAD_BYTES,
    }
    owner = browse["owner_a"]
    assert owner.get("/imports.json").json()["kinds"] == ["data"]
    page = owner.get("/imports").text
    assert 'href="/imports"' in page and 'id="data"' in page and 'id="organisation"' not in page
    for role in ("viewer", "auditor"):
        assert browse[role].get("/imports").status_code == 403
        assert 'href="/imports"' not in browse[role].get("/dashboard").text
    refused = upload(owner, "organisation", "org.csv", b"id,name\n", JSON)
    assert refused.status_code == 403
    admin_kinds = browse["admin"].get("/imports.json").json()["kinds"]
    assert admin_kinds[-2:] == ["catalogue", "factors"]  # the organisation's rules: admins only
    assert upload(browse["manager"], "catalogue", "ours.yaml", b"metrics: {}\n").status_code == 403


def test_an_admin_adds_the_organisations_own_metrics_in_both_languages(
    world: World, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    content = (
        "metrics:\n  org.drills:\n    name: {en: Emergency drills, zh: 应急演练次数}\n"
        "    unit: count\n    kind: input\n"
    ).encode()
    answer = upload(admin, "catalogue", "ours.yaml", content)
    assert (
        "ours.yaml imported: the organisation's catalogue is now version 1 "
        "(metrics added: 1; changed: 0)"
    ) in text_of(answer.text)
    assert "org.drills" in world.services.context.catalogue
    again = chinese(admin).post(
        "/imports/catalogue",
        data={"csrf_token": csrf(admin, "/imports")},
        files={"file": ("ours.yaml", content)},
    )
    assert "ours.yaml 未带来任何变化" in text_of(again.text)
    bad = upload(admin, "catalogue", "bad.yaml", b"metrics:\n  drills: {unit: t}\n")
    assert bad.status_code == 422 and 'id="import-error"' in bad.text
    assert "the organisation's own are named org.<name>" in text_of(bad.text)


def test_an_upload_without_the_csrf_token_or_a_file_is_refused(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    content = csv_bytes(DATA_HEADER, [["plant_a", YEAR, "energy.coke", 3, "t", "", "", ""]])
    forged = manager.post(
        "/imports/data", data={"csrf_token": "forged"}, files={"file": ("d.csv", content)}
    )
    assert forged.status_code == 403
    no_file = manager.post("/imports/data", data={"csrf_token": csrf(manager, "/imports")})
    assert no_file.status_code == 422 and 'id="import-error"' in no_file.text
    empty = upload(manager, "data", "empty.csv", b"", JSON)
    assert empty.json()["error"]["field"] == "file"
    assert manager.post(f"/imports/nothing?x={YEAR}", data={}).status_code in (403, 404)
    assert values_of(world) == {}


# -- the organisation, transfers, certificates -----------------------------------------------------
def test_the_organisation_is_imported_and_audited_as_the_user(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    row = ["plant_c", "Plant C", "grp", "CN", "丙厂", "plant", "", "", "", ""]
    answer = upload(manager, "organisation", "org.csv", csv_bytes(ORG_HEADER, [row]))
    assert answer.status_code == 200
    assert re.search(
        r'id="import-done">\s*org.csv imported. Entities created: 1; updated: 0.',
        answer.text,
    )
    ids = [e.id for e in world.services.organisation.entities(world.user("manager"))]
    assert "plant_c" in ids
    log = browse["admin"].get("/audit.json?action=entity.create&object_id=plant_c").json()
    assert [(e["actor"], e["object_id"]) for e in log["entries"]] == [("manager", "plant_c")]
    as_json = upload(manager, "organisation", "org.csv", csv_bytes(ORG_HEADER, [row]), JSON)
    assert as_json.json() == {"created": 0, "updated": 0}


def test_transfers_and_certificates(world: World, browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    transfers = csv_bytes(
        ["from", "to", "period", "carrier", "value", "unit"],
        [["plant_a", "plant_b", YEAR, "electricity", 100, "MWh"]],
    )
    answer = upload(manager, "transfers", "supplies.csv", transfers, JSON)
    assert answer.json() == {"transfers": 1}
    page = upload(manager, "transfers", "supplies.csv", transfers).text
    assert "supplies.csv imported. Internal transfers: 1." in page
    electricity = csv_bytes(
        DATA_HEADER, [["plant_a", YEAR, "energy.electricity_purchased", 500, "MWh", "", "", ""]]
    )
    assert upload(manager, "data", "e.csv", electricity, JSON).status_code == 200
    claims = csv_bytes(
        ["entity", "period", "scheme", "certificate_id", "mwh"],
        [["plant_a", YEAR, "GEC", "GEC-1", "20"]],
    )
    assert upload(manager, "certificates", "gec.csv", claims, JSON).json() == {"certificates": 1}
    again = upload(manager, "certificates", "gec.csv", claims)
    assert again.status_code == 422
    assert "GEC-1" in again.text


# -- a data file: refused, held as drafts, or kept as drafts ---------------------------------------
def test_a_refused_data_file_lists_every_issue_and_writes_nothing(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    rows = [
        ["plant_a", YEAR, "energy.coke", "12", "t", "", "", ""],
        ["plant_x", YEAR, "energy.coke", "1,5", "t", "", "", ""],
        ["plant_a", "24", "energy.cokes", "", "t", "", "", ""],
    ]
    answer = upload(manager, "data", "plant-data.csv", csv_bytes(DATA_HEADER, rows))
    assert answer.status_code == 422
    page = answer.text
    assert "plant-data.csv was not imported, nothing was written. Problems found: 5." in text_of(
        page
    )
    found = issue_rows(page)
    assert [(r[0], r[1]) for r in found] == [
        ("3", "entity"),
        ("3", "value"),
        ("4", "value"),
        ("4", "metric"),
        ("4", "period"),
    ]  # rows of a CSV file (a workbook's issues name the cell too)
    entity = next(r for r in found if r[1] == "entity")
    assert entity[2] == "plant_x" and "the id or alias of an entity" in entity[3]
    assert "(did you mean 'plant_b' or 'plant_a'?)" in entity[3]
    assert values_of(world) == {}  # all or nothing
    as_json = upload(manager, "data", "plant-data.csv", csv_bytes(DATA_HEADER, rows), JSON)
    error = as_json.json()["error"]
    assert (error["code"], error["field"], error["details"]["total"]) == (
        "input_rejected",
        "file",
        5,
    )
    assert {i["field"] for i in error["details"]["issues"]} == {
        "entity",
        "value",
        "metric",
        "period",
    }
    assert error["details"]["issues"][0]["file"] == "plant-data.csv"  # not where it was kept
    assert "/tmp" not in as_json.text

    chinese(manager)
    page = upload(manager, "data", "plant-data.csv", csv_bytes(DATA_HEADER, rows)).text
    assert "plant-data.csv 未导入，未写入任何数据：共 5 个问题。" in text_of(page)
    assert "<th>实际内容</th><th>应为</th>" in page
    entity = next(r for r in issue_rows(page) if r[1] == "entity")
    assert entity[3].startswith("组织架构中主体的编号或别名（是否为 'plant_b'、'plant_a'？）")
    assert "the id or alias of an entity in the organisation" in entity[3]  # the English kept
    empty = next(r for r in issue_rows(page) if r[1] == "value" and r[0] == "4")
    assert empty[2].startswith("空单元格")


def test_a_long_list_of_issues_is_bounded(world: World, browse: dict[str, TestClient]) -> None:
    rows = [[f"site_{n}", YEAR, "energy.coke", 1, "t", "", "", ""] for n in range(80)]
    manager = browse["manager"]
    page = upload(manager, "data", "many.csv", csv_bytes(DATA_HEADER, rows)).text
    assert len(issue_rows(page)) == 50
    assert "The first 50 problems are listed; 30 more were found." in page
    error = upload(manager, "data", "many.csv", csv_bytes(DATA_HEADER, rows), JSON).json()["error"]
    assert (error["details"]["total"], len(error["details"]["issues"])) == (80, ISSUES_LISTED)


def test_values_changed_beyond_the_threshold_are_held_as_drafts_with_links(
    world: World, browse: dict[str, TestClient]
) -> None:
    rows = [
        ["plant_a", YEAR, "energy.electricity_purchased", 1050, "MWh", "", "", ""],  # +5 %
        ["plant_a", YEAR, "energy.diesel", 20, "t", "", "", ""],  # +100 %: held
    ]
    owner = browse["owner_a"]
    answer = upload(owner, "data", "plant-a.csv", csv_bytes(DATA_HEADER, rows))
    assert answer.status_code == 200
    page = answer.text
    assert "plant-a.csv imported. New values: 2; corrected: 0; unchanged: 0." in text_of(page)
    held = re.search(r'id="held-drafts">.*?</table>', page, re.S)
    assert held and "Kept as drafts (1): these values changed against last year" in held.group(0)
    assert f'href="/entry/plant_a/{YEAR}#row-energy-diesel"' in held.group(0)
    assert "Plant A" in held.group(0) and "Diesel" in held.group(0)
    assert values_of(world) == {
        ("plant_a", "energy.electricity_purchased"): (1050.0, "submitted"),
        ("plant_a", "energy.diesel"): (20.0, "draft"),
    }
    drafts = [["plant_a", YEAR, "water.withdrawal", 5100, "m3", "", "", ""]]
    kept = upload(owner, "data", "w.csv", csv_bytes(DATA_HEADER, drafts), JSON, mode="draft")
    assert kept.json()["held_as_draft"] == 0
    assert values_of(world)[("plant_a", "water.withdrawal")] == (5100.0, "draft")
    other = [["plant_b", YEAR, "energy.coke", 1, "t", "", "", ""]]
    refused = upload(owner, "data", "b.csv", csv_bytes(DATA_HEADER, other), JSON)
    assert refused.status_code == 422
    assert ("plant_b", "energy.coke") not in values_of(world)


def test_the_collection_workbook_downloads_and_imports_filled_in(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    entry = owner.get(f"/entry/plant_a/{YEAR}").text
    link = f"/entry/plant_a/{YEAR}/workbook.xlsx"
    assert f'href="{link}"' in entry
    answer = owner.get(link)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment")
    assert f"esgledger-plant_a-{YEAR}.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book["Data"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("metric")].value == "energy.coke":
            row[header.index("value")].value = 7
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("metric")].value == "energy.diesel":
            row[header.index("value")].value = "1,5"  # a decimal comma: refused, naming the cell
            diesel_cell = row[header.index("value")].coordinate
    refused_book = io.BytesIO()
    book.save(refused_book)
    refused = upload(owner, "data", "filled.xlsx", refused_book.getvalue())
    assert refused.status_code == 422
    assert issue_rows(refused.text) == [
        [
            diesel_cell[1:],
            diesel_cell,
            "value",
            "1,5",
            "a number with a point for decimals, such as 1.5 (a comma only separates thousands, "
            "in groups of three: 1,234.5)",
        ]
    ]
    assert values_of(world) == {}
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("metric")].value == "energy.diesel":
            row[header.index("value")].value = None
    filled = io.BytesIO()
    book.save(filled)
    imported = upload(owner, "data", "filled.xlsx", filled.getvalue(), JSON)
    assert imported.status_code == 200, imported.text
    assert values_of(world) == {("plant_a", "energy.coke"): (7.0, "submitted")}
    chosen = owner.get(f"/imports/workbook?entity=plant_a&period={YEAR}")
    assert chosen.status_code == 200 and chosen.content[:2] == b"PK"
    assert owner.get(f"/imports/workbook?entity=plant_b&period={YEAR}").status_code == 404
    assert owner.get("/imports/workbook?entity=plant_a&period=20x4").status_code == 422


# -- activity files and the bulk activity calculation ----------------------------------------------
def test_an_activity_file_is_imported_then_calculated_for_the_year(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    none_yet = manager.post(f"/periods/{YEAR}/activity", data={"csrf_token": csrf(manager)})
    assert none_yet.status_code == 422
    assert 'href="/imports#activity"' in none_yet.text  # the step to take first, on the web
    assert 'href="/imports"' in none_yet.text  # the error page keeps the navigation
    meters = csv_bytes(
        ACTIVITY_HEADER,
        [
            ["plant_a", f"{YEAR}-03-01 10:00", "energy.natural_gas", "120", "m3"],
            ["plant_a", f"{YEAR}-04-02 08:00", "energy.natural_gas", "80", "m3"],
        ],
    )
    answer = upload(manager, "activity", "meters.csv", meters, period=YEAR)
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert f"meters.csv imported for {YEAR}. Activity records checked and stored: 2." in page
    assert f'action="/periods/{YEAR}/activity"' in page
    twice = upload(manager, "activity", "meters.csv", meters, JSON, period=YEAR).json()["error"]
    assert (twice["code"], twice["details"]["issues"][0]["field"]) == ("input_rejected", "file")
    ran = manager.post(f"/periods/{YEAR}/activity", data={"csrf_token": csrf(manager)})
    assert ran.status_code == 303
    done = manager.get(ran.headers["location"]).text
    assert re.search(
        rf"Bulk activity calculation of {YEAR} done. Files: 1; records: 2; results: \d+", done
    )
    months = values_of(world)
    assert any(metric.startswith("activity.") for (_e, metric) in months)
    month = upload(manager, "activity", "m.csv", meters, period=f"{YEAR}-03")
    assert month.status_code == 422 and "belong to a reporting year" in month.text
    assert (
        upload(manager, "activity", "m.csv", meters, JSON, period="soon").json()["error"]["field"]
        == "period"
    )
    owner = browse["owner_a"]
    assert upload(owner, "activity", "m.csv", meters, JSON, period=YEAR).status_code == 403


def test_the_period_and_values_pages_offer_the_bulk_calculation(
    browse: dict[str, TestClient],
) -> None:
    manager = browse["manager"]
    for page in (f"/periods/{LAST_YEAR}", f"/values?period={LAST_YEAR}"):
        assert f'action="/periods/{LAST_YEAR}/activity"' in manager.get(page).text
    assert "/activity" not in manager.get(f"/periods/{YEAR}-03").text  # a month: none
    assert "/activity" not in browse["viewer"].get(f"/periods/{LAST_YEAR}").text
