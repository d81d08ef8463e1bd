"""Collection progress of a period: per entity, which metrics are expected and where each stands.

A metric is expected of an entity in a period when it has a value in that period or had one in the
year before (what was reported last year is asked for again). An entity is complete when every
expected value is approved; the period is complete when every entity is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from esgledger.access.principal import Principal
from esgledger.collaboration import Collaboration
from esgledger.domain import DataPoint, Period
from esgledger.web.extras import all_points
from esgledger.workflow.periods import parse_period
from esgledger.workflow.queries import Filters

STATUSES = ("approved", "submitted", "draft", "rejected", "missing")


def choose_period(collab: Collaboration, user: Principal, wanted: str | None) -> str:
    """``wanted`` (checked), else the newest year with data, else last calendar year."""
    if wanted:
        return str(parse_period(wanted))
    years = [p["period"] for p in collab.periods(user) if Period.parse(p["period"]).month is None]
    return max(years) if years else str(dt.date.today().year - 1)


def previous_year(period: str) -> str:
    return str(Period.parse(period).previous_year())


def period_points(
    collab: Collaboration, user: Principal, period: str
) -> tuple[list[DataPoint], list[DataPoint]]:
    """The current values of ``period`` and of the year before, in the user's scope."""
    now = all_points(collab, user, Filters(period=period))
    before = all_points(collab, user, Filters(period=previous_year(period)))
    return now, before


def collection(
    order: list[str], entity_ids: list[str], now: list[DataPoint], before: list[DataPoint]
) -> dict[str, Any]:
    """Progress rows per entity (``order`` is the catalogue's metric order)."""
    current = {(p.entity_id, p.metric_id): p for p in now}
    expected: dict[str, set[str]] = {}
    for point in [*now, *before]:
        expected.setdefault(point.entity_id, set()).add(point.metric_id)
    rank = {metric_id: i for i, metric_id in enumerate(order)}
    rows: list[dict[str, Any]] = []
    for entity_id in entity_ids:
        wanted = sorted(expected.get(entity_id, ()), key=lambda m: (rank.get(m, len(rank)), m))
        if not wanted:
            continue
        metrics = []
        counts = dict.fromkeys(STATUSES, 0)
        for metric_id in wanted:
            found = current.get((entity_id, metric_id))
            status = found.status if found else "missing"
            counts[status] = counts.get(status, 0) + 1
            metrics.append(
                {"metric": metric_id, "status": status, "datapoint": found.id if found else None}
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
