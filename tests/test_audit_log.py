"""Reading the audit log (``GET /api/v1/audit`` and the page ``/audit``), on SQLite and
PostgreSQL: filters by period, entity, actor, action family, object and time; order and
pagination; who may read it; bad filters named; the page escapes free text, links data points,
verifies the chain on request and speaks Chinese."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.api import create_app
from esgledger.ledger.audit_query import AuditFilters, csv_lines
from esgledger.ledger.verify import CHAIN_KINDS, TABLE_KINDS
from esgledger.web.i18n import Strings
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.tampering import tampering

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


@pytest.fixture
def history(world: World) -> dict[str, int]:
    """Values of two plants: in 2024 entered by the data owners, one corrected with a note
    holding script, submitted, then approved or rejected by the manager; in 2023 one value,
    approved, and the year locked."""
    services, manager = world.services, world.user("manager")
    owner_a, owner_b = world.user("owner_a"), world.user("owner_b")
    first = services.datapoints.create(owner_a, Entry("plant_a", "2024", "energy.diesel", 10, "t"))
    a24 = services.datapoints.correct(owner_a, first.id, 1, {"value": 12.0, "note": SCRIPT})
    services.datapoints.submit(owner_a, a24.id, a24.version)
    services.datapoints.approve(manager, a24.id, a24.version, "ok")
    b24 = services.datapoints.create(owner_b, Entry("plant_b", "2024", "energy.diesel", 7, "t"))
    services.datapoints.submit(owner_b, b24.id, 1)
    services.datapoints.reject(manager, b24.id, 1, "which meter?")
    a23 = services.datapoints.create(owner_a, Entry("plant_a", "2023", "energy.diesel", 9, "t"))
    services.datapoints.submit(owner_a, a23.id, 1, "new meter")
    services.datapoints.approve(manager, a23.id, 1)
    services.periods.lock(manager, "2023", "closed")
    return {"a24_first": first.id, "a24": a24.id, "b24": b24.id, "a23": a23.id}


def audit(client: TestClient, world: World, user: str = "auditor", **query: Any) -> Any:
    return client.get(f"{API}/audit", params=query, headers=world.headers(user))


def ids(answer: Any) -> list[tuple[str, str]]:
    return [(e["action"], e["object_id"]) for e in answer.json()["items"]]


def all_rows(world: World) -> list[Any]:
    with world.services.db.reading() as connection:
        return list(connection.execute(sa.text("select * from audit_log order by seq")))


def test_the_log_lists_every_entry_newest_first_with_its_hashes(
    world: World, client: TestClient, history: dict[str, int]
) -> None:
    rows = all_rows(world)
    answer = audit(client, world, limit=500)
    assert answer.status_code == 200
    page = answer.json()
    assert page["total"] == len(rows) and page["limit"] == 500 and page["offset"] == 0
    assert [e["seq"] for e in page["items"]] == [r.seq for r in reversed(rows)]
    newest = page["items"][0]
    assert newest["hash"] == rows[-1].hash and newest["prev_hash"] == rows[-2].hash
    ascending = audit(client, world, order="asc", limit=3).json()["items"]
    assert [e["seq"] for e in ascending] == [r.seq for r in rows[:3]]
    second_page = audit(client, world, order="asc", limit=3, offset=3).json()["items"]
    assert [e["seq"] for e in second_page] == [r.seq for r in rows[3:6]]


def test_period_and_entity_select_the_values_review_steps_and_the_period_itself(
    world: World, client: TestClient, history: dict[str, int]
) -> None:
    got = ids(audit(client, world, period="2024", order="asc"))
    a24 = [str(history["a24_first"]), str(history["a24"])]  # first version and correction
    b24 = str(history["b24"])
    assert ("datapoint.create", a24[0]) in got and ("datapoint.correct", a24[1]) in got
    assert ("datapoint.submit", a24[1]) in got and ("datapoint.approve", a24[1]) in got
    assert ("datapoint.reject", b24) in got
    assert all(object_id not in (str(history["a23"]), "2023") for _action, object_id in got)
    march = world.services.datapoints.create(
        world.user("owner_b"), Entry("plant_b", "2024-03", "energy.coke", 1, "t")
    )
    in_year = ids(audit(client, world, period="2024", limit=500))
    assert ("datapoint.create", str(march.id)) in in_year  # a year holds its months
    assert ids(audit(client, world, period="2024-03")) == [("datapoint.create", str(march.id))]
    year_before = ids(audit(client, world, period="2023", order="asc"))
    a23 = str(history["a23"])
    assert year_before == [
        ("datapoint.create", a23),
        ("datapoint.explain", a23),
        ("datapoint.submit", a23),
        ("datapoint.approve", a23),
        ("period.lock", "2023"),
    ]
    only_a = ids(audit(client, world, entity="plant_a"))
    assert {object_id for action, object_id in only_a if action.startswith("datapoint.")} == {
        *a24,
        str(history["a23"]),
    }
    assert ("entity.create", "plant_a") in only_a
    both = ids(audit(client, world, entity="plant_a", period="2023", action="datapoint.create"))
    assert both == [("datapoint.create", str(history["a23"]))]


def test_actor_action_object_and_time_filters(
    world: World, client: TestClient, history: dict[str, int]
) -> None:
    by_manager = audit(client, world, actor="manager", limit=500).json()["items"]
    assert {e["action"] for e in by_manager} == {
        "auth.token",  # the test's bearer token
        "datapoint.approve",
        "datapoint.reject",
        "period.lock",
    }
    family = {
        e["action"] for e in audit(client, world, action="datapoint.", limit=500).json()["items"]
    }
    assert family == {
        "datapoint.create",
        "datapoint.correct",
        "datapoint.explain",
        "datapoint.submit",
        "datapoint.approve",
        "datapoint.reject",
    }
    exact = audit(client, world, action="datapoint.reject").json()
    assert exact["total"] == 1 and exact["items"][0]["payload"]["comment"] == "which meter?"
    assert audit(client, world, action="datapoint").json()["total"] == 0  # exact, not a prefix
    b24 = audit(client, world, object_type="datapoint", object_id=str(history["b24"]))
    assert [a for a, _ in ids(b24)] == ["datapoint.reject", "datapoint.submit", "datapoint.create"]

    rows = all_rows(world)
    middle = rows[len(rows) // 2]
    since = audit(client, world, since=middle.at, order="asc", limit=500).json()["items"]
    assert since[0]["at"] >= middle.at and since[0]["seq"] <= middle.seq
    assert all(e["at"] >= middle.at for e in since)
    until = audit(client, world, until=middle.at, limit=500).json()["items"]
    assert all(e["at"] <= middle.at for e in until) and middle.seq in {e["seq"] for e in until}
    today = middle.at[:10]
    assert audit(client, world, since=today, until=today).json()["total"] == len(rows)
    assert audit(client, world, until="2000-01-01").json()["total"] == 0
    local = audit(client, world, since=f"{today}T00:00:00+14:00").json()["total"]
    assert local == len(rows)  # midnight at UTC+14 is the day before in UTC


def test_who_may_read_the_log(world: World, client: TestClient, history: dict[str, int]) -> None:
    for user in ("admin", "manager", "auditor"):
        assert audit(client, world, user).status_code == 200, user
    for user in ("owner_a", "viewer", "viewer_a"):
        answer = audit(client, world, user)
        assert answer.status_code == 403, user
        assert answer.json()["error"]["code"] == "forbidden"
    # outside the user's entities: 404 as for an unknown entity, before the role is considered
    assert audit(client, world, "owner_a", entity="plant_b").status_code == 404
    assert audit(client, world, "owner_a", entity="plant_a").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-02-30"}, "until"),
        ({"until": "9999-12-31"}, "until"),  # its end would leave the calendar
        ({"since": "0001-01-01T00:00:00+08:00"}, "since"),
        ({"period": "24"}, "period"),
        ({"order": "sideways"}, "order"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"actor": "a\x00b"}, "actor"),
    ],
)
def test_bad_filters_are_named(
    world: World, client: TestClient, query: dict[str, str], field: str
) -> None:
    answer = audit(client, world, **query)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"].endswith(field)


def test_calculation_values_are_paginated(world: World, client: TestClient) -> None:
    services, manager = world.services, world.user("manager")
    for entity in ("plant_a", "plant_b"):
        services.datapoints.create(manager, Entry(entity, "2024", "energy.diesel", 5, "t"))
    services.calculation.run(manager, "2024")
    headers = world.headers("auditor")
    whole = client.get(f"{API}/calculations/2024?limit=5000", headers=headers).json()
    assert whole["total"] == len(whole["items"]) > 4
    pairs = [(v["entity"], v["metric"]) for v in whole["items"]]
    assert pairs == sorted(pairs)
    page = client.get(f"{API}/calculations/2024?limit=3&offset=2", headers=headers).json()
    assert page["items"] == whole["items"][2:5] and page["total"] == whole["total"]
    scoped = client.get(
        f"{API}/calculations/2024?limit=5000", headers=world.headers("owner_a")
    ).json()
    assert {v["entity"] for v in scoped["items"]} <= {"plant_a", "line_a1"}
    assert scoped["total"] == len(scoped["items"]) > 0


# -- the page ----------------------------------------------------------------------------------------
@pytest.fixture
def app(world: World) -> FastAPI:
    """The application without last year's seed values: the audit entries here are exact."""
    return create_app(world.services)


