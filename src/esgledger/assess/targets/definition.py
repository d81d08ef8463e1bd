"""What a target says, and the checks every door's input goes through before it is stored.

A target is on one catalogue metric key (a metric id, breakdown members allowed) of one entity,
optionally for part of its subtree (``covers``), from a base year to a target year, with interim
milestones. The target and each milestone is either a value in the metric's unit or a relative
change against the base value (``-0.3`` for -30 %), which then follows a restated base year. A net
target counts credits (removals, offsets) against the gross figure and names its gross target
(IFRS S2 para. 36(e)). GHG targets state the gases and scopes they cover (IFRS S2 para. 33(b),
36(b)-(c)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from esgledger.assess.targets.rules import TargetRules

MIN_YEAR, MAX_YEAR = 1990, 2100
TEXT_LIMIT = 500
METHODS = ("measured", "estimated", "calculated", "reported")


class TargetError(ValueError):
    """A target refused: the field it is about and what was expected."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Milestone:
    """An interim point of the trajectory: a value, or a change against the base value."""

    year: int
    value: float | None = None
    change: float | None = None


@dataclass(frozen=True)
class Credit:
    """Credits counted against the gross figure of ``year`` (in the metric's unit)."""

    year: int
    quantity: float
    source: str


@dataclass(frozen=True)
class TargetDefinition:
    target_id: str
    name: str
    kind: str
    metric_key: str
    entity_id: str
    base_year: int | None
    target_year: int | None
    name_zh: str | None = None
    covers: str | None = None
    base_value: float | None = None  # a reported base value (None: from the ledger)
    base_source: str | None = None
    base_method: str | None = None
    target_value: float | None = None
    target_change: float | None = None
    milestones: tuple[Milestone, ...] = ()
    gases: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    net: bool = False
    gross_target: str | None = None
    credits: tuple[Credit, ...] = ()
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_id": self.target_id,
            "name": self.name,
            "name_zh": self.name_zh,
            "kind": self.kind,
            "metric_key": self.metric_key,
            "entity_id": self.entity_id,
            "covers": self.covers,
            "base_year": self.base_year,
            "base_value": self.base_value,
            "base_source": self.base_source,
            "base_method": self.base_method,
            "target_year": self.target_year,
            "target_value": self.target_value,
            "target_change": self.target_change,
            "milestones": [
                {"year": m.year, "value": m.value, "change": m.change} for m in self.milestones
            ],
            "gases": list(self.gases),
            "scopes": list(self.scopes),
            "net": self.net,
            "gross_target": self.gross_target,
            "credits": [
                {"year": c.year, "quantity": c.quantity, "source": c.source} for c in self.credits
            ],
            "note": self.note,
        }


