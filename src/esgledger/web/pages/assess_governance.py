"""The governance pages: ``/assess/governance`` (the structure as a tree, meetings held, director
training, with forms to add each), ``/assess/policies`` (the register with its near-duplicate
warnings and a form to register a policy with its document) and ``/assess/topics`` (the library
with the frameworks each topic maps to, and the organisation's own topics).

Each post calls one service operation as the signed-in user; a refusal shows the page again with
the message in the page language (the field it names), nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import FormData, UploadFile

from esgledger.errors import EsgLedgerError
from esgledger.service_errors import Forbidden, Unauthenticated
from esgledger.services import Services, may
from esgledger.services.imports import MAX_UPLOAD_BYTES
from esgledger.web.contexts_governance import (
    GovernanceData,
    GovernanceView,
    PoliciesData,
    PoliciesView,
    TopicsData,
    TopicsView,
)
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
DIMENSIONS = ["environment", "social", "governance"]
Problem = dict[str, Any] | None


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _fields(form: FormData, names: tuple[str, ...]) -> dict[str, Any]:
    fields: dict[str, Any] = {name: _text(form, name) for name in names}
    if "topic_ids" in names:
        fields["topic_ids"] = [v for v in form.getlist("topic_ids") if isinstance(v, str) and v]
    return fields


def _problem(error: EsgLedgerError) -> dict[str, Any]:
    status, code, message, field, details = describe(error)
    return {"status": status, "code": code, "message": message, "field": field, "details": details}


def _attempt(request: Request, work: Callable[[], Any]) -> tuple[Any, Problem]:
    """Run a post's service call: its answer, or (for a page) the refusal to show."""
    try:
        return work(), None
    except (Forbidden, Unauthenticated):
        raise
    except EsgLedgerError as error:
        if wants_json(request):
            raise
        return None, _problem(error)


def _topic_choices(services: Services, viewer: Viewer) -> list[dict[str, Any]]:
    lang = viewer.lang
    return [
        {"id": t["id"], "name": t[f"name_{lang}"] if lang in ("en", "zh") else t["name_en"]}
        for t in services.topics.listing(viewer.user)
    ]


# -- governance -----------------------------------------------------------------------------------
def governance_page(
    request: Request, viewer: Viewer, problem: Problem = None, status: int = 200
) -> Response:
    services, user = service(request), viewer.user
    data: GovernanceData = {
        "structure": services.governance.structure(user),
        "meetings": services.governance.listing(user, "meetings"),
        "training": services.governance.listing(user, "training"),
        "topics_covered": services.governance.topics_covered(user),
    }
    saved = request.query_params.get("saved")
    vocabulary = services.governance.vocabulary(user)
    view: GovernanceView = {
        "can_write": may(user, "governance.write"),
        "body_kinds": vocabulary["body_kinds"],
        "frequencies": vocabulary["frequencies"],
        "topic_choices": _topic_choices(services, viewer),
        "problem": problem,
        "saved": saved if problem is None else None,
        "here": "/assess/governance",
        "json_url": "/assess/governance.json",
    }
    return render(request, "assess_governance.html.j2", data, viewer, status, view)


@page(router, "/assess/governance")
def governance(request: Request, viewer: ViewerDep) -> Response:
    return governance_page(request, viewer)


_BODY = ("id", "kind", "name_en", "name_zh", "parent_id", "entity_id", "duties", "members",
         "reporting_frequency", "topic_ids")  # fmt: skip
_MEETING = ("body_id", "held_on", "decisions", "attended", "invited", "topic_ids")
_TRAINING = ("held_on", "directors", "subject", "hours", "provider")


@router.post("/assess/governance/{kind}")
def governance_add(request: Request, viewer: ViewerDep, form: CsrfForm, kind: str) -> Response:
    gov, user = service(request).governance, viewer.user
    calls: dict[str, Callable[[], Any]] = {
        "bodies": lambda: gov.save_body(user, _fields(form, _BODY)),
        "meetings": lambda: gov.add_meeting(user, _fields(form, _MEETING)),
        "training": lambda: gov.add_training(user, _fields(form, _TRAINING)),
    }
    if kind not in calls:
        return governance_page(request, viewer, {"code": "not_found", "message": kind}, 404)
    stored, problem = _attempt(request, calls[kind])
    if problem is not None:
        return governance_page(request, viewer, problem, problem["status"])
    return done(request, f"/assess/governance?saved={stored['id']}#{kind}", stored)


# -- policies -------------------------------------------------------------------------------------
def policies_page(
    request: Request,
    viewer: Viewer,
    problem: Problem = None,
    outcome: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    services, user = service(request), viewer.user
    data: PoliciesData = {
        "policies": services.policies.listing(user),
        "duplicates": services.policies.duplicates(user),
    }
    view: PoliciesView = {
        "can_write": may(user, "policy.write"),
        "topic_choices": _topic_choices(services, viewer),
        "problem": problem,
        "outcome": outcome,
        "here": "/assess/policies",
        "json_url": "/assess/policies.json",
    }
    return render(request, "assess_policies.html.j2", data, viewer, status, view)


@page(router, "/assess/policies")
def policies(request: Request, viewer: ViewerDep) -> Response:
    return policies_page(request, viewer)


_POLICY = ("id", "name_en", "name_zh", "aliases", "owner", "policy_version", "effective_on",
           "topic_ids")  # fmt: skip


def _document(form: FormData) -> tuple[str, bytes] | None:
    chosen = form.get("document")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        return None
    return chosen.filename, chosen.file.read(MAX_UPLOAD_BYTES + 1)


@router.post("/assess/policies")
def policy_add(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    """Register a policy; the page shows what was stored and any near-duplicate warning."""
    policies_service, user = service(request).policies, viewer.user
    stored, problem = _attempt(
        request, lambda: policies_service.add(user, _fields(form, _POLICY), _document(form))
    )
    if problem is not None:
        return policies_page(request, viewer, problem, status=problem["status"])
    if wants_json(request):
        return JSONResponse(stored)
    return policies_page(request, viewer, outcome=stored)


@router.get("/assess/policies/{policy_id}/document")
def policy_document(request: Request, viewer: ViewerDep, policy_id: str) -> Response:
    record, path = service(request).policies.document(viewer.user, policy_id)
    return FileResponse(path, media_type=record["document_type"], filename=record["document_name"])


# -- topics ---------------------------------------------------------------------------------------
def topics_page(
    request: Request, viewer: Viewer, problem: Problem = None, status: int = 200
) -> Response:
    services, user = service(request), viewer.user
    data: TopicsData = {"topics": services.topics.listing(user)}
    saved = request.query_params.get("saved")
    view: TopicsView = {
        "can_write": may(user, "topic.write"),
        "dimensions": DIMENSIONS,
        "problem": problem,
        "saved": saved if problem is None else None,
        "here": "/assess/topics",
        "json_url": "/assess/topics.json",
    }
    return render(request, "assess_topics.html.j2", data, viewer, status, view)


@page(router, "/assess/topics")
def topics(request: Request, viewer: ViewerDep) -> Response:
    return topics_page(request, viewer)


_TOPIC = ("id", "name_en", "name_zh", "dimension", "frameworks", "metrics", "citation")


@router.post("/assess/topics")
def topic_add(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    topics_service, user = service(request).topics, viewer.user
    stored, problem = _attempt(request, lambda: topics_service.add(user, _fields(form, _TOPIC)))
    if problem is not None:
        return topics_page(request, viewer, problem, problem["status"])
    return done(request, f"/assess/topics?saved={stored['id']}#topic-{stored['id']}", stored)