def test_the_page_shows_filtered_entries_escaped_with_links(
    world: World, browse: dict[str, TestClient], history: dict[str, int]
) -> None:
    auditor = browse["auditor"]
    page = auditor.get("/audit?period=2024&entity=plant_a")
    assert page.status_code == 200
    html = page.text
    assert f'href="/datapoints/{history["a24"]}"' in html
    assert ESCAPED in html and SCRIPT not in html
    assert 'href="/audit"' in html  # the navigation link, shown to an auditor
    twin = auditor.get("/audit.json?period=2024&entity=plant_a").json()
    filters = AuditFilters(period="2024", entity="plant_a")
    api = world.services.audit.entries(world.user("auditor"), filters, 50, 0)
    assert [e["seq"] for e in twin["entries"]] == [e["seq"] for e in api[0]]
    assert twin["total"] == api[1] and twin["verification"] is None
    assert twin["filters"]["period"] == "2024" and twin["filters"]["actor"] is None


def test_the_page_verifies_the_chain_and_reports_a_tampered_entry(
    world: World, browse: dict[str, TestClient], history: dict[str, int]
) -> None:
    auditor = browse["auditor"]
    intact = auditor.get("/audit.json?verify=true").json()["verification"]
    assert intact["ok"] is True and intact["entries"] == len(all_rows(world))
    assert 'id="verify-chain"' in auditor.get("/audit").text
    assert "The chain is intact" in auditor.get("/audit?verify=true").text
    with tampering(world.services.db) as connection:  # past PostgreSQL's append-only trigger
        connection.execute(sa.text("update audit_log set actor = 'mallory' where seq = 3"))
    broken = auditor.get("/audit.json?verify=true").json()["verification"]
    assert broken["ok"] is False and broken["seq"] == 3 and broken["kind"] == "edited"
    assert (
        "The chain is broken at entry 3 (an entry was edited)."
        in auditor.get("/audit?verify=true").text
    )
    auditor.get("/lang/zh")
    zh = auditor.get("/audit?verify=true").text
    assert "哈希链在第 3 条记录处断裂（记录被修改）。" in zh and "（edited）" not in zh
    assert '<span class="detail" lang="en">entry 3 (' in zh  # the English detail, marked so


