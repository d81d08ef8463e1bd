"""Approving several values at once (``POST /api/v1/datapoints/approvals`` and the queue's
*Approve the ticked values*), on SQLite and PostgreSQL: each value gets every check of a single
approval, a refused one is named with its error, and the others land."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.web_clients import form_token


def submitted(world: World, username: str, entity: str, metric: str) -> int:
    services, user = world.services, world.user(username)
    point = services.datapoints.create(user, Entry(entity, "2024", metric, 4, "t"))
    services.datapoints.submit(user, point.id, 1)
    return point.id


def statuses(world: World) -> dict[int, str]:
    with world.services.db.reading() as connection:
        rows = connection.execute(sa.text("select id, status from datapoints where is_current"))
        return {int(r.id): str(r.status) for r in rows}


def test_each_value_is_approved_or_refused_on_its_own(world: World, client: TestClient) -> None:
    diesel = submitted(world, "owner_a", "plant_a", "energy.diesel")
    coke = submitted(world, "owner_b", "plant_b", "energy.coke")
    own = submitted(world, "manager", "plant_b", "energy.diesel")  # the manager's own value
    draft = world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "energy.coke", 1, "t")
    ).id
    body = {
        "items": [
            {"id": diesel, "version": 1},
            {"id": coke, "version": 2},  # stale: the current version is 1
            {"id": own, "version": 1},
            {"id": draft, "version": 1},
            {"id": 999_999, "version": 1},
        ],
        "comment": "checked against the meter readings",
    }
    answer = client.post(f"{API}/datapoints/approvals", json=body, headers=world.headers("manager"))
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [p["id"] for p in result["approved"]] == [diesel]
    refused = {r["id"]: (r["status"], r["error"]["code"]) for r in result["refused"]}
    assert refused == {
        coke: (409, "version_conflict"),
        own: (403, "forbidden"),
        draft: (409, "invalid_state"),
        999_999: (404, "not_found"),
    }
    now = statuses(world)
    assert now[diesel] == "approved"
    assert (now[coke], now[own], now[draft]) == ("submitted", "submitted", "draft")


def test_a_data_owner_approves_nothing_and_bad_bodies_are_named(
    world: World, client: TestClient
) -> None:
    diesel = submitted(world, "owner_b", "plant_b", "energy.diesel")
    url = f"{API}/datapoints/approvals"
    answer = client.post(
        url, json={"items": [{"id": diesel, "version": 1}]}, headers=world.headers("owner_a")
    )
    assert answer.status_code == 200
    assert [(r["id"], r["status"]) for r in answer.json()["refused"]] == [(diesel, 404)]
    answer = client.post(
        url, json={"items": [{"id": diesel, "version": 1}]}, headers=world.headers("owner_b")
    )
    assert [(r["id"], r["status"]) for r in answer.json()["refused"]] == [(diesel, 403)]
    for body, field in (
        ({"items": []}, "items"),
        ({"items": [{"id": 1, "version": 1}] * 501}, "items"),
        ({"items": [{"id": "1", "version": 1}]}, "items.0.id"),
        ({"items": [{"id": 1, "version": 1, "status": "approved"}]}, "items.0.status"),
    ):
        answer = client.post(url, json=body, headers=world.headers("manager"))
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field, answer.json()
    assert statuses(world)[diesel] == "submitted"


def test_the_queue_approves_the_ticked_values(world: World, browse: dict[str, TestClient]) -> None:
    diesel = submitted(world, "owner_a", "plant_a", "energy.fuel_oil")  # no value last year
    coke = submitted(world, "owner_a", "plant_a", "energy.coke")
    water = submitted(world, "owner_a", "plant_a", "energy.gasoline")
    manager = browse["manager"]
    page = manager.get("/review?period=2024").text
    for point in (diesel, coke, water):
        assert f'value="{point}:1" form="bulk-approve"' in page
    answer = manager.post(
        "/review/approve",
        data={
            "csrf_token": form_token(page),
            "item": [f"{diesel}:1", f"{coke}:1"],
            "comment": "<b>fine</b>",
            "next": "/review?period=2024",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/review?period=2024&approved=2&refused=0"
    after = manager.get(answer.headers["location"]).text
    assert "Approved 2; refused 0" in after
    assert f'value="{water}:1"' in after and f'value="{diesel}:1"' not in after
    now = statuses(world)
    assert (now[diesel], now[coke], now[water]) == ("approved", "approved", "submitted")
    owner = browse["owner_a"]
    assert 'form="bulk-approve"' not in owner.get("/review?period=2024").text
    refused = owner.post(
        "/review/approve",
        data={"csrf_token": form_token(owner.get("/dashboard").text), "item": f"{water}:1"},
        headers={"Accept": "application/json"},
    )
    assert refused.json()["refused"][0]["code"] == "forbidden"
    no_token = manager.post("/review/approve", data={"item": f"{water}:1"})
    assert no_token.status_code == 403
    assert statuses(world)[water] == "submitted"
