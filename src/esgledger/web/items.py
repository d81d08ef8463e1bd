"""A data point with what a reviewer needs at hand: last year, the change, explanations, history,
evidence, whether an explanation of a calculation exists, and which actions the policy allows."""

from __future__ import annotations

from typing import Any

from esgledger.access.principal import Principal
from esgledger.collaboration import Collaboration
from esgledger.domain import DataPoint
from esgledger.web.entry import change, over
from esgledger.web.extras import change_threshold
from esgledger.workflow.views import point_dict

ACTIONS = ("approve", "reject", "correct", "submit", "history")


def allowed_actions(collab: Collaboration, user: Principal, datapoint_id: int) -> dict[str, bool]:
    """``action -> allowed`` for the buttons of one data point (the policy's answers)."""
    found = {a: collab.allowed(user, f"datapoint.{a}", datapoint_id) for a in ACTIONS}
    found["evidence_upload"] = collab.allowed(user, "evidence.upload", datapoint_id)
    found["evidence_read"] = collab.allowed(user, "evidence.read", datapoint_id)
    return found


def item(
    collab: Collaboration,
    user: Principal,
    point: DataPoint,
    calculated: dict[tuple[str, str], Any],
    threshold: float | None = None,
) -> dict[str, Any]:
    """Everything shown about ``point`` on a review card or its own page."""
    can = allowed_actions(collab, user, point.id)
    before = collab.last_year(user, point.id)
    history = collab.history(user, point.id) if can["history"] else None
    ratio = change(point.value_normalised, before)
    limit = change_threshold(collab) if threshold is None else threshold
    comments = history["comments"] if history else []
    return {
        "point": point_dict(point),
        "last_year": point_dict(before) if before else None,
        "change": ratio,
        "over_threshold": over(ratio, limit),
        "explanations": [c for c in comments if c["action"] == "explain"],
        "comments": comments,
        "versions": history["versions"] if history else [],
        "evidence": history["evidence"] if history else [],
        "audit": history["audit"] if history else [],
        "explain": (point.entity_id, point.metric_id) in calculated,
        "can": can,
    }
