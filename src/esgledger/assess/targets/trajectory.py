"""A target's trajectory and its progress.

The trajectory runs through the base year's value, the interim milestones and the target year's
value, straight between neighbouring points (linear interpolation). Progress is the share of the
way from the base value to the target value that the current value has come:

    progress = (base - current) / (base - target)

which works alike for a reduction (base > target) and an increase (base < target): 0 at the base
value, 1 (100 %) at the target, negative when the value moved away from it.

References: IFRS S2 para. 35 (performance against targets, milestones and interim targets);
HKEX ESG Reporting Code KPI A1.5 / A2.3 (description of targets and steps taken to achieve them).
"""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[int, float]  # (year, value)


def value_at(points: Sequence[Point], year: int) -> float:
    """The trajectory's value in ``year``: the first point's value before it, the last point's
    after it, and straight between the two points around it.

    Parameters
    ----------
    points : (year, value) pairs in increasing years, at least one
    year : the year asked about
    """
    if not points:
        raise ValueError("a trajectory needs at least one point")
    ordered = sorted(points)
    if year <= ordered[0][0]:
        return ordered[0][1]
    for (y0, v0), (y1, v1) in zip(ordered, ordered[1:], strict=False):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return ordered[-1][1]


def progress(base: float, target: float, current: float) -> float | None:
    """(base - current) / (base - target); None when base and target are equal."""
    if base == target:
        return None
    return (base - current) / (base - target)


def at_least_as_good(value: float, benchmark: float, decrease: bool) -> bool:
    """Whether ``value`` is at or past ``benchmark`` in the target's direction (a relative
    tolerance of 1e-9 absorbs floating-point noise)."""
    slack = 1e-9 * max(abs(value), abs(benchmark), 1e-12)
    return value <= benchmark + slack if decrease else value >= benchmark - slack
