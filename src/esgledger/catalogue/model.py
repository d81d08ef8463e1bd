"""Typed metric definitions, as read from the reviewed YAML catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from esgledger.catalogue.breakdowns import Axis, base_metric, load_axes, split_key
from esgledger.errors import EsgLedgerError

AGGREGATIONS = ("sum", "ratio", "none")
KINDS = ("input", "derived")


@dataclass(frozen=True)
class FormulaSpec:
    """A derived metric's formula: a named function from ``calc.formulas`` and its inputs."""

    function: str
    inputs: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    """One catalogue entry.

    ``aggregation`` says how the value of a parent entity is formed: ``sum`` adds the entity's own value
    to its children's; ``ratio`` recomputes the formula from the parent's rolled-up inputs (a ratio is
    never averaged); ``none`` means the value belongs to the entity alone (site parameters).
    """

    id: str
    name: dict[str, str]
    unit: str
    kind: str
    aggregation: str
    group: str
    source_file: str
    nonnegative: bool = True
    count: bool = False  # counts people, cases, suppliers: whole numbers only
    formula: FormulaSpec | None = None
    frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    roles: tuple[str, ...] = ()
    axes: tuple[str, ...] = ()  # the breakdowns a figure may carry (catalogue/axes.yaml)

    @property
    def is_derived(self) -> bool:
        return self.kind == "derived"

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name["en"]


@dataclass
class Catalogue:
    """All metrics, in a dependency order in which each derived metric follows its inputs.

    ``roles`` names the metrics code relies on by what they are, not by their id (``roles:
    [base_year_total]`` on a metric): the code asks :meth:`role`, the catalogue says which metric.
    """

    metrics: dict[str, Metric]
    order: list[str]
    groups: dict[str, dict[str, str]]
    sha256: str
    roles: dict[str, str] = field(default_factory=dict)  # role -> metric id
    # breakdown axes: the built-in ones (axes.yaml) with the organisation's axes and members
    axes: dict[str, Axis] = field(default_factory=load_axes)

    def __contains__(self, metric_id: str) -> bool:
        return metric_id in self.metrics

    def __getitem__(self, metric_key: str) -> Metric:
        """The metric of an id or of a metric key with breakdown members (``m{gender=female}``:
        see :mod:`esgledger.catalogue.breakdowns`)."""
        return self.metrics[base_metric(metric_key)]

    def find(self, metric_key: str) -> Metric | None:
        """The metric of an id or a metric key with breakdown members; None when unknown."""
        return self.metrics.get(base_metric(metric_key))

    def label(self, metric_key: str, lang: str) -> str:
        """The metric's name, with the breakdown members of a metric key in brackets
        (``Employees at year end (Female, Under 30)``); the key itself when unknown."""
        metric = self.find(metric_key)
        if metric is None:
            return metric_key
        _id, members = split_key(metric_key)
        if not members:
            return metric.label(lang)
        axes = self.axes
        shown = [
            axes[axis].member_label(member, lang)
            if axis in axes and member in axes[axis].members
            else f"{'范围' if lang == 'zh' else axis}: {member}"
            for axis, member in sorted(members.items())
        ]
        open_, close, sep = ("（", "）", "，") if lang == "zh" else (" (", ")", ", ")
        return f"{metric.label(lang)}{open_}{sep.join(shown)}{close}"

    def inputs(self) -> list[Metric]:
        return list(self._inputs)

    def derived(self) -> list[Metric]:
        """The derived metrics in dependency order (each after its inputs)."""
        return list(self._derived)

    @cached_property
    def _inputs(self) -> tuple[Metric, ...]:  # asked for once per entity by a calculation
        return tuple(m for m in self.metrics.values() if not m.is_derived)

    @cached_property
    def _derived(self) -> tuple[Metric, ...]:
        return tuple(self.metrics[mid] for mid in self.order if self.metrics[mid].is_derived)

    def activity_metrics(self) -> list[Metric]:
        """The metrics an activity file may carry (bulk records): energy carriers that users
        report themselves, i.e. input metrics with an ``energy.tce_factor`` (GB/T 2589 converts
        them to standard coal) that are not filled from transfers or certificates (``source``)."""
        return [
            m
            for m in self.inputs()
            if m.attributes.get("energy", {}).get("tce_factor") and "source" not in m.attributes
        ]

    def in_group(self, group: str) -> list[Metric]:
        return [m for m in self.metrics.values() if m.group == group]

    def role(self, name: str) -> Metric:
        """The metric that plays ``name``; an error naming the role when no metric declares it."""
        metric_id = self.roles.get(name)
        if metric_id is None:
            known = ", ".join(sorted(self.roles)) or "none"
            raise EsgLedgerError(
                f"no metric of the catalogue has the role {name!r}: add 'roles: [{name}]' to the "
                f"metric that plays it (roles declared: {known})"
            )
        return self.metrics[metric_id]