@pytest.mark.parametrize(
    ("kind", "shown_en", "shown_zh"),
    [
        ("edited", "an entry was edited", "记录被修改"),
        ("removed", "an entry was removed or replaced", "记录被删除或替换"),
        ("reordered", "entries were reordered", "记录顺序被调换"),
        ("row_changed", "a row was changed outside esgledger", "某行在 esgledger 之外被修改"),
        ("row_missing", "a row was deleted outside esgledger", "某行在 esgledger 之外被删除"),
        ("row_unlogged", "a row was added outside esgledger", "某行在 esgledger 之外被添加"),
        (
            "values_changed",
            "values under a row were changed outside esgledger",
            "某行下属的数值在 esgledger 之外被修改",
        ),
    ],
)
def test_every_kind_of_failed_verification_is_named_in_both_languages(
    kind: str, shown_en: str, shown_zh: str
) -> None:
    assert Strings("en").get(f"audit.kind.{kind}", kind) == shown_en
    assert Strings("zh").get(f"audit.kind.{kind}", kind) == shown_zh
    assert kind in CHAIN_KINDS + TABLE_KINDS


def test_every_kind_verify_names_has_a_translation() -> None:
    for kind in CHAIN_KINDS + TABLE_KINDS:
        assert Strings("zh").get(f"audit.kind.{kind}", "") != "", kind


def test_the_page_shows_times_in_utc_and_keeps_a_date_time_filter(
    world: World, browse: dict[str, TestClient], history: dict[str, int]
) -> None:
    auditor = browse["auditor"]
    html = auditor.get("/audit").text
    assert "<th>When (UTC)</th>" in html
    newest = auditor.get("/audit.json").json()["entries"][0]
    shown = newest["at"][:19].replace("T", " ")
    assert f'<time datetime="{newest["at"]}">{shown}</time>' in html
    since = "2024-12-31T18:00+08:00"
    html = auditor.get("/audit", params={"since": since, "until": "2999-12-31"}).text
    assert f'<input type="text" name="since" value="{since}"' in html
    assert '<input type="text" name="until" value="2999-12-31"' in html
    assert 'placeholder="2024-12-31 or 2024-12-31T18:00+08:00"' in html
    export = 'href="/audit/export.csv?since=2024-12-31T18%3A00%2B08%3A00&amp;until=2999-12-31"'
    assert export in html  # the filters go on with the page's links
    auditor.get("/lang/zh")
    zh = auditor.get("/audit").text
    assert "<th>时间（UTC）</th>" in zh
    assert 'placeholder="2024-12-31 或 2024-12-31T18:00+08:00"' in zh


