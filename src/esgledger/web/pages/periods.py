"""Period administration: lock state and review counts; lock, reopen with a reason, run the
calculation of the period and the bulk activity calculation of a year. The change threshold is
one of the settings (:mod:`esgledger.web.pages.settings`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.domain import Period
from esgledger.services import may
from esgledger.web.contexts import PeriodData, PeriodsData, PeriodView
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()
# what the bulk activity calculation did, as the period page shows it after it ran
ACTIVITY_COUNTS = ("files", "records", "results", "created", "corrected", "unchanged")


def _reason(form: FormData) -> str | None:
    text = form.get("reason")
    return (text.strip() or None) if isinstance(text, str) else None


def activity_year(period: str) -> str | None:
    """The year whose bulk activity calculation a page about ``period`` offers (a year's page)."""
    return period if Period.parse(period).month is None else None


@page(router, "/periods")
def periods(request: Request, viewer: ViewerDep) -> Response:
    services = service(request)
    rows = [
        services.periods.get(viewer.user, p["period"]) for p in services.periods.list(viewer.user)
    ]
    data: PeriodsData = {"periods": rows}
    return render(request, "periods.html.j2", data, viewer)


@page(router, "/periods/{period}")
def period_page(request: Request, viewer: ViewerDep, period: str) -> Response:
    services = service(request)
    user = viewer.user
    data: PeriodData = {
        "period": services.periods.get(user, period),
        "threshold": services.settings.get(user, "review.change_threshold"),
        "settings": services.settings.list(user),
    }
    shown = data["period"]["period"]
    ran = {k: request.query_params.get(k, "") for k in ACTIVITY_COUNTS}
    view: PeriodView = {
        "can_settings": may(user, "settings.change"),
        "can_lock": may(user, "period.lock"),
        "can_reopen": may(user, "period.reopen"),
        "can_calc": may(user, "calc.run"),
        "activity_year": activity_year(shown),
        "flash": ran if all(v.isdigit() for v in ran.values()) else None,
    }
    return render(request, "period.html.j2", data, viewer, extra=view)


@router.post("/periods/{period}/lock")
def lock(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    state = service(request).periods.lock(viewer.user, period, _reason(form))
    return done(request, f"/periods/{state['period']}", state)


@router.post("/periods/{period}/reopen")
def reopen(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    state = service(request).periods.reopen(viewer.user, period, _reason(form) or "")
    return done(request, f"/periods/{state['period']}", state)


@router.post("/periods/{period}/calc")
def calculate(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    result = service(request).calculation.run(viewer.user, period)
    return done(request, f"/values?period={result.period}", result.as_dict())


@router.post("/periods/{period}/activity")
def calculate_activity(
    request: Request, viewer: ViewerDep, form: CsrfForm, period: str
) -> Response:
    """The bulk activity calculation of a year: its imported activity files computed in SQL, the
    monthly ``activity.*`` results written as values; then the period's page says what it did."""
    services = service(request)
    services.periods.get(viewer.user, period)  # a period that is not one: 422 naming the field
    result = services.calculation.activity(viewer.user, period).as_dict()
    counts = "&".join(f"{k}={int(result.get(k) or 0)}" for k in ACTIVITY_COUNTS)
    return done(request, f"/periods/{result['period']}?{counts}#activity-done", result)
