"""Reads the web pages need on top of :class:`esgledger.collaboration.Collaboration`.

Each goes through the collaboration service or the policy (:mod:`esgledger.access.policy`); none
decides a permission of its own.
"""

from __future__ import annotations

from typing import Any

from esgledger.access.policy import can
from esgledger.access.principal import Principal
from esgledger.collaboration import Collaboration
from esgledger.domain import DataPoint
from esgledger.service_errors import Forbidden, NotFound
from esgledger.workflow import review, trail
from esgledger.workflow.queries import Filters

PAGE = 500


def may(user: Principal, action: str, entity_id: str | None = None) -> bool:
    """Whether to offer ``action`` (on ``entity_id``): the policy's answer."""
    return can(user, action, entity_id)


def change_threshold(collab: Collaboration) -> float:
    """The relative change against last year above which a value needs an explanation."""
    with collab.db.reading() as connection:
        return review.change_threshold(connection)


def all_points(collab: Collaboration, user: Principal, filters: Filters) -> list[DataPoint]:
    """Every current data point in the user's scope matching ``filters`` (all pages)."""
    found: list[DataPoint] = []
    while True:
        page, total = collab.datapoints(user, filters, PAGE, len(found))
        found.extend(page)
        if not page or len(found) >= total:
            return found


def built_report(
    collab: Collaboration, user: Principal, period: str, lang: str
) -> dict[str, Any] | None:
    """The record of the last build of a report, or None when there is none (or it may not be
    read by this user)."""
    try:
        record, _path = collab.report_file(user, period, lang)
    except (NotFound, Forbidden):
        return None
    return {k: record[k] for k in ("file_name", "sha256", "at", "by")}


def calculated(collab: Collaboration, user: Principal, period: str) -> dict[tuple[str, str], Any]:
    """``(entity, metric) -> (value, unit)`` of the stored calculation of ``period`` in scope."""
    if not may(user, "calc.read"):
        return {}
    return {
        (v["entity"], v["metric"]): (v["value"], v["unit"])
        for v in collab.calc_values(user, period)
    }


def explanations(collab: Collaboration, points: list[DataPoint]) -> dict[int, list[str]]:
    """The explanations given for each of ``points`` (already read through the service, so in
    the user's scope): data point id -> texts."""
    if not points:
        return {}
    with collab.db.reading() as connection:
        rows = trail.comments_for(connection, [p.id for p in points])
    found: dict[int, list[str]] = {}
    for row in rows:
        if row["action"] == "explain" and row["comment"]:
            found.setdefault(row["datapoint_id"], []).append(row["comment"])
    return found
