"""Evidence files: upload to a data point, list, download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import FileResponse

from esgledger.api.deps import Service, User
from esgledger.api.models import EvidenceOut, Page
from esgledger.api.paging import Limit, Offset, paged

router = APIRouter(tags=["evidence"])
PointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EvidenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/datapoints/{datapoint_id}/evidence", response_model=EvidenceOut, status_code=201)
def upload(
    datapoint_id: PointId, file: Annotated[UploadFile, File()], user: User, service: Service
) -> EvidenceOut:
    """Attach a PDF, XLSX, CSV, PNG or JPEG file (multipart field ``file``). The type is taken
    from the content; the name must end as the content is (415 otherwise); 413 over the limit."""
    data = file.file.read(service.context.options.evidence_max_bytes + 1)
    record = service.evidence.upload(user, datapoint_id, file.filename or "file", data)
    return EvidenceOut(**record)


@router.get("/datapoints/{datapoint_id}/evidence", response_model=Page[EvidenceOut])
def list_evidence(
    datapoint_id: PointId, user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[EvidenceOut]:
    """The files attached to any version of the data point, oldest first."""
    found = service.evidence.list_for(user, datapoint_id)
    return paged(found, limit, offset, lambda r: EvidenceOut(**r))


@router.get(
    "/evidence/{evidence_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(evidence_id: EvidenceId, user: User, service: Service) -> FileResponse:
    """The file, as an attachment, for users allowed to see its data point."""
    record, path = service.evidence.file(user, evidence_id)
    return FileResponse(
        path,
        media_type=record["content_type"],
        filename=record["file_name"],
        content_disposition_type="attachment",
    )
