"""Reads for the review screens: filtered, paginated lists and the full history of a data point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import authorize
from esgledger.access.principal import Principal
from esgledger.domain import DataPoint
from esgledger.ledger.audit_query import covered, entries_of
from esgledger.ledger.reads import datapoint_history, select_datapoints
from esgledger.store.schema import datapoints, evidence
from esgledger.workflow import trail
from esgledger.workflow.entries import current_by_id
from esgledger.workflow.views import point_dict


@dataclass(frozen=True)
class Filters:
    """Each given filter narrows the list. ``months``: a year's ``period`` also selects the
    year's months (a year's review and lock cover them); ``after``: ids above this one only
    (the next page of a list whose items leave it, such as the review queue)."""

    period: str | None = None
    entity: str | None = None
    metric: str | None = None
    status: str | None = None
    entered_by: str | None = None
    months: bool = False
    after: int | None = None


def list_points(
    connection: sa.Connection, user: Principal, filters: Filters, limit: int, offset: int
) -> tuple[list[DataPoint], int]:
    """Current data points the user may see, matching ``filters``, ordered by id."""
    where: list[sa.ColumnElement[bool]] = [datapoints.c.is_current.is_(True)]
    if user.scope is not None:
        where.append(datapoints.c.entity_id.in_(sorted(user.scope)))
    if filters.period is not None and filters.months:
        where.append(datapoints.c.period.in_(covered(filters.period)))
    elif filters.period is not None:
        where.append(datapoints.c.period == filters.period)
    if filters.after is not None:
        where.append(datapoints.c.id > filters.after)
    for column, value in (
        (datapoints.c.entity_id, filters.entity),
        (datapoints.c.metric_id, filters.metric),
        (datapoints.c.status, filters.status),
        (datapoints.c.created_by, filters.entered_by),
    ):
        if value is not None:
            where.append(column == value)
    total = connection.execute(
        sa.select(sa.func.count()).where(*where).select_from(datapoints)
    ).scalar_one()
    query = (
        sa.select(datapoints).where(*where).order_by(datapoints.c.id).limit(limit).offset(offset)
    )
    return select_datapoints(connection, query), int(total)


def history(connection: sa.Connection, user: Principal, datapoint_id: int) -> dict[str, Any]:
    """Every version, review comment, evidence file and audit entry of a data point."""
    point = current_by_id(connection, user, datapoint_id)
    authorize(user, "datapoint.history", point.entity_id)
    versions = datapoint_history(connection, point.entity_id, point.period, point.metric_id)
    ids = [v.id for v in versions]
    return {
        "current": point_dict(point),
        "versions": [point_dict(v) for v in versions],
        "comments": trail.comments_for(connection, ids),
        "evidence": evidence_rows(connection, ids),
        "audit": entries_of(connection, "datapoint", [str(i) for i in ids]),
    }


def version_ids(connection: sa.Connection, point: DataPoint) -> list[int]:
    return [
        v.id for v in datapoint_history(connection, point.entity_id, point.period, point.metric_id)
    ]


def evidence_rows(connection: sa.Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(evidence).where(evidence.c.datapoint_id.in_(ids)).order_by(evidence.c.id)
    )
    return [
        {
            "id": r.id,
            "datapoint_id": r.datapoint_id,
            "file_name": r.file_name,
            "content_type": r.content_type,
            "size": r.size,
            "sha256": r.sha256,
            "uploaded_by": r.uploaded_by,
            "uploaded_at": r.uploaded_at,
        }
        for r in rows
    ]
