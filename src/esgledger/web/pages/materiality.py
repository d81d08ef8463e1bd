"""Double materiality pages: the assessments, and one assessment with its matrix (SVG rendered
on the server), scores, classes, stakeholder spread, sensitivity, Art. 7 explanations, what an
approval still needs, the approval form and the decision log. Each form calls one operation of
:mod:`esgledger.services.materiality`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import FormData

from esgledger.service_errors import Invalid
from esgledger.services import may
from esgledger.web.materiality_contexts import (
    MaterialityData,
    MaterialityListData,
    MaterialityListView,
    MaterialityView,
)
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@page(router, "/assess/materiality")
def assessments(request: Request, viewer: ViewerDep) -> Response:
    rows = service(request).materiality.listing(viewer.user)
    data: MaterialityListData = {"assessments": rows}
    view: MaterialityListView = {"can_edit": may(viewer.user, "materiality.edit")}
    return render(request, "materiality_list.html.j2", data, viewer, extra=view)


@router.post("/assess/materiality")
def create(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    found = service(request).materiality.create(
        viewer.user,
        field(form, "period"),
        field(form, "method_text"),
        None,
        None,
        field(form, "carry_forward") == "yes",
    )
    return done(request, f"/assess/materiality/{found['id']}", found)


@page(router, "/assess/materiality/{assessment}")
def assessment(request: Request, viewer: ViewerDep, assessment: int) -> Response:
    services, user = service(request), viewer.user
    shown = services.materiality.show(user, assessment)
    data: MaterialityData = {
        "assessment": shown,
        "sensitivity": services.materiality.sensitivity(user, assessment),
        "groups": {g["id"]: g for g in services.stakeholders.groups(user)},
    }
    view: MaterialityView = {
        "matrix": Markup(services.materiality.matrix(user, assessment, viewer.lang)),
        "can_edit": may(user, "materiality.edit") and shown["status"] == "draft",
        "can_approve": may(user, "materiality.approve") and shown["status"] == "draft",
    }
    return render(request, "materiality.html.j2", data, viewer, extra=view)


@router.get("/assess/materiality/{assessment}/export/{kind}")
def export(request: Request, viewer: ViewerDep, assessment: int, kind: str) -> Response:
    if kind not in MIME:
        raise Invalid(f"kind: {kind!r} is not csv or xlsx", field="kind")
    content = service(request).materiality.export(viewer.user, assessment, kind)
    name = f"materiality-{assessment}.{kind}"
    return Response(
        content,
        media_type=MIME[kind],
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@router.post("/assess/materiality/{assessment}/run")
def run(request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int) -> Response:
    result = service(request).materiality.run(viewer.user, assessment)
    return done(request, f"/assess/materiality/{assessment}#topics", result)


def _number(form: FormData, name: str) -> float:
    text = field(form, name)
    try:
        return float(text)
    except ValueError:
        raise Invalid(
            f"thresholds.{name}: {text!r} is not a number", field=f"thresholds.{name}"
        ) from None


@router.post("/assess/materiality/{assessment}/method")
def method(request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int) -> Response:
    thresholds = {"impact": _number(form, "impact"), "financial": _number(form, "financial")}
    text = field(form, "method_text")
    found = service(request).materiality.set_method(
        viewer.user, assessment, text or None, {"thresholds": thresholds}
    )
    return done(request, f"/assess/materiality/{assessment}#method", found)


@router.post("/assess/materiality/{assessment}/explain/{topic}")
def explain(
    request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int, topic: str
) -> Response:
    service(request).materiality.explain(viewer.user, assessment, topic, field(form, "explanation"))
    return done(request, f"/assess/materiality/{assessment}#topic-{topic}", {"topic": topic})


@router.post("/assess/materiality/{assessment}/override/{topic}")
def override(
    request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int, topic: str
) -> Response:
    service(request).materiality.override(
        viewer.user, assessment, topic, field(form, "decided_class"), field(form, "reason")
    )
    return done(request, f"/assess/materiality/{assessment}#topic-{topic}", {"topic": topic})


@router.post("/assess/materiality/{assessment}/approve")
def approve(request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int) -> Response:
    found: dict[str, Any] = service(request).materiality.approve(
        viewer.user, assessment, field(form, "body"), field(form, "approved_on")
    )
    return done(request, f"/assess/materiality/{assessment}", found)
