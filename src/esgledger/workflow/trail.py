"""The review trail of a data point: comments and status changes, each with its audit entry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esgledger.domain import DataPoint
from esgledger.free_text import check_text
from esgledger.ledger.change import Change
from esgledger.store.schema import datapoints, review_comments

ACTIONS = ("explain", "submit", "approve", "reject")


def comment(
    change: Change,
    point: DataPoint,
    action: str,
    text: str | None,
    new_status: str | None = None,
) -> None:
    """Record ``action`` on the current version of ``point`` (and move it to ``new_status``)."""
    check_text(text, "explanation" if action == "explain" else "comment")
    _id, stamp = change.insert_returning_id(
        review_comments,
        {
            "datapoint_id": point.id,
            "action": action,
            "comment": text,
            "by": change.actor,
            "at": change.at,
        },
    )
    stamps = [stamp]
    payload: dict[str, Any] = {"id": point.id, "version": point.version, "comment": text}
    if new_status is not None:
        stamps += change.update(datapoints, datapoints.c.id == point.id, {"status": new_status})
        payload.update(status_before=point.status, status=new_status)
    change.record(f"datapoint.{action}", "datapoint", str(point.id), payload, stamps)


def has_explanation(connection: sa.Connection, point: DataPoint) -> bool:
    return (
        connection.execute(
            sa.select(review_comments.c.id).where(
                review_comments.c.datapoint_id == point.id, review_comments.c.action == "explain"
            )
        ).first()
        is not None
    )


def comments_for(connection: sa.Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = connection.execute(
        sa.select(review_comments)
        .where(review_comments.c.datapoint_id.in_(ids))
        .order_by(review_comments.c.id)
    )
    return [
        {
            "datapoint_id": r.datapoint_id,
            "action": r.action,
            "comment": r.comment,
            "by": r.by,
            "at": r.at,
        }
        for r in rows
    ]
