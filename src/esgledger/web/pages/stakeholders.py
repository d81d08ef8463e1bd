"""Stakeholder groups (concerns, channels, topics, weight), questionnaire links issued per group
(shown once, as their tokens are not kept), link use per assessment, and responses imported from
CSV or XLSX. Each form calls one operation of :mod:`esgledger.services.stakeholders`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from esgledger.service_errors import Invalid
from esgledger.services import Principal, Services, may
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded
from esgledger.web.materiality_contexts import StakeholdersData, StakeholdersView
from esgledger.web.pages.materiality import field
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()


def stakeholders_page(
    request: Request, viewer: Viewer, issued: list[str] | None = None, imported: int | None = None
) -> Response:
    services, user = service(request), viewer.user
    assessments = services.materiality.listing(user)
    data: StakeholdersData = {
        "groups": services.stakeholders.groups(user),
        "assessments": assessments,
        "links": _link_use(services, user, assessments),
        "topics": services.stakeholders.topics(user),
    }
    view: StakeholdersView = {
        "can_edit": may(user, "stakeholder.edit"),
        "issued": [str(request.base_url).rstrip("/") + f"/q/{t}" for t in issued or []],
        "imported": imported,
    }
    return render(request, "stakeholders.html.j2", data, viewer, extra=view)


def _link_use(
    services: Services, user: Principal, assessments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for found in assessments:
        for link in services.stakeholders.link_listing(user, found["id"]):
            key = (found["id"], str(link["group_id"]))
            row = rows.setdefault(
                key,
                {
                    "assessment": found["id"],
                    "period": found["period"],
                    "group": key[1],
                    "issued": 0,
                    "used": 0,
                },
            )
            row["issued"] += 1
            row["used"] += 1 if link["used_at"] else 0
    return list(rows.values())


@page(router, "/assess/stakeholders")
def stakeholders(request: Request, viewer: ViewerDep) -> Response:
    return stakeholders_page(request, viewer)


@router.post("/assess/stakeholders/groups")
def save_group(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    record: dict[str, Any] = {k: field(form, k) for k in ("id", "name", "name_zh", "weight")}
    record["topic_ids"] = [t for t in form.getlist("topic_ids") if isinstance(t, str)]
    for name in ("concerns", "channels"):
        record[name] = field(form, name)
    found = service(request).stakeholders.save_group(viewer.user, record)
    return done(request, f"/assess/stakeholders#group-{found['id']}", found)


def _whole(form: FormData, name: str) -> int:
    text = field(form, name)
    if not text.isdigit():
        raise Invalid(f"{name}: {text!r} is not a whole number", field=name)
    return int(text)


@router.post("/assess/stakeholders/links")
def issue_links(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    tokens = service(request).stakeholders.issue_links(
        viewer.user, _whole(form, "assessment"), field(form, "group"), _whole(form, "count")
    )
    if request.url.path.endswith(".json") or "application/json" in request.headers.get(
        "accept", ""
    ):
        return done(request, "/assess/stakeholders", {"links": [f"/q/{t}" for t in tokens]})
    return stakeholders_page(request, viewer, issued=tokens)


@router.post("/assess/stakeholders/responses")
def import_responses(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        raise Invalid("choose a file to import", field="file")
    content = chosen.file.read(MAX_UPLOAD_BYTES + 1)
    with uploaded(chosen.filename, content) as path:
        result = service(request).stakeholders.import_responses(
            viewer.user, _whole(form, "assessment"), path
        )
    return stakeholders_page(request, viewer, imported=result["responses"])
