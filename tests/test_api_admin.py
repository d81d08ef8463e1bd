"""Running the ledger through the REST API, on SQLite and PostgreSQL: the inventory-wide settings
(read by all, changed by managers and admins within their range, audited), recomputing stored
values (an empty page when every value re-derives, the tampered value named when one does not)
and the online backup kept in the ledger's files folder."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.store.schema import audit_log, calc_values, datapoints
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World

CJK = re.compile(r"[\u4e00-\u9fff]")


def call(client: TestClient, world: World, method: str, path: str, user: str, **kw: Any) -> Any:
    return client.request(method, f"{API}{path}", headers=world.headers(user), **kw)


def audit_of(world: World, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with world.services.db.reading() as connection:
        rows = connection.execute(
            sa.select(audit_log.c.actor, audit_log.c.object_id, audit_log.c.payload)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.seq)
        )
        return [(r.actor, r.object_id, json.loads(r.payload)) for r in rows]


def test_settings_are_listed_with_range_and_bilingual_help(
    world: World, client: TestClient
) -> None:
    answer = call(client, world, "GET", "/settings", "viewer_a")
    assert answer.status_code == 200, answer.text
    page = answer.json()
    found = {s["key"]: s for s in page["items"]}
    assert set(found) == {
        "base_year",
        "restatement_threshold",
        "review.change_threshold",
        "scope3.categories",
        "report.print_reported",
    }
    assert page["total"] == 5
    assert (found["report.print_reported"]["value"], found["report.print_reported"]["kind"]) == (
        [],
        "metrics",
    )
    categories = found["scope3.categories"]
    assert (categories["value"], categories["kind"], categories["maximum"]) == (
        [],
        "categories",
        15,
    )
    threshold = found["review.change_threshold"]
    assert (threshold["value"], threshold["default"], threshold["kind"]) == (0.3, 0.3, "ratio")
    assert (threshold["minimum"], threshold["maximum"]) == (0.01, 10.0)
    assert found["base_year"]["value"] is None and found["base_year"]["kind"] == "year"
    for setting in found.values():
        assert setting["help"]["en"] and CJK.search(setting["help"]["zh"])


def test_scope3_categories_are_set_as_a_list_of_numbers(world: World, client: TestClient) -> None:
    path = "/settings/scope3.categories"
    changed = call(client, world, "PUT", path, "manager", json={"value": [4, 1, 3]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["value"] == [1, 3, 4]
    refused = call(client, world, "PUT", path, "manager", json={"value": [16]})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "scope3.categories"


def test_metrics_printed_as_reported_are_set_as_a_list_of_ids(
    world: World, client: TestClient
) -> None:
    path = "/settings/report.print_reported"
    value = {"value": ["ghg.scope1", "energy.total_tce"]}
    changed = call(client, world, "PUT", path, "manager", json=value)
    assert changed.status_code == 200, changed.text
    assert changed.json()["value"] == ["energy.total_tce", "ghg.scope1"]
    refused = call(client, world, "PUT", path, "manager", json={"value": ["energy.nope"]})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "report.print_reported"
    assert "'energy.nope' is not a metric of the catalogue" in refused.json()["error"]["message"]


def test_a_manager_changes_settings_within_their_range(world: World, client: TestClient) -> None:
    changed = call(
        client, world, "PUT", "/settings/review.change_threshold", "manager", json={"value": 0.5}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["value"] == 0.5
    year = call(client, world, "PUT", "/settings/base_year", "admin", json={"value": 2023})
    assert year.status_code == 200 and year.json()["value"] == 2023
    listed = call(client, world, "GET", "/settings", "owner_a").json()["items"]
    assert {s["key"]: s["value"] for s in listed}["review.change_threshold"] == 0.5
    assert audit_of(world, "setting.change") == [
        ("manager", "review.change_threshold", {"before": 0.3, "after": 0.5}),
        ("admin", "base_year", {"before": None, "after": 2023}),
    ]
    # a value out of range, of the wrong JSON type, or for no such setting changes nothing
    out_of_range = call(client, world, "PUT", "/settings/base_year", "admin", json={"value": 1800})
    assert out_of_range.status_code == 422
    assert out_of_range.json()["error"]["code"] == "invalid"
    assert out_of_range.json()["error"]["details"] == {"minimum": 1900, "maximum": 2199}
    text = call(client, world, "PUT", "/settings/base_year", "admin", json={"value": "2024"})
    assert text.status_code == 422 and text.json()["error"]["code"] == "invalid_request"
    unknown = call(client, world, "PUT", "/settings/gwp", "admin", json={"value": 1})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "key"
    for user in ("owner_a", "auditor", "viewer"):
        refused = call(client, world, "PUT", "/settings/base_year", user, json={"value": 2020})
        assert refused.status_code == 403, user
    assert len(audit_of(world, "setting.change")) == 2


def _calculated(world: World) -> None:
    services, seeder = world.services, world.user("manager2")
    for entity, value in (("plant_a", 10), ("plant_b", 4)):
        services.datapoints.create(seeder, Entry(entity, "2024", "energy.diesel", value, "t"))
    services.calculation.run(world.user("admin"), "2024")


def test_recompute_lists_no_difference_after_a_calculation(
    world: World, client: TestClient
) -> None:
    _calculated(world)
    answer = call(client, world, "GET", "/calculations/2024/recompute", "auditor")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"items": [], "total": 0, "limit": 500, "offset": 0}
    every = call(
        client, world, "GET", "/calculations/2024/recompute?differences=false&limit=3", "auditor"
    ).json()
    stored = call(client, world, "GET", "/calculations/2024?limit=5000", "auditor").json()
    assert every["total"] >= stored["total"] > 0 and len(every["items"]) == 3
    assert all(check["ok"] and check["problem"] is None for check in every["items"])
    one = call(
        client,
        world,
        "GET",
        "/calculations/2024/recompute?metric=energy.total_tce&entity=grp&differences=false",
        "manager",
    ).json()
    assert "energy.total_tce@grp@2024" in {check["key"] for check in one["items"]}
    half = call(client, world, "GET", "/calculations/2024/recompute?metric=ghg.scope1", "admin")
    assert half.status_code == 422 and half.json()["error"]["field"] == "entity"
    none = call(client, world, "GET", "/calculations/2019/recompute", "admin")
    assert none.status_code == 404 and "calculate 2019 first" in none.json()["error"]["message"]
    for user in ("viewer", "owner_a", "viewer_a"):
        assert call(client, world, "GET", "/calculations/2024/recompute", user).status_code == 403


def test_recompute_names_a_tampered_value(world: World, client: TestClient) -> None:
    _calculated(world)
    with world.services.db.transaction() as connection:
        connection.execute(
            datapoints.update()
            .where(datapoints.c.entity_id == "plant_b", datapoints.c.is_current.is_(True))
            .values(value_normalised=40.0)
        )
        connection.execute(
            calc_values.update()
            .where(calc_values.c.entity_id == "grp", calc_values.c.metric_id == "energy.total_tce")
            .values(value=calc_values.c.value + 1000.0)
        )
    answer = call(client, world, "GET", "/calculations/2024/recompute", "auditor")
    assert answer.status_code == 200, answer.text
    differences = answer.json()["items"]
    keys = [d["key"] for d in differences]
    assert keys[0] == "audit verify" and differences[0]["kind"] == "ledger"
    assert "energy.diesel@plant_b@2024" in keys and "energy.total_tce@grp@2024" in keys
    assert not any(d["ok"] for d in differences) and all(d["problem"] for d in differences)


def test_an_admin_keeps_a_backup_in_the_files_folder(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    world.services.datapoints.create(
        world.user("manager2"), Entry("plant_a", "2024", "energy.diesel", 1, "t")
    )
    answer = call(client, world, "POST", "/backups", "admin")
    assert answer.status_code == 201, answer.text
    kept = answer.json()
    assert re.fullmatch(r"backups/esgledger-backup-\d{8}T\d{6}Z-[0-9a-f]{8}\.tar\.gz", kept["file"])
    archive = tmp_path / "files" / kept["file"]
    with tarfile.open(archive) as tar:
        assert "manifest.json" in tar.getnames()
    manifest = kept["manifest"]
    assert manifest["tables"]["datapoints"] == 1 and manifest["tables"]["users"] == 9
    assert manifest["audit_head"]["seq"] > 0
    assert [
        (actor, payload["file"]) for actor, _o, payload in audit_of(world, "ledger.backup")
    ] == [("admin", archive.name)]
    for user in ("manager", "auditor", "owner_a"):
        assert call(client, world, "POST", "/backups", user).status_code == 403
    assert len(list(archive.parent.iterdir())) == 1


def test_a_calculation_says_how_many_of_its_inputs_are_not_approved(
    world: World, client: TestClient
) -> None:
    services, seeder = world.services, world.user("manager2")
    for entity, value in (("plant_a", 10), ("plant_b", 4)):
        services.datapoints.create(seeder, Entry(entity, "2024", "energy.diesel", value, "t"))
    answer = call(client, world, "POST", "/calculations", "admin", json={"period": "2024"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["input_statuses"] == {"draft": 2}
