"""Entities (within the user's scope), metrics and periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN, EntityOut, MetricOut, PeriodDetail, PeriodOut
from esgledger.domain import Entity

router = APIRouter(tags=["organisation and catalogue"])
EntityId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00/]+$")]
MetricPath = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9_.]+$")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]


def _entity(entity: Entity) -> EntityOut:
    return EntityOut(
        id=entity.id,
        name=entity.name,
        name_zh=entity.name_zh,
        parent_id=entity.parent_id,
        country=entity.country,
        type=entity.type,
        ownership=entity.ownership,
        aliases=list(entity.aliases),
    )


@router.get("/entities", response_model=list[EntityOut])
def entities(user: User, service: Service) -> list[EntityOut]:
    """The entities the user may see (all of them, or their assigned ones and sub-entities)."""
    return [_entity(e) for e in service.entities(user)]


@router.get("/entities/{entity_id}", response_model=EntityOut)
def entity(entity_id: EntityId, user: User, service: Service) -> EntityOut:
    return _entity(service.entity(user, entity_id))


@router.get("/metrics", response_model=list[MetricOut])
def metrics(user: User, service: Service) -> list[MetricOut]:
    """The metric catalogue, with the units each input may be entered in."""
    return [MetricOut(**m) for m in service.metrics(user)]


@router.get("/metrics/{metric_id}", response_model=MetricOut)
def metric(metric_id: MetricPath, user: User, service: Service) -> MetricOut:
    return MetricOut(**service.metric(user, metric_id))


@router.get("/periods", response_model=list[PeriodOut])
def periods(user: User, service: Service) -> list[PeriodOut]:
    return [PeriodOut(**p) for p in service.periods(user)]


@router.get("/periods/{period}", response_model=PeriodDetail)
def period(period: PeriodPath, user: User, service: Service) -> PeriodDetail:
    """Lock state and the count of the user's visible values by review status."""
    return PeriodDetail(**service.period(user, period))
