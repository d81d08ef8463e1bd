"""Breakdowns: the axes a metric may be broken down by, and the key of a broken-down figure.

Axes and their members are reviewed, bilingual data (``axes.yaml``). A figure broken down by
members is kept under its *metric key*: the metric id followed by its members in braces, axes in
alphabetical order (``workforce.headcount{age_band=under_30;gender=female}``); the total is the
bare metric id. The metric key is what the ledger, the calculation and lineage keys use, so a
breakdown has its own versions, review, roll-up and explanation, exactly like a total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from esgledger.errors import RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

AXES_FILE = Path(__file__).with_name("axes.yaml")
OPEN, CLOSE, PAIRS, EQUALS = "{", "}", ";", "="
# The boundary of a figure that covers part of its entity's subtree (``covers=-plant_x`` or
# ``covers=mill,foil``): kept beside the breakdown members in the key, never an axis of its own.
COVERS, EXCLUDED, LISTED = "covers", "-", ","


@dataclass(frozen=True)
class Axis:
    """One breakdown axis: its members in the file's order, each with its English and Chinese
    label, and the disclosures that ask for it."""

    id: str
    name: dict[str, str]
    members: dict[str, dict[str, str]]
    citation: str
    # groups of members that each make up the whole (full- and part-time; permanent and
    # temporary); none declared: the members are exclusive and together make up the whole
    partitions: tuple[tuple[str, ...], ...] = ()

    def adding_groups(self, reported: Iterable[str]) -> list[tuple[str, ...]]:
        """The groups of ``reported`` members that must add up to the total: all of them when
        they lie within one partition (a partial breakdown is then found short); otherwise each
        partition reported in full (a staff count by level and by function, side by side)."""
        chosen = set(reported)
        found = tuple(m for m in self.members if m in chosen)
        partitions = self.partitions or (tuple(self.members),)
        if any(chosen <= set(partition) for partition in partitions):
            return [found] if found else []
        return [p for p in partitions if set(p) <= chosen]

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name["en"]

    def member_label(self, member: str, lang: str) -> str:
        labels = self.members[member]
        return labels.get(lang) or labels["en"]


@lru_cache(maxsize=2)
def load_axes(path: Path = AXES_FILE) -> dict[str, Axis]:
    """Every axis of ``path``; a malformed entry is a :class:`RuleFileError` naming it."""
    content, _sha = read_rule_file(path)
    if not isinstance(content, dict) or not isinstance(content.get("axes"), dict):
        raise RuleFileError(str(path), "expected 'axes:' mapping axis ids to their members")
    axes = {}
    for axis_id, spec in content["axes"].items():
        where = f"{path}: axis {axis_id}"
        check_keys(where, spec, ["name", "citation", "members"], ["partitions"])
        members = spec["members"]
        if not isinstance(members, dict) or not members:
            raise RuleFileError(where, "needs at least one member")
        for member in members:
            if not _is_name(str(member)):
                raise RuleFileError(where, f"member id {member!r}: use letters, digits and _")
        axes[str(axis_id)] = Axis(
            str(axis_id),
            bilingual(f"{where}: name", spec["name"]),
            {str(m): bilingual(f"{where}: member {m}", labels) for m, labels in members.items()},
            str(spec["citation"]),
            parse_partitions(where, spec.get("partitions"), members),
        )
    return axes


def parse_partitions(where: str, given: object, members: dict) -> tuple[tuple[str, ...], ...]:
    """An axis' ``partitions``: lists of its members, each of two or more."""
    if given is None:
        return ()
    if not isinstance(given, list) or not all(
        isinstance(p, list) and len(p) >= 2 and all(str(m) in members for m in p) for p in given
    ):
        raise RuleFileError(
            where, f"partitions are lists of two or more of the axis' members, not {given!r}"
        )
    return tuple(tuple(str(m) for m in partition) for partition in given)


def _is_name(text: str) -> bool:
    return bool(text) and all(c.isascii() and (c.isalnum() or c == "_") for c in text)


