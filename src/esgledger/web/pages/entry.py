"""Data entry: choose an entity and period, then enter, correct and submit its values."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.free_text import MAX_LENGTH
from esgledger.service_errors import Invalid, NotFound
from esgledger.web import entry
from esgledger.web.extras import change_threshold, explanations, may
from esgledger.web.progress import choose_period, previous_year
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service
from esgledger.workflow.periods import parse_period
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import point_dict

router = web_router()


@page(router, "/entry")
def entry_index(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    collab = service(request)
    chosen = choose_period(collab, viewer.user, period)
    entities = [
        {
            "entity": e.id,
            "parent": e.parent_id,
            "editable": may(viewer.user, "datapoint.create", e.id),
        }
        for e in collab.entities(viewer.user)
    ]
    data = {"period": chosen, "entities": entities}
    return render(request, "entry_index.html.j2", data, viewer)


def entry_page(
    request: Request,
    viewer: Viewer,
    entity_id: str,
    period: str,
    status: int = 200,
    outcome: dict[str, Any] | None = None,
) -> Response:
    collab = service(request)
    entity = collab.entity(viewer.user, entity_id)  # NotFound outside the user's scope
    name = str(parse_period(period))
    groups, threshold = entry.form_rows(collab, viewer.user, entity.id, name)
    state = collab.period(viewer.user, name)
    data = {
        "entity": entity.id,
        "period": name,
        "last_year": previous_year(name),
        "locked": state["locked_by"],
        "editable": may(viewer.user, "datapoint.create", entity.id) and not state["locked_by"],
        "threshold": threshold,
        "groups": groups,
        **(outcome or {}),
    }
    flash = {k: request.query_params.get(k) for k in ("saved", "submitted")}
    extra = {"entered": {}, "errors": {}, "flash": flash, **(outcome or {})}
    return render(request, "entry.html.j2", data, viewer, status, extra)


@page(router, "/entry/{entity_id}/{period}")
def entry_form(request: Request, viewer: ViewerDep, entity_id: str, period: str) -> Response:
    return entry_page(request, viewer, entity_id, period)


@router.post("/entry/{entity_id}/{period}")
def entry_post(
    request: Request, viewer: ViewerDep, form: CsrfForm, entity_id: str, period: str
) -> Response:
    collab = service(request)
    entity = collab.entity(viewer.user, entity_id)
    name = str(parse_period(period))
    submit = form.get("action") == "submit"
    rows = entry.typed_rows(form, entry.typed_metrics(collab.ws.catalogue))
    written, errors = entry.apply_form(collab, viewer.user, entity.id, name, rows, submit)
    submitted = sum(1 for w in written if w["status"] == "submitted")
    if not errors:
        path = f"/entry/{entity.id}/{name}?saved={len(written)}&submitted={submitted}"
        return done(request, path, {"written": written, "errors": {}})
    conflict = any(
        e["code"] in ("version_conflict", "exists", "period_locked") for e in errors.values()
    )
    entered = {
        r.metric: {"value": r.value, "unit": r.unit, "explanation": r.explanation} for r in rows
    }
    outcome = {"written": written, "errors": errors, "entered": entered}
    return entry_page(request, viewer, entity.id, name, 409 if conflict else 422, outcome)


@page(router, "/entry/{entity_id}/{period}/check")
def entry_check(
    request: Request,
    viewer: ViewerDep,
    entity_id: str,
    period: str,
    metric: str,
) -> Response:
    """The change against last year of a value being typed (the row's explanation cell); the
    row's fields come as ``value.METRIC``, ``unit.METRIC`` and ``explanation.METRIC``."""
    collab = service(request)
    entity = collab.entity(viewer.user, entity_id)
    name = str(parse_period(period))
    found = collab.ws.catalogue.metrics.get(metric)
    if found is None:
        raise NotFound(f"no metric {metric!r}", field="metric")
    before, _total = collab.datapoints(
        viewer.user, Filters(previous_year(name), entity.id, metric), 1, 0
    )
    value = request.query_params.get(f"value.{metric}", "")
    unit = request.query_params.get(f"unit.{metric}") or found.unit
    try:
        typed = entry.normalised(found, entry.parse_number(value), unit)
    except Invalid:  # a value still being typed: no change to show yet
        typed = None
    ratio = entry.change(typed, before[0] if before else None)
    threshold = change_threshold(collab)
    current, _n = collab.datapoints(viewer.user, Filters(name, entity.id, metric), 1, 0)
    explained = explanations(collab, current).get(current[0].id, []) if current else []
    data = {
        "metric": metric,
        "slug": entry.slug(metric),
        "change": ratio,
        "threshold": threshold,
        "over_threshold": entry.over(ratio, threshold),
        "last_year": point_dict(before[0]) if before else None,
        "explanations": explained,
    }
    text = request.query_params.get(f"explanation.{metric}", "")[: MAX_LENGTH["explanation"]]
    return render(request, "entry_check.html.j2", data, viewer, extra={"text": text})
