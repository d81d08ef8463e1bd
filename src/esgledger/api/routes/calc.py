"""Calculations, the explain view of a computed value, the audit log and its chain check."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse

from esgledger.api.deps import Service, User
from esgledger.api.models import (
    PERIOD_PATTERN,
    AnchorDocument,
    AuditEntryOut,
    CalcIn,
    CalcRunOut,
    CalcValueOut,
    ExplainOut,
    Page,
    VerifyIn,
    VerifyOut,
)
from esgledger.api.paging import Limit, Offset, paged
from esgledger.services.audit import AuditFilters, csv_lines, parse_anchor

router = APIRouter(tags=["calculations"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]
_KEY = r"^[^\x00]*$"


@router.post("/calculations", response_model=CalcRunOut, status_code=201)
def run(body: CalcIn, user: User, service: Service) -> CalcRunOut:
    """Compute and store the inventory of a period (ESG manager, admin)."""
    options = body.options.model_dump(exclude_none=True) if body.options else None
    return CalcRunOut(**service.calculation.run(user, body.period, options).as_dict())


@router.get("/calculations/{period}", response_model=Page[CalcValueOut])
def values(
    period: PeriodPath,
    user: User,
    service: Service,
    entity: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    metric: Annotated[str | None, Query(max_length=100, pattern=_KEY)] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[CalcValueOut]:
    """Stored values of the period's current inventory, for the entities the user may see,
    ordered by entity and metric."""
    found = service.calculation.values(user, period, entity, metric)
    return paged(found, limit, offset, lambda v: CalcValueOut(**v))


@router.get("/explain", response_model=ExplainOut)
def explain(
    user: User,
    service: Service,
    metric: Annotated[str, Query(max_length=100, pattern=_KEY)],
    entity: Annotated[str, Query(max_length=64, pattern=_KEY)],
    period: Annotated[str, Query(pattern=PERIOD_PATTERN)],
) -> ExplainOut:
    """The lineage of a computed value: formula, inputs, factors with their sources."""
    return ExplainOut(**service.explain.explain(user, metric, entity, period))


@router.get("/audit/verify", response_model=VerifyOut)
def verify(user: User, service: Service) -> VerifyOut:
    """Check the hash chain of the audit log (admin, ESG manager, auditor)."""
    return VerifyOut(**service.audit.verify(user).as_dict())


@router.post("/audit/verify", response_model=VerifyOut)
def verify_against_anchors(body: VerifyIn, user: User, service: Service) -> VerifyOut:
    """Check the hash chain, that it still extends every anchor given (taken earlier and kept
    outside the database: entries removed from the end of the log, or the chain rewritten, fail
    here though the chain is whole), and the tables. With ``public_key`` (PEM), every anchor
    must be signed by that key (422 otherwise)."""
    anchors = [
        parse_anchor(anchor.model_dump(), f"anchors[{number}]")
        for number, anchor in enumerate(body.anchors)
    ]
    key = None if body.public_key is None else body.public_key.encode()
    return VerifyOut(**service.audit.verify(user, anchors, key, "public_key").as_dict())


@router.get("/audit/anchor", response_model=AnchorDocument)
def anchor(user: User, service: Service) -> AnchorDocument:
    """The chain head as an anchor, to keep outside the database and give back to
    ``POST /audit/verify`` later (unsigned: sign anchors with ``esgledger audit anchor --sign``).
    The chain is verified first (409 when it is broken)."""
    return AnchorDocument(**service.audit.anchor(user).as_dict())


def audit_filters(
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    entity: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    actor: Annotated[str | None, Query(max_length=100, pattern=_KEY)] = None,
    action: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    object_type: Annotated[str | None, Query(max_length=32, pattern=_KEY)] = None,
    object_id: Annotated[str | None, Query(max_length=200, pattern=_KEY)] = None,
    since: Annotated[str | None, Query(max_length=40, pattern=_KEY)] = None,
    until: Annotated[str | None, Query(max_length=40, pattern=_KEY)] = None,
) -> AuditFilters:
    return AuditFilters(period, entity, actor, action, object_type, object_id, since, until)


Filters = Annotated[AuditFilters, Depends(audit_filters)]


@router.get("/audit", response_model=Page[AuditEntryOut])
def audit_log(
    user: User,
    service: Service,
    filters: Filters,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Page[AuditEntryOut]:
    """The audit log (admin, ESG manager, auditor), newest first unless ``order=asc``. ``action``
    ending in ``.`` matches a family (``datapoint.``); ``since`` and ``until`` are ISO dates or
    date-times, both inclusive; ``period`` (a year with its months) and ``entity`` select the
    entries about that period's or entity's data points and everything else recorded for
    them."""
    entries, total = service.audit.entries(user, filters, limit, offset, order == "desc")
    items = [AuditEntryOut(**e) for e in entries]
    return Page[AuditEntryOut](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/audit/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def audit_export(user: User, service: Service, filters: Filters) -> StreamingResponse:
    """Every entry matching the filters, oldest first, as CSV for a spreadsheet (UTF-8 with a
    byte order mark; the payload as canonical JSON), for the assurer's working papers."""
    lines = csv_lines(service.audit.export(user, filters))
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="esgledger-audit-log.csv"'},
    )
