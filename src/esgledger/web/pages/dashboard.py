"""The dashboard: collection progress of the period, KPI trends, items waiting for the user."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from esgledger.services import may
from esgledger.web.charts import trend_chart
from esgledger.web.render import render
from esgledger.web.routing import page, web_router
from esgledger.web.session import ViewerDep, service

router = web_router()
KPI_ROLES = ["scope1_total", "scope2_location_total", "energy_total", "water_withdrawal"]
TREND_YEARS = 5


@page(router, "/dashboard")
def dashboard(request: Request, viewer: ViewerDep, period: str | None = None) -> Response:
    services = service(request)
    user = viewer.user
    chosen = services.collection.choose_period(user, period)
    trends = (
        services.calculation.trends(user, chosen, KPI_ROLES, TREND_YEARS)
        if may(user, "calc.read")
        else []
    )
    data = {
        "period": chosen,
        "periods": [p["period"] for p in services.periods.list(user)],
        "state": services.periods.get(user, chosen),
        "progress": services.collection.progress(user, chosen),
        "kpis": trends,
        "waiting": services.collection.waiting(user, chosen),
    }
    charts = {
        k["metric"]: trend_chart([(p["period"], p["value"]) for p in k["points"]], chosen)
        for k in trends
    }
    editable = [
        e.id for e in services.organisation.entities(user) if may(user, "datapoint.create", e.id)
    ]
    extra = {"charts": charts, "editable": editable}
    return render(request, "dashboard.html.j2", data, viewer, extra=extra)
