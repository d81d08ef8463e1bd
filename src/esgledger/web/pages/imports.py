"""Imports: the files the command line imports, uploaded from the browser (the organisation, a data
file or a filled collection workbook, internal transfers, certificate claims, activity files, and
for admins the organisation's own metrics and factor sets),
and the collection workbook of an entity and period to download.

Each upload goes through :mod:`esgledger.services.imports` as the signed-in user: all or nothing,
audited as theirs. A refused file shows the page again with every issue the importer found (the
first :data:`~esgledger.web.issues.ISSUES_SHOWN` of them, then how many more), in the page
language; a data file whose changed values were held as drafts lists them with links to their
entry forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData, UploadFile

from esgledger.domain import Period
from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.i18n import Strings
from esgledger.service_errors import Forbidden, Invalid, NotFound, Unauthenticated
from esgledger.services import Principal, Services, may
from esgledger.services.entry_form import slug
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded
from esgledger.web.contexts import HeldValue, ImportOutcome, ImportRefusal, ImportsData, ImportsView
from esgledger.web.issues import IssueText, refused_file
from esgledger.web.render import render, wants_json
from esgledger.web.routing import describe, page, web_router
from esgledger.web.session import CsrfForm, Viewer, ViewerDep, service

router = web_router()
# kind of file -> the action the policy must allow (the service asks it again)
KINDS = {
    "organisation": "organisation.import",
    "data": "datapoint.create",
    "transfers": "register.import",
    "certificates": "register.import",
    "activity": "activity.import",
    "catalogue": "catalogue.import",
    "factors": "factors.import",
}
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def allowed_kinds(user: Principal) -> list[str]:
    return [kind for kind, action in KINDS.items() if may(user, action)]


def imports_page(
    request: Request,
    viewer: Viewer,
    status: int = 200,
    outcome: ImportOutcome | None = None,
    refused: ImportRefusal | None = None,
) -> Response:
    services = service(request)
    user = viewer.user
    kinds = allowed_kinds(user)
    if not kinds:
        raise Forbidden(
            "importing files needs the role of a data owner, ESG manager or administrator",
            details={"action": "datapoint.create"},
        )
    data: ImportsData = {"kinds": kinds, "max_upload_bytes": MAX_UPLOAD_BYTES}
    view: ImportsView = {
        "entities": [e.id for e in services.organisation.entities(user)],
        "period": services.collection.choose_period(user, None),
        "can_calc": may(user, "calc.run"),
        "outcome": outcome,
        "refused": refused,
        "here": "/imports",  # also after a post: the language links and JSON go to the page
        "json_url": "/imports.json",
        "issue_text": IssueText(Strings(viewer.lang)),
    }
    return render(request, "imports.html.j2", data, viewer, status, view)


@page(router, "/imports")
def imports(request: Request, viewer: ViewerDep) -> Response:
    return imports_page(request, viewer)


def _file(form: FormData) -> tuple[str, bytes]:
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        raise Invalid("choose a file to import", field="file")
    content = chosen.file.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        raise Invalid(f"the file {chosen.filename!r} is empty", field="file")
    return chosen.filename, content


def checked_period(text: str) -> str:
    """``text`` as a period (a year, or a month for a workbook); Invalid naming the field."""
    try:
        return str(Period.parse(text.strip()))
    except ValueError:
        raise Invalid(
            f"period {text!r} is not a year (2024) or a month (2024-03)",
            field="period",
            details={"found": text},
        ) from None


def _year(form: FormData) -> str:
    """The reporting year an activity file belongs to."""
    text = form.get("period")
    return checked_period(text if isinstance(text, str) else "")


def run_import(
    services: Services, user: Principal, kind: str, path: Path, form: FormData
) -> dict[str, Any]:
    """Import the file at ``path`` as ``kind``; what was written, as the JSON answer says it."""
    imports = services.imports
    if kind == "organisation":
        return dict(imports.organisation(user, path))
    if kind == "data":
        submit = form.get("mode") != "draft"
        return imports.data(user, path, submit=submit).as_dict()
    if kind == "transfers":
        return {"transfers": imports.transfers(user, path)}
    if kind == "certificates":
        return {"certificates": imports.certificates(user, path)}
    if kind == "catalogue":
        return dict(services.catalogue.import_file(user, path))
    if kind == "factors":
        return services.factors.import_file(user, path)
    imported = imports.activity(user, path, _year(form)).as_dict()
    imported.pop("stored", None)  # where the server keeps it: not the browser's business
    return imported


@router.post("/imports/{kind}")
def import_file(request: Request, viewer: ViewerDep, form: CsrfForm, kind: str) -> Response:
    if kind not in KINDS:
        raise NotFound(f"no import of {kind!r}; one of {', '.join(KINDS)}", field="kind")
    user = viewer.user
    file_name = ""
    try:
        file_name, content = _file(form)
        with uploaded(file_name, content) as path:
            result = run_import(service(request), user, kind, path, form)
    except (Forbidden, Unauthenticated):
        raise  # the error page (or the JSON error shape)
    except EsgLedgerError as error:
        if wants_json(request):
            raise
        status, code, message, field, details = describe(error)
        refused: ImportRefusal = {
            "kind": kind,
            "file": Path(file_name).name,
            "code": code,
            "message": message,
            "field": field,
            "details": details,
            "issues": refused_file(error) if isinstance(error, InputRejected) else None,
        }
        return imports_page(request, viewer, status, refused=refused)
    if wants_json(request):
        return JSONResponse(result)
    outcome: ImportOutcome = {
        "kind": kind,
        "file": Path(file_name).name,
        "result": result,
        "held": [held_value(held) for held in result.get("held", [])],
    }
    return imports_page(request, viewer, outcome=outcome)


def held_value(held: dict[str, str]) -> HeldValue:
    """A value held as a draft, with its row on the entry form of its entity and period."""
    entity, period, metric = held["entity"], held["period"], held["metric"]
    href = f"/entry/{quote(entity, safe='')}/{quote(period, safe='')}#row-{slug(metric)}"
    return {"entity": entity, "period": period, "metric": metric, "href": href}


def workbook_response(request: Request, viewer: Viewer, entity: str, period: str) -> Response:
    chosen = checked_period(period)
    file_name, content = service(request).imports.template(viewer.user, entity, chosen)
    return Response(
        content,
        media_type=WORKBOOK,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


@router.get("/entry/{entity_id}/{period}/workbook.xlsx")
def entry_workbook(request: Request, viewer: ViewerDep, entity_id: str, period: str) -> Response:
    """The collection workbook of an entity and period (linked from its entry page)."""
    return workbook_response(request, viewer, entity_id, period)


@router.get("/imports/workbook")
def chosen_workbook(request: Request, viewer: ViewerDep, entity: str, period: str) -> Response:
    """The collection workbook chosen on the imports page."""
    return workbook_response(request, viewer, entity, period)
