"""The rows of the authorization matrix (tests/test_api_authz.py) for the topic library, the
governance records and the policy register: ``(name, roles, call, success)``; every user reads,
admins and ESG managers write. The calls take the matrix's context (``client``, ``world``,
``period()``) and headers; what a case reads is seeded first by the matrix's seeder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.collab_fixtures import API

ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
WRITERS = {"admin", "esg_manager"}
SEEDER = "manager2"
PDF = b"%PDF-1.4\n%%EOF\n"
BOARD = {
    "id": "board",
    "kind": "board",
    "name_en": "Board of Directors",
    "name_zh": "董事会",
    "duties": "Oversight of sustainability.",
    "members": [{"name": "Chair", "role": "chair"}],
    "reporting_frequency": "yearly",
    "topic_ids": ["climate"],
}
POLICY = {
    "id": "anti_corruption",
    "name_en": "Anti-Corruption Policy",
    "name_zh": "反腐败管理办法",
    "owner": "Legal",
    "policy_version": "1",
    "effective_on": "2024-01-01",
}
Call = Callable[[Any, str, dict[str, str]], Any]


def _seed(ctx: Any) -> None:
    services, seeder = ctx.world.services, ctx.world.user(SEEDER)
    services.governance.save_body(seeder, BOARD)
    services.policies.add(seeder, POLICY, ("policy.pdf", PDF))


def _get(path: str) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        _seed(ctx)
        return ctx.client.get(f"{API}/assess{path}", headers=h)

    return call


def _post(path: str, body: dict[str, Any]) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        _seed(ctx)
        return ctx.client.post(f"{API}/assess{path}", json=body, headers=h)

    return call


def _upload(path: str, name: str, content: bytes) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        _seed(ctx)
        files = {"file": (name, content)}
        return ctx.client.post(f"{API}/assess{path}", files=files, headers=h)

    return call


def _withdraw(ctx: Any, _e: str, h: dict[str, str]) -> Any:
    body_id = f"wg{ctx.period()}"
    fresh = {**BOARD, "id": body_id, "kind": "working_group", "parent_id": None}
    ctx.world.services.governance.save_body(ctx.world.user(SEEDER), fresh)
    return ctx.client.post(
        f"{API}/assess/governance/bodies/{body_id}/withdrawal", json={"reason": "merged"}, headers=h
    )


def _withdraw_policy(ctx: Any, _e: str, h: dict[str, str]) -> Any:
    policy_id = f"p{ctx.period()}"
    fresh = {**POLICY, "id": policy_id, "name_en": f"Policy {policy_id}", "name_zh": policy_id}
    ctx.world.services.policies.add(ctx.world.user(SEEDER), fresh)
    return ctx.client.post(
        f"{API}/assess/policies/{policy_id}/withdrawal", json={"reason": "repealed"}, headers=h
    )


TOPIC = {"id": "org.dams", "name_en": "Dams", "name_zh": "坝", "dimension": "environment"}
MEETING = {
    "body_id": "board",
    "held_on": "2024-03-01",
    "decisions": "x",
    "attended": 1,
    "invited": 1,
}
TRAINING = {
    "held_on": "2024-03-01",
    "directors": ["A"],
    "subject": "x",
    "hours": 2.0,
    "provider": "P",
}
TOPICS_CSV = b"id,name_en,name_zh,dimension\norg.roads,Roads,\xe8\xb7\xaf,social\n"
TRAINING_CSV = b"held_on,directors,subject,hours,provider\n2024-05-01,A; B,ESG,2,HKICS\n"
POLICIES_CSV = (
    b"id,name_en,name_zh,owner,policy_version,effective_on\n"
    b"water,Water Policy,\xe6\xb0\xb4\xe8\xb5\x84\xe6\xba\x90\xe6\x94\xbf\xe7\xad\x96,EHS,1,2024-01-01\n"
)

CASES: list[tuple[str, set[str], Call, int]] = [
    ("assess topics", ALL, _get("/topics"), 200),
    ("assess topic", ALL, _get("/topics/climate"), 200),
    ("assess topics export", ALL, _get("/topics/export?format=csv"), 200),
    ("assess topic add", WRITERS, _post("/topics", TOPIC), 201),
    ("assess topics import", WRITERS, _upload("/topics/imports", "t.csv", TOPICS_CSV), 200),
    ("assess governance structure", ALL, _get("/governance/structure"), 200),
    ("assess topics covered", ALL, _get("/governance/topics-covered"), 200),
    ("assess governance list", ALL, _get("/governance/bodies"), 200),
    ("assess governance show", ALL, _get("/governance/bodies/board"), 200),
    ("assess governance export", ALL, _get("/governance/meetings/export?format=xlsx"), 200),
    ("assess body save", WRITERS, _post("/governance/bodies", BOARD), 201),
    ("assess body withdraw", WRITERS, _withdraw, 200),
    ("assess meeting add", WRITERS, _post("/governance/meetings", MEETING), 201),
    ("assess training add", WRITERS, _post("/governance/training", TRAINING), 201),
    (
        "assess governance import",
        WRITERS,
        _upload("/governance/training/imports", "t.csv", TRAINING_CSV),
        200,
    ),
    ("assess policies", ALL, _get("/policies"), 200),
    ("assess policy duplicates", ALL, _get("/policies/duplicates"), 200),
    ("assess policies export", ALL, _get("/policies/export?format=csv"), 200),
    ("assess policy", ALL, _get("/policies/anti_corruption"), 200),
    ("assess policy add", WRITERS, _post("/policies", POLICY), 201),
    ("assess policies import", WRITERS, _upload("/policies/imports", "p.csv", POLICIES_CSV), 200),
    (
        "assess policy document upload",
        WRITERS,
        _upload("/policies/anti_corruption/document", "p.pdf", PDF),
        200,
    ),
    ("assess policy withdraw", WRITERS, _withdraw_policy, 200),
    ("assess policy document", ALL, _get("/policies/anti_corruption/document"), 200),
]
# writes concern the whole group: a user limited to some entities may not make them
GROUP_WIDE = {name for name, roles, _call, _ok in CASES if roles == WRITERS}


def seed_every_governance_table(services: Any, actor: Any) -> None:
    """A row in each governance table (the backup tests want every table to hold rows): an
    organisation's topic, a body, a meeting, director training, a policy with its document."""
    services.topics.add(actor, TOPIC)
    services.governance.save_body(actor, BOARD)
    services.governance.add_meeting(actor, MEETING)
    services.governance.add_training(actor, TRAINING)
    services.policies.add(actor, POLICY, ("anti-corruption.pdf", PDF + b"% policy\n"))
