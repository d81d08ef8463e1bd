"""Period administration (lock, reopen) and reports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from esgledger.api.deps import Service, User
from esgledger.api.models import (
    PERIOD_PATTERN,
    LockIn,
    Page,
    PeriodDetail,
    ReopenIn,
    ReportIn,
    ReportOut,
)
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["periods and reports"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


@router.post("/periods/{period}/lock", response_model=PeriodDetail)
def lock(period: PeriodPath, body: LockIn, user: User, service: Service) -> PeriodDetail:
    """Lock a period whose values are all approved; edits are then refused (409)."""
    service.periods.lock(user, period, body.reason)
    return PeriodDetail(**service.periods.get(user, period))


@router.post("/periods/{period}/reopen", response_model=PeriodDetail)
def reopen(period: PeriodPath, body: ReopenIn, user: User, service: Service) -> PeriodDetail:
    """Reopen a locked period; the reason is kept in the audit log."""
    service.periods.reopen(user, period, body.reason)
    return PeriodDetail(**service.periods.get(user, period))


@router.post("/reports", response_model=ReportOut, status_code=201)
def build(body: ReportIn, user: User, service: Service) -> ReportOut:
    """Build the report of a period (ESG manager, admin)."""
    return ReportOut(**service.reports.build(user, body.period, body.lang))


@router.get("/reports", response_model=Page[ReportOut])
def reports(
    user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[ReportOut]:
    """The last build of each period's report in each language, newest period first."""
    return paged(service.reports.list(user), limit, offset, lambda r: ReportOut(**r))


@router.get(
    "/reports/{period}/{lang}",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}}},
)
def download(
    period: PeriodPath, lang: Literal["en", "zh"], user: User, service: Service
) -> FileResponse:
    """The last report built for the period and language."""
    record, path = service.reports.download(user, period, lang)
    return FileResponse(path, filename=record["file_name"], content_disposition_type="attachment")
