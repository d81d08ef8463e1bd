"""The rows of the authorization matrix (tests/test_api_authz.py) for the materiality endpoints
(issue 10, parts 2 and 3): ``(name, roles, call, success)``, all group-wide writes or open reads.
Each call runs against an assessment seeded once per ledger (a draft with two topics, an IRO and a
stakeholder group)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.collab_fixtures import API

ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
REVIEWERS = {"admin", "esg_manager"}
Call = Callable[[Any, str, dict[str, str]], Any]
IRO = {
    "topic_id": "climate",
    "kind": "risk",
    "risk_type": "esg",
    "value_chain": "upstream",
    "title": "fines",
}


def seeded(ctx: Any) -> dict[str, int]:
    """The seeded assessment and IRO ids of ``ctx``'s ledger (made on first use)."""
    found = getattr(ctx, "assess_ids", None)
    if found is None:
        services, admin = ctx.world.services, ctx.world.user("manager2")
        assessment = services.materiality.create(
            admin, "2030", "", None, ["climate", "water"], False
        )["id"]
        iro = services.iros.create(admin, assessment, IRO)["id"]
        services.stakeholders.save_group(admin, {"id": "investors", "name": "Investors"})
        found = ctx.assess_ids = {"assessment": assessment, "iro": iro}
    return found


def _call(method: str, path: str, body: Any = None, **extra: Any) -> Call:
    def call(ctx: Any, _entity: str, headers: dict[str, str]) -> Any:
        ids = seeded(ctx)
        url = f"{API}/assess" + path.format(**ids)
        if body is not None:
            extra["json"] = body(ctx) if callable(body) else body
        return ctx.client.request(method, url, headers=headers, **extra)

    return call


def _new_assessment(ctx: Any) -> dict[str, Any]:
    return {"period": "2031", "topics": ["climate"], "carry_forward": False}


RESPONSES = b"group,climate\ninvestors,4\n"
CASES: list[tuple[str, set[str], Call, int]] = [
    ("list assessments", ALL, _call("GET", "/materiality"), 200),
    ("create assessment", REVIEWERS, _call("POST", "/materiality", _new_assessment), 200),
    ("show assessment", ALL, _call("GET", "/materiality/{assessment}"), 200),
    (
        "assessment method",
        REVIEWERS,
        _call(
            "PATCH", "/materiality/{assessment}/method", {"method": {"thresholds": {"impact": 3}}}
        ),
        200,
    ),
    (
        "explain topic",
        REVIEWERS,
        _call(
            "PUT", "/materiality/{assessment}/topics/climate/explanation", {"explanation": "n/a"}
        ),
        204,
    ),
    (
        "override class",
        REVIEWERS,
        _call(
            "POST",
            "/materiality/{assessment}/overrides",
            {"topic": "climate", "decided_class": "computed", "reason": "as computed"},
        ),
        204,
    ),
    (
        "approve assessment",
        REVIEWERS,  # water is never explained: refused as incomplete
        _call(
            "POST", "/materiality/{assessment}/approval", {"body": "Board", "date": "2026-03-20"}
        ),
        422,
    ),
    ("run assessment", REVIEWERS, _call("POST", "/materiality/{assessment}/runs"), 200),
    ("sensitivity", ALL, _call("GET", "/materiality/{assessment}/sensitivity"), 200),
    ("matrix", ALL, _call("GET", "/materiality/{assessment}/matrix.svg"), 200),
    ("export assessment", ALL, _call("GET", "/materiality/{assessment}/export"), 200),
    ("list IROs", ALL, _call("GET", "/materiality/{assessment}/iros"), 200),
    ("add IRO", REVIEWERS, _call("POST", "/materiality/{assessment}/iros", IRO), 200),
    ("export IROs", ALL, _call("GET", "/materiality/{assessment}/iros/export?kind=xlsx"), 200),
    ("read IRO", ALL, _call("GET", "/iros/{iro}"), 200),
    ("update IRO", REVIEWERS, _call("PATCH", "/iros/{iro}", {"owner": "CFO"}), 200),
    (
        "score IRO",
        REVIEWERS,
        _call(
            "POST",
            "/iros/{iro}/scores",
            {"components": {"magnitude": 3, "likelihood": 3, "horizon": "short"}, "rationale": "r"},
        ),
        200,
    ),
    ("list stakeholder groups", ALL, _call("GET", "/stakeholders"), 200),
    (
        "save stakeholder group",
        REVIEWERS,
        _call("PUT", "/stakeholders/customers", {"name": "C"}),
        200,
    ),
    (
        "issue links",
        REVIEWERS,
        _call("POST", "/materiality/{assessment}/links", {"group": "investors"}),
        200,
    ),
    ("list responses", ALL, _call("GET", "/materiality/{assessment}/responses"), 200),
    (
        "import responses",
        REVIEWERS,
        _call(
            "POST",
            "/materiality/{assessment}/responses/imports",
            files={"file": ("r.csv", RESPONSES)},
        ),
        200,
    ),
]
GROUP_WIDE = {name for name, roles, _call_, _ok in CASES if roles == REVIEWERS}
