"""The IRO register of an assessment: impacts, risks and opportunities per topic with their
types, value-chain stage, horizons, financial effects, responses, owners, linked targets and
metrics, scenarios and current scores; forms to add an IRO and to score one (a new version).
Each form calls one operation of :mod:`esgledger.services.iros`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.services import may
from esgledger.web.materiality_contexts import IrosData, IrosView
from esgledger.web.pages.materiality import field
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()
SCORE_PARTS = ("scale", "scope", "irremediability", "likelihood", "magnitude", "horizon")


@page(router, "/assess/iros/{assessment}")
def register(request: Request, viewer: ViewerDep, assessment: int) -> Response:
    services, user = service(request), viewer.user
    shown = services.materiality.show(user, assessment)
    data: IrosData = {
        "assessment": {k: shown[k] for k in ("id", "period", "status")},
        "topics": [{"id": t["id"], "names": t["names"]} for t in shown["topics"]],
        "horizons": shown["method"]["horizons"],
        "scale": shown["method"]["scale"],
        "iros": services.iros.listing(user, assessment),
    }
    view: IrosView = {
        "can_edit": may(user, "materiality.edit") and shown["status"] == "draft",
        "can_score": may(user, "materiality.score") and shown["status"] == "draft",
        "vocabulary": services.iros.vocabulary(user),
    }
    return render(request, "iros.html.j2", data, viewer, extra=view)


def _listed(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in field(form, name).replace(";", ",").split(",") if v.strip()]


def _effect(form: FormData, when: str) -> dict[str, Any] | None:
    parts = {k: field(form, f"{when}_{k}") for k in ("low", "high", "unit", "line", "note")}
    return parts if any(parts.values()) else None


@router.post("/assess/iros/{assessment}/add")
def add(request: Request, viewer: ViewerDep, form: CsrfForm, assessment: int) -> Response:
    record: dict[str, Any] = {
        k: field(form, k)
        for k in (
            "topic_id",
            "kind",
            "value_chain",
            "title",
            "title_zh",
            "description",
            "location",
            "response",
            "owner",
        )
    }
    if record["kind"] == "impact":
        record.update(polarity=field(form, "polarity"), actuality=field(form, "actuality"))
    else:
        record["risk_type"] = field(form, "risk_type")
    record["horizons"] = [h for h in form.getlist("horizons") if isinstance(h, str)]
    effects = {w: e for w in ("current", "anticipated") if (e := _effect(form, w))}
    record.update(
        effects=effects,
        target_ids=_listed(form, "target_ids"),
        metric_keys=_listed(form, "metric_keys"),
    )
    if field(form, "scenario_name"):
        record["scenarios"] = [
            {k: field(form, f"scenario_{k}") for k in ("name", "pathway", "horizon", "result")}
        ]
    found = service(request).iros.create(viewer.user, assessment, record)
    return done(request, f"/assess/iros/{assessment}#iro-{found['id']}", found)


@router.post("/assess/iro/{iro}/score")
def score(request: Request, viewer: ViewerDep, form: CsrfForm, iro: int) -> Response:
    components = {k: field(form, k) for k in SCORE_PARTS if field(form, k)}
    found = service(request).iros.score(
        viewer.user, iro, components, field(form, "rationale"), _listed(form, "evidence")
    )
    assessment = service(request).iros.get(viewer.user, iro)["assessment_id"]
    return done(request, f"/assess/iros/{assessment}#iro-{iro}", found)
