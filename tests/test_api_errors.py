"""The one JSON error shape, pinned; and bad input and attacks: each gets a clear error and
changes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.api import create_app
from esgledger.services import Options, Services
from esgledger.services.context import Context
from esgledger.store.schema import audit_log, datapoints, evidence
from tests.collab_fixtures import API, PASSWORD, World, fake_report

DIESEL = {
    "entity": "plant_a",
    "period": "2024",
    "metric": "energy.diesel",
    "value": 10.0,
    "unit": "t",
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The pinned shape: exactly {"error": {"code", "message", "field", "details"}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field
    return body["error"]


def ledger_rows(world: World) -> tuple[int, ...]:
    """Rows in the data point, audit log and evidence tables."""
    with world.services.db.reading() as connection:
        return tuple(
            connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (datapoints, audit_log, evidence)
        )


def create(client: TestClient, world: World, user: str = "owner_a", **changes) -> dict:
    answer = client.post(
        f"{API}/datapoints", json={**DIESEL, **changes}, headers=world.headers(user)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_error_shape_for_every_status(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")
    point = create(client, world)
    url = f"{API}/datapoints/{point['id']}"
    assert_error(
        client.post(
            f"{API}/auth/token", content=b"{", headers={"content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )
    assert_error(client.get(f"{API}/entities"), 401, "unauthenticated")
    assert_error(
        client.post(f"{url}/approve", json={"version": 1}, headers=owner), 403, "forbidden"
    )
    assert_error(client.get(f"{API}/datapoints/424242", headers=owner), 404, "not_found")
    assert_error(client.get(f"{API}/no/such/route", headers=owner), 404, "not_found")
    assert_error(client.put(f"{API}/datapoints", headers=owner), 405, "method_not_allowed")
    client.patch(url, json={"version": 1, "value": 11}, headers=owner)
    conflict = assert_error(
        client.patch(url, json={"version": 1, "value": 12}, headers=owner),
        409,
        "version_conflict",
        "version",
    )
    assert conflict["details"]["version"] == 2
    assert conflict["details"]["current"]["value"] == 11
    small = Services(
        Context(
            world.services.db,
            Options(
                files_dir=world.services.context.evidence_dir.parent,
                report_builder=fake_report,
                evidence_max_bytes=1000,
            ),
        )
    )
    with TestClient(create_app(small)) as tight:
        big = {"file": ("big.pdf", PDF + b"0" * 2_000_000, "application/pdf")}
        assert_error(tight.post(f"{url}/evidence", files=big, headers=owner), 413, "too_large")
        medium = {"file": ("medium.pdf", PDF + b"0" * 5000, "application/pdf")}
        assert_error(tight.post(f"{url}/evidence", files=medium, headers=owner), 413, "too_large")
    exe = {"file": ("tool.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "application/pdf")}
    assert_error(
        client.post(f"{url}/evidence", files=exe, headers=owner),
        415,
        "unsupported_media_type",
        "file",
    )
    assert_error(
        client.post(f"{API}/datapoints", json={**DIESEL, "value": "ten"}, headers=owner),
        422,
        "invalid_request",
        "value",
    )
    for _ in range(world.services.context.options.lockout.free_failures):
        client.post(f"{API}/auth/token", json={"username": "ghost", "password": "x" * 12})
    limited = client.post(f"{API}/auth/token", json={"username": "ghost", "password": "x" * 12})
    assert_error(limited, 429, "too_many_attempts")
    assert int(limited.headers["retry-after"]) > 0


def test_validation_errors_name_the_field(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")
    before = ledger_rows(world)
    cases = [
        ({**DIESEL, "colour": "red"}, "colour"),  # unknown field
        ({**DIESEL, "value": True}, "value"),  # wrong type (strict)
        ({**DIESEL, "value": "10"}, "value"),
        ({k: v for k, v in DIESEL.items() if k != "unit"}, "unit"),  # missing
        ({**DIESEL, "note": "x" * 4001}, "note"),  # over-long
        ({**DIESEL, "entity": "p" * 201}, "entity"),  # over the longest alias
        ({**DIESEL, "period": "24"}, "period"),
        ({**DIESEL, "method": "guessed"}, "method"),
        ({**DIESEL, "note": "nul \x00 byte"}, "note"),
    ]
    for body, field in cases:
        error = assert_error(
            client.post(f"{API}/datapoints", json=body, headers=owner),
            422,
            "invalid_request",
            field,
        )
        assert error["details"][0]["field"] == field
    assert_error(
        client.post(
            f"{API}/datapoints",
            content=b"[1, 2",
            headers={**owner, "content-type": "application/json"},
        ),
        400,
        "malformed_json",
    )
    assert_error(
        client.post(
            f"{API}/datapoints",
            content=b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser goes
            headers={**owner, "content-type": "application/json"},
        ),
        400,
        "malformed_json",
    )
    assert_error(
        client.post(
            f"{API}/datapoints",
            content=b'{"value": NaN}',
            headers={**owner, "content-type": "application/json"},
        ),
        422,
        "invalid_request",
    )
    assert ledger_rows(world) == before


def test_service_validation_errors(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")
    before = ledger_rows(world)
    wrong_dimension = client.post(
        f"{API}/datapoints", json={**DIESEL, "unit": "MWh"}, headers=owner
    )
    error = assert_error(wrong_dimension, 422, "invalid", "unit")
    assert "convertible to t" in error["message"]
    assert_error(
        client.post(f"{API}/datapoints", json={**DIESEL, "unit": "furlongs"}, headers=owner),
        422,
        "invalid",
        "unit",
    )
    assert_error(
        client.post(
            f"{API}/datapoints",
            json={**DIESEL, "metric": "energy.total_tce", "unit": "tce"},
            headers=owner,
        ),
        422,
        "invalid",
        "metric",
    )  # a calculated metric cannot be entered
    assert_error(
        client.post(f"{API}/datapoints", json={**DIESEL, "value": -1}, headers=owner),
        422,
        "invalid",
        "value",
    )
    assert_error(
        client.post(
            f"{API}/datapoints", json={**DIESEL, "value": 1e308, "unit": "万吨"}, headers=owner
        ),
        422,
        "invalid",
        "value",
    )
    assert_error(
        client.post(f"{API}/datapoints", json={**DIESEL, "period": "0000"}, headers=owner),
        422,
        "invalid",
        "period",
    )
    assert ledger_rows(world) == before


def test_out_of_scope_entities_look_like_missing_ones(client: TestClient, world: World) -> None:
    owner_a = world.headers("owner_a")
    hidden = create(client, world, "owner_b", entity="plant_b")
    missing = client.get(f"{API}/datapoints/999999", headers=owner_a).json()
    out_of_scope = client.get(f"{API}/datapoints/{hidden['id']}", headers=owner_a).json()
    assert missing["error"]["code"] == out_of_scope["error"]["code"] == "not_found"
    unknown = client.post(
        f"{API}/datapoints", json={**DIESEL, "entity": "atlantis"}, headers=owner_a
    )
    foreign = client.post(
        f"{API}/datapoints", json={**DIESEL, "entity": "plant_b"}, headers=owner_a
    )
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json()["error"]["field"] == foreign.json()["error"]["field"] == "entity"
    assert client.get(f"{API}/entities/plant_b", headers=owner_a).status_code == 404
    listed = client.get(f"{API}/datapoints?entity=plant_b", headers=owner_a)
    assert_error(listed, 404, "not_found", "entity")


def test_script_in_free_text_is_stored_as_is_and_served_as_json(
    client: TestClient, world: World
) -> None:
    script = '<script>alert("x")</script>'
    point = create(client, world, note=script, source="<img src=x onerror=alert(1)>")
    read = client.get(f"{API}/datapoints/{point['id']}", headers=world.headers("manager"))
    assert read.json()["note"] == script
    assert read.headers["content-type"] == "application/json"
    assert read.headers["x-content-type-options"] == "nosniff"


def test_uploads_are_checked_by_content_and_names_are_cleaned(
    client: TestClient, world: World
) -> None:
    owner = world.headers("owner_a")
    point = create(client, world)
    url = f"{API}/datapoints/{point['id']}/evidence"
    before = ledger_rows(world)
    refused = [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>\x00"),  # not a PDF
        ("photo.png", PDF),  # content and name disagree
        ("evil.exe", PDF),
        ("macro.xlsm", b"PK\x03\x04" + b"\x00" * 50),  # a zip that is no workbook
        ("empty.csv", b""),
        ("page.csv", b"<html><body><script>alert(1)</script></body></html>"),  # markup
        ("logo.csv", b"  <svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("data.csv", b"a,b\n1,2\n<script>fetch('/api/v1/users')</script>\n"),
    ]
    for name, data in refused:
        answer = client.post(url, files={"file": (name, data, "application/pdf")}, headers=owner)
        assert answer.status_code in (415, 422), (name, answer.text)
    assert ledger_rows(world) == before
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    accepted = [
        ("../../etc/passwd.pdf", PDF, "passwd.pdf", "application/pdf"),
        ("..\\..\\windows\\meter.png", PNG, "meter.png", "image/png"),
        (
            "readings <2024>.csv",
            "日期,读数\n2024-01,12\n".encode(),
            "readings _2024_.csv",
            "text/csv",
        ),
        (
            "gb18030.csv",  # Excel in Chinese Windows saves CSV in GB18030
            "日期,读数\n2024-01,12\n".encode("gb18030"),
            "gb18030.csv",
            "text/csv",
        ),
        (
            "book.xlsx",
            workbook.getvalue(),
            "book.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    for name, data, clean, content_type in accepted:
        answer = client.post(url, files={"file": (name, data, "text/plain")}, headers=owner)
        assert answer.status_code == 201, answer.text
        record = answer.json()
        assert (record["file_name"], record["content_type"]) == (clean, content_type)
        download = client.get(f"{API}/evidence/{record['id']}", headers=world.headers("auditor"))
        assert download.status_code == 200 and download.content == data
        assert download.headers["content-disposition"].startswith("attachment")
    stored = sorted(
        p.relative_to(world.services.context.evidence_dir).as_posix()
        for p in world.services.context.evidence_dir.rglob("*")
        if p.is_file()
    )
    assert all(len(p.split("/")[1]) == 64 for p in stored)  # named by hash, never by the upload
    assert not (world.services.context.evidence_dir.parent.parent / "etc").exists()
    # readable only by those who may see the data point's evidence
    first = client.get(url, headers=owner).json()["items"][0]["id"]
    for user, status in (("owner_b", 404), ("viewer", 403), ("viewer_a", 403), ("manager", 200)):
        assert (
            client.get(f"{API}/evidence/{first}", headers=world.headers(user)).status_code == status
        ), user


@pytest.mark.parametrize(
    "header",
    [
        "Bearer esgl_forged",
        "Bearer " + "x" * 500,
        "Basic YWRtaW46cGFzc3dvcmQ=",
        "Bearer",
        "",
    ],
)
def test_forged_tokens_are_refused(client: TestClient, world: World, header: str) -> None:
    answer = client.get(f"{API}/datapoints", headers={"Authorization": header})
    assert_error(answer, 401, "unauthenticated")
    assert answer.headers["www-authenticate"] == "Bearer"


def test_expired_and_revoked_tokens(client: TestClient, world: World) -> None:
    token = client.post(f"{API}/auth/token", json={"username": "viewer", "password": PASSWORD})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get(f"{API}/auth/me", headers=headers).json()["role"] == "viewer"
    import datetime as dt

    world.services.context.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert_error(client.get(f"{API}/auth/me", headers=headers), 401, "token_expired")
    world.services.context.clock = lambda: dt.datetime.now(dt.UTC)
    assert client.delete(f"{API}/auth/token", headers=headers).status_code == 204
    assert_error(client.get(f"{API}/auth/me", headers=headers), 401, "unauthenticated")


def test_brute_force_login_is_throttled_then_locked(client: TestClient, world: World) -> None:
    attempts = [
        client.post(f"{API}/auth/token", json={"username": "manager", "password": f"guess-{n:04d}"})
        for n in range(world.services.context.options.lockout.free_failures)
    ]
    assert {a.status_code for a in attempts} == {401}
    assert {a.json()["error"]["code"] for a in attempts} == {"bad_credentials"}
    locked = client.post(f"{API}/auth/token", json={"username": "manager", "password": PASSWORD})
    assert_error(locked, 429, "too_many_attempts")
    # other accounts keep working from another address
    other = world.services.accounts.issue_token("manager2", PASSWORD, "198.51.100.1")
    assert other.secret
