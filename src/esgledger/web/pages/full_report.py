"""The full report's build and files, shared by the Reports and Report texts pages.

``POST /reports/full/{year}`` starts the build as a background job on behalf of the user
(:class:`esgledger.services.report_jobs.ReportJobs`) and answers at once: to HTMX, the year's
fragment (``full_report.html.j2``), which asks ``GET /reports/full/{year}/progress`` every second
while the job runs and then lists the files or shows the error; to a plain form, a redirect back
to the page; to JSON, the job (202). A second build of the year while one runs is refused with
who started it. The files are listed and resolved by :class:`esgledger.services.report_files.
ReportFiles`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse, Response

from esgledger.api.errors import status_of
from esgledger.service_errors import ServiceError
from esgledger.services import Principal, Services, may
from esgledger.web.contexts_report import FullReportData, FullReportView
from esgledger.web.render import current_page, html, is_htmx, redirect, render, wants_json
from esgledger.web.routing import web_router
from esgledger.web.session import CsrfForm, ViewerDep, local_path, service

router = web_router()
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def full_report(services: Services, user: Principal, year: str) -> FullReportData:
    """The year's full report as the pages show it: its files as last built and its latest
    build job (running, done or failed)."""
    listed = services.report_files.full(user, year)
    return {
        "period": listed["period"],
        "files": listed["files"],
        "built_at": listed["built_at"],
        "final": listed["final"],
        "job": services.report_jobs.latest(user, year),
    }


def full_report_view(user: Principal, back: str, notice: Any = None) -> FullReportView:
    """What the fragment's HTML adds: the build form (for those the policy lets build) and a
    refusal to show beside it."""
    return {
        "can_build": may(user, "report.build"),
        "can_override": may(user, "qa.override"),
        "back": back,
        "notice": notice,
    }


@router.post("/reports/full/{period}")
def build(request: Request, viewer: ViewerDep, form: CsrfForm, period: str) -> Response:
    """Start the full report's build (HTML, PDF and the XLSX data annex, English and Chinese);
    an admin may give a reason to publish a final report over open error-level quality
    findings."""
    given = form.get("override_qa")
    override = given.strip() if isinstance(given, str) and given.strip() else None
    back = local_path(form.get("back"), "/reports")
    try:
        job = service(request).report_jobs.start(viewer.user, period, override_qa=override)
    except ServiceError as refused:  # to HTMX: the fragment with the refusal beside the form
        if not is_htmx(request) or refused.code == "invalid":  # no year's fragment to show
            raise
        notice = {"code": refused.code, "message": refused.message, "field": refused.field}
        notice["details"] = refused.details
        data = full_report(service(request), viewer.user, period)
        extra = full_report_view(viewer.user, back, notice)
        return html(request, "full_report.html.j2", data, viewer, status_of(refused), extra)
    if wants_json(request):
        return JSONResponse(jsonable_encoder(job), status_code=202)
    if is_htmx(request):
        data = full_report(service(request), viewer.user, period)
        extra = full_report_view(viewer.user, back)
        return html(request, "full_report.html.j2", data, viewer, 202, extra)
    return redirect(back)


@router.get("/reports/full/{period}/progress.json")
@router.get("/reports/full/{period}/progress")
def progress(request: Request, viewer: ViewerDep, period: str) -> Response:
    """The year's fragment (HTMX polls it while the build runs); JSON: the files and the job."""
    data = full_report(service(request), viewer.user, period)
    back = local_path(current_page(request), "/reports") if is_htmx(request) else "/reports"
    return render(
        request, "full_report.html.j2", data, viewer, extra=full_report_view(viewer.user, back)
    )


@router.get("/reports/full/{period}/{file_name}")
def download(request: Request, viewer: ViewerDep, period: str, file_name: str) -> Response:
    """A file of the year's full report as last built."""
    path = service(request).report_files.full_file(viewer.user, period, file_name)
    media = MEDIA_TYPES.get(path.suffix, "text/html; charset=utf-8")
    return FileResponse(path, media_type=media, filename=path.name)
