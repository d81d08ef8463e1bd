"""The disclosure framework catalogues, read-only, for every role: the shipped editions, and the
items of one framework that apply to a financial year and issuer class."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from esgledger.api.deps import Service, User
from esgledger.api.models import Page
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["frameworks"])
_ID = r"^[a-z][a-z0-9_]*$"


class OmissionReasonOut(BaseModel):
    id: str
    name: dict[str, str]
    source: str
    unconfirmed: str | None


class EditionOut(BaseModel):
    framework: str
    edition: str
    prefix: str = Field(description="item references are <prefix>-<item id>")
    name: dict[str, str]
    effective_from: str
    effective_basis: str = Field(description="period_start or publication_date")
    item_count: int
    unconfirmed: int = Field(description="items shipped unconfirmed ([NC] or [!] in the notes)")
    aliases: list[str]
    issuer_classes: dict[str, dict[str, str]]
    omission_reasons: list[OmissionReasonOut]
    source: str
    note: str


class PhaseInOut(BaseModel):
    issuer_class: str
    from_: str = Field(alias="from")
    level: str


class ItemOut(BaseModel):
    reference: str
    id: str
    edition: str
    parent: str | None
    title: dict[str, str]
    level: str = Field(description="the level owed by the issuer class asked about")
    own_level: str
    kind: str
    unit: str | None
    trigger: dict[str, str] | None
    effective_from: str
    effective_basis: str
    superseded_by: list[str]
    phase_in: list[PhaseInOut]
    no_omission: bool
    metrics: list[str]
    topics: list[str]
    source: str
    confidence: str
    unconfirmed: str | None


class FrameworkOut(EditionOut):
    asked_as: str
    period: str | None
    issuer_class: str | None
    count: int
    items: list[ItemOut]


@router.get("/frameworks", response_model=Page[EditionOut])
def frameworks(
    user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[EditionOut]:
    """Every shipped framework edition (SSE No. 14 with its alias SZSE No. 17, HKEX, GRI, IFRS S2,
    the MOF climate standard)."""
    return paged(service.frameworks.listing(user), limit, offset, EditionOut.model_validate)


@router.get("/frameworks/{framework}", response_model=FrameworkOut)
def framework(
    user: User,
    service: Service,
    framework: Annotated[str, Path(max_length=32, pattern=_ID)],
    period: Annotated[
        str | None, Query(pattern=r"^[0-9]{4}$", description="a financial year: only its items")
    ] = None,
    issuer_class: Annotated[
        str | None, Query(max_length=32, pattern=_ID, description="HKEX: main_board, largecap, gem")
    ] = None,
) -> FrameworkOut:
    """A framework's items with their obligation level and kind; with ``period``, those that
    apply to that year with the level ``issuer_class`` owes (HKEX Part D phase-in). Not paged:
    an edition has a few hundred items at most, and an index is read whole."""
    return FrameworkOut.model_validate(
        service.frameworks.show(user, framework, period, issuer_class)
    )
