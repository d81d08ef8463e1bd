"""Data points: list, read, create, correct (with the version), submit, approve, reject, history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from esgledger.api.deps import Service, Token, User, signed_in
from esgledger.api.errors import ErrorDetail, status_of
from esgledger.api.models import (
    PERIOD_PATTERN,
    ApprovalsIn,
    ApprovalsOut,
    ApproveIn,
    DataPointIn,
    DataPointOut,
    DataPointPage,
    DataPointPatch,
    HistoryOut,
    RefusedOut,
    RejectIn,
    Status,
    SubmitIn,
)
from esgledger.domain import DataPoint
from esgledger.services.datapoints import Entry, Filters, point_dict

router = APIRouter(tags=["data points"])
PointId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the id of any version")]
_KEY = r"^[^\x00]*$"


def _out(point: DataPoint) -> DataPointOut:
    return DataPointOut(**point_dict(point))


@router.get("/datapoints", response_model=DataPointPage)
def list_datapoints(
    token: Token,
    service: Service,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    entity: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    metric: Annotated[str | None, Query(max_length=100, pattern=_KEY)] = None,
    status: Status | None = None,
    entered_by: Annotated[str | None, Query(max_length=100, pattern=_KEY)] = None,
    months: Annotated[
        bool, Query(description="with a year's period, the year's months too (as a lock covers)")
    ] = False,
    after: Annotated[int | None, Query(ge=0, le=2**31 - 1, description="ids above this")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> DataPointPage:
    """Current values the user may see, filtered, ordered by id, one page at a time. For a
    list whose items leave it as you work (submitted values being approved), page with
    ``after`` = the last id seen instead of ``offset``."""
    filters = Filters(period, entity, metric, status, entered_by, months, after)
    with service.accounts.signed_in(token) as user:
        items, total = service.datapoints.find(user, filters, limit, offset)
    return DataPointPage(items=[_out(p) for p in items], total=total, limit=limit, offset=offset)


@router.post("/datapoints", response_model=DataPointOut, status_code=201)
async def create_datapoint(body: DataPointIn, token: Token, service: Service) -> DataPointOut:
    """Enter a new value (status draft). 409 if the metric already has a value for the entity
    and period: correct that one with PATCH."""
    user = await signed_in(service, token)
    entry = Entry(
        body.entity,
        body.period,
        body.metric,
        body.value,
        body.unit,
        body.method,
        body.source,
        body.note,
        body.dimensions,
        body.note_public,
    )
    return _out(await service.datapoints.create.run_async(user, entry, body.explanation))


@router.get("/datapoints/{datapoint_id}", response_model=DataPointOut)
def get_datapoint(datapoint_id: PointId, token: Token, service: Service) -> DataPointOut:
    """The current version of the data point (any version's id is accepted)."""
    with service.accounts.signed_in(token) as user:
        return _out(service.datapoints.get(user, datapoint_id))


@router.get("/datapoints/{datapoint_id}/last-year", response_model=DataPointOut | None)
def last_year(datapoint_id: PointId, token: Token, service: Service) -> DataPointOut | None:
    """The same metric and entity a year earlier (null when there is none)."""
    with service.accounts.signed_in(token) as user:
        point = service.datapoints.last_year(user, datapoint_id)
    return None if point is None else _out(point)


@router.patch("/datapoints/{datapoint_id}", response_model=DataPointOut)
async def correct_datapoint(
    datapoint_id: PointId, body: DataPointPatch, token: Token, service: Service
) -> DataPointOut:
    """Correct a value. ``version`` is the version the change is based on: if someone changed
    the value since, the answer is 409 with the current value and version, and nothing changes."""
    user = await signed_in(service, token)
    changes: dict[str, Any] = body.model_dump(
        exclude_unset=True, exclude={"version", "explanation"}
    )
    point = await service.datapoints.correct.run_async(
        user, datapoint_id, body.version, changes, body.explanation
    )
    return _out(point)


@router.post("/datapoints/{datapoint_id}/submit", response_model=DataPointOut)
async def submit(
    datapoint_id: PointId, body: SubmitIn, token: Token, service: Service
) -> DataPointOut:
    """Submit for review. A change against last year above the threshold needs an explanation
    (given here or when the value was entered), else 422 ``explanation_required``."""
    user = await signed_in(service, token)
    return _out(
        await service.datapoints.submit.run_async(
            user, datapoint_id, body.version, body.explanation
        )
    )


@router.post("/datapoints/{datapoint_id}/approve", response_model=DataPointOut)
async def approve(
    datapoint_id: PointId, body: ApproveIn, token: Token, service: Service
) -> DataPointOut:
    """Approve the submitted version. Nobody approves a value they entered or last changed."""
    user = await signed_in(service, token)
    return _out(
        await service.datapoints.approve.run_async(user, datapoint_id, body.version, body.comment)
    )


@router.post("/datapoints/approvals", response_model=ApprovalsOut)
def approve_many(body: ApprovalsIn, user: User, service: Service) -> ApprovalsOut:
    """Approve several submitted values, each as ``/datapoints/{id}/approve`` would (its own
    transaction and checks); the refused ones are listed with their error, the others land."""
    items = [(item.id, item.version) for item in body.items]
    approved, refused = service.datapoints.approve_many(user, items, body.comment)
    return ApprovalsOut(
        approved=[_out(p) for p in approved],
        refused=[
            RefusedOut(
                id=datapoint_id,
                status=status_of(error),
                error=ErrorDetail(
                    code=error.code, message=error.message, field=error.field, details=error.details
                ),
            )
            for datapoint_id, error in refused.items()
        ],
    )


@router.post("/datapoints/{datapoint_id}/reject", response_model=DataPointOut)
async def reject(
    datapoint_id: PointId, body: RejectIn, token: Token, service: Service
) -> DataPointOut:
    """Reject the submitted version with a comment saying what to fix."""
    user = await signed_in(service, token)
    return _out(
        await service.datapoints.reject.run_async(user, datapoint_id, body.version, body.comment)
    )


@router.get("/datapoints/{datapoint_id}/history", response_model=HistoryOut)
def history(datapoint_id: PointId, token: Token, service: Service) -> HistoryOut:
    """Every version, review comment, evidence file and audit log entry of the data point."""
    with service.accounts.signed_in(token) as user:
        return HistoryOut(**service.datapoints.history(user, datapoint_id))
