"""The published numbers of a report year, as the XLSX data annex enumerates them
(:mod:`esgledger.report.annex`): the reporting entity's figures, the figures of stated
boundaries and the breakdown members, each with its lineage, factors and data points."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from esgledger.catalogue import Catalogue
from esgledger.lineage import Record
from esgledger.report.annex import figure_method
from esgledger.report.context import ReportContext
from esgledger.report.trace import FactorUse, Trace, subtree


def traces_of_year(context: ReportContext) -> Iterator[tuple[str, str, Trace]]:
    """(kind, metric id, trace) of every figure the report prints for its own year."""
    year = context.year
    for (metric_id, trace_year), trace in sorted(context.traces.items()):
        if trace_year == year:
            yield ("calculated" if trace.functions else "reported"), metric_id, trace
    figures = context.figures
    if figures is None:
        return
    for metric_id, by_key in sorted(figures.stated.items()):
        for _key, by_year in sorted(by_key.items()):
            if year in by_year:
                yield "stated", metric_id, by_year[year]
    for metric_id, members in sorted(figures.members.items()):
        for _key, trace in sorted(members.items()):
            yield "breakdown", metric_id, trace


def factor_dict(factor: FactorUse) -> dict[str, Any]:
    return {
        "factor": factor.factor,
        "value": factor.value,
        "unit": factor.unit,
        "factor_set": factor.factor_set,
        "edition": factor.edition,
        "version": factor.version,
        "valid_from": factor.valid_from,
        "source": factor.source,
        "confidence": factor.confidence,
        "unverified": factor.unverified,
    }


def published_figures(
    context: ReportContext, catalogue: Catalogue, records: dict[str, Record]
) -> list[dict[str, Any]]:
    """One entry per published number of the report year: what the annex prints, the metric
    group (the sample's strata are per group) and the data point ids under its lineage."""
    found: dict[str, dict[str, Any]] = {}
    for kind, metric_id, trace in traces_of_year(context):
        if trace.key in found:
            continue
        points = sorted(
            {
                point["id"]
                for record, _share in subtree(records, trace.key)
                for point in record.get("datapoints", [])
            }
        )
        found[trace.key] = {
            "key": trace.key,
            "kind": kind,
            "metric_id": trace.metric,
            "metric": catalogue.label(trace.metric, "en"),
            "metric_zh": catalogue.label(trace.metric, "zh"),
            "group": catalogue[metric_id].group,
            "entity": trace.entity,
            "period": trace.period,
            "value": trace.value,
            "unit": trace.unit,
            "method": figure_method(trace),
            "statuses": dict(sorted(trace.statuses.items())),
            "lineage_key": trace.key,
            "formula": trace.functions,
            "factors": [factor_dict(f) for f in trace.factors],
            "datapoints": points,
        }
    return [found[key] for key in sorted(found)]
