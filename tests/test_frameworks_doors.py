"""The framework catalogues through the three doors' two that exist yet (issue 11, part 1): the
service for every role, ``esgledger frameworks list|show`` and ``GET /api/v1/frameworks``."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from esgledger.access.policy import RULES
from esgledger.access.principal import ROLES
from esgledger.service_errors import Invalid, NotFound
from tests.anchor_helpers import run
from tests.collab_fixtures import API, USERS, World
from tests.ledger_fixture import Ledger


def test_every_role_reads_the_framework_catalogues() -> None:
    assert RULES["framework.read"] == frozenset(ROLES)


def test_the_service_shows_a_year_and_refuses_what_it_does_not_know(world: World) -> None:
    frameworks = world.services.frameworks
    for username in USERS:
        rows = frameworks.listing(world.user(username))
        assert {"sse14", "hkex", "gri", "ifrs_s2", "mof_climate"} == {r["framework"] for r in rows}
    viewer = world.user("viewer_a")
    shown = frameworks.show(viewer, "hkex", "2026", "largecap")
    levels = {item["id"]: item["level"] for item in shown["items"]}
    assert shown["edition"] == "2025" and levels["D19"] == "mandatory"
    assert frameworks.show(viewer, "szse17", "2025")["framework"] == "sse14"
    with pytest.raises(NotFound, match="unknown framework 'esrs'"):
        frameworks.show(viewer, "esrs")
    with pytest.raises(Invalid, match="issuer class 'huge'") as caught:
        frameworks.show(viewer, "hkex", "2025", "huge")
    assert caught.value.field == "issuer_class"
    with pytest.raises(Invalid, match="no edition of sse14 is in force for 2023"):
        frameworks.show(viewer, "sse14", "2023")


def test_the_cli_lists_and_shows_frameworks(ws: Ledger, db_url: str) -> None:
    code, out, _err = run(db_url, "frameworks", "list")
    assert code == 0 and "sse14 (= szse17)" in out and "mof_climate" in out
    code, out, _err = run(
        db_url,
        "frameworks",
        "show",
        "hkex",
        "--period",
        "2025",
        "--issuer-class",
        "largecap",
        "--json",
    )
    shown = json.loads(out)
    assert code == 0 and shown["count"] == len(shown["items"])
    d28 = next(item for item in shown["items"] if item["id"] == "D28(a)")
    assert d28["level"] == "mandatory" and d28["no_omission"] and "ghg.scope1" in d28["metrics"]
    code, out, _err = run(db_url, "frameworks", "show", "gri", "--period", "2027", "--lang", "zh")
    assert code == 0 and "GRI-102-5" in out and "GRI-305-1 " not in out and "定量" in out
    code, out, _err = run(db_url, "frameworks", "find", "--metric", "ghg.scope1", "--json")
    assert code == 0 and "HKEX-D28(a)" in {item["reference"] for item in json.loads(out)}
    code, out, _err = run(db_url, "frameworks", "find", "--topic", "water", "--json")
    assert code == 0 and "SSE14-36" in {item["reference"] for item in json.loads(out)}
    code, out, err = run(db_url, "frameworks", "find", "--metric", "ghg.nothing")
    assert code == 1 and "unknown metric 'ghg.nothing'" in out + err
    code, out, err = run(db_url, "frameworks", "show", "esrs")
    assert code == 1 and "unknown framework 'esrs'" in out + err


def test_the_api_serves_the_catalogues_with_a_strict_query(
    world: World, client: TestClient
) -> None:
    viewer = world.headers("viewer")
    listing = client.get(f"{API}/frameworks", headers=viewer).json()
    assert listing["total"] == 6 and listing["items"][0]["omission_reasons"]
    answer = client.get(f"{API}/frameworks/hkex?period=2026&issuer_class=largecap", headers=viewer)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == "2026" and len(body["items"]) == body["count"]
    d19 = next(item for item in body["items"] if item["id"] == "D19")
    assert d19["level"] == "mandatory" and d19["own_level"] == "comply_or_explain"
    assert d19["phase_in"][0]["from"] == "2026-01-01"
    assert client.get(f"{API}/frameworks/hkex?year=2026", headers=viewer).status_code == 422
    assert client.get(f"{API}/frameworks/hkex?period=26", headers=viewer).status_code == 422
    missing = client.get(f"{API}/frameworks/esrs", headers=viewer)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = client.get(f"{API}/frameworks/hkex?period=2025&issuer_class=huge", headers=viewer)
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "issuer_class"
    assert client.get(f"{API}/frameworks").status_code == 401
