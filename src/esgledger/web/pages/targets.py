"""Targets (issue 10, part 1), ``/assess/targets``: every target the user may see with its status
badge and progress bar, computed from the ledger by the one service operation every door calls
(:meth:`esgledger.services.targets.Targets.listing`); a form to add one for those the policy
allows (``target.create``). A refused target shows the page again naming the field; nothing is
stored."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.service_errors import Conflict, Invalid, NotFound, PeriodLocked
from esgledger.services import may
from esgledger.web.contexts_targets import TargetForm, TargetsData, TargetsView
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
PATH = "/assess/targets"
FIELDS = (
    "target_id", "name", "name_zh", "kind", "metric_key", "entity", "base_year", "base_value",
    "base_source", "target_year", "target", "milestones", "note",
)  # fmt: skip
LISTS = ("gases", "scopes")  # checkboxes, one value each


def targets_page(
    request: Request, viewer: Viewer, form: TargetForm | None = None, status: int = 200
) -> Response:
    services = service(request)
    user = viewer.user
    data: TargetsData = {"targets": services.targets.listing(user)}
    created = request.query_params.get("created")
    known = {t["target_id"] for t in data["targets"]}
    view: TargetsView = {
        "can_add": may(user, "target.create"),
        "choices": services.targets.choices(user),
        "entities": [e.id for e in services.organisation.entities(user)],
        "metrics": sorted(services.context.catalogue.metrics),
        "form": form or {"problem": None, "entered": dict.fromkeys((*FIELDS, *LISTS), "")},
        "created": created if created in known else None,
        "here": PATH,
        "json_url": f"{PATH}.json",
    }
    return render(request, "targets.html.j2", data, viewer, status, view)


@page(router, PATH)
def targets(request: Request, viewer: ViewerDep) -> Response:
    return targets_page(request, viewer)


@router.post(PATH)
def add_target(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    entered: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FIELDS}
    for name in LISTS:
        entered[name] = ",".join(str(v) for v in form.getlist(name))
    try:
        shown = service(request).targets.create(viewer.user, entered, text=True)
    except (Invalid, Conflict, NotFound, PeriodLocked) as error:
        if wants_json(request):
            raise
        _status, code, message, field, details = describe(error)
        refused: TargetForm = {
            "problem": {"code": code, "message": message, "field": field, "details": details},
            "entered": entered,
        }
        return targets_page(request, viewer, refused, 422)
    return done(request, f"{PATH}?created={shown['target_id']}#target-{shown['target_id']}", shown)