def _finite(field_name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise TargetError(field_name, f"expected a finite number, found {value!r}")


def _year(field_name: str, year: int | None) -> None:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise TargetError(
            field_name, f"expected a year from {MIN_YEAR} to {MAX_YEAR}, found {year}"
        )


def _one_of(where: str, value: float | None, change: float | None) -> None:
    if (value is None) == (change is None):
        raise TargetError(
            where, "give either a value in the metric's unit or a change against the base (-30%)"
        )
    if change is not None and change <= -1:
        raise TargetError(where, f"a change below -100% is impossible, found {change:.0%}")


def check(target: TargetDefinition, rules: TargetRules, ratio_metric: bool) -> None:
    """Refuse a target that cannot be assessed as written, naming the field (``ratio_metric``:
    whether the catalogue forms the metric as a ratio, which an intensity target needs)."""
    if not target.name.strip():
        raise TargetError("name", "a target needs a name")
    if target.kind not in rules.kinds:
        raise TargetError(
            "kind", f"expected one of {', '.join(rules.kinds)}, found {target.kind!r}"
        )
    if target.kind == "intensity" and not ratio_metric:
        raise TargetError(
            "metric_key", f"{target.metric_key} is not a ratio: an intensity target needs one"
        )
    if target.kind == "absolute" and ratio_metric:
        raise TargetError(
            "kind", f"{target.metric_key} is a ratio: its target is an intensity target"
        )
    if target.base_year is None:
        raise TargetError("base_year", "a target needs a base year")
    if target.target_year is None:
        raise TargetError("target_year", "a target needs a target year")
    _year("base_year", target.base_year)
    _year("target_year", target.target_year)
    if target.target_year <= target.base_year:
        raise TargetError(
            "target_year",
            f"the target year ({target.target_year}) must come after the base year "
            f"({target.base_year})",
        )
    for name in ("base_value", "target_value", "target_change"):
        _finite(name, getattr(target, name))
    _one_of("target_value", target.target_value, target.target_change)
    _check_base(target)
    _check_milestones(target)
    _check_coverage(target, rules)
    _check_net(target)
    for name in ("name", "name_zh", "base_source", "note"):
        text = getattr(target, name)
        if text is not None and len(text) > TEXT_LIMIT:
            raise TargetError(name, f"at most {TEXT_LIMIT} characters, found {len(text)}")


def _check_base(target: TargetDefinition) -> None:
    if target.base_value is None:
        if target.base_source or target.base_method:
            raise TargetError(
                "base_value", "a base source or method is given without a reported base value"
            )
        return
    if not (target.base_source or "").strip():
        raise TargetError(
            "base_source", "a reported base value needs its source (the document it comes from)"
        )
    if target.base_method is not None and target.base_method not in METHODS:
        raise TargetError(
            "base_method", f"expected one of {', '.join(METHODS)}, found {target.base_method!r}"
        )


def _check_milestones(target: TargetDefinition) -> None:
    assert target.base_year is not None and target.target_year is not None
    seen: set[int] = set()
    for index, milestone in enumerate(target.milestones, start=1):
        where = f"milestones[{index}]"
        if not target.base_year < milestone.year < target.target_year:
            raise TargetError(
                where,
                f"the milestone year {milestone.year} is outside the years between the base year "
                f"({target.base_year}) and the target year ({target.target_year})",
            )
        if milestone.year in seen:
            raise TargetError(where, f"two milestones in {milestone.year}")
        seen.add(milestone.year)
        _finite(where, milestone.value)
        _finite(where, milestone.change)
        _one_of(where, milestone.value, milestone.change)


def _check_coverage(target: TargetDefinition, rules: TargetRules) -> None:
    ghg = rules.is_ghg(target.metric_key)
    for name, given, allowed in (
        ("gases", target.gases, rules.gases),
        ("scopes", target.scopes, rules.scopes),
    ):
        if not ghg and given:
            raise TargetError(name, f"{target.metric_key} is not a GHG metric: no {name} apply")
        if ghg and not given:
            raise TargetError(
                name, f"a GHG target states the {name} it covers: {', '.join(allowed)}"
            )
        unknown = [g for g in given if g not in allowed]
        if unknown:
            raise TargetError(
                name, f"unknown {', '.join(unknown)}; expected some of {', '.join(allowed)}"
            )
        if len(set(given)) != len(given):
            raise TargetError(name, f"a value is given twice: {', '.join(given)}")


def _check_net(target: TargetDefinition) -> None:
    if target.net and not (target.gross_target or "").strip():
        raise TargetError(
            "gross_target", "a net target needs the gross target it accompanies (IFRS S2 36(e))"
        )
    if not target.net and target.gross_target:
        raise TargetError("gross_target", "only a net target names a gross target")
    if not target.net and target.credits:
        raise TargetError("credits", "only a net target counts credits")
    for index, credit in enumerate(target.credits, start=1):
        where = f"credits[{index}]"
        if not credit.source.strip():
            raise TargetError(where, "a credit needs its source (registry, project, vintage)")
        if not math.isfinite(credit.quantity) or credit.quantity <= 0:
            raise TargetError(where, f"a credit needs a positive quantity, found {credit.quantity}")
        _year(where, credit.year)


def definition_from_dict(data: Mapping[str, Any]) -> TargetDefinition:
    """A target from its structured form (:meth:`TargetDefinition.as_dict`, the API's JSON)."""
    known = set(TargetDefinition.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise TargetError(unknown[0], f"unknown field; fields: {', '.join(sorted(known))}")
    given = dict(data)
    given["milestones"] = tuple(
        Milestone(int(m["year"]), m.get("value"), m.get("change"))
        for m in data.get("milestones") or ()
    )
    given["credits"] = tuple(
        Credit(int(c["year"]), float(c["quantity"]), str(c.get("source") or ""))
        for c in data.get("credits") or ()
    )
    given["gases"] = tuple(data.get("gases") or ())
    given["scopes"] = tuple(str(s) for s in data.get("scopes") or ())
    given["net"] = bool(data.get("net") or False)
    for name in ("target_id", "name", "kind", "metric_key", "entity_id"):
        if not isinstance(given.get(name), str):
            raise TargetError(name, "required")
    return TargetDefinition(**given)


__all__ = [
    "Credit",
    "Milestone",
    "TargetDefinition",
    "TargetError",
    "check",
    "definition_from_dict",
]
