"""Calculations, the explain view of a computed value, and the audit chain check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN, CalcIn, CalcRunOut, CalcValueOut, VerifyOut

router = APIRouter(tags=["calculations"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]
_KEY = r"^[^\x00]*$"


@router.post("/calculations", response_model=CalcRunOut, status_code=201)
def run(body: CalcIn, user: User, service: Service) -> CalcRunOut:
    """Compute and store the inventory of a period (ESG manager, admin)."""
    options = body.options.model_dump(exclude_none=True) if body.options else None
    return CalcRunOut(**service.run_calc(user, body.period, options))


@router.get("/calculations/{period}", response_model=list[CalcValueOut])
def values(
    period: PeriodPath,
    user: User,
    service: Service,
    entity: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    metric: Annotated[str | None, Query(max_length=100, pattern=_KEY)] = None,
) -> list[CalcValueOut]:
    """Stored values of the period's current inventory, for the entities the user may see."""
    return [CalcValueOut(**v) for v in service.calc_values(user, period, entity, metric)]


@router.get("/explain")
def explain(
    user: User,
    service: Service,
    metric: Annotated[str, Query(max_length=100, pattern=_KEY)],
    entity: Annotated[str, Query(max_length=64, pattern=_KEY)],
    period: Annotated[str, Query(pattern=PERIOD_PATTERN)],
) -> dict[str, Any]:
    """The lineage of a computed value: formula, inputs, factors with their sources."""
    return service.explain(user, metric, entity, period)


@router.get("/audit/verify", response_model=VerifyOut)
def verify(user: User, service: Service) -> VerifyOut:
    """Check the hash chain of the audit log (admin, ESG manager, auditor)."""
    return VerifyOut(**service.verify_audit(user).as_dict())
