"""Breakdown members in a calculation: each member's values seen as a set of totals, so that
formulas and ratios apply per member where their inputs have it (turnover rate of women = women who
left / women employed), and the check that a breakdown adds up to its total."""

from __future__ import annotations

from esgledger.calc.context import Value
from esgledger.calc.notes import note
from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import COVERS, split_key
from esgledger.lineage import Record

Members = tuple[tuple[str, str], ...]  # (axis, member) pairs, axes in alphabetical order


def member_views(values: dict[str, Value]) -> dict[Members, dict[str, Value]]:
    """The broken-down values of ``values`` (by metric key) grouped by their members, each group
    by metric id: ``{(("gender", "female"),): {"workforce.headcount": Value, ...}}``."""
    views: dict[Members, dict[str, Value]] = {}
    for metric_key, value in values.items():
        metric_id, members = split_key(metric_key)
        if members:
            views.setdefault(tuple(sorted(members.items())), {})[metric_id] = value
    return views


def stated_boundary(members: Members) -> bool:
    """Whether a member view holds figures of a stated boundary (``covers=``)."""
    return any(axis == COVERS for axis, _member in members)


def formed_in_view(stated: bool, values: dict[str, Value], inputs: tuple[str, ...]) -> bool:
    """Whether a derived metric is formed in a member view: where any of its inputs has the
    member; for figures of a stated boundary (``stated``), only where every input has it: one
    table's figures of "excluding the power plant" are never completed with zeros."""
    if stated:
        return all(name in values for name in inputs)
    return any(name in values for name in inputs)


def breakdown_keys(*sources: dict[str, Value]) -> list[str]:
    """Every metric key with members among ``sources``, each once, sorted."""
    return sorted({k for source in sources for k in source if split_key(k)[1]})


def check_sums(catalogue: Catalogue, total: dict[str, Value], records: dict[str, Record]) -> None:
    """Add a note to each total that its breakdown along one axis does not add up to (figures
    broken down by one axis only; the members that must add up are those of one partition of
    the axis, :meth:`~esgledger.catalogue.breakdowns.Axis.adding_groups`)."""
    members: dict[tuple[str, str], dict[str, float]] = {}
    for metric_key, value in total.items():
        metric_id, found = split_key(metric_key)
        if len(found) == 1 and COVERS not in found and catalogue[metric_id].aggregation == "sum":
            ((axis, member),) = found.items()
            members.setdefault((metric_id, axis), {})[member] = value.value
    for (metric_id, axis), values in sorted(members.items()):
        whole = total.get(metric_id)
        if whole is None or axis not in catalogue.axes:
            continue
        for group in catalogue.axes[axis].adding_groups(values):
            added = sum(values[m] for m in group)
            if abs(added - whole.value) <= 1e-6 * max(1.0, abs(whole.value)):
                continue
            record = records[whole.key]
            record.setdefault("notes", []).append(
                note(
                    "breakdown_sum",
                    axis=axis,
                    sum=added,
                    total=whole.value,
                    unit=whole.unit,
                    difference=added - whole.value,
                )
            )
