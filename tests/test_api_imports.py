"""File imports through the REST API (multipart uploads), on SQLite and PostgreSQL: the
organisation, data points (submitted, held as drafts, corrected), transfers, certificates and
activity files; the collection workbook there and back; refused files answer 422
``input_rejected`` naming each row, cell and field, bounded, and write nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from esgledger.errors import ISSUES_LISTED
from esgledger.store.schema import audit_log, datapoints, entities
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.helpers import DATA_HEADER, ORG_HEADER

ISSUE_KEYS = {"file", "row", "cell", "field", "found", "expected"}


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(
    client: TestClient,
    world: World,
    kind: str,
    name: str,
    content: bytes,
    user: str = "admin",
    **fields: str,
) -> Any:
    return client.post(
        f"{API}/imports/{kind}",
        files={"file": (name, content, "text/csv")},
        data=fields,
        headers=world.headers(user),
    )


def count(world: World, table: sa.Table) -> int:
    with world.services.db.reading() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def audit_actors(world: World, action: str) -> list[str]:
    with world.services.db.reading() as connection:
        return list(
            connection.execute(
                sa.select(audit_log.c.actor).where(audit_log.c.action == action)
            ).scalars()
        )


def rejected(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "input_rejected" and error["field"] == "file"
    assert "nothing written" in error["message"]
    assert error["details"]["total"] >= len(error["details"]["issues"])
    assert all(set(issue) == ISSUE_KEYS for issue in error["details"]["issues"])
    return list(error["details"]["issues"])


def test_organisation_import_creates_and_updates_entities(world: World, client: TestClient) -> None:
    rows = [
        ["plant_c", "Plant C", "grp", "CN", "丙厂", "plant", "", "", "", ""],
        ["plant_b", "Plant B (renamed)", "grp", "CN", "乙厂", "plant", "", "", "", ""],
    ]
    answer = upload(client, world, "organisation", "org.csv", csv_bytes(ORG_HEADER, rows))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 1, "updated": 1}
    plant_c = client.get(f"{API}/entities/plant_c", headers=world.headers("admin")).json()
    assert plant_c["parent_id"] == "grp" and plant_c["name_zh"] == "丙厂"
    assert audit_actors(world, "entity.create")[-1] == "admin"
    assert audit_actors(world, "entity.update") == ["admin"]


def test_a_refused_file_names_rows_and_cells_as_sent_and_writes_nothing(
    world: World, client: TestClient
) -> None:
    before = count(world, entities), count(world, audit_log)
    rows = [
        ["plant_c", "Plant C", "grp", "CN", "", "plant", "", "", "", ""],
        ["plant_d", "Plant D", "nowhere", "CN", "", "plant", "", "", "", ""],
    ]
    issues = rejected(
        upload(client, world, "organisation", "my org.csv", csv_bytes(ORG_HEADER, rows))
    )
    assert [(i["file"], i["row"], i["field"], i["found"]) for i in issues] == [
        ("my org.csv", 3, "parent", "nowhere")
    ]
    assert (count(world, entities), count(world, audit_log)) == before
    workbook = upload(client, world, "organisation", "org.xlsx", b"not a workbook")
    assert rejected(workbook)[0]["file"] == "org.xlsx"
    text = upload(client, world, "organisation", "org.txt", b"id,name\n")
    assert rejected(text)[0]["expected"] == "a .csv or .xlsx file"
    assert "esgledger-upload" not in workbook.text + text.text  # no server path is revealed


def test_thousands_of_bad_rows_answer_a_bounded_error(world: World, client: TestClient) -> None:
    months = [f"{1800 + n // 12}-{n % 12 + 1:02d}" for n in range(3000)]
    rows = [["plant_a", month, "energy.diesel", "lots", "t", "", "", ""] for month in months]
    answer = upload(client, world, "datapoints", "big.csv", csv_bytes(DATA_HEADER, rows))
    issues = rejected(answer)
    assert len(issues) == ISSUES_LISTED
    assert [i["row"] for i in issues] == list(range(2, 2 + ISSUES_LISTED))
    assert all(i["field"] == "value" and i["found"] == "lots" for i in issues)
    assert "3,000 problem(s) (the first 20 are listed)" in answer.json()["error"]["message"]
    assert answer.json()["error"]["details"]["total"] == 3000
    assert len(answer.content) < 16_000
    assert count(world, datapoints) == 0


def test_a_file_of_several_years_holds_a_change_against_its_own_earlier_year(
    world: World, client: TestClient
) -> None:
    """A subsidiary's three-year history in one file: 2023's 10 t against the ledger's nothing
    is new; 2024's 20 t doubles the 2023 value of the same file and is held like any other."""
    rows = [
        ["plant_a", "2023", "energy.diesel", "10", "t", "measured", "fuel ledger", ""],
        ["plant_a", "2024", "energy.diesel", "20", "t", "measured", "fuel ledger", ""],
        ["plant_a", "2023", "energy.coke", "5", "t", "", "", ""],
        ["plant_a", "2024", "energy.coke", "5.5", "t", "", "", ""],
    ]
    answer = upload(
        client, world, "datapoints", "data.csv", csv_bytes(DATA_HEADER, rows), "owner_a"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["held"] == [
        {"entity": "plant_a", "period": "2024", "metric": "energy.diesel"}
    ]


def test_data_import_submits_holds_large_changes_and_corrects(
    world: World, client: TestClient
) -> None:
    services, seeder = world.services, world.user("manager2")
    services.datapoints.create(seeder, Entry("plant_a", "2023", "energy.diesel", 10, "t"))
    rows = [
        ["plant_a", "2024", "energy.diesel", "20", "t", "measured", "fuel ledger", ""],
        ["plant_a", "2024", "energy.coke", "5", "t", "", "", ""],
    ]
    answer = upload(
        client, world, "datapoints", "data.csv", csv_bytes(DATA_HEADER, rows), "owner_a"
    )
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert (done["created"], done["corrected"], done["unchanged"]) == (2, 0, 0)
    assert done["held_as_draft"] == 1
    assert done["held"] == [{"entity": "plant_a", "period": "2024", "metric": "energy.diesel"}]
    assert isinstance(done["batch_id"], int)
    listed = client.get(f"{API}/datapoints?period=2024", headers=world.headers("owner_a")).json()
    statuses = {p["metric"]: (p["status"], p["created_by"]) for p in listed["items"]}
    assert statuses == {
        "energy.diesel": ("draft", "owner_a"),
        "energy.coke": ("submitted", "owner_a"),
    }
    rows[1][3] = "6"
    again = upload(
        client,
        world,
        "datapoints",
        "data.csv",
        csv_bytes(DATA_HEADER, rows),
        "owner_a",
        submit="false",
    )
    assert again.status_code == 200, again.text
    summary = again.json()
    assert (summary["created"], summary["corrected"], summary["unchanged"]) == (0, 1, 1)
    assert summary["held"] == [] and summary["held_as_draft"] == 0
    coke = client.get(
        f"{API}/datapoints?period=2024&metric=energy.coke", headers=world.headers("owner_a")
    ).json()["items"][0]
    assert (coke["value"], coke["status"], coke["version"]) == (6.0, "draft", 2)


def test_entities_outside_the_scope_are_unknown_to_an_import(
    world: World, client: TestClient
) -> None:
    def issue(entity: str) -> dict[str, Any]:
        rows = [[entity, "2024", "energy.diesel", "1", "t", "", "", ""]]
        found = rejected(
            upload(client, world, "datapoints", "d.csv", csv_bytes(DATA_HEADER, rows), "owner_a")
        )
        assert len(found) == 1 and found[0]["field"] == "entity"
        return found[0]

    outside, unknown = issue("plant_b"), issue("plant_q")
    assert outside["expected"].startswith("the id or alias of an entity in the organisation")
    assert unknown["expected"].startswith("the id or alias of an entity in the organisation")
    assert "plant_b" not in outside["expected"] + unknown["expected"]  # never suggested
    assert count(world, datapoints) == 0
    rows = [["plant_a", "2024", "energy.diesel", "1", "t", "", "", ""]]
    for user in ("viewer", "viewer_a", "auditor"):
        refused = upload(client, world, "datapoints", "d.csv", csv_bytes(DATA_HEADER, rows), user)
        assert refused.status_code == 403, (user, refused.text)
    assert count(world, datapoints) == 0


def test_upload_forms_are_strict(world: World, client: TestClient) -> None:
    content = csv_bytes(DATA_HEADER, [["plant_a", "2024", "energy.diesel", "1", "t", "", "", ""]])
    extra = upload(client, world, "datapoints", "d.csv", content, sumbit="false")
    assert extra.status_code == 422 and extra.json()["error"]["field"] == "sumbit"
    flag = upload(client, world, "datapoints", "d.csv", content, submit="perhaps")
    assert flag.status_code == 422 and flag.json()["error"]["field"] == "submit"
    missing = client.post(
        f"{API}/imports/datapoints", data={"submit": "true"}, headers=world.headers("admin")
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "file"
    month = upload(client, world, "activity", "a.csv", content, period="2024-03")
    assert month.status_code == 422 and month.json()["error"]["field"] == "period"
    assert count(world, datapoints) == 0


def test_transfers_and_certificates(world: World, client: TestClient) -> None:
    world.services.datapoints.create(
        world.user("manager2"),
        Entry("plant_a", "2024", "energy.electricity_purchased", 1200, "MWh"),
    )
    transfers = csv_bytes(
        ["from", "to", "period", "carrier", "value", "unit"],
        [["plant_b", "plant_a", "2024", "electricity", "300", "MWh"]],
    )
    answer = upload(client, world, "transfers", "t.csv", transfers, "manager")
    assert answer.status_code == 200 and answer.json() == {"imported": 1}, answer.text
    header = ["entity", "period", "scheme", "certificate_id", "mwh"]
    claims = csv_bytes(header, [["plant_a", "2024", "GEC", "GEC-1", "20"]])
    answer = upload(client, world, "certificates", "c.csv", claims, "manager")
    assert answer.status_code == 200 and answer.json() == {"imported": 1}, answer.text
    twice = rejected(upload(client, world, "certificates", "c2.csv", claims, "manager"))
    assert [(i["file"], i["row"], i["field"]) for i in twice] == [("c2.csv", 2, "certificate_id")]
    assert audit_actors(world, "certificate.claim") == ["manager"]
    for user in ("owner_a", "auditor"):
        assert upload(client, world, "transfers", "t.csv", transfers, user).status_code == 403


def test_activity_file_import_then_calculation(
    world: World, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path / "data"))
    meters = csv_bytes(
        ["entity", "ts", "metric", "quantity", "unit"],
        [
            ["plant_a", "2024-03-01 10:00", "energy.natural_gas", "120", "m3"],
            ["plant_a", "2024-03-02 10:00", "energy.natural_gas", "30", "m3"],
            ["plant_b", "2024-04-02", "energy.diesel", "1.5", "t"],
        ],
    )
    answer = upload(client, world, "activity", "meters.csv", meters, "manager", period="2024")
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert (imported["period"], imported["file"], imported["records"]) == ("2024", "meters.csv", 3)
    assert len(imported["sha256"]) == 64 and "stored" not in imported
    bad = csv_bytes(
        ["entity", "ts", "metric", "quantity", "unit"],
        [["plant_a", "2023-12-31", "energy.natural_gas", "1", "m3"]],
    )
    issues = rejected(upload(client, world, "activity", "old.csv", bad, "manager", period="2024"))
    assert issues[0]["file"] == "old.csv" and issues[0]["field"] == "ts"
    calc = client.post(
        f"{API}/calculations/2024/activity",
        json={"options": {"gwp": "AR5"}},
        headers=world.headers("manager"),
    )
    assert calc.status_code == 201, calc.text
    done = calc.json()
    assert (done["period"], done["files"], done["records"]) == ("2024", 1, 3)
    assert done["results"] > 0 and done["created"] == done["results"]
    computed = client.get(
        f"{API}/datapoints?period=2024-03&entity=plant_a&months=true",
        headers=world.headers("manager"),
    ).json()["items"]
    assert computed and all(p["method"] == "calculated" for p in computed)
    assert all(p["metric"].startswith("activity.") for p in computed)
    unknown = client.post(
        f"{API}/calculations/2024/activity",
        json={"options": {"gwp": "AR9"}},
        headers=world.headers("manager"),
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"


def test_collection_workbook_there_and_back(world: World, client: TestClient) -> None:
    world.services.datapoints.create(
        world.user("manager2"), Entry("plant_a", "2023", "energy.diesel", 10, "t")
    )
    answer = client.get(
        f"{API}/template?entity=plant_a&period=2024", headers=world.headers("owner_a")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="esgledger-plant_a-2024.xlsx"' in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book["Data"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("metric")].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["energy.diesel"][header.index("last_year_value")].value == 10
    rows["energy.diesel"][header.index("value")].value = 11
    filled = io.BytesIO()
    book.save(filled)
    back = client.post(
        f"{API}/imports/datapoints",
        files={"file": ("esgledger-plant_a-2024.xlsx", filled.getvalue())},
        headers=world.headers("owner_a"),
    )
    assert back.status_code == 200, back.text
    assert back.json()["created"] == 1 and back.json()["held"] == []
    outside = client.get(
        f"{API}/template?entity=plant_b&period=2024", headers=world.headers("owner_a")
    )
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    month = client.get(
        f"{API}/template?entity=plant_a&period=2024-13", headers=world.headers("owner_a")
    )
    assert month.status_code == 422
    assert json.loads(month.text)["error"]["field"] == "period"


def test_imports_are_documented_as_file_uploads(world: World, client: TestClient) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for kind in ("organisation", "datapoints", "transfers", "certificates", "activity"):
        body = paths[f"/api/v1/imports/{kind}"]["post"]["requestBody"]["content"]
        assert list(body) == ["multipart/form-data"], kind
    workbook = paths["/api/v1/template"]["get"]["responses"]["200"]["content"]
    assert list(workbook) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