def test_an_offset_out_of_range_is_refused(browse: dict[str, TestClient]) -> None:
    auditor = browse["auditor"]
    for offset in ("99999999999999999999", "1000000001", "-1"):
        page = auditor.get(f"/audit?offset={offset}")
        assert page.status_code == 422, offset
        error = auditor.get(f"/audit.json?offset={offset}").json()["error"]
        assert (error["code"], error["field"]) == ("invalid_request", "offset")
    assert auditor.get("/audit.json?offset=1000000000").json()["entries"] == []


def test_the_page_pages_and_speaks_chinese(
    world: World, browse: dict[str, TestClient], history: dict[str, int]
) -> None:
    for year in range(1990, 2020):
        entry = Entry("plant_b", str(year), "energy.diesel", 1, "t")
        world.services.datapoints.create(world.user("owner_b"), entry)
    manager = browse["manager"]
    total = len(all_rows(world))
    assert total > 60
    first = manager.get("/audit.json").json()
    assert len(first["entries"]) == 50 and first["total"] == total
    html = manager.get("/audit?actor=owner_a").text
    assert "offset=" not in html  # one page only
    html = manager.get("/audit").text
    assert 'href="/audit?offset=50"' in html
    second = manager.get("/audit.json?offset=50").json()["entries"]
    assert second[0]["seq"] == first["entries"][-1]["seq"] - 1
    manager.get("/lang/zh")
    zh = manager.get("/audit?action=datapoint.").text
    assert "审计日志" in zh and "数据已批准" in zh and "数据已填报" in zh


def test_the_page_is_refused_to_data_owners_and_viewers(browse: dict[str, TestClient]) -> None:
    for user in ("owner_a", "viewer"):
        client = browse[user]
        assert client.get("/audit").status_code == 403
        assert client.get("/audit.json").json()["error"]["code"] == "forbidden"
        assert 'href="/audit"' not in client.get("/dashboard").text
    assert browse["auditor"].get("/audit?since=tomorrow").status_code == 422


# -- the export ------------------------------------------------------------------------------------
def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode()), "Excel needs the byte order mark for Chinese"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_holds_every_matching_entry_oldest_first(
    world: World, client: TestClient, history: dict[str, int]
) -> None:
    url = f"{API}/audit/export.csv"
    answer = client.get(url, headers=world.headers("auditor"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment")
    rows = read_csv(answer.content)
    stored = all_rows(world)
    assert [int(r["seq"]) for r in rows] == [r.seq for r in stored]
    assert [r["hash"] for r in rows] == [r.hash for r in stored]
    assert json.loads(rows[-1]["payload"]) == json.loads(stored[-1].payload)
    rejected = read_csv(
        client.get(f"{url}?action=datapoint.reject", headers=world.headers("auditor")).content
    )
    assert [json.loads(r["payload"])["comment"] for r in rejected] == ["which meter?"]
    noted = read_csv(client.get(f"{url}?period=2024", headers=world.headers("manager")).content)
    assert any(SCRIPT in r["payload"] for r in noted)  # text as entered; a CSV is not a page
    for user in ("owner_a", "viewer"):
        assert client.get(url, headers=world.headers(user)).status_code == 403
    assert client.get(f"{url}?since=soon", headers=world.headers("auditor")).status_code == 422


def test_the_export_is_read_in_batches_without_gaps_or_repeats(
    world: World, history: dict[str, int]
) -> None:
    batches = list(world.services.audit.export(world.user("auditor"), AuditFilters(), batch=7))
    assert len(batches) > 3 and all(len(b) == 7 for b in batches[:-1])
    seqs = [e["seq"] for b in batches for e in b]
    assert seqs == [r.seq for r in all_rows(world)]


def test_export_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    entry = {
        "seq": 1,
        "at": "2024-01-01T00:00:00+00:00",
        "actor": '=HYPERLINK("http://x")',
        "action": "entity.create",
        "object_type": "entity",
        "object_id": "+plant",
        "payload": {"name": "-1+1"},
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }
    (row,) = read_csv("".join(csv_lines([[entry]])).encode())
    assert row["actor"] == '\'=HYPERLINK("http://x")' and row["object_id"] == "'+plant"
    assert json.loads(row["payload"]) == {"name": "-1+1"}  # JSON starts with a brace


def test_the_page_links_the_export_of_its_filters(
    world: World, browse: dict[str, TestClient], history: dict[str, int]
) -> None:
    auditor = browse["auditor"]
    html = auditor.get("/audit?period=2024&action=datapoint.").text
    assert 'href="/audit/export.csv?period=2024&amp;action=datapoint."' in html
    rows = read_csv(auditor.get("/audit/export.csv?period=2024&action=datapoint.").content)
    total = auditor.get("/audit.json?period=2024&action=datapoint.").json()["total"]
    assert len(rows) == total > 0
    assert browse["owner_a"].get("/audit/export.csv").status_code == 403
