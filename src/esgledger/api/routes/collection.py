"""Data collection: a period's progress per entity, what waits for the user, the entry form of
an entity and period with the change of a value being typed, and the review card of a value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN, Page
from esgledger.api.models_collection import (
    CardOut,
    EntryFormOut,
    PreviewOut,
    ProgressOut,
    WaitingOut,
)
from esgledger.api.paging import Limit, Offset, paged
from esgledger.free_text import MAX_LENGTH

router = APIRouter(tags=["collection"])
_KEY = r"^[^\x00]*$"
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]
EntityPath = Annotated[
    str,
    Path(min_length=1, max_length=MAX_LENGTH["alias"], pattern=_KEY, description="id or alias"),
]
PointId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the id of any version")]


@router.get("/collection/{period}", response_model=ProgressOut)
def progress(period: PeriodPath, user: User, service: Service) -> ProgressOut:
    """Per entity in the user's scope: the values expected (each metric reported now or a year
    earlier, annual and per month), how many are approved, by status, and whether the entity
    and the period are complete."""
    return ProgressOut(period=period, **service.collection.progress(user, period))


@router.get("/collection/{period}/waiting", response_model=Page[WaitingOut])
def waiting(
    period: PeriodPath, user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[WaitingOut]:
    """Values of the period (and its months) this user should act on: ``review`` the submitted
    values they may approve, ``correct`` rejected values and ``submit`` drafts of the entities
    they may submit for (a reviewer: only those they entered); at most 50 of each task."""
    return paged(service.collection.waiting(user, period), limit, offset, lambda w: WaitingOut(**w))


@router.get("/entry/{entity}/{period}", response_model=EntryFormOut)
def entry_form(
    entity: EntityPath, period: PeriodPath, user: User, service: Service
) -> EntryFormOut:
    """The entry form of an entity and period: per input metric, grouped as in the catalogue,
    the current value, last year's (a year entered month by month: the months' total), the
    change, the explanations given, and whether the user may edit."""
    return EntryFormOut(**service.entry_forms.form(user, entity, period))


@router.get("/entry/{entity}/{period}/preview", response_model=PreviewOut)
def preview(
    entity: EntityPath,
    period: PeriodPath,
    user: User,
    service: Service,
    metric: Annotated[str, Query(min_length=1, max_length=100, pattern=_KEY)],
    value: Annotated[
        str, Query(max_length=100, pattern=_KEY, description="the value as typed so far")
    ],
    unit: Annotated[
        str,
        Query(max_length=MAX_LENGTH["unit"], pattern=_KEY, description="default: the metric's"),
    ] = "",
) -> PreviewOut:
    """The change against last year of a value being typed, before it is saved, and whether it
    needs an explanation (a value that is not a number yet has no change)."""
    return PreviewOut(**service.entry_forms.preview(user, entity, period, metric, value, unit))


@router.get("/datapoints/{datapoint_id}/card", response_model=CardOut)
def card(datapoint_id: PointId, user: User, service: Service) -> CardOut:
    """What a reviewer needs about a value: last year's, the change, the explanations, the
    review trail, versions, evidence and audit entries (for trail readers), whether its
    calculation can be explained, and what this user may do with it."""
    return CardOut(**service.collection.card(user, datapoint_id))
