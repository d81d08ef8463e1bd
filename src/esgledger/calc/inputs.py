"""Turn stored data points into the reported values of one period, with their lineage records.

An annual period reads the annual data point when there is one; otherwise it adds up the monthly
data points of that year (for metrics aggregated by sum). When both exist and disagree, the annual
value is used and the lineage says by how much the months differ.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from esgledger.calc.lineage import key
from esgledger.catalogue import Catalogue
from esgledger.domain import DataPoint, Period

MISMATCH_TOLERANCE = 1e-6


def _datapoint_ref(point: DataPoint) -> dict[str, Any]:
    return {
        "id": point.id,
        "period": point.period,
        "value": point.value,
        "unit": point.unit,
        "value_normalised": point.value_normalised,
        "method": point.method,
        "status": point.status,
        "version": point.version,
        "source": point.source,
        "note": point.note,
        "created_by": point.created_by,
    }


def reported_values(
    points: list[DataPoint], period: Period, catalogue: Catalogue
) -> dict[tuple[str, str], tuple[float, dict[str, Any]]]:
    """``(entity, metric) -> (value in the metric's unit, lineage record)`` for ``period``."""
    grouped: dict[tuple[str, str], list[DataPoint]] = defaultdict(list)
    wanted = str(period)
    for point in points:
        if point.period == wanted or (period.month is None and point.period[:4] == wanted
                                      and len(point.period) == 7):
            grouped[(point.entity_id, point.metric_id)].append(point)
    result = {}
    for (entity_id, metric_id), found in grouped.items():
        metric = catalogue.metrics.get(metric_id)
        if metric is None:
            continue
        annual = [p for p in found if p.period == wanted]
        monthly = sorted((p for p in found if p.period != wanted), key=lambda p: p.period)
        notes: list[str] = []
        if annual:
            value = annual[0].value_normalised
            used = annual
            how = "reported"
            if monthly and metric.aggregation == "sum":
                month_sum = sum(p.value_normalised for p in monthly)
                if abs(month_sum - value) > MISMATCH_TOLERANCE * max(1.0, abs(value)):
                    notes.append(
                        f"the {len(monthly)} monthly values add up to {month_sum:g} {metric.unit}, "
                        f"not the annual {value:g} {metric.unit}; the annual value is used"
                    )
        elif metric.aggregation == "sum":
            value = sum(p.value_normalised for p in monthly)
            used = monthly
            how = f"sum of {len(monthly)} monthly values"
            if len(monthly) < 12 and period.month is None:
                notes.append(f"only {len(monthly)} of 12 months reported")
        else:
            value = sum(p.value_normalised for p in monthly) / len(monthly)
            used = monthly
            how = f"mean of {len(monthly)} monthly values"
        record = {
            "key": key(metric_id, entity_id, wanted),
            "metric": metric_id,
            "entity": entity_id,
            "period": wanted,
            "value": value,
            "unit": metric.unit,
            "kind": "input",
            "formula": how,
            "datapoints": [_datapoint_ref(p) for p in used],
            "notes": notes,
        }
        result[(entity_id, metric_id)] = (value, record)
    return result
