"""The governance pages (issue 10, part 4) on SQLite and PostgreSQL: /assess/governance shows the
structure as a tree with meetings and director training, /assess/policies the register with its
near-duplicate warnings, /assess/topics the library with its frameworks; each in English and
Chinese with a JSON twin; posts need the CSRF token, a refusal names the field, nothing written."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.collab_fixtures import World
from tests.web_clients import csrf

BOARD = {
    "id": "board",
    "kind": "board",
    "name_en": "Board of Directors",
    "name_zh": "董事会",
    "duties": "Oversight",
    "members": "Chair Liu: chair",
    "reporting_frequency": "yearly",
    "topic_ids": ["climate", "water"],
}


def test_governance_page_tree_meetings_training(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    token = csrf(manager, "/assess/governance")
    saved = manager.post("/assess/governance/bodies", data={**BOARD, "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/assess/governance")
    child = {**BOARD, "id": "esg", "kind": "committee", "name_en": "ESG Committee"}
    child |= {"name_zh": "ESG委员会", "parent_id": "board", "reporting_frequency": "quarterly"}
    assert (
        manager.post("/assess/governance/bodies", data={**child, "csrf_token": token}).status_code
        == 303
    )
    meeting = {"body_id": "esg", "held_on": "2024-04-02", "decisions": "Reviewed targets",
               "attended": "5", "invited": "6", "topic_ids": "climate", "csrf_token": token}  # fmt: skip
    assert manager.post("/assess/governance/meetings", data=meeting).status_code == 303
    bad = {"held_on": "2024-05-01", "directors": "Liu", "subject": "ESG", "hours": "-1",
           "provider": "HKICS", "csrf_token": token}  # fmt: skip
    refused = manager.post("/assess/governance/training", data=bad)
    assert refused.status_code == 422 and 'id="governance-error"' in refused.text
    assert "must be above 0" in refused.text
    assert world.services.governance.listing(world.user("manager"), "training") == []
    page = manager.get("/assess/governance").text
    assert re.search(r'<li class="depth-1" id="body-esg">', page)
    assert "Reviewed targets" in page and "5/6" in page
    twin = manager.get("/assess/governance.json").json()
    assert set(twin) == {"structure", "meetings", "training", "topics_covered"}
    assert [b["id"] for b in twin["structure"]] == ["board", "esg"]
    manager.get("/lang/zh")
    chinese = manager.get("/assess/governance").text
    assert "可持续发展治理架构" in chinese and "董事会" in chinese and "每季度" in chinese
    missing = manager.post("/assess/governance/bodies", data={**BOARD, "id": "x"})
    assert missing.status_code == 403  # no CSRF token


def test_viewers_read_but_see_no_forms(browse: dict[str, TestClient]) -> None:
    viewer = browse["viewer"]
    for path in ("/assess/governance", "/assess/policies", "/assess/topics"):
        page = viewer.get(path)
        assert page.status_code == 200 and '<form method="post" action="/assess' not in page.text
    assert 'href="/assess/governance"' in viewer.get("/dashboard").text


def test_policy_page_warns_of_near_duplicates(world: World, browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    token = csrf(manager, "/assess/policies")
    policy = {"id": "anti_corruption", "name_en": "Anti-Corruption Policy",
              "name_zh": "反腐败管理办法", "owner": "Legal", "policy_version": "1",
              "effective_on": "2024-01-01", "csrf_token": token}  # fmt: skip
    pdf = b"%PDF-1.4\n%%EOF\n"
    first = manager.post(
        "/assess/policies", data=policy, files={"document": ("ac.pdf", pdf, "application/pdf")}
    )
    assert first.status_code == 200 and 'id="policy-saved"' in first.text
    assert manager.get("/assess/policies/anti_corruption/document").content == pdf
    similar = {**policy, "id": "ac_typo", "name_en": "Anti-Coruption Policy", "name_zh": "廉洁制度"}
    second = manager.post("/assess/policies", data=similar)
    assert 'id="policy-warning"' in second.text and "anti_corruption" in second.text
    clash = {**policy, "id": "ac_again", "name_en": "ANTI-CORRUPTION policies", "name_zh": "另"}
    refused = manager.post("/assess/policies", data=clash)
    assert refused.status_code == 422 and "policy &#39;anti_corruption&#39;" in refused.text
    register = manager.get("/assess/policies.json").json()
    assert [p["id"] for p in register["policies"]] == ["ac_typo", "anti_corruption"]
    assert register["duplicates"][0]["other"] == "anti_corruption"
    manager.get("/lang/zh")
    assert "制度清单中疑似重复：1 组" in manager.get("/assess/policies").text


def test_topic_page_lists_the_library(browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    page = manager.get("/assess/topics").text
    assert "21 SSE topics" in page and 'id="topic-climate"' in page and "IFRS-S2" in page
    token = csrf(manager, "/assess/topics")
    fields = {"id": "org.red_mud_dams", "name_en": "Dam safety", "name_zh": "赤泥库安全",
              "dimension": "environment", "frameworks": "GRI-14", "csrf_token": token}  # fmt: skip
    assert manager.post("/assess/topics", data=fields).status_code == 303
    refused = manager.post("/assess/topics", data={**fields, "id": "climate"})
    assert refused.status_code == 422 and "is not org.&lt;name&gt;" in refused.text
    topics = manager.get("/assess/topics.json").json()["topics"]
    assert topics[-1]["id"] == "org.red_mud_dams" and len(topics) == 26
