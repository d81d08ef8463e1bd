"""Data collection through the REST API, on SQLite and PostgreSQL: a period's progress per entity,
what waits for each user, the entry form with last year's values and the change, the change of a
value being typed, and a value's review card with what the policy allows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World

SEEDER = "manager2"


@pytest.fixture
def ids(world: World) -> dict[str, int]:
    """plant_a: diesel 10 t approved in 2023, 20 t drafted for 2024 by its data owner; coke
    reported for March 2023 only. plant_b: diesel 4 t in 2023, 5 t submitted for 2024."""
    services, seeder = world.services, world.user(SEEDER)
    points = services.datapoints
    approved = points.create(seeder, Entry("plant_a", "2023", "energy.diesel", 10, "t"))
    points.submit(seeder, approved.id, 1)
    points.approve(world.user("manager"), approved.id, 1)
    points.create(seeder, Entry("plant_a", "2023-03", "energy.coke", 2, "t"))
    points.create(seeder, Entry("plant_b", "2023", "energy.diesel", 4, "t"))
    draft = points.create(world.user("owner_a"), Entry("plant_a", "2024", "energy.diesel", 20, "t"))
    submitted = points.create(seeder, Entry("plant_b", "2024", "energy.diesel", 5, "t"))
    points.submit(seeder, submitted.id, 1, "a new boiler")
    return {"draft": draft.id, "submitted": submitted.id, "approved": approved.id}


def get(client: TestClient, world: World, path: str, user: str = "admin") -> Any:
    answer = client.get(f"{API}{path}", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def refused(client: TestClient, world: World, path: str, user: str) -> dict[str, Any]:
    answer = client.get(f"{API}{path}", headers=world.headers(user))
    assert answer.status_code in (403, 404, 422), answer.text
    return {"status": answer.status_code, **answer.json()["error"]}


def test_progress_of_a_period_per_entity(
    world: World, client: TestClient, ids: dict[str, int]
) -> None:
    progress = get(client, world, "/collection/2024")
    assert progress["period"] == "2024"
    rows = {row["entity"]: row for row in progress["entities"]}
    assert list(rows) == ["plant_a", "plant_b"]  # entities with nothing expected are left out
    plant_a = rows["plant_a"]
    slots = {(m["metric"], m["period"], m["status"]) for m in plant_a["metrics"]}
    assert slots == {("energy.diesel", "2024", "draft"), ("energy.coke", "2024-03", "missing")}
    diesel = next(m for m in plant_a["metrics"] if m["metric"] == "energy.diesel")
    assert diesel["datapoint"] == ids["draft"]
    assert (plant_a["expected"], plant_a["approved"], plant_a["complete"]) == (2, 0, False)
    assert plant_a["by_status"] == {
        "approved": 0,
        "submitted": 0,
        "draft": 1,
        "rejected": 0,
        "missing": 1,
    }
    assert rows["plant_b"]["by_status"]["submitted"] == 1
    assert (progress["expected"], progress["approved"], progress["complete"]) == (3, 0, False)
    last_year = get(client, world, "/collection/2023")
    assert last_year["approved"] == 1 and last_year["expected"] == 3
    scoped = get(client, world, "/collection/2024", "owner_a")
    assert [row["entity"] for row in scoped["entities"]] == ["plant_a"]
    assert scoped["expected"] == 2
    assert refused(client, world, "/collection/2024-13", "admin")["field"] == "period"


def test_what_waits_for_each_user(world: World, client: TestClient, ids: dict[str, int]) -> None:
    def tasks(user: str) -> list[tuple[str, int]]:
        page = get(client, world, "/collection/2024/waiting", user)
        assert page["total"] == len(page["items"])
        return [(item["task"], item["id"]) for item in page["items"]]

    assert tasks("manager") == [("review", ids["submitted"])]
    assert tasks(SEEDER) == []  # nobody reviews what they submitted
    assert tasks("owner_a") == [("submit", ids["draft"])]
    assert tasks("owner_b") == []
    assert tasks("viewer") == [] and tasks("auditor") == []
    world.services.datapoints.reject(world.user("manager"), ids["submitted"], 1, "check the meter")
    assert tasks("owner_b") == [("correct", ids["submitted"])]
    item = get(client, world, "/collection/2024/waiting", "owner_b")["items"][0]
    assert (item["entity"], item["metric"], item["status"]) == (
        "plant_b",
        "energy.diesel",
        "rejected",
    )


def test_entry_form_rows_with_last_year_and_the_change(
    world: World, client: TestClient, ids: dict[str, int]
) -> None:
    form = get(client, world, "/entry/plant_a/2024", "owner_a")
    assert (form["entity"], form["period"], form["last_year"]) == ("plant_a", "2024", "2023")
    assert form["editable"] is True and form["locked"] is None and form["threshold"] == 0.3
    rows = {row["metric"]: row for group in form["groups"] for row in group["rows"]}
    diesel = rows["energy.diesel"]
    assert diesel["current"]["id"] == ids["draft"] and diesel["current"]["value"] == 20
    assert diesel["last_year"]["value"] == 10 and diesel["change"] == pytest.approx(1.0)
    assert diesel["over_threshold"] is True and diesel["explainable"] is True
    assert "t" in diesel["units"] and diesel["selected"] == "t"
    assert diesel["name"]["en"] and diesel["name"]["zh"]
    coke = rows["energy.coke"]
    assert coke["last_year"] is None and coke["last_year_months"] == {"total": 2.0, "months": 1}
    assert coke["current"] is None and coke["change"] is None
    assert "slug" not in diesel  # an HTML detail of the web page
    diesel_group = next(
        g["group"] for g in form["groups"] if "energy.diesel" in {r["metric"] for r in g["rows"]}
    )
    assert [g["group"] for g in form["groups"] if g["filled"]] == [diesel_group]
    assert get(client, world, "/entry/plant_a/2024", "viewer")["editable"] is False
    outside = refused(client, world, "/entry/plant_b/2024", "owner_a")
    assert outside["status"] == 404 and outside["field"] == "entity"
    unknown = refused(client, world, "/entry/plant_q/2024", "admin")
    assert unknown["status"] == 404 and unknown["message"].startswith("no entity 'plant_q'")
    assert "plant_a" in unknown["message"] and "plant_b" in unknown["message"]  # did you mean
    scoped_unknown = refused(client, world, "/entry/plant_q/2024", "owner_a")
    assert scoped_unknown["status"] == 404 and "plant_b" not in scoped_unknown["message"]


def test_preview_of_a_value_being_typed(
    world: World, client: TestClient, ids: dict[str, int]
) -> None:
    def preview(query: str, user: str = "owner_a") -> dict[str, Any]:
        return get(client, world, f"/entry/plant_a/2024/preview?metric=energy.diesel&{query}", user)

    small = preview("value=12&unit=t")
    assert small["change"] == pytest.approx(0.2) and small["over_threshold"] is False
    assert small["last_year"]["value"] == 10 and small["threshold"] == 0.3
    assert small["explainable"] is True and small["explanations"] == []
    large = preview("value=25000&unit=kg")
    assert large["change"] == pytest.approx(1.5) and large["over_threshold"] is True
    assert preview("value=12")["change"] == pytest.approx(0.2)  # the metric's unit by default
    typing = preview("value=1%2C2")  # "1,2": not a number yet
    assert typing["change"] is None and typing["over_threshold"] is False
    no_last_year = get(
        client, world, "/entry/plant_a/2024/preview?metric=energy.coke&value=3", "owner_a"
    )
    assert no_last_year["last_year"] is None and no_last_year["change"] is None
    metric = refused(client, world, "/entry/plant_a/2024/preview?metric=nope&value=1", "owner_a")
    assert metric["status"] == 404 and metric["field"] == "metric"
    outside = "/entry/plant_b/2024/preview?metric=energy.diesel&value=1"
    assert refused(client, world, outside, "owner_a")["status"] == 404
    missing = refused(client, world, "/entry/plant_a/2024/preview?metric=energy.diesel", "admin")
    assert missing["status"] == 422 and missing["field"] == "value"


def test_review_card_says_what_each_user_may_do(
    world: World, client: TestClient, ids: dict[str, int]
) -> None:
    url = f"/datapoints/{ids['submitted']}/card"
    card = get(client, world, url, "manager")
    assert card["point"]["id"] == ids["submitted"] and card["point"]["status"] == "submitted"
    assert card["last_year"]["value"] == 4 and card["change"] == pytest.approx(0.25)
    assert card["over_threshold"] is False and card["locked"] is None
    assert [c["action"] for c in card["comments"]] == ["explain", "submit"]
    assert [(c["comment"], c["by"]) for c in card["explanations"]] == [("a new boiler", SEEDER)]
    assert [v["version"] for v in card["versions"]] == [1] and card["audit"]
    assert card["can"]["approve"] and card["can"]["reject"] and card["can"]["history"]
    own = get(client, world, url, SEEDER)["can"]
    assert not own["approve"] and not own["reject"]  # segregation of duties
    viewer = get(client, world, url, "viewer")
    assert viewer["comments"] == [] and viewer["versions"] == [] and viewer["audit"] == []
    assert not any(viewer["can"].values())
    owner = get(client, world, url, "owner_b")["can"]
    assert owner["correct"] and owner["submit"] and owner["evidence_upload"]
    assert not owner["approve"]
    assert refused(client, world, url, "owner_a")["status"] == 404
    assert refused(client, world, "/datapoints/424242/card", "admin")["status"] == 404
