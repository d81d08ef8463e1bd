"""Response models of data collection: a period's progress per entity, what waits for the user,
the entry form of an entity and period, the change of a value being typed, a value's review
card (:mod:`esgledger.services.collection`, :mod:`esgledger.services.entry_form`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from esgledger.api.models import AuditEntryOut, CommentOut, DataPointOut, EvidenceOut

Change = float | None
CHANGE = "signed relative change against last year (null when unknown or last year was zero)"


class ProgressMetricOut(BaseModel):
    metric: str
    period: str
    status: Literal["approved", "submitted", "draft", "rejected", "missing"]
    datapoint: int | None = Field(description="the id of the current value, if there is one")


class ProgressEntityOut(BaseModel):
    entity: str
    expected: int = Field(description="values expected: those reported now or a year earlier")
    approved: int
    by_status: dict[str, int]
    share: float = Field(description="approved / expected")
    complete: bool
    metrics: list[ProgressMetricOut]


class ProgressOut(BaseModel):
    period: str
    entities: list[ProgressEntityOut] = Field(description="entities in scope with values expected")
    expected: int
    approved: int
    complete: bool = Field(description="every expected value approved (as locking requires)")


class WaitingOut(DataPointOut):
    task: Literal["review", "correct", "submit"]


class LastYearMonthsOut(BaseModel):
    total: float = Field(description="the months' total, in the metric's unit")
    months: int


class EntryRowOut(BaseModel):
    metric: str
    name: dict[str, str]
    unit: str = Field(description="the metric's unit")
    units: list[str] = Field(description="units a value may be typed in")
    selected: str = Field(description="the unit to offer first")
    current: DataPointOut | None
    last_year: DataPointOut | None
    last_year_months: LastYearMonthsOut | None = Field(
        description="last year entered month by month: the months' total"
    )
    months: int = Field(description="months of this year with a value")
    change: Change = Field(description=CHANGE)
    change_from_zero: bool
    over_threshold: bool = Field(description="the change needs an explanation")
    explanations: list[str]
    explainable: bool = Field(description="an explanation may be given (a draft, rejected or new)")


class EntryGroupOut(BaseModel):
    group: str
    rows: list[EntryRowOut]
    filled: bool = Field(description="some row has a value this year or last")


class EntryFormOut(BaseModel):
    entity: str
    period: str
    last_year: str = Field(description="the period compared against")
    locked: str | None = Field(description="the locked period covering this one, if any")
    editable: bool
    threshold: float = Field(description="the change above which an explanation is needed")
    groups: list[EntryGroupOut]


class PreviewOut(BaseModel):
    metric: str
    change: Change = Field(description=CHANGE)
    change_from_zero: bool
    threshold: float
    over_threshold: bool
    last_year: DataPointOut | None
    explanations: list[str] = Field(description="explanations given for the current value")
    explainable: bool


class CardActionsOut(BaseModel):
    approve: bool
    reject: bool
    correct: bool
    submit: bool
    history: bool
    evidence_upload: bool
    evidence_read: bool


class CardOut(BaseModel):
    point: DataPointOut
    last_year: DataPointOut | None
    change: Change = Field(description=CHANGE)
    change_from_zero: bool
    over_threshold: bool
    explanations: list[CommentOut]
    comments: list[CommentOut] = Field(description="explanations and review steps (trail readers)")
    versions: list[DataPointOut] = Field(description="every version (trail readers)")
    evidence: list[EvidenceOut] = Field(description="evidence files (trail readers)")
    audit: list[AuditEntryOut] = Field(description="audit entries (trail readers)")
    explain: bool = Field(description="a calculated value of it can be explained (GET /explain)")
    locked: str | None
    can: CardActionsOut = Field(description="what the policy allows this user on the value")
