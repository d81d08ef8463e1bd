"""What the charts draw, gathered once from what the report already reads: the stored runs'
figures of the reporting entity (as the tables print them), each entity's part of the group
figures, breakdown members, the energy total's carriers net of internal supplies, the targets'
assessments (``services.targets.listing`` rows) and the materiality results when there are some."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from esgledger.catalogue import Catalogue
from esgledger.catalogue.breakdowns import COVERS, split_key
from esgledger.report.chart_data import ENERGY_TOTAL_ROLE
from esgledger.report.context import ReportContext

OTHER = "other"  # the part of the energy total that no carrier's term itemises


@dataclass(frozen=True)
class MaterialityData:
    """An assessment's results as :func:`esgledger.assess.materiality.matrix.matrix_svg` reads
    them, with topic names in both languages."""

    period: str
    results: Mapping[str, Mapping[str, Any]]
    names: Mapping[str, Mapping[str, str]]  # topic -> lang -> name
    thresholds: Mapping[str, float]
    scale: Mapping[str, int]


@dataclass
class ReportData:
    catalogue: Catalogue
    year: str
    years: list[str]
    values: dict[tuple[str, str], float] = field(default_factory=dict)  # (metric, year)
    by_entity: dict[str, dict[str, float]] = field(default_factory=dict)  # report year
    entity_names: dict[str, str] = field(default_factory=dict)
    members: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    # metric -> axis -> member -> value (report year)
    energy_mix: list[tuple[str, float]] = field(default_factory=list)  # carrier metric, value
    energy_unit: str = "tce"
    targets: list[Mapping[str, Any]] = field(default_factory=list)
    materiality: MaterialityData | None = None

    def value(self, metric_id: str, year: str) -> float | None:
        return self.values.get((metric_id, year))


def report_data(
    context: ReportContext,
    catalogue: Catalogue,
    targets: Iterable[Mapping[str, Any]] = (),
    materiality: MaterialityData | None = None,
) -> ReportData:
    """The charts' data of the report ``context`` (:func:`esgledger.report.build.report_context`)."""
    data = ReportData(
        catalogue,
        context.year,
        list(context.years),
        targets=list(targets),
        materiality=materiality,
    )
    names = context.names
    for (metric_id, year), trace in context.traces.items():
        data.values[(metric_id, year)] = trace.value
        if year != context.year:
            continue
        parts: dict[str, float] = {}
        if trace.own:
            parts[trace.entity] = float(trace.own["value"])
        for child in trace.children:
            share = float(child.get("factor", 1.0))
            parts[child["entity"]] = parts.get(child["entity"], 0.0) + child["value"] * share
        if parts:
            data.by_entity[metric_id] = parts
            for entity in parts:
                data.entity_names[entity] = names(entity) if names is not None else entity
    figures = context.figures
    if figures is not None:
        for metric_id, members in figures.members.items():
            for key, trace in members.items():
                _id, pairs = split_key(key)
                if COVERS in pairs or len(pairs) != 1:
                    continue
                ((axis, member),) = pairs.items()
                data.members.setdefault(metric_id, {}).setdefault(axis, {})[member] = trace.value
    total = context.traces.get((catalogue.role(ENERGY_TOTAL_ROLE).id, context.year))
    if total is not None and total.breakdown:
        data.energy_unit = total.unit
        data.energy_mix = [
            (line.metric, line.contribution or 0.0)
            for line in total.breakdown
            if (line.contribution or 0.0) > 0
        ]
        remainder = total.value - total.itemised
        if remainder > 1e-3 * max(1.0, abs(total.value)):
            data.energy_mix.append((OTHER, remainder))
    return data
