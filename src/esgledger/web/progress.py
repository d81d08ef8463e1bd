"""Collection progress of a period: per entity, which metrics are expected and where each stands.

A value is expected of an entity in a year when it has one or had one in the year before (what was
reported last year is asked for again): for each metric, the annual value and each month's value
(a metric reported monthly last March is expected for this March). An entity is complete when every
expected value is approved; the year is complete when every entity is, as locking it requires.
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
    """The current values of ``period`` and of the year before (a year with its months), in the
    user's scope."""
    now = all_points(collab, user, Filters(period=period, months=True))
    before = all_points(collab, user, Filters(period=previous_year(period), months=True))
    return now, before


def _slot(point: DataPoint) -> tuple[str, str, str]:
    """``(entity, metric, month)``: where a value stands in its year ("" for the annual value)."""
    return point.entity_id, point.metric_id, point.period[5:]


def collection(
    period: str,
    order: list[str],
    entity_ids: list[str],
    now: list[DataPoint],
    before: list[DataPoint],
) -> dict[str, Any]:
    """Progress rows of ``period`` per entity (``order`` is the catalogue's metric order)."""
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
