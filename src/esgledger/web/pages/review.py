"""The review queue: submitted values with their context; approve, or reject with a comment."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from esgledger.errors import EsgLedgerError
from esgledger.service_errors import Invalid
from esgledger.web.entry import error_dict as error_fields
from esgledger.web.extras import calculated, change_threshold
from esgledger.web.items import item
from esgledger.web.progress import choose_period
from esgledger.web.render import html, is_htmx, redirect, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, local_path, service
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import point_dict

router = web_router()
PAGE_SIZE = 25
LAST_ID = 10**18  # ids are 64-bit; a larger ``after`` is refused (422), not sent to the database


def queue_url(period: str, entity: str | None, after: int | None = None) -> str:
    """The queue of ``period`` (and ``entity``), from the start or after the id ``after``."""
    query = {"period": period, "entity": entity, "after": after}
    return "/review?" + urlencode({k: v for k, v in query.items() if v is not None})


@page(router, "/review")
def review_queue(
    request: Request,
    viewer: ViewerDep,
    period: str | None = None,
    entity: str | None = None,
    after: Annotated[int | None, Query(ge=0, le=LAST_ID)] = None,
) -> Response:
    """Submitted values of the period (a year's page also holds its months), 25 a page, by id.

    Pages are keyed by id, not counted by offset: "Next" shows the values after the last one on
    this page, so values approved in place (and so gone from the queue) never push others past
    the pager."""
    collab = service(request)
    user = viewer.user
    chosen = choose_period(collab, user, period)
    entity = entity or None
    queue = Filters(period=chosen, entity=entity, status="submitted", months=True)
    points, left = collab.datapoints(user, replace(queue, after=after), PAGE_SIZE, 0)
    total = left if after is None else collab.datapoints(user, queue, 0, 0)[1]
    stored: dict[str, dict[tuple[str, str], Any]] = {}
    threshold = change_threshold(collab)
    items = []
    for point in points:
        if point.period not in stored:  # a month's card links to the month's calculation
            stored[point.period] = calculated(collab, user, point.period)
        items.append(item(collab, user, point, stored[point.period], threshold))
    next_after = points[-1].id if left > len(points) else None
    data = {
        "period": chosen,
        "entity": entity,
        "total": total,
        "after": after,
        "next_after": next_after,
        "limit": PAGE_SIZE,
        "items": items,
    }
    links = {
        "this": queue_url(chosen, entity, after),
        "start": queue_url(chosen, entity) if after is not None else None,
        "next": queue_url(chosen, entity, next_after) if next_after is not None else None,
    }
    flash = {k: request.query_params.get(k) for k in ("approved", "refused")}
    return render(request, "review.html.j2", data, viewer, extra={"flash": flash, "links": links})


def _decide(
    request: Request, viewer: Viewer, form: FormData, datapoint_id: int, action: str
) -> Response:
    collab = service(request)
    user = viewer.user
    version = str(form.get("version") or "")
    comment = str(form.get("comment") or "").strip() or None
    status, refused = 200, None
    try:
        if not version.isdigit():
            raise Invalid("the form names no version; reload the page", field="version")
        if action == "approve":
            point = collab.approve(user, datapoint_id, int(version), comment)
        else:
            point = collab.reject(user, datapoint_id, int(version), comment or "")
    except EsgLedgerError as error:
        if not is_htmx(request) or wants_json(request):
            raise  # the error page, or the JSON error shape
        status, code, message, field, details = describe(error)
        refused = {"code": code, "message": message, "field": field, "details": details}
        point = collab.datapoint(user, datapoint_id)
    if wants_json(request):
        return JSONResponse(point_dict(point))
    if is_htmx(request):
        card = item(collab, user, point, calculated(collab, user, point.period))
        return html(
            request, "review_card.html.j2", {"it": card}, viewer, status, {"refused": refused}
        )
    return redirect(local_path(form.get("next"), "/review"))


@router.post("/datapoints/{datapoint_id}/approve")
def approve(request: Request, viewer: ViewerDep, form: CsrfForm, datapoint_id: int) -> Response:
    return _decide(request, viewer, form, datapoint_id, "approve")


@router.post("/datapoints/{datapoint_id}/reject")
def reject(request: Request, viewer: ViewerDep, form: CsrfForm, datapoint_id: int) -> Response:
    return _decide(request, viewer, form, datapoint_id, "reject")


@router.post("/review/approve")
def approve_selected(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    """Approve the values ticked in the queue (``item`` = ``ID:VERSION``), each on its own."""
    items = []
    for text in form.getlist("item"):
        datapoint_id, _, version = str(text).partition(":")
        if not (datapoint_id.isdigit() and version.isdigit()):
            raise Invalid(f"{text!r} is not a value of the queue; reload the page", field="item")
        items.append((int(datapoint_id), int(version)))
    if not items:
        raise Invalid("tick the values to approve", field="item")
    comment = str(form.get("comment") or "").strip() or None
    approved, refused = service(request).approve_many(viewer.user, items, comment)
    if wants_json(request):
        return JSONResponse(
            {
                "approved": [point_dict(p) for p in approved],
                "refused": [{"id": i, **error_fields(e)} for i, e in refused.items()],
            }
        )
    back = local_path(form.get("next"), "/review")
    joiner = "&" if "?" in back else "?"
    return redirect(f"{back}{joiner}approved={len(approved)}&refused={len(refused)}")