def split_key(metric_key: str) -> tuple[str, dict[str, str]]:
    """``(metric id, {axis: member})`` of a metric key; no members for a total."""
    if not metric_key.endswith(CLOSE) or OPEN not in metric_key:
        return metric_key, {}
    metric_id, _, inner = metric_key[:-1].partition(OPEN)
    members = dict(pair.split(EQUALS, 1) for pair in inner.split(PAIRS) if EQUALS in pair)
    return metric_id, members


def base_metric(metric_key: str) -> str:
    """The metric id of a metric key (itself for a total)."""
    return metric_key.partition(OPEN)[0]


def dimensions_text(members: dict[str, str]) -> str:
    """``age_band=under_30;gender=female``: the members, axes in alphabetical order."""
    return PAIRS.join(f"{axis}{EQUALS}{members[axis]}" for axis in sorted(members))


def metric_key(metric_id: str, members: dict[str, str]) -> str:
    """The key of ``metric_id`` broken down by ``members`` (the metric id itself for none)."""
    return f"{metric_id}{OPEN}{dimensions_text(members)}{CLOSE}" if members else metric_id


class BreakdownError(ValueError):
    """A breakdown that the metric does not have: names the axis or member and what is allowed."""


def parse_dimensions(
    text: str, metric_id: str, allowed_axes: tuple[str, ...], axes: dict[str, Axis] | None = None
) -> dict[str, str]:
    """``gender=female;age_band=under_30`` as members of ``metric_id``'s axes; a
    :class:`BreakdownError` names an unknown axis, an axis the metric has not, an unknown member
    or an axis given twice, with what is allowed."""
    known = axes if axes is not None else load_axes()
    members: dict[str, str] = {}
    for part in (p.strip() for p in str(text).replace("；", PAIRS).split(PAIRS)):
        if not part:
            continue
        axis, equals, member = (s.strip() for s in part.partition(EQUALS))
        if not equals or not axis or not member:
            raise BreakdownError(f"{part!r} is not axis=member (for example gender=female)")
        has = ", ".join(allowed_axes) if allowed_axes else "none"
        if axis not in known:
            raise BreakdownError(f"unknown axis {axis!r}; {metric_id}'s axes: {has}")
        if axis not in allowed_axes:
            raise BreakdownError(f"{metric_id} has no breakdown by {axis!r}; its axes: {has}")
        if member not in known[axis].members:
            raise BreakdownError(
                f"{axis} has no member {member!r}; members: {', '.join(known[axis].members)}"
            )
        if axis in members:
            raise BreakdownError(f"axis {axis!r} is given twice")
        members[axis] = member
    return members


def covers_text(entity_id: str, written: str, subtree: set[str]) -> str:
    """The boundary of a figure reported at ``entity_id`` that covers part of its subtree, as
    the key writes it: included ids (``mill,foil``) or excluded ones (``-power``), sorted; empty
    when it is the whole subtree. ``written``: ids separated by ``;`` or ``,``, each optionally
    ``-ID`` to exclude it. A :class:`BreakdownError` names an id outside the subtree, or a mix
    of included and excluded ids."""
    tokens = [t.strip() for t in written.replace(";", LISTED).split(LISTED) if t.strip()]
    excluded = sorted({t[1:].strip() for t in tokens if t.startswith(EXCLUDED)})
    included = sorted({t for t in tokens if not t.startswith(EXCLUDED)})
    if excluded and included:
        raise BreakdownError(
            "either the entities covered (mill;foil) or those left out (-power), not both"
        )
    for entity in excluded + included:
        if entity not in subtree:
            raise BreakdownError(
                f"{entity!r} is not {entity_id} or one of its sub-entities; a figure of "
                f"{entity_id} covers part of its own subtree"
            )
    if excluded:
        if entity_id in excluded:
            raise BreakdownError(f"{entity_id} cannot leave itself out of its own figure")
        return LISTED.join(EXCLUDED + e for e in excluded)
    if not included or included == sorted(subtree):
        return ""
    return LISTED.join(included)
