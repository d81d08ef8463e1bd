"""The full report's narrative sections, ``/reports/sections``: every section of the outline with
where its text comes from; an editor (Markdown, placeholders) with a live preview (HTMX posts the
text to ``.../preview`` as it is typed); saving adds a version (refused naming the line when a
placeholder refers to nothing). Also the full report's files and its build (the fragment of
:mod:`esgledger.web.pages.full_report`). Each action is one service operation
(:class:`esgledger.services.report_content.ReportContent`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from esgledger.domain import Period
from esgledger.service_errors import Invalid, PeriodLocked
from esgledger.services import may
from esgledger.web.contexts_report import SectionsData, SectionsView
from esgledger.web.pages.full_report import full_report
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
PATH = "/reports/sections"


def sections_page(
    request: Request,
    viewer: Viewer,
    period: str | None = None,
    section: str | None = None,
    lang: str = "en",
    body: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    services = service(request)
    user = viewer.user
    years = sorted(
        (
            p["period"]
            for p in services.periods.list(user)
            if Period.parse(p["period"]).month is None
        ),
        reverse=True,
    )
    period = period or request.query_params.get("period") or (years[0] if years else "2024")
    section = section or request.query_params.get("section")
    lang = request.query_params.get("lang", lang) if body is None else lang
    listed = services.report_content.sections(user, period)
    editing = None
    preview = ""
    if section:
        editing = services.report_content.show(user, period, section, lang)
        if body is not None:
            editing["body"] = body
        if problem is None:
            try:
                preview = services.report_content.preview(
                    user, period, section, lang, editing["body"]
                )
            except Invalid as error:
                problem = str(error)
    data: SectionsData = {"period": period, "sections": listed, "editing": editing}
    view: SectionsView = {
        "can_write": may(user, "report.section.write"),
        "can_build": may(user, "report.build"),
        "can_override": may(user, "qa.override"),
        "periods": years,
        "preview": preview,
        "problem": problem,
        "saved": request.query_params.get("saved"),
        "full_report": full_report(services, user, period),
        "here": PATH,
        "json_url": f"{PATH}.json?period={period}",
    }
    return render(request, "report_sections.html.j2", data, viewer, status, view)


@page(router, PATH)
def sections(request: Request, viewer: ViewerDep) -> Response:
    return sections_page(request, viewer)


@router.post(PATH + "/{period}/{section}/{lang}/preview")
def preview(
    request: Request, viewer: ViewerDep, form: CsrfForm, period: str, section: str, lang: str
) -> Response:
    """The editor's text as HTML (an HTMX fragment): placeholders checked, nothing saved."""
    body = str(form.get("body") or "")
    try:
        html = service(request).report_content.preview(viewer.user, period, section, lang, body)
    except Invalid as error:
        html = str(Markup('<p class="notice error" role="alert">{}</p>').format(str(error)))
    return HTMLResponse(html)


@router.post(PATH + "/{period}/{section}/{lang}")
def save(
    request: Request, viewer: ViewerDep, form: CsrfForm, period: str, section: str, lang: str
) -> Response:
    body = str(form.get("body") or "")
    try:
        saved = service(request).report_content.save(viewer.user, period, section, lang, body)
    except (Invalid, PeriodLocked) as error:
        if wants_json(request):
            raise
        return sections_page(request, viewer, period, section, lang, body, str(error), 422)
    target = f"{PATH}?period={period}&section={section}&lang={lang}&saved={saved['version']}"
    return done(request, target, saved)
