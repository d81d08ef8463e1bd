"""The topic library, the governance structure (bodies, meetings, director training) and the
policy register under ``/assess/...``: read by every user, written by admins and ESG managers;
each write is one audited service operation, refused whole (422 naming the field or row)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from esgledger.api.deps import Service, User
from esgledger.api.models_admin import Upload
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(prefix="/assess", tags=["assessment: governance, policies, topics"])
UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]
Kind = Literal["bodies", "meetings", "training"]
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format", description="csv or xlsx")]
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Record = dict[str, Any]
_Text = Annotated[str, Field(max_length=4000)]
_Name = Annotated[str, Field(max_length=200)]
_Ids = Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TopicIn(_Strict):
    id: str = Field(max_length=100, description="org.<name>")
    name_en: _Name
    name_zh: _Name
    dimension: Literal["environment", "social", "governance"]
    frameworks: _Ids = []
    metrics: _Ids = []
    citation: _Text = ""


class MemberIn(_Strict):
    name: _Name
    role: _Name = ""


class BodyIn(_Strict):
    id: str = Field(max_length=100)
    kind: str = Field(max_length=20, description="board, committee, working_group or team")
    name_en: _Name
    name_zh: _Name
    parent_id: str | None = Field(None, max_length=100)
    entity_id: str | None = Field(None, max_length=100)
    duties: _Text
    members: list[MemberIn] = Field([], max_length=200)
    reporting_frequency: str = Field(max_length=20)
    topic_ids: _Ids = []


class MeetingIn(_Strict):
    id: str | None = Field(None, max_length=100)
    body_id: str = Field(max_length=100)
    held_on: str = Field(max_length=10, description="YYYY-MM-DD")
    topic_ids: _Ids = []
    decisions: _Text
    attended: int = Field(ge=0, le=10_000)
    invited: int = Field(ge=0, le=10_000)


class TrainingIn(_Strict):
    id: str | None = Field(None, max_length=100)
    held_on: str = Field(max_length=10, description="YYYY-MM-DD")
    directors: _Ids
    subject: _Text
    hours: float = Field(description="above 0, at most 1,000")
    provider: _Name


class PolicyIn(_Strict):
    id: str = Field(max_length=100)
    name_en: _Name
    name_zh: _Name
    aliases: _Ids = []
    owner: _Name
    policy_version: str = Field(max_length=40)
    effective_on: str = Field(max_length=10, description="YYYY-MM-DD")
    topic_ids: _Ids = []


class WithdrawalIn(_Strict):
    reason: str = Field(min_length=1, max_length=2000)


def _received(form: Upload) -> tuple[str, bytes]:
    return form.file.filename or "file", form.file.file.read(MAX_UPLOAD_BYTES + 1)


def _file(content: bytes, fmt: str, name: str) -> Response:
    return Response(
        content,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


# -- topics ---------------------------------------------------------------------------------------
@router.get("/topics")
def topics(
    user: User,
    service: Service,
    origin: Annotated[Literal["built-in", "organisation"] | None, Query()] = None,
) -> list[Record]:
    """The topic library: the 21 SSE No. 14 topics, the industry topics, the organisation's."""
    return service.topics.listing(user, origin)


@router.get("/topics/export")
def topics_export(user: User, service: Service, fmt: Format = "csv") -> Response:
    """The organisation's topics as CSV or XLSX (what the import reads)."""
    return _file(service.topics.export(user, fmt), fmt, "topics")


@router.get("/topics/{topic_id}")
def topic(topic_id: str, user: User, service: Service) -> Record:
    """One topic with its frameworks, metrics and versions."""
    return service.topics.show(user, topic_id)


@router.post("/topics", status_code=201)
def topic_add(body: TopicIn, user: User, service: Service) -> Record:
    """Add or change one of the organisation's own topics (``org.<name>``)."""
    return service.topics.add(user, body.model_dump())


@router.post("/topics/imports")
def topic_import(form: UploadForm, user: User, service: Service) -> Record:
    """Add the organisation's topics of a YAML, CSV or XLSX file; all or nothing."""
    with uploaded(*_received(form)) as path:
        return service.topics.import_file(user, path)


# -- governance -----------------------------------------------------------------------------------
@router.get("/governance/structure")
def structure(user: User, service: Service) -> list[Record]:
    """The governance bodies in force as a tree (depth first, with ``depth``)."""
    return service.governance.structure(user)


