"""File imports (multipart uploads; all or nothing, audited as one batch by the importing user)
and the collection workbook sent to plants. Imports run in the thread pool: the file is read and
checked before the write lock is taken."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import Response

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN
from esgledger.api.models_admin import (
    ActivityImportOut,
    ActivityUpload,
    CountOut,
    DataImportOut,
    DataUpload,
    OrganisationImportOut,
    Upload,
)
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Form models holding a file: named multipart, or FastAPI documents them as url-encoded forms
MULTIPART = "multipart/form-data"
UploadForm = Annotated[Upload, Form(media_type=MULTIPART)]
DataForm = Annotated[DataUpload, Form(media_type=MULTIPART)]
ActivityForm = Annotated[ActivityUpload, Form(media_type=MULTIPART)]


def _received(file: UploadFile) -> tuple[str, bytes]:
    """The upload's name and content (one byte over the limit, so that it is refused as such)."""
    return file.filename or "file", file.file.read(MAX_UPLOAD_BYTES + 1)


@router.post("/imports/organisation", response_model=OrganisationImportOut)
def organisation(form: UploadForm, user: User, service: Service) -> OrganisationImportOut:
    """Create or update entities (id, name, parent, country; optional name_zh, type,
    grid_region, ownership, operational_control, valid_from, valid_to, aliases,
    cell_technology). ESG manager, admin. All or nothing, as every import: a file with a bad
    row is refused (422 ``input_rejected``, each issue naming its file, row, cell and field,
    what was found and what was expected) and nothing is written."""
    with uploaded(*_received(form.file)) as path:
        return OrganisationImportOut(**service.imports.organisation(user, path))


@router.post("/imports/datapoints", response_model=DataImportOut)
def datapoints(form: DataForm, user: User, service: Service) -> DataImportOut:
    """Enter or correct values from a file (entity, period, metric, value, unit; optional
    method, source, note) or a filled collection workbook, submitted for review unless
    ``submit`` is false. Values changed against last year by more than the threshold stay
    drafts until explained (``held``). A data owner imports values of their entities only: any
    other entity is unknown to them. Editors. All or nothing (422 ``input_rejected``)."""
    with uploaded(*_received(form.file)) as path:
        done = service.imports.data(user, path, form.submit, form.covers)
    return DataImportOut(**done.as_dict())


@router.post("/imports/transfers", response_model=CountOut)
def transfers(form: UploadForm, user: User, service: Service) -> CountOut:
    """Internal supplies (from, to, period, carrier, value, unit; optional reported_by = from
    or to when both sides report: they must agree). ESG manager, admin. All or nothing (422
    ``input_rejected``)."""
    with uploaded(*_received(form.file)) as path:
        return CountOut(imported=service.imports.transfers(user, path))


@router.post("/imports/certificates", response_model=CountOut)
def certificates(form: UploadForm, user: User, service: Service) -> CountOut:
    """Certificate claims (entity, period, scheme, certificate_id, mwh): each id once, ever, and
    never more than the electricity the entity consumed. ESG manager, admin. All or nothing
    (422 ``input_rejected``)."""
    with uploaded(*_received(form.file)) as path:
        return CountOut(imported=service.imports.certificates(user, path))


@router.post("/imports/activity", response_model=ActivityImportOut)
def activity(form: ActivityForm, user: User, service: Service) -> ActivityImportOut:
    """Check an activity file (Parquet or CSV: entity, ts, metric, quantity, unit) for a
    reporting year, store it under its SHA-256 and register it; compute it with
    POST /calculations/{period}/activity. ESG manager, admin. All or nothing (422
    ``input_rejected``)."""
    with uploaded(*_received(form.file)) as path:
        imported = service.imports.activity(user, path, form.period)
    return ActivityImportOut(**imported.as_dict())


@router.get(
    "/template",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the workbook (.xlsx)"}},
)
def template(
    user: User,
    service: Service,
    entity: Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$")],
    period: Annotated[str, Query(pattern=PERIOD_PATTERN)],
) -> Response:
    """The collection workbook of an entity (id or alias) and period: one row per input metric
    with last year's value for reference; filled in, it is imported with
    POST /imports/datapoints."""
    name, content = service.imports.template(user, entity, period)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
