"""Values an inventory did not compute, and why.

A missing factor or input makes that metric at that entity *not computable*, and with it every value
that depends on it: a derived metric of the same entity that reads it, a total of a parent that
would add it up. The rest of the inventory is still produced. A Scope 3 category the organisation
does not report (the setting ``scope3.categories``) is *not reported*: it is listed, never computed,
and never blocks Scope 3 totals of the categories that are reported.

Every gap names its ``cause``: the key of the value whose calculation failed first-hand, so that a
reader goes from a group total straight to the missing factor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.lineage import Note

OWN_SUFFIX = "#own"  # the key of an entity's own part, beside its total (esgledger.lineage)
NOT_COMPUTABLE = "not_computable"
NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class Gap:
    """A value of the inventory that has no number: its key, why, and the first-hand failure."""

    key: str
    metric: str
    entity: str
    period: str
    reason: Note
    cause: str
    kind: str = NOT_COMPUTABLE

    @property
    def first_hand(self) -> bool:
        """Whether this value's own calculation failed (not an input or a part of it)."""
        return self.cause == self.key

    @property
    def blocks(self) -> bool:
        """Whether what depends on this value cannot be computed either."""
        return self.kind == NOT_COMPUTABLE

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> Gap:
        return cls(
            str(stored["key"]),
            str(stored["metric"]),
            str(stored["entity"]),
            str(stored["period"]),
            stored["reason"],
            str(stored["cause"]),
            str(stored.get("kind", NOT_COMPUTABLE)),
        )


def failed(record_key: str, metric: str, entity: str, period: str, exc: CalculationError) -> Gap:
    """The gap of a value whose own formula raised ``exc``."""
    return Gap(record_key, metric, entity, period, reason_of(exc, record_key), record_key)


def depending(record_key: str, metric: str, entity: str, period: str, on: Gap, part: bool) -> Gap:
    """The gap of a value that reads ``on`` (an input, or a part of a total when ``part``); a
    category not reported stays not reported, for the same reason, up the tree."""
    reason = (
        on.reason
        if on.kind == NOT_REPORTED
        else note(
            "part_not_computable" if part else "input_not_computable",
            metric=on.metric,
            entity=on.entity,
        )
    )
    return Gap(record_key, metric, entity, period, reason, on.cause, on.kind)


def at_total(own: Gap, total_key: str) -> Gap:
    """The total of an entity with sub-entities whose own part is ``own``: the same gap, told
    at the total (a cause in the entity's own part is named by the total of that metric)."""
    cause = own.cause.removesuffix(OWN_SUFFIX)
    first_hand = own.cause == own.key
    return replace(own, key=total_key, cause=total_key if first_hand else cause)


def not_reported(record_key: str, metric: str, entity: str, period: str, category: int) -> Gap:
    """A Scope 3 category the organisation does not report."""
    reason = note("scope3_not_reported", category=category)
    return Gap(record_key, metric, entity, period, reason, record_key, NOT_REPORTED)


def reason_of(exc: CalculationError, record_key: str) -> Note:
    """What the raiser said in note form, else its message without the leading ``key: ``."""
    if exc.reason is not None:
        return exc.reason  # type: ignore[return-value]
    message = str(exc)
    prefix = f"{record_key}: "
    return note("calc_failed", detail=message.removeprefix(prefix))
