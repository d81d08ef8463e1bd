"""The dashboard: collection progress of the period, items waiting for the user, the status of the
quality checks and of the year's full report, KPI trends, materiality and target progress."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup

from esgledger.services import Principal, Services, may
from esgledger.web.charts import trend_chart
from esgledger.web.contexts_dashboard import Answer, DashboardData, DashboardView, WaitingGroup
from esgledger.web.contexts_qa import DashboardQaData
from esgledger.web.materiality_contexts import DashboardMatrix
from esgledger.web.render import render, wants_json
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
    may_check = may(user, "qa.justification.read")
    trends = (
        services.calculation.trends(user, chosen, KPI_ROLES, TREND_YEARS)
        if may(user, "calc.read")
        else []
    )
    data: DashboardData = {
        "period": chosen,
        "periods": [p["period"] for p in services.periods.list(user)],
        "state": services.periods.get(user, chosen),
        "progress": services.collection.progress(user, chosen),
        "kpis": trends,
        "waiting": services.collection.waiting(user, chosen),
        # target progress: the answer of the one operation the targets page shows too
        "targets": services.targets.listing(user, include_withdrawn=False)
        if may(user, "target.read")
        else [],
        # the status of the quality checks and of the year's full report, as their pages show it
        "qa": services.qa_review.counts(user, chosen)
        if may_check and wants_json(request)
        else None,
        "full_report": services.report_files.full(user, chosen[:4])
        if may(user, "report.read")
        else None,
    }
    charts = {
        k["metric"]: trend_chart([(p["period"], p["value"]) for p in k["points"]], chosen)
        for k in trends
    }
    editable = [
        e.id for e in services.organisation.entities(user) if may(user, "datapoint.create", e.id)
    ]
    view: DashboardView = {
        "charts": charts,
        "editable": editable,
        "waiting_groups": waiting_groups(data["waiting"], chosen),
        "qa_later": may_check,
        **materiality_section(services, user, chosen[:4], viewer.lang),
    }
    return render(request, "dashboard.html.j2", data, viewer, extra=view)


@router.get("/dashboard/qa.json")
@router.get("/dashboard/qa")
def quality_checks(request: Request, viewer: ViewerDep, period: str) -> Response:
    """The dashboard's card of the quality checks of a period (asked for once the page has
    loaded): findings open and justified, errors and warnings apart."""
    data: DashboardQaData = {"qa": service(request).qa_review.counts(viewer.user, period)}
    return render(request, "dashboard_qa.html.j2", data, viewer)


def materiality_section(
    services: Services, user: Principal, year: str, lang: str
) -> DashboardMatrix:
    """The newest materiality assessment of the year, with a small matrix (issue 10)."""
    found = (
        services.materiality.of_period(user, year, lang) if may(user, "materiality.read") else None
    )
    return {
        "materiality": found["assessment"] if found else None,
        "materiality_svg": Markup(found["svg"]) if found else "",
    }


def task_link(item: Answer, year: str) -> str:
    """Where a waiting item is done: its card in the review queue of the year (of its entity),
    or the entry form of its entity and period."""
    entity = quote(str(item["entity"]), safe="")
    if item["task"] == "review":
        return f"/review?period={year}&entity={entity}#dp-{item['id']}"
    return f"/entry/{entity}/{item['period']}"


def waiting_groups(items: list[Answer], period: str) -> list[WaitingGroup]:
    """The items waiting for the user, those of one task, entity and indicator together (a value
    reported month by month waits as twelve items): in the order of their first item, each
    group's items by period."""
    year = period[:4]
    groups: dict[tuple[str, str, str], WaitingGroup] = {}
    for item in items:
        found = (str(item["task"]), str(item["entity"]), str(item["metric"]))
        group = groups.setdefault(
            found,
            {
                "task": found[0],
                "entity": found[1],
                "metric": found[2],
                "items": [],
                "periods": [],
                "href": "",
            },
        )
        group["items"].append({**item, "href": task_link(item, year)})
    for group in groups.values():
        group["items"].sort(key=lambda i: (str(i["period"]), int(i["id"])))
        group["periods"] = [str(i["period"]) for i in group["items"]]
        group["href"] = str(group["items"][0]["href"])
    return list(groups.values())
