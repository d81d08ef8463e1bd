"""The audit log for assurers: every recorded change, filtered by period, entity, actor, action,
object or time, with each entry's hash; and a check of the whole hash chain on request."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse

from esgledger.services.audit import AuditFilters, csv_lines
from esgledger.web.render import render
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service

router = web_router()
PAGE_SIZE = 50
MAX_OFFSET = 10**9  # a larger offset is refused (422) rather than sent to the database
FILTERS = ("period", "entity", "actor", "action", "object_type", "object_id", "since", "until")


def chosen_filters(request: Request) -> dict[str, str | None]:
    return {name: (request.query_params.get(name) or "").strip() or None for name in FILTERS}


@page(router, "/audit")
def audit_page(
    request: Request,
    viewer: ViewerDep,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    verify: bool = False,
) -> Response:
    services = service(request)
    chosen = chosen_filters(request)
    filters = AuditFilters(**chosen)
    entries, total = services.audit.entries(viewer.user, filters, PAGE_SIZE, offset)
    data: dict[str, Any] = {
        "filters": chosen,
        "total": total,
        "offset": offset,
        "limit": PAGE_SIZE,
        "entries": entries,
        "verification": services.audit.verify(viewer.user).as_dict() if verify else None,
    }
    query = urlencode({k: v for k, v in chosen.items() if v is not None})
    return render(request, "audit.html.j2", data, viewer, extra={"query": query})


@router.get("/audit/export.csv")
def audit_export(request: Request, viewer: ViewerDep) -> Response:
    """The entries matching the page's filters, all of them, as CSV."""
    filters = AuditFilters(**chosen_filters(request))
    lines = csv_lines(service(request).audit.export(viewer.user, filters))
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="esgledger-audit-log.csv"'},
    )
