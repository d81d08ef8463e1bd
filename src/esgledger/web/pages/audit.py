"""The audit log for assurers: every recorded change, filtered by period, entity, actor, action,
object or time, with each entry's hash; a check of the whole hash chain on request; an anchor of
the chain head to download and keep, and the check that the log still extends an uploaded one."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from esgledger.service_errors import Invalid
from esgledger.services.audit import (
    MAX_ANCHOR_BYTES,
    Anchor,
    AuditFilters,
    VerifyResult,
    csv_lines,
    parse_anchor,
)
from esgledger.web.render import render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

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
    verification = service(request).audit.verify(viewer.user) if verify else None
    return _page(request, viewer, offset, verification)


def _page(
    request: Request,
    viewer: Viewer,
    offset: int,
    verification: VerifyResult | None,
    anchor: Anchor | None = None,
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
        "verification": verification.as_dict() if verification is not None else None,
        "anchor": anchor.as_dict() if anchor is not None else None,
    }
    query = urlencode({k: v for k, v in chosen.items() if v is not None})
    return render(request, "audit.html.j2", data, viewer, extra={"query": query})


@router.get("/audit/anchor")
def anchor_download(request: Request, viewer: ViewerDep) -> Response:
    """The chain head as an anchor file, to keep outside the database."""
    taken = service(request).audit.anchor(viewer.user)
    return Response(
        taken.to_json(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="esgledger-anchor-{taken.seq}.json"'
        },
    )


def _upload(form: Any, name: str, required: bool) -> tuple[bytes, str] | None:
    chosen = form.get(name)
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        if required:
            raise Invalid("choose the anchor file to check", field=name)
        return None
    return chosen.file.read(MAX_ANCHOR_BYTES + 1), chosen.filename


@router.post("/audit/verify")
def anchor_check(request: Request, viewer: ViewerDep, form: CsrfForm) -> Response:
    """Verify the chain and the tables, and that the log still extends the uploaded anchor
    (signed by the uploaded public key, when one is given)."""
    uploaded = _upload(form, "anchor", required=True)
    assert uploaded is not None
    anchor = parse_anchor(uploaded[0], uploaded[1])
    key = _upload(form, "public_key", required=False)
    audit = service(request).audit
    if key is None:
        verification = audit.verify(viewer.user, [anchor])
    else:
        verification = audit.verify(viewer.user, [anchor], key[0], key[1])
    return _page(request, viewer, 0, verification, anchor)


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
