"""The inventory beyond a calculation run (``POST /calculations``, in calc.py): the bulk
activity path (a year's activity files computed in SQL into monthly results) and re-deriving the
stored values from their lineage. Both are slow: they run in the thread pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN, Page
from esgledger.api.models_admin import (
    YEAR_PATTERN,
    ActivityCalcIn,
    ActivityCalcOut,
    RecomputedOut,
)
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["calculations"])
_KEY = r"^[^\x00]*$"


@router.post("/calculations/{period}/activity", response_model=ActivityCalcOut, status_code=201)
def activity(
    period: Annotated[str, Path(pattern=YEAR_PATTERN, description="the reporting year")],
    user: User,
    service: Service,
    body: Annotated[ActivityCalcIn | None, Body()] = None,
) -> ActivityCalcOut:
    """Compute the year's activity files (POST /imports/activity) and store the results as
    calculated data points of the activity.* metrics, one per entity and month. ESG manager,
    admin."""
    options = body.options.model_dump(exclude_none=True) if body and body.options else None
    return ActivityCalcOut(**service.calculation.activity(user, period, options).as_dict())


@router.get("/calculations/{period}/recompute", response_model=Page[RecomputedOut])
def recompute(
    period: Annotated[str, Path(pattern=PERIOD_PATTERN)],
    user: User,
    service: Service,
    metric: Annotated[
        str | None, Query(max_length=100, pattern=_KEY, description="one value (with entity)")
    ] = None,
    entity: Annotated[
        str | None, Query(max_length=64, pattern=_KEY, description="one value (with metric)")
    ] = None,
    differences: Annotated[
        bool, Query(description="only the values that differ (false: every value checked)")
    ] = True,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[RecomputedOut]:
    """Re-derive the stored values of the period's current inventory (or one value and the
    tree below it) from their recorded inputs and factor editions, and list each difference; a
    ledger whose tables differ from its audit log comes first (key ``audit verify``). An empty
    page: every value re-derives exactly. Admin, ESG manager, auditor."""
    checks = service.calculation.recompute(user, period, metric, entity)
    shown = [c for c in checks if not c.ok] if differences else checks
    return paged(shown, limit, offset, lambda c: RecomputedOut(**c.as_dict()))
