"""Reports: the full report of each year as last built (its HTML, PDF and XLSX files) with its
build and the build's progress (:mod:`.full_report`; the texts are edited on *Report texts*), the
KPI book (English or Chinese: build it, download the last build),
and the year's assurance pack."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse, Response

from esgledger.domain import Period
from esgledger.services import may
from esgledger.web.contexts_report import ReportRow, ReportsData, ReportsView
from esgledger.web.i18n import LANGUAGES
from esgledger.web.pages.full_report import full_report
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()


@page(router, "/reports")
def reports(request: Request, viewer: ViewerDep) -> Response:
    services = service(request)
    user = viewer.user
    periods = services.periods.list(user)
    years = [p["period"] for p in periods if Period.parse(p["period"]).month is None]
    built = (
        {(r["period"], r["lang"]): r for r in services.reports.list(user)}
        if may(user, "report.read")
        else {}
    )
    rows: list[ReportRow] = []
    for year in sorted(years, reverse=True):
        full = full_report(services, user, year) if may(user, "report.read") else None
        rows.append(
            {
                "period": year,
                "built": {lang: built.get((year, lang)) for lang in LANGUAGES},
                "full": full["files"] if full else [],
                "built_at": full["built_at"] if full else None,
                "final": full["final"] if full else False,
                "job": full["job"] if full else None,
            }
        )
    data: ReportsData = {"reports": rows}
    view: ReportsView = {
        "can_build": may(user, "report.build"),
        "can_override": may(user, "qa.override"),
        "can_assure": may(user, "assurance.export"),
        "languages": LANGUAGES,
    }
    return render(request, "reports.html.j2", data, viewer, extra=view)


@router.post("/reports/{period}/{lang}")
def build(request: Request, viewer: ViewerDep, form: CsrfForm, period: str, lang: str) -> Response:
    record = service(request).reports.build(viewer.user, period, lang)
    return done(request, "/reports", record)


@router.get("/reports/{period}/assurance.zip")
def assurance_pack(request: Request, viewer: ViewerDep, period: str) -> Response:
    """The assurance pack of the year (registered before the report's download, whose
    ``{lang}`` would match it)."""
    built = service(request).assurance.pack(viewer.user, period)
    headers = {"Content-Disposition": f'attachment; filename="{built.file_name}"'}
    return Response(built.data, media_type="application/zip", headers=headers)


@router.get("/reports/{period}/{lang}")
def download(request: Request, viewer: ViewerDep, period: str, lang: str) -> Response:
    record, path = service(request).reports.download(viewer.user, period, lang)
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        filename=record["file_name"],
        content_disposition_type="attachment",
    )
