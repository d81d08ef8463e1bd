"""Period administration: lock state and review counts; lock, reopen with a reason, calculate,
the change threshold."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from esgledger.service_errors import Invalid
from esgledger.services import may
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()


def _reason(form: FormData) -> str | None:
    text = form.get("reason")
    return (text.strip() or None) if isinstance(text, str) else None


@page(router, "/periods")
def periods(request: Request, viewer: ViewerDep) -> Response:
    services = service(request)
    rows = [
        services.periods.get(viewer.user, p["period"]) for p in services.periods.list(viewer.user)
    ]
    return render(request, "periods.html.j2", {"periods": rows}, viewer)


@page(router, "/periods/{period}")
def period_page(request: Request, viewer: ViewerDep, period: str) -> Response:
    services = service(request)
    user = viewer.user
    data = {
        "period": services.periods.get(user, period),
        "threshold": services.settings.get(user, "review.change_threshold"),
        "settings": services.settings.list(user),
    }
    extra = {
        "can_settings": may(user, "settings.change"),
        "can_lock": may(user, "period.lock"),
        "can_reopen": may(user, "period.reopen"),
        "can_calc": may(user, "calc.run"),
    }
    return render(request, "period.html.j2", data, viewer, extra=extra)


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


@router.post("/periods/{period}/threshold")
def threshold(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    text = form.get("percent")
    try:
        ratio = float(text) / 100 if isinstance(text, str) else float("nan")
    except ValueError:
        ratio = float("nan")  # refused below, as the service refuses NaN and infinities
    if not 0 < ratio <= 10:
        raise Invalid("the threshold is a percentage above 0, e.g. 30", field="percent")
    services = service(request)
    services.settings.set(viewer.user, "review.change_threshold", ratio)
    shown = services.periods.get(viewer.user, period)["period"]
    return done(request, f"/periods/{shown}", {"threshold": ratio})
