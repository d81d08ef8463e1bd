"""A target's status, computed from what the ledger holds every time it is shown, never stored.

- **achieved**: the current value is at or past the target value;
- **on track**: it is at or past the trajectory's value for its year (:mod:`.trajectory`);
- **off track**: neither (a target year passed without reaching the target is off track);
- **not assessable**, with the reason: no base value, a base value that is only an estimate, no
  current value, a method change between the base year's calculation and the current year's
  (GWP set, consolidation approach, grid series, ...) that no restatement has absorbed (GHG
  Protocol Corporate Standard ch. 5), or a target equal to its base value.

IFRS S2 paras 33-36 (targets, base period, milestones, performance against them); SSE Guideline
No. 14 Art. 11 (metrics and targets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from esgledger.assess.targets.definition import TargetDefinition
from esgledger.assess.targets.trajectory import Point, at_least_as_good, progress, value_at

ACHIEVED, ON_TRACK, OFF_TRACK, NOT_ASSESSABLE = (
    "achieved",
    "on_track",
    "off_track",
    "not_assessable",
)
STATUSES = (ACHIEVED, ON_TRACK, OFF_TRACK, NOT_ASSESSABLE)
# where a base value comes from
LEDGER, RESTATED, REPORTED = "ledger", "restated", "reported"


@dataclass(frozen=True)
class Observation:
    """A value of the target's metric key for its entity in one year: from a stored calculation
    run (its options), a restated base-year run, or as reported with the target."""

    year: int
    value: float
    source: str
    run_id: int | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    estimate: bool = False  # every data point behind it is an estimate


@dataclass(frozen=True)
class Reason:
    """Why a target is not assessable: a code (``target.reason.<code>`` in the strings) and the
    values its text is filled with."""

    code: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    status: str
    reason: Reason | None
    base: Observation | None
    current: Observation | None
    target_value: float | None  # the target as a value (a change resolved against the base)
    trajectory: list[Point]
    expected: float | None  # the trajectory's value in the current year
    progress: float | None
    direction: str | None  # "decrease" or "increase"
    credits: float = 0.0  # credits counted in the current year (net targets)
    current_net: float | None = None  # the current value less those credits

    def as_dict(self) -> dict[str, Any]:
        def observed(o: Observation | None) -> dict[str, Any] | None:
            if o is None:
                return None
            return {
                "year": o.year,
                "value": o.value,
                "source": o.source,
                "run_id": o.run_id,
                "estimate": o.estimate,
            }

        return {
            "status": self.status,
            "reason": None
            if self.reason is None
            else {"code": self.reason.code, "args": self.reason.args},
            "base": observed(self.base),
            "current": observed(self.current),
            "target_value": self.target_value,
            "trajectory": [{"year": y, "value": v} for y, v in self.trajectory],
            "expected": self.expected,
            "progress": self.progress,
            "direction": self.direction,
            "credits": self.credits,
            "current_net": self.current_net,
        }


def _resolved(base: float, value: float | None, change: float | None) -> float:
    return value if value is not None else base * (1 + (change or 0.0))


def trajectory_of(target: TargetDefinition, base: float) -> list[Point]:
    """The base point, the milestones and the target point, each a value."""
    assert target.base_year is not None and target.target_year is not None
    points = [(target.base_year, base)]
    points += [(m.year, _resolved(base, m.value, m.change)) for m in target.milestones]
    points.append((target.target_year, _resolved(base, target.target_value, target.target_change)))
    return sorted(points)


def method_changes(
    base: Observation, current: Observation, options: Sequence[str]
) -> list[dict[str, str]]:
    """The calculation options that differ between the base and the current run (a reported
    base value records none, and is compared on nothing)."""
    return [
        {"option": name, "base": base.options[name], "current": current.options[name]}
        for name in options
        if name in base.options
        and name in current.options
        and base.options[name] != current.options[name]
    ]


def _credits_in(target: TargetDefinition, year: int) -> float:
    return sum(c.quantity for c in target.credits if c.year == year) if target.net else 0.0


def assess(
    target: TargetDefinition,
    base: Observation | None,
    current: Observation | None,
    method_options: Sequence[str],
) -> Assessment:
    """The status of ``target`` given its base observation and its newest observation after the
    base year (credits of each year counted against a net target's figure)."""

    def refused(code: str, **args: Any) -> Assessment:
        points = trajectory_of(target, base.value) if base is not None else []
        target_value = points[-1][1] if points else None
        return Assessment(
            NOT_ASSESSABLE,
            Reason(code, args),
            base,
            current,
            target_value,
            points,
            None,
            None,
            None,
        )

    if base is None:
        return refused("no_base", year=target.base_year)
    if base.estimate:
        return refused("base_estimate", year=base.year)
    if current is None:
        return refused("no_current", base_year=target.base_year, target_year=target.target_year)
    changes = method_changes(base, current, method_options)
    if changes:
        listed = ", ".join(f"{c['option']} {c['base']} → {c['current']}" for c in changes)
        return refused("method_change", year=current.year, changes=listed)
    base_value = base.value - _credits_in(target, base.year)
    points = trajectory_of(target, base_value)
    target_value = points[-1][1]
    if target_value == base_value:
        return refused("no_change", year=target.base_year)
    decrease = target_value < base_value
    credits = _credits_in(target, current.year)
    figure = current.value - credits
    expected = value_at(points, current.year)
    if at_least_as_good(figure, target_value, decrease):
        status = ACHIEVED
    elif at_least_as_good(figure, expected, decrease):
        status = ON_TRACK
    else:
        status = OFF_TRACK
    return Assessment(
        status,
        None,
        base,
        current,
        target_value,
        points,
        expected,
        progress(base_value, target_value, figure),
        "decrease" if decrease else "increase",
        credits,
        figure if target.net else None,
    )
