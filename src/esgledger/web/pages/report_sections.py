"""The full report's narrative sections, ``/reports/sections``: every section of the outline with
where its text comes from; an editor (Markdown, placeholders) with a live preview (HTMX posts the
text to ``.../preview`` as it is typed); saving adds a version (refused naming the line when a
placeholder refers to nothing). Also builds the full report (HTML and PDF, both languages) and
offers its files for download. Each action is one service operation
(:class:`esgledger.services.report_content.ReportContent`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup, escape

from esgledger.domain import Period
from esgledger.service_errors import Invalid, NotFound, PeriodLocked
from esgledger.services import may
from esgledger.web.contexts import Answer
from esgledger.web.contexts_report import SectionsData, SectionsView
from esgledger.web.render import done, render, wants_json
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
PATH = "/reports/sections"


def _full_dir(request: Request, period: str) -> Path:
    return service(request).context.reports_dir / f"{period}-full"


def full_files(request: Request, period: str) -> list[Answer]:
    """The files of the period's full report as last built (HTML, PDF, XLSX annex), by name."""
    folder = _full_dir(request, period)
    if not folder.is_dir():
        return []
    found = [*folder.glob("esgledger-full-report-*"), *folder.glob("esgledger-annex-*")]
    return [{"file_name": p.name, "size": p.stat().st_size} for p in sorted(found)]


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
    built = full_files(request, period)
    data: SectionsData = {"period": period, "sections": listed, "editing": editing}
    view: SectionsView = {
        "can_write": may(user, "report.section.write"),
        "can_build": may(user, "report.build"),
        "can_override": may(user, "qa.override"),
        "periods": years,
        "preview": preview,
        "problem": problem,
        "saved": request.query_params.get("saved"),
        "built": built,
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


MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.post("/reports/full/{period}")
def build(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    """Build the full report (HTML, PDF and the XLSX data annex, English and Chinese) into the
    ledger's reports; an admin may give a reason to publish a final report over open error-level
    quality findings."""
    given = form.get("override_qa")
    override = given.strip() if isinstance(given, str) and given.strip() else None
    built = service(request).report_content.build(
        viewer.user,
        period,
        _full_dir(request, period),
        formats=("html", "pdf", "xlsx"),
        override_qa=override,
    )
    return done(request, f"{PATH}?period={period}", built)


@router.get("/reports/full/{period}/{file_name}")
def download(request: Request, viewer: ViewerDep, period: str, file_name: str) -> Response:
    """A file of the period's full report (as last built)."""
    service(request).report_content.sections(viewer.user, period)  # report.read, period checked
    folder = _full_dir(request, period).resolve()
    path = (folder / file_name).resolve()
    ours = file_name.startswith(("esgledger-full", "esgledger-annex"))
    if path.parent != folder or not path.is_file() or not ours:
        raise NotFound(f"no file {escape(file_name)} of the {period} full report; build it first")
    media = MEDIA_TYPES.get(path.suffix, "text/html; charset=utf-8")
    return FileResponse(path, media_type=media, filename=path.name)
