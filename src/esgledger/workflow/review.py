"""Submit, approve and reject a data point version.

Each names the version it acts on, so that nobody approves a value other than the one they looked
at. A value that changed against last year by more than the threshold (default 30 %) needs an
explanation before it can be submitted; it may also be recorded on its own, on a draft or rejected
value (:func:`explain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import sqlalchemy as sa

from esgledger.access.policy import authorize
from esgledger.access.principal import Principal
from esgledger.domain import DataPoint, Period
from esgledger.ledger import settings
from esgledger.ledger.change import Change
from esgledger.ledger.reads import current_datapoint, current_datapoints
from esgledger.ledger.writes import NewValue
from esgledger.service_errors import Conflict, Invalid
from esgledger.workflow import trail
from esgledger.workflow.configuration import Configuration, ConfigurationCache
from esgledger.workflow.entries import check_version, current_by_id, facts
from esgledger.workflow.periods import refuse_lock
from esgledger.year_change import YearChange, change_between

# status a value must be in -> status it moves to
TRANSITIONS = {
    "submit": (("draft", "rejected"), "submitted"),
    "approve": (("submitted",), "approved"),
    "reject": (("submitted",), "rejected"),
}


def change_threshold(connection: sa.Connection) -> float:
    return float(settings.read(connection, "review.change_threshold"))


def last_year(connection: sa.Connection, point: DataPoint) -> DataPoint | None:
    previous = str(Period.parse(point.period).previous_year())
    return current_datapoint(connection, point.entity_id, previous, point.metric_id)


def change_against_last_year(connection: sa.Connection, point: DataPoint) -> YearChange:
    """The change of ``point`` against the same metric and entity a year earlier."""
    before = last_year(connection, point)
    return change_between(
        point.value_normalised, None if before is None else before.value_normalised
    )


def unexplained_changes(
    connection: sa.Connection, values: Sequence[NewValue], threshold: float
) -> set[int]:
    """Indexes of ``values`` whose change against last year's current value is over
    ``threshold``: submitted, each would need an explanation first. Last year's value is the
    one of ``values`` when they hold it (a file of several years), else the ledger's."""
    previous = {v.period: str(Period.parse(v.period).previous_year()) for v in values}
    last: dict[tuple[str, str, str], float | None] = {
        (p.entity_id, p.period, p.metric_id): p.value_normalised
        for p in current_datapoints(connection, sorted(set(previous.values())))
    }
    for value in values:
        key = (value.entity_id, value.period, value.metric_id)
        last[key] = None if value.method == "nil" else value.value_normalised
    found: set[int] = set()
    for index, value in enumerate(values):
        if value.method == "nil":
            continue  # nothing to report: no change to explain
        before = last.get((value.entity_id, previous[value.period], value.metric_id))
        if change_between(value.value_normalised, before).over(threshold):
            found.add(index)
    return found


def transition(
    change: Change,
    user: Principal,
    datapoint_id: int,
    version: int,
    action: str,
    comment: str | None,
    configurations: ConfigurationCache,
) -> DataPoint:
    """Move a data point through the review states; checks scope, duties, lock, version, state."""
    allowed_from, target = TRANSITIONS[action]
    configuration, point = _open(
        change,
        user,
        datapoint_id,
        version,
        f"datapoint.{action}",
        action,
        allowed_from,
        configurations,
    )
    if action == "reject" and not (comment and comment.strip()):
        raise Invalid("a rejection needs a comment saying what to fix", field="comment")
    if action == "submit":
        _require_explanation(change, point, comment, configuration.change_threshold)
        comment = None  # kept as the explanation
    trail.comment(change, point, action, comment, new_status=target)
    return replace(point, status=target)


def _open(
    change: Change,
    user: Principal,
    datapoint_id: int,
    version: int,
    action: str,
    verb: str,
    states: tuple[str, ...],
    configurations: ConfigurationCache,
) -> tuple[Configuration, DataPoint]:
    """Hold the chain head and check, in this order, scope, permission (with segregation of
    duties) for ``action``, the period lock, the version and that the value is in one of
    ``states`` (else "cannot ``verb`` a value that is ...")."""
    connection = change.connection
    configuration = configurations.get(connection, change.head.configuration_generation)
    point = current_by_id(connection, user, datapoint_id)
    authorize(user, action, datapoint=facts(connection, point))
    refuse_lock(configuration.locked_by(point.period))
    check_version(point, version)
    if point.status not in states:
        raise Conflict(
            f"cannot {verb} a value that is {point.status}; it must be " + " or ".join(states),
            code="invalid_state",
            details={"status": point.status},
        )
    return configuration, point


EXPLAINABLE = ("draft", "rejected")


def explain(
    change: Change,
    user: Principal,
    datapoint_id: int,
    version: int,
    text: str | None,
    configurations: ConfigurationCache,
) -> DataPoint:
    """Record an explanation of the change against last year on the current version of a draft
    or rejected value, without changing the value; checks scope, permission, lock, version,
    state."""
    _configuration, point = _open(
        change,
        user,
        datapoint_id,
        version,
        "datapoint.correct",
        "explain",
        EXPLAINABLE,
        configurations,
    )
    if not (text and text.strip()):
        raise Invalid("an explanation cannot be empty", field="explanation")
    trail.comment(change, point, "explain", text)
    return point


def _require_explanation(
    change: Change, point: DataPoint, explanation: str | None, threshold: float
) -> None:
    connection = change.connection
    if explanation and explanation.strip():
        trail.comment(change, point, "explain", explanation)
        return
    moved = change_against_last_year(connection, point)
    if point.method == "nil":
        return  # nothing to report: no change to explain
    if moved.over(threshold) and not trail.has_explanation(connection, point):
        before = last_year(connection, point)
        assert before is not None
        raise Invalid(
            f"the value changed by {_percent(moved)} against last year "
            f"({before.value:g} {before.unit}); explain the change (more than "
            f"{threshold:.0%}) before submitting",
            field="explanation",
            code="explanation_required",
            details={
                "last_year": before.value,
                "last_year_unit": before.unit,
                "change": moved.ratio,
                "change_from_zero": moved.from_zero,
                "threshold": threshold,
            },
        )


def _percent(moved: YearChange) -> str:
    if moved.from_zero or moved.ratio is None:
        return "more than 100 % (last year was zero)"
    return f"{abs(moved.ratio):.0%}"
