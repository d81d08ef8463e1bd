"""Every list of the REST API is a page (``items``, ``total``, ``limit``, ``offset``) with its
filters, on SQLite and PostgreSQL: entities, metrics, periods, users, evidence, reports,
calculated values, data points and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World

PDF = b"%PDF-1.4\n%%EOF\n"


def get(client: TestClient, world: World, path: str, user: str = "admin") -> Any:
    answer = client.get(f"{API}{path}", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def ids(page: Any, key: str = "id") -> list[Any]:
    return [item[key] for item in page["items"]]


def test_every_list_endpoint_answers_a_page(world: World, client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    lists = [
        path
        for path, item in schema["paths"].items()
        if "get" in item and "limit" in {p["name"] for p in item["get"].get("parameters", [])}
    ]
    assert len(lists) == 14, lists
    for path in lists:
        ok = schema["paths"][path]["get"]["responses"]["200"]
        body = ok["content"]["application/json"]["schema"]
        ref = body["$ref"].split("/")[-1]
        fields = schema["components"]["schemas"][ref]["properties"]
        assert set(fields) == {"items", "total", "limit", "offset"}, path


def test_entities_filter_by_parent_country_and_type(world: World, client: TestClient) -> None:
    assert ids(get(client, world, "/entities")) == ["grp", "line_a1", "plant_a", "plant_b"]
    assert ids(get(client, world, "/entities?parent=grp")) == ["plant_a", "plant_b"]
    assert ids(get(client, world, "/entities?type=plant")) == ["plant_a", "plant_b"]
    assert get(client, world, "/entities?country=ID")["total"] == 0
    page = get(client, world, "/entities?limit=2&offset=1")
    assert ids(page) == ["line_a1", "plant_a"] and page["total"] == 4
    assert ids(get(client, world, "/entities?parent=plant_a", "owner_a")) == ["line_a1"]
    outside = client.get(f"{API}/entities?parent=plant_b", headers=world.headers("owner_a"))
    assert outside.status_code == 404 and outside.json()["error"]["field"] == "parent"


def test_metrics_filter_by_group_and_kind(world: World, client: TestClient) -> None:
    everything = get(client, world, "/metrics")
    catalogue = world.ws.catalogue
    assert everything["total"] == len(catalogue.metrics)
    environment = get(client, world, "/metrics?group=environment&kind=input")
    expected = [
        m.id for m in catalogue.metrics.values() if m.group == "environment" and m.kind == "input"
    ]
    assert ids(environment) == expected and expected
    assert all(m["group"] == "environment" and m["kind"] == "input" for m in environment["items"])


def test_users_filter_by_role_and_state(world: World, client: TestClient) -> None:
    assert ids(get(client, world, "/users?role=data_owner"), "username") == ["owner_a", "owner_b"]
    world.services.accounts.update(world.user("admin"), "viewer", active=False)
    assert ids(get(client, world, "/users?active=false"), "username") == ["viewer"]
    assert "viewer" not in ids(get(client, world, "/users?active=true"), "username")
    bad = client.get(f"{API}/users?role=king", headers=world.headers("admin"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "role"


def test_periods_evidence_and_reports(world: World, client: TestClient) -> None:
    services, manager = world.services, world.user("manager")
    point = services.datapoints.create(manager, Entry("plant_a", "2024", "energy.diesel", 1, "t"))
    services.datapoints.create(manager, Entry("plant_a", "2023", "energy.diesel", 1, "t"))
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        services.evidence.upload(manager, point.id, name, PDF)
    assert ids(get(client, world, "/periods"), "period") == ["2023", "2024"]
    files = get(client, world, f"/datapoints/{point.id}/evidence?limit=2&offset=1")
    assert ids(files, "file_name") == ["b.pdf", "c.pdf"] and files["total"] == 3
    assert get(client, world, "/reports")["total"] == 0
    services.reports.build(manager, "2023", "en")
    services.reports.build(manager, "2024", "zh")
    services.reports.build(manager, "2024", "en")
    built = get(client, world, "/reports", "auditor")
    assert [(r["period"], r["lang"]) for r in built["items"]] == [
        ("2024", "zh"),
        ("2024", "en"),
        ("2023", "en"),
    ]
    assert all(r["by"] == "manager" and len(r["sha256"]) == 64 for r in built["items"])
    scoped = client.get(f"{API}/reports", headers=world.headers("viewer_a"))
    assert scoped.status_code == 403  # a group report is group-wide
