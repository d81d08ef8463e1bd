"""Data collection of a period: the entry form of an entity (its rows, last year's values, the
change against last year), applying a typed form, the progress of the period per entity, and
what waits for the user. The web pages and the API offer the same answers.

A value is expected of an entity in a year when it has one or had one in the year before (what was
reported last year is asked for again): for each metric, the annual value and each month's value
(a metric reported monthly last March is expected for this March). An entity is complete when every
expected value is approved; the year is complete when every entity is, as locking it requires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from esgledger.access.policy import can
from esgledger.access.principal import Principal
from esgledger.domain import DataPoint, Period
from esgledger.ledger.reads import periods_with_data
from esgledger.ledger.runs import period_values
from esgledger.services.operation import Capability, Reading, reads
from esgledger.services.organisation import configuration
from esgledger.workflow import queries
from esgledger.workflow.entries import current_by_id, facts
from esgledger.workflow.periods import lock_state, parse_period
from esgledger.workflow.queries import Filters
from esgledger.workflow.review import change_between
from esgledger.workflow.review import last_year as review_last_year
from esgledger.workflow.views import point_dict

OPEN_STATUSES = ("draft", "rejected")
STATUSES = ("approved", "submitted", "draft", "rejected", "missing")
WAITING_SHOWN = 50
PAGE = 500


def previous_year(period: str) -> str:
    return str(Period.parse(period).previous_year())


def all_points(connection: sa.Connection, user: Principal, filters: Filters) -> list[DataPoint]:
    found: list[DataPoint] = []
    while True:
        page, total = queries.list_points(connection, user, filters, PAGE, len(found))
        found.extend(page)
        if not page or len(found) >= total:
            return found


class Collection(Capability):
    # -- periods -----------------------------------------------------------------------------
    @reads("period.read")
    def choose_period(self, call: Reading, wanted: str | None = None) -> str:
        """``wanted`` (checked), else the newest year with data, else last calendar year."""
        if wanted:
            return str(parse_period(wanted))
        years = [
            p
            for p in periods_with_data(call.connection, call.actor.scope)
            if Period.parse(p).month is None
        ]
        return max(years) if years else str(dt.date.today().year - 1)

    # -- a value for review --------------------------------------------------------------------
    @reads("datapoint.read")
    def card(self, call: Reading, datapoint_id: int) -> dict[str, Any]:
        """Everything a reviewer needs at hand about a value: last year's, the change, the
        explanations and review trail, versions, evidence, audit entries, whether its
        calculation can be explained, and which actions the policy allows this user."""
        connection, user = call.connection, call.actor
        point = current_by_id(connection, user, datapoint_id)
        call.authorize("datapoint.read", point.entity_id)
        involved = facts(connection, point)
        can_do = {
            action: can(user, f"datapoint.{action}", datapoint=involved)
            for action in ("approve", "reject", "correct", "submit", "history")
        }
        can_do["evidence_upload"] = can(user, "evidence.upload", point.entity_id)
        can_do["evidence_read"] = can(user, "evidence.read", point.entity_id)
        before = review_last_year(connection, point)
        history = queries.history(connection, user, point.id) if can_do["history"] else None
        moved = change_between(
            point.value_normalised, None if before is None else before.value_normalised
        )
        threshold = configuration(call).change_threshold
        comments = history["comments"] if history else []
        calculated = can(user, "calc.read") and (point.entity_id, point.metric_id) in (
            period_values(connection, point.period, [point.entity_id])
        )
        return {
            "point": point_dict(point),
            "last_year": point_dict(before) if before else None,
            **moved.as_dict(),
            "over_threshold": moved.over(threshold),
            "explanations": [c for c in comments if c["action"] == "explain"],
            "comments": comments,
            "versions": history["versions"] if history else [],
            "evidence": history["evidence"] if history else [],
            "audit": history["audit"] if history else [],
            "explain": calculated,
            "locked": configuration(call).locked_by(point.period),
            "can": can_do,
        }

    # -- progress and what waits ---------------------------------------------------------------
    @reads("datapoint.read")
    def progress(self, call: Reading, period: str) -> dict[str, Any]:
        """Progress rows of a period per entity in the user's scope: expected, approved, by
        status, complete."""
        name = str(parse_period(period))
        connection, user = call.connection, call.actor
        now = all_points(connection, user, Filters(period=name, months=True))
        before = all_points(connection, user, Filters(period=previous_year(name), months=True))
        order = list(self.context.catalogue.metrics)
        entity_ids = sorted(e.id for e in configuration(call).entities if user.sees(e.id))
        return _progress(name, order, entity_ids, now, before)

    @reads("datapoint.read")
    def waiting(self, call: Reading, period: str) -> list[dict[str, Any]]:
        """Values this user should act on, each with its period (a month of a year shows as
        such): review the submitted ones they may approve; correct the rejected values and submit
        the drafts of the entities they may submit for, whoever entered them (an import, a
        colleague). A reviewer, who may submit for the whole group, is shown only the drafts and
        rejected values they entered themselves."""
        name = str(parse_period(period))
        connection, user = call.connection, call.actor
        items: list[dict[str, Any]] = []
        reviewer = can(user, "datapoint.approve")
        if reviewer:
            submitted = Filters(period=name, status="submitted", months=True)
            for point in all_points(connection, user, submitted):
                if len(items) >= WAITING_SHOWN:
                    break
                if can(user, "datapoint.approve", datapoint=facts(connection, point)):
                    items.append({"task": "review", **point_dict(point)})
        if can(user, "datapoint.submit"):
            for status, task in (("rejected", "correct"), ("draft", "submit")):
                chosen = Filters(
                    name,
                    status=status,
                    entered_by=user.username if reviewer else None,
                    months=True,
                )
                found = [
                    p
                    for p in all_points(connection, user, chosen)
                    if can(user, "datapoint.submit", p.entity_id)
                ]
                items.extend({"task": task, **point_dict(p)} for p in found[:WAITING_SHOWN])
        return items

    @reads("period.read")
    def period_state(self, call: Reading, period: str) -> dict[str, Any]:
        """Lock state of a period (and the lock that covers it)."""
        name = str(parse_period(period))
        return {
            "period": name,
            **lock_state(call.connection, name),
            "locked_by": configuration(call).locked_by(name),
        }


def _slot(point: DataPoint) -> tuple[str, str, str]:
    """``(entity, metric, month)``: where a value stands in its year ("" for the annual value)."""
    return point.entity_id, point.metric_id, point.period[5:]


def _progress(
    period: str,
    order: list[str],
    entity_ids: list[str],
    now: list[DataPoint],
    before: list[DataPoint],
) -> dict[str, Any]:
    current = {_slot(p): p for p in now}
    year = period[:4]
    expected: dict[str, set[tuple[str, str]]] = {}
    for point in [*now, *before]:
        _entity, metric_id, month = _slot(point)
        expected.setdefault(point.entity_id, set()).add((metric_id, month))
    rank = {metric_id: i for i, metric_id in enumerate(order)}
    rows: list[dict[str, Any]] = []
    for entity_id in entity_ids:
        wanted = sorted(
            expected.get(entity_id, ()), key=lambda s: (rank.get(s[0], len(rank)), s[0], s[1])
        )
        if not wanted:
            continue
        metrics = []
        counts = dict.fromkeys(STATUSES, 0)
        for metric_id, month in wanted:
            found = current.get((entity_id, metric_id, month))
            status = found.status if found else "missing"
            counts[status] = counts.get(status, 0) + 1
            metrics.append(
                {
                    "metric": metric_id,
                    "period": f"{year}-{month}" if month else year,
                    "status": status,
                    "datapoint": found.id if found else None,
                }
            )
        rows.append(
            {
                "entity": entity_id,
                "expected": len(wanted),
                "approved": counts["approved"],
                "by_status": counts,
                "share": counts["approved"] / len(wanted),
                "complete": counts["approved"] == len(wanted),
                "metrics": metrics,
            }
        )
    expected_total = sum(int(r["expected"]) for r in rows)
    approved_total = sum(int(r["approved"]) for r in rows)
    return {
        "entities": rows,
        "expected": expected_total,
        "approved": approved_total,
        "complete": expected_total > 0 and approved_total == expected_total,
    }
