"""One data point: its audit history (versions, review comments, audit entries), its evidence
(upload, download) and the links to its entry form and to the explanation of its calculation."""

from __future__ import annotations

from typing import cast

from fastapi import Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from esgledger.service_errors import Invalid
from esgledger.web.contexts import CardData, DatapointView
from esgledger.web.render import done, render
from esgledger.web.routing import page, web_router
from esgledger.web.session import CsrfForm, ViewerDep, service

router = web_router()


@page(router, "/datapoints/{datapoint_id:int}")
def datapoint_page(request: Request, viewer: ViewerDep, datapoint_id: int) -> Response:
    data = cast(CardData, service(request).collection.card(viewer.user, datapoint_id))
    view: DatapointView = {"flash": request.query_params.get("uploaded")}
    return render(request, "datapoint.html.j2", data, viewer, extra=view)


@router.post("/datapoints/{datapoint_id:int}/evidence")
def upload(request: Request, viewer: ViewerDep, form: CsrfForm, datapoint_id: int) -> Response:
    services = service(request)
    services.datapoints.get(viewer.user, datapoint_id)  # NotFound outside the scope, first
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        raise Invalid("choose a file to upload", field="file")
    data = upload_file.file.read(services.context.options.evidence_max_bytes + 1)
    record = services.evidence.upload(viewer.user, datapoint_id, upload_file.filename, data)
    return done(request, f"/datapoints/{datapoint_id}?uploaded={record['id']}", record)


@router.get("/evidence/{evidence_id:int}")
def download(request: Request, viewer: ViewerDep, evidence_id: int) -> Response:
    record, path = service(request).evidence.file(viewer.user, evidence_id)
    return FileResponse(
        path,
        media_type=record["content_type"],
        filename=record["file_name"],
        content_disposition_type="attachment",
    )
