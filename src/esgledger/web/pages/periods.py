"""Period administration: lock state and review counts; lock, reopen with a reason, calculate,
the change threshold."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.service_errors import Invalid
from esgledger.web.extras import change_threshold, may
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service
from esgledger.workflow.periods import parse_period

router = web_router()


def _reason(form: FormData) -> str | None:
    text = form.get("reason")
    return (text.strip() or None) if isinstance(text, str) else None


@page(router, "/periods")
def periods(request: Request, viewer: ViewerDep) -> Response:
    collab = service(request)
    rows = [collab.period(viewer.user, p["period"]) for p in collab.periods(viewer.user)]
    return render(request, "periods.html.j2", {"periods": rows}, viewer)


@page(router, "/periods/{period}")
def period_page(request: Request, viewer: ViewerDep, period: str) -> Response:
    collab = service(request)
    user = viewer.user
    data = {"period": collab.period(user, period), "threshold": change_threshold(collab)}
    extra = {
        "can_lock": may(user, "period.lock"),
        "can_reopen": may(user, "period.reopen"),
        "can_calc": may(user, "calc.run"),
    }
    return render(request, "period.html.j2", data, viewer, extra=extra)


@router.post("/periods/{period}/lock")
def lock(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    state = service(request).lock_period(viewer.user, period, _reason(form))
    return done(request, f"/periods/{parse_period(period)}", state)


@router.post("/periods/{period}/reopen")
def reopen(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    state = service(request).reopen_period(viewer.user, period, _reason(form) or "")
    return done(request, f"/periods/{parse_period(period)}", state)


@router.post("/periods/{period}/calc")
def calculate(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    result = service(request).run_calc(viewer.user, period)
    return done(request, f"/values?period={result['period']}", result)


@router.post("/periods/{period}/threshold")
def threshold(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    text = form.get("percent")
    try:
        ratio = float(text) / 100 if isinstance(text, str) else float("nan")
    except ValueError:
        ratio = float("nan")  # refused below, as the service refuses NaN and infinities
    if not 0 < ratio <= 10:
        raise Invalid("the threshold is a percentage above 0, e.g. 30", field="percent")
    service(request).set_change_threshold(viewer.user, ratio)
    return done(request, f"/periods/{parse_period(period)}", {"threshold": ratio})
