"""Entities (within the user's scope), metrics and periods."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from esgledger.api.deps import Service, User
from esgledger.api.models import (
    PERIOD_PATTERN,
    EntityOut,
    MetricOut,
    Page,
    PeriodDetail,
    PeriodOut,
)
from esgledger.api.paging import Limit, Offset, paged
from esgledger.domain import Entity

router = APIRouter(tags=["organisation and catalogue"])
EntityId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00/]+$")]
MetricPath = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9_.]+$")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]
_KEY = r"^[^\x00]*$"


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


@router.get("/entities", response_model=Page[EntityOut])
def entities(
    user: User,
    service: Service,
    parent: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    country: Annotated[str | None, Query(max_length=8, pattern=_KEY)] = None,
    type: Annotated[str | None, Query(max_length=32, pattern=_KEY)] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[EntityOut]:
    """The entities the user may see (all of them, or their assigned ones and sub-entities), by
    id; ``parent`` lists its direct children."""
    found = service.organisation.entities(user, parent=parent, country=country, entity_type=type)
    return paged(found, limit, offset, _entity)


@router.get("/entities/{entity_id}", response_model=EntityOut)
def entity(entity_id: EntityId, user: User, service: Service) -> EntityOut:
    return _entity(service.organisation.entity(user, entity_id))


@router.get("/metrics", response_model=Page[MetricOut])
def metrics(
    user: User,
    service: Service,
    group: Annotated[str | None, Query(max_length=64, pattern=_KEY)] = None,
    kind: Annotated[str | None, Query(max_length=32, pattern=_KEY)] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[MetricOut]:
    """The metric catalogue, with the units each input may be entered in; ``group`` and
    ``kind`` (input, formula, ...) filter it."""
    return paged(
        service.organisation.metrics(user, group, kind), limit, offset, lambda m: MetricOut(**m)
    )


@router.get("/metrics/{metric_id}", response_model=MetricOut)
def metric(metric_id: MetricPath, user: User, service: Service) -> MetricOut:
    return MetricOut(**service.organisation.metric(user, metric_id))


@router.get("/periods", response_model=Page[PeriodOut])
def periods(
    user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[PeriodOut]:
    """Periods with data of the user's entities, and locked periods, oldest first."""
    return paged(service.periods.list(user), limit, offset, lambda p: PeriodOut(**p))


@router.get("/periods/{period}", response_model=PeriodDetail)
def period(period: PeriodPath, user: User, service: Service) -> PeriodDetail:
    """Lock state and the count of the user's visible values by review status."""
    return PeriodDetail(**service.periods.get(user, period))