@router.get("/governance/topics-covered")
def topics_covered(user: User, service: Service) -> list[str]:
    """The topics the duties of a body in force cover (SSE No. 14 Art. 11(1))."""
    return service.governance.topics_covered(user)


@router.get("/governance/{kind}/export")
def governance_export(kind: Kind, user: User, service: Service, fmt: Format = "csv") -> Response:
    """The bodies, meetings or training in force as CSV or XLSX."""
    return _file(service.governance.export(user, kind, fmt), fmt, kind)


@router.get("/governance/{kind}")
def governance_list(kind: Kind, user: User, service: Service) -> list[Record]:
    """The bodies, meetings or director training sessions in force."""
    return service.governance.listing(user, kind)


@router.get("/governance/{kind}/{record_id}")
def governance_show(kind: Kind, record_id: str, user: User, service: Service) -> Record:
    """One record with every version of it."""
    return service.governance.show(user, kind, record_id)


@router.post("/governance/bodies", status_code=201)
def body_save(body: BodyIn, user: User, service: Service) -> Record:
    """Add a governance body, or a new version of one (same id)."""
    fields = body.model_dump()
    return service.governance.save_body(user, fields)


@router.post("/governance/bodies/{body_id}/withdrawal")
def body_withdraw(body_id: str, body: WithdrawalIn, user: User, service: Service) -> Record:
    """Withdraw a body (kept, marked withdrawn with the reason)."""
    return service.governance.withdraw_body(user, body_id, body.reason)


@router.post("/governance/meetings", status_code=201)
def meeting_add(body: MeetingIn, user: User, service: Service) -> Record:
    """Record a meeting held by a body."""
    return service.governance.add_meeting(user, body.model_dump())


@router.post("/governance/training", status_code=201)
def training_add(body: TrainingIn, user: User, service: Service) -> Record:
    """Record training given to directors."""
    return service.governance.add_training(user, body.model_dump())


@router.post("/governance/{kind}/imports")
def governance_import(kind: Kind, form: UploadForm, user: User, service: Service) -> Record:
    """Add the bodies, meetings or training of a CSV, XLSX or YAML file; all or nothing."""
    with uploaded(*_received(form)) as path:
        return service.governance.import_file(user, kind, path)


# -- policies -------------------------------------------------------------------------------------
@router.get("/policies")
def policies(user: User, service: Service) -> list[Record]:
    """The policy register, each policy with its near-duplicates."""
    return service.policies.listing(user)


@router.get("/policies/duplicates")
def policy_duplicates(user: User, service: Service) -> list[Record]:
    """Every pair of policies whose names are near-duplicates."""
    return service.policies.duplicates(user)


@router.get("/policies/export")
def policies_export(user: User, service: Service, fmt: Format = "csv") -> Response:
    """The register as CSV or XLSX (what the import reads)."""
    return _file(service.policies.export(user, fmt), fmt, "policies")


@router.get("/policies/{policy_id}")
def policy(policy_id: str, user: User, service: Service) -> Record:
    """One policy with its near-duplicates and versions."""
    return service.policies.show(user, policy_id)


@router.post("/policies", status_code=201)
def policy_add(body: PolicyIn, user: User, service: Service) -> Record:
    """Register a policy or a new version of one; ``warnings`` lists near-duplicate names (a
    name equal to another policy's once normalised is refused, 422)."""
    return service.policies.add(user, body.model_dump())


@router.post("/policies/{policy_id}/withdrawal")
def policy_withdraw(policy_id: str, body: WithdrawalIn, user: User, service: Service) -> Record:
    """Withdraw a policy (kept, marked withdrawn with the reason)."""
    return service.policies.withdraw(user, policy_id, body.reason)


@router.post("/policies/imports")
def policy_import(form: UploadForm, user: User, service: Service) -> Record:
    """Register the policies of a CSV, XLSX or YAML file; all or nothing."""
    with uploaded(*_received(form)) as path:
        return service.policies.import_file(user, path)


@router.post("/policies/{policy_id}/document")
def policy_document_upload(
    policy_id: str, form: UploadForm, user: User, service: Service
) -> Record:
    """Attach the policy's document (PDF, XLSX, ...): a new version of the policy."""
    name, data = _received(form)
    return service.policies.attach(user, policy_id, name, data)


@router.get("/policies/{policy_id}/document", response_class=FileResponse)
def policy_document(policy_id: str, user: User, service: Service) -> FileResponse:
    """The policy's document."""
    record, path = service.policies.document(user, policy_id)
    return FileResponse(path, media_type=record["document_type"], filename=record["document_name"])
