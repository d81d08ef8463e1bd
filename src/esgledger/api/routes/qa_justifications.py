"""Justifications of quality findings under ``/qa/{period}/...`` (issue 12, part 3): the findings
with their justifications and whether the caller may justify each, the justifications in force,
recording one (admins and ESG managers who did not enter, import, change, submit or explain a
value the finding rests on: 403 otherwise; 409 in a locked period) and withdrawing one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from esgledger.api.deps import Service, User

router = APIRouter(prefix="/qa", tags=["quality checks: justifications"])
PeriodPath = Annotated[str, Path(pattern=r"^[0-9]{4}$", description="reporting year YYYY")]
Record = dict[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


KEY = (
    "the finding's short reference (`reference`: sum.totals#3fa9c2, or at least 4 of its digits) "
    "or its full key (`key`, stable across runs)"
)
RULE = "the finding's rule id; optional: needed only when a full key is shared by several rules"


class JustificationIn(_Strict):
    rule: str | None = Field(default=None, max_length=100, description=RULE)
    finding_key: str = Field(max_length=2000, description=KEY)
    text: str = Field(max_length=4000, description="why the finding stands")


class WithdrawalIn(_Strict):
    rule: str | None = Field(default=None, max_length=100, description=RULE)
    finding_key: str = Field(max_length=2000, description=KEY)
    reason: str = Field(max_length=2000)


@router.get("/{period}/review")
def review(
    period: PeriodPath,
    user: User,
    service: Service,
    lang: Annotated[Literal["en", "zh"], Query(description="language of the messages")] = "en",
) -> Record:
    """Every finding of the period with its justification and whether the caller may justify it
    (``may_justify``, ``refusal``), the counts, the rules run and any override of the gate."""
    return service.qa_review.review(user, period, lang)


@router.get("/{period}/justifications")
def justifications(period: PeriodPath, user: User, service: Service) -> list[Record]:
    """The justifications in force for the period, each with its finding's ``reference``."""
    return service.qa_review.justifications(user, period)


@router.post("/{period}/justifications", status_code=201)
def justify(period: PeriodPath, body: JustificationIn, user: User, service: Service) -> Record:
    """Justify a finding, named by its reference or key (a new version when one is in force).
    An unknown reference is 404; one that names several findings is 422
    (``ambiguous_reference``, the candidates in ``details``)."""
    return service.qa_review.justify(user, period, body.rule, body.finding_key, body.text)


@router.post("/{period}/justifications/withdraw")
def withdraw(period: PeriodPath, body: WithdrawalIn, user: User, service: Service) -> Record:
    """Withdraw a finding's justification (a new version marked withdrawn, with the reason)."""
    return service.qa_review.withdraw(user, period, body.rule, body.finding_key, body.reason)
