"""The dashboard: collection progress of the period, KPI trends, items waiting for the user."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from esgledger.access.principal import Principal
from esgledger.collaboration import Collaboration
from esgledger.domain import DataPoint, Period
from esgledger.web.charts import trend_chart
from esgledger.web.extras import all_points, calculated, may
from esgledger.web.progress import choose_period, collection, period_points
from esgledger.web.render import render
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service
from esgledger.workflow.queries import Filters
from esgledger.workflow.views import point_dict

router = web_router()
KPI_ROLES = ("scope1_total", "scope2_location_total", "energy_total", "water_withdrawal")
TREND_YEARS = 5
WAITING_SHOWN = 50


def top_entities(collab: Collaboration, user: Principal) -> list[str]:
    """The entities in scope whose parent is not (the roots of what the user sees)."""
    seen = {e.id: e for e in collab.entities(user)}
    return sorted(e.id for e in seen.values() if e.parent_id not in seen)


def kpi_trends(collab: Collaboration, user: Principal, period: str) -> list[dict[str, Any]]:
    roots = top_entities(collab, user)
    if not roots or not may(user, "calc.read"):
        return []
    year = Period.parse(period).year
    years = [str(y) for y in range(year - TREND_YEARS + 1, year + 1)]
    stored = {y: calculated(collab, user, y) for y in years}
    while len(years) > 1 and not stored[years[0]]:  # start at the first year with a calculation
        years.pop(0)
    trends = []
    for metric_id in (collab.ws.catalogue.role(role).id for role in KPI_ROLES):
        found = [stored[y].get((roots[0], metric_id)) for y in years]
        if not any(found):
            continue
        unit = next(f[1] for f in found if f)
        points = [
            {"period": y, "value": f[0] if f else None} for y, f in zip(years, found, strict=True)
        ]
        trends.append({"metric": metric_id, "entity": roots[0], "unit": unit, "points": points})
    return trends


def open_points(
    collab: Collaboration, user: Principal, period: str, status: str
) -> list[DataPoint]:
    """Up to WAITING_SHOWN values of ``period`` in ``status`` (in the user's scope) that the
    policy lets this user submit, whoever entered them."""
    found: list[DataPoint] = []
    offset = 0
    while len(found) < WAITING_SHOWN:
        chosen = Filters(period=period, status=status, months=True)
        page, total = collab.datapoints(user, chosen, 200, offset)
        found.extend(p for p in page if may(user, "datapoint.submit", p.entity_id))
        offset += len(page)
        if not page or offset >= total:
            break
    return found[:WAITING_SHOWN]


def waiting_for(collab: Collaboration, user: Principal, period: str) -> list[dict[str, Any]]:
    """Values this user should act on: review the submitted ones they may approve; correct the
    rejected values and submit the drafts of the entities they may submit for, whoever entered
    them (an import, a colleague). A reviewer, who may submit for the whole group, is shown only
    the drafts and rejected values they entered themselves."""
    items: list[dict[str, Any]] = []
    reviewer = may(user, "datapoint.approve")
    if reviewer:
        submitted = Filters(period=period, status="submitted", months=True)
        for point in all_points(collab, user, submitted):
            if len(items) >= WAITING_SHOWN:
                break
            if collab.allowed(user, "datapoint.approve", point.id):
                items.append({"task": "review", **point_dict(point)})
    if may(user, "datapoint.submit"):
        for status, task in (("rejected", "correct"), ("draft", "submit")):
            if reviewer:
                mine = Filters(period, status=status, entered_by=user.username, months=True)
                points, _total = collab.datapoints(user, mine, WAITING_SHOWN, 0)
            else:
                points = open_points(collab, user, period, status)
            items.extend({"task": task, **point_dict(p)} for p in points)
    return items


@page(router, "/dashboard")
def dashboard(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    collab = service(request)
    user = viewer.user
    chosen = choose_period(collab, user, period)
    now, before = period_points(collab, user, chosen)
    entity_ids = [e.id for e in collab.entities(user)]
    order = list(collab.ws.catalogue.metrics)
    data = {
        "period": chosen,
        "periods": [p["period"] for p in collab.periods(user)],
        "state": collab.period(user, chosen),
        "progress": collection(chosen, order, entity_ids, now, before),
        "kpis": kpi_trends(collab, user, chosen),
        "waiting": waiting_for(collab, user, chosen),
    }
    charts = {
        k["metric"]: trend_chart([(p["period"], p["value"]) for p in k["points"]], chosen)
        for k in data["kpis"]
    }
    editable = [e for e in entity_ids if may(user, "datapoint.create", e)]
    extra = {"charts": charts, "editable": editable}
    return render(request, "dashboard.html.j2", data, viewer, extra=extra)
