"""Data points and their review: list, read, enter, correct (with the version a change is based
on), submit, approve, reject, explain a change against last year; history and evidence trail.

The writes are small and frequent (a web form, an API client): they run on the group committer
(:func:`~esgledger.services.operation.queued`), each with every check of the workflow
(:mod:`esgledger.workflow.entries`, :mod:`esgledger.workflow.review`).
"""

from __future__ import annotations

from typing import Any

from esgledger.access.policy import can
from esgledger.domain import DataPoint
from esgledger.service_errors import Invalid, NotFound, ServiceError
from esgledger.services.operation import (
    Call,
    Capability,
    Reading,
    Writing,
    queued,
    reads,
    staged,
)
from esgledger.workflow import entries, queries, review
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import point_dict

MAX_BATCH = 500  # values approved in one request

__all__ = ["DataPoints", "Entry", "Filters", "point_dict"]


class DataPoints(Capability):
    # -- reads -------------------------------------------------------------------------------
    @reads("datapoint.read")
    def find(
        self, call: Reading, filters: Filters, limit: int = 50, offset: int = 0
    ) -> tuple[list[DataPoint], int]:
        """Current values the user may see, matching ``filters``, by id: ``(page, total)``."""
        if filters.entity is not None and not call.actor.sees(filters.entity):
            raise NotFound(f"no entity {filters.entity!r}", field="entity")
        return queries.list_points(call.connection, call.actor, filters, limit, offset)

    @reads("datapoint.read")
    def get(self, call: Reading, datapoint_id: int) -> DataPoint:
        """The current version of the data point that any version's id belongs to."""
        point = entries.current_by_id(call.connection, call.actor, datapoint_id)
        call.authorize("datapoint.read", point.entity_id)
        return point

    @reads("datapoint.read")
    def last_year(self, call: Reading, datapoint_id: int) -> DataPoint | None:
        """The same metric and entity a year earlier (shown beside the entry field)."""
        point = entries.current_by_id(call.connection, call.actor, datapoint_id)
        return review.last_year(call.connection, point)

    @reads("datapoint.history")
    def history(self, call: Reading, datapoint_id: int) -> dict[str, Any]:
        """Every version, review comment, evidence file and audit entry of the data point."""
        return queries.history(call.connection, call.actor, datapoint_id)

    @reads("datapoint.read")
    def allowed(self, call: Reading, action: str, datapoint_id: int | None = None) -> bool:
        """Whether to offer ``action`` (a button, a link); the action checks again when done."""
        if datapoint_id is None:
            return can(call.actor, action)
        try:
            point = entries.current_by_id(call.connection, call.actor, datapoint_id)
        except NotFound:
            return False
        return can(call.actor, action, datapoint=entries.facts(call.connection, point))

    # -- writes ------------------------------------------------------------------------------
    @queued("datapoint.create")
    def create(self, call: Writing, entry: Entry, explanation: str | None = None) -> DataPoint:
        """Enter a new value (a draft); Conflict ``exists`` when the metric has one already."""
        return entries.create(
            call.change,
            call.actor,
            entry,
            self.context.catalogue,
            explanation,
            self.context.configuration,
        )

    @queued("datapoint.correct")
    def correct(
        self,
        call: Writing,
        datapoint_id: int,
        version: int,
        changes: dict[str, Any],
        explanation: str | None = None,
    ) -> DataPoint:
        """Correct a value; ``version`` is the version the change is based on (Conflict
        ``version_conflict`` with the current value if someone changed it since)."""
        return entries.correct(
            call.change,
            call.actor,
            datapoint_id,
            version,
            changes,
            self.context.catalogue,
            explanation,
            self.context.configuration,
        )

    @queued("datapoint.submit")
    def submit(
        self, call: Writing, datapoint_id: int, version: int, explanation: str | None = None
    ) -> DataPoint:
        """Submit for review; a change against last year above the threshold needs an
        explanation (given now or before)."""
        return self._transition(call, datapoint_id, version, "submit", explanation)

    @queued("datapoint.approve")
    def approve(
        self, call: Writing, datapoint_id: int, version: int, comment: str | None = None
    ) -> DataPoint:
        """Approve the submitted version (segregation of duties applies)."""
        return self._transition(call, datapoint_id, version, "approve", comment)

    @queued("datapoint.reject")
    def reject(self, call: Writing, datapoint_id: int, version: int, comment: str) -> DataPoint:
        """Reject the submitted version with a comment saying what to fix."""
        return self._transition(call, datapoint_id, version, "reject", comment)

    @queued("datapoint.correct")
    def explain_change(
        self, call: Writing, datapoint_id: int, version: int, text: str
    ) -> DataPoint:
        """Explain the change against last year of a draft or rejected value (its current
        version), without changing the value."""
        return review.explain(
            call.change, call.actor, datapoint_id, version, text, self.context.configuration
        )

    def _transition(
        self, call: Writing, datapoint_id: int, version: int, action: str, comment: str | None
    ) -> DataPoint:
        return review.transition(
            call.change,
            call.actor,
            datapoint_id,
            version,
            action,
            comment,
            self.context.configuration,
        )

    @staged("datapoint.approve")
    def approve_many(
        self, call: Call, items: list[tuple[int, int]], comment: str | None = None
    ) -> tuple[list[DataPoint], dict[int, ServiceError]]:
        """Approve each ``(datapoint_id, version)`` as :meth:`approve` would, on its own (its own
        checks and commit): ``(approved, refused by id)``. One refusal does not hold back the
        others."""
        if len(items) > MAX_BATCH:
            raise Invalid(f"at most {MAX_BATCH} values at a time", field="items")
        approved: list[DataPoint] = []
        refused: dict[int, ServiceError] = {}
        for datapoint_id, version in items:
            try:
                approved.append(self.approve(call.actor, datapoint_id, version, comment))
            except ServiceError as error:
                refused[datapoint_id] = error
        return approved, refused
