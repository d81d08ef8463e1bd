"""Breakdowns of the demo profile: a figure split along catalogue axes, parts adding up exactly.

A profile line may carry ``split: {axis: {member: share, ...}}`` (or, for an axis whose members
divide the same total in two ways, a list of such mappings, one per partition:
``employee_category: [{senior_management: 0.01, ...}, {production: 0.74, ...}]``). A member's
entry is a share of the total, ``rest`` (what the other members leave), or the id of another
metric of the same entity and year (``recycling: waste.bauxite_residue_used``: that figure).
The total is rounded first (as the data row prints it); the members are then allocated in the
total's last printed digit by the largest-remainder method, so each partition adds up to the
printed total exactly. Members allocated nothing are left out.

``sum_of: {metric: waste.hazardous, axis: waste_treatment, members: [reuse, recycling]}`` makes a
line's value the sum of those members of another line of the same entity (hazardous waste
recovered = the recovery routes of hazardous waste), again exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

Partition = dict[str, float | str]
Split = dict[str, list[Partition]]
Allocation = dict[str, list[dict[str, int]]]  # axis -> partitions: member -> units


class SplitError(ValueError):
    """A malformed ``split`` or ``sum_of``; the message names the line."""


def parse_split(where: str, raw: Any) -> Split | None:
    """Check a line's ``split`` entry; shares are fractions in (0, 1] adding up to at most 1."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        raise SplitError(f"{where}: split: expected a mapping axis -> members")
    split: Split = {}
    for axis, given in raw.items():
        partitions = given if isinstance(given, list) else [given]
        checked = []
        for partition in partitions:
            if not isinstance(partition, dict) or not partition:
                raise SplitError(f"{where}: split {axis}: expected a mapping member -> share")
            shares = [v for v in partition.values() if isinstance(v, int | float)]
            rest = [v for v in partition.values() if v == "rest"]
            if any(not 0 <= v <= 1 for v in shares) or sum(shares) > 1 + 1e-9 or len(rest) > 1:
                raise SplitError(
                    f"{where}: split {axis}: shares between 0 and 1 adding up to at most 1, "
                    "and at most one 'rest'"
                )
            checked.append(dict(partition))
        split[str(axis)] = checked
    return split


def places_of(text: str) -> int:
    """Digits after the decimal point of a printed figure."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def printed(units: int, places: int) -> str:
    return str(units) if places == 0 else f"{units / 10**places:.{places}f}"


def allocate(
    where: str, total_text: str, split: Split, same_year: Callable[[str], float]
) -> Allocation:
    """Each partition of each axis in units of the total's last digit, adding up to it."""
    places = places_of(total_text)
    scale = 10**places
    total = round(float(total_text) * scale)
    found: Allocation = {}
    for axis, partitions in split.items():
        found[axis] = [_partition(where, axis, total, scale, p, same_year) for p in partitions]
    return found


def _partition(
    where: str,
    axis: str,
    total: int,
    scale: int,
    partition: Partition,
    same_year: Callable[[str], float],
) -> dict[str, int]:
    fixed = {
        m: round(same_year(v) * scale)
        for m, v in partition.items()
        if isinstance(v, str) and v != "rest"
    }
    shares = {m: float(v) for m, v in partition.items() if isinstance(v, int | float)}
    rest = [m for m, v in partition.items() if v == "rest"]
    left = total - sum(fixed.values())
    if left < 0:
        raise SplitError(f"{where}: split {axis}: the members given by metrics exceed the total")
    if rest:
        quotas = {m: share * total for m, share in shares.items()}
    else:
        weight = sum(shares.values()) or 1.0
        quotas = {m: share / weight * left for m, share in shares.items()}
    units = {m: math.floor(q) for m, q in quotas.items()}
    if not rest:  # largest remainders get the units the floors left over
        order = sorted(quotas, key=lambda m: (quotas[m] - units[m], m), reverse=True)
        for member in order[: left - sum(units.values())]:
            units[member] += 1
    result = {**fixed, **units}
    if rest:
        remainder = total - sum(result.values())
        if remainder < 0:
            raise SplitError(f"{where}: split {axis}: the shares exceed the total")
        result[rest[0]] = remainder
    return {m: u for m, u in result.items() if u > 0}


def sum_members(
    where: str, allocation: Mapping[str, list[dict[str, int]]] | None, spec: Mapping[str, Any]
) -> int:
    """The units of ``spec['members']`` of ``spec['axis']`` in an allocation (its first partition
    that names any of them)."""
    if allocation is None or spec["axis"] not in allocation:
        raise SplitError(f"{where}: sum_of: {spec['metric']} has no split by {spec['axis']}")
    for partition in allocation[spec["axis"]]:
        if any(m in partition for m in spec["members"]):
            return sum(partition.get(m, 0) for m in spec["members"])
    return 0
