"""Plain-dict views of workflow objects, shared by the API, the web pages and error details."""

from __future__ import annotations

from typing import Any

from esgledger.catalogue.model import Metric
from esgledger.domain import DataPoint
from esgledger.units import suggested_units


def point_dict(point: DataPoint) -> dict[str, Any]:
    return {
        "id": point.id,
        "entity": point.entity_id,
        "period": point.period,
        "metric": point.metric_id,
        "value": point.value,
        "unit": point.unit,
        "value_normalised": point.value_normalised,
        "method": point.method,
        "status": point.status,
        "version": point.version,
        "source": point.source,
        "note": point.note,
        "created_at": point.created_at,
        "created_by": point.created_by,
    }


def metric_dict(metric: Metric) -> dict[str, Any]:
    """A catalogue entry with the units a value of it may be entered in."""
    return {
        "id": metric.id,
        "name": dict(metric.name),
        "unit": metric.unit,
        "units": suggested_units(metric.unit),
        "kind": metric.kind,
        "group": metric.group,
        "aggregation": metric.aggregation,
    }
