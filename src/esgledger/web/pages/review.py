"""The review queue: submitted values with their context; approve, or reject with a comment."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from esgledger.errors import EsgLedgerError
from esgledger.service_errors import Invalid
from esgledger.services.datapoints import Filters, point_dict
from esgledger.services.entry_form import error_dict as error_fields
from esgledger.web.contexts import Refusal, ReviewCardView, ReviewData, ReviewView
from esgledger.web.render import html, is_htmx, names_for, redirect, render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, local_path, service

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
    services = service(request)
    user = viewer.user
    chosen = services.collection.choose_period(user, period)
    entity = entity or None
    queue = Filters(period=chosen, entity=entity, status="submitted", months=True)
    points, left = services.datapoints.find(user, replace(queue, after=after), PAGE_SIZE, 0)
    total = left if after is None else services.datapoints.find(user, queue, 0, 0)[1]
    items = [services.collection.card(user, point.id) for point in points]
    next_after = points[-1].id if left > len(points) else None
    data: ReviewData = {
        "period": chosen,
        "entity": entity,
        "total": total,
        "after": after,
        "next_after": next_after,
        "limit": PAGE_SIZE,
        "items": items,
    }
    names = names_for(request, viewer)
    view: ReviewView = {
        "flash": {k: request.query_params.get(k) for k in ("approved", "refused")},
        "links": {
            "this": queue_url(chosen, entity, after),
            "start": queue_url(chosen, entity) if after is not None else None,
            "next": queue_url(chosen, entity, next_after) if next_after is not None else None,
        },
        "periods": [p["period"] for p in services.periods.list(user)],
        "entities": sorted(
            ({"id": e, "name": names.entity(e)} for e in names.entities),
            key=lambda option: option["name"],
        ),
    }
    return render(request, "review.html.j2", data, viewer, extra=view)


def _decide(
    request: Request, viewer: Viewer, form: FormData, datapoint_id: int, action: str
) -> Response:
    services = service(request)
    user = viewer.user
    version = str(form.get("version") or "")
    comment = str(form.get("comment") or "").strip() or None
    status = 200
    refused: Refusal | None = None
    try:
        if not (version.isascii() and version.isdigit()):
            raise Invalid("the form names no version; reload the page", field="version")
        if action == "approve":
            point = services.datapoints.approve(user, datapoint_id, int(version), comment)
        else:
            point = services.datapoints.reject(user, datapoint_id, int(version), comment or "")
    except EsgLedgerError as error:
        if not is_htmx(request) or wants_json(request):
            raise  # the error page, or the JSON error shape
        status, code, message, field, details = describe(error)
        refused = {"code": code, "message": message, "field": field, "details": details}
        point = services.datapoints.get(user, datapoint_id)
    if wants_json(request):
        return JSONResponse(point_dict(point))
    if is_htmx(request):
        view: ReviewCardView = {"it": services.collection.card(user, point.id), "refused": refused}
        return html(request, "review_card.html.j2", view, viewer, status)
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
        if not (
            datapoint_id.isascii()
            and datapoint_id.isdigit()
            and version.isascii()
            and version.isdigit()
        ):
            raise Invalid(f"{text!r} is not a value of the queue; reload the page", field="item")
        items.append((int(datapoint_id), int(version)))
    if not items:
        raise Invalid("tick the values to approve", field="item")
    comment = str(form.get("comment") or "").strip() or None
    approved, refused = service(request).datapoints.approve_many(viewer.user, items, comment)
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
