"""Plain-dict views of workflow objects, shared by the API, the web pages and error details."""

from __future__ import annotations

from typing import Any

from esgledger.catalogue.breakdowns import split_key
from esgledger.catalogue.model import Metric
from esgledger.catalogue.organisation import GROUP as ORGANISATION_GROUP
from esgledger.domain import DataPoint
from esgledger.units import suggested_units


def point_dict(point: DataPoint) -> dict[str, Any]:
    """A data point as the API and the pages' JSON give it: ``metric`` is its metric key (the
    metric id, with breakdown members in braces), ``metric_id`` and ``dimensions`` the two
    parts (no members for a total)."""
    metric_id, members = split_key(point.metric_id)
    return {
        "id": point.id,
        "entity": point.entity_id,
        "period": point.period,
        "metric": point.metric_id,
        "metric_id": metric_id,
        "dimensions": members,
        "value": point.value,
        "unit": point.unit,
        "value_normalised": point.value_normalised,
        "method": point.method,
        "status": point.status,
        "version": point.version,
        "source": point.source,
        "note": point.note,
        "note_public": point.note_public,
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
        "axes": list(metric.axes),
        "count": metric.count,
        "origin": "organisation" if metric.group == ORGANISATION_GROUP else "built-in",
    }
