"""Targets (issue 10, part 1) under ``/assess/targets``: every user reads them with their status,
computed from the ledger on each request by the same service operation as the CLI and the web
page; ESG managers and admins add, change, withdraw and import them (audited, all or nothing)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints

from esgledger.api.deps import Service, User
from esgledger.api.models import EntityId, FiniteFloat, MetricId, Note, Page, Request, Source
from esgledger.api.models_admin import Upload
from esgledger.api.paging import Limit, Offset, paged
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(prefix="/assess/targets", tags=["assessment: targets"])
UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]
Year = Annotated[int, Field(ge=1990, le=2100)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Listed = Annotated[str, StringConstraints(min_length=1, max_length=10)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MilestoneIn(Request):
    year: Year
    value: FiniteFloat | None = Field(None, description="a value in the metric's unit")
    change: FiniteFloat | None = Field(None, description="or a change against the base: -0.1")


class CreditIn(Request):
    year: Year
    quantity: FiniteFloat = Field(description="in the metric's unit, positive")
    source: Source = Field(description="registry, project, vintage")


class TargetBody(Request):
    name: Text
    name_zh: Text | None = None
    kind: Literal["absolute", "intensity"]
    metric_key: MetricId = Field(description="a catalogue metric key, breakdown members allowed")
    entity_id: EntityId
    covers: Annotated[str, StringConstraints(max_length=300)] | None = None
    base_year: Year | None = Field(None, description="required: the request is refused without")
    base_value: FiniteFloat | None = Field(None, description="a reported base value")
    base_source: Source | None = None
    base_method: Literal["measured", "estimated", "calculated", "reported"] | None = None
    target_year: Year | None = None
    target_value: FiniteFloat | None = Field(None, description="a value in the metric's unit")
    target_change: FiniteFloat | None = Field(None, description="or a change: -0.3 for -30 %")
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=100)
    gases: list[Listed] = Field(default_factory=list, max_length=10)
    scopes: list[Listed] = Field(default_factory=list, max_length=3)
    net: bool = False
    gross_target: EntityId | None = None
    credits: list[CreditIn] = Field(default_factory=list, max_length=200)
    note: Note | None = None


class TargetIn(TargetBody):
    target_id: EntityId


class WithdrawIn(Request):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class TargetOut(BaseModel):
    target_id: str
    name: str
    name_zh: str | None
    kind: str
    metric_key: str
    entity_id: str
    covers: str | None
    unit: str
    base_year: int
    base_value: float | None
    base_source: str | None
    base_method: str | None
    target_year: int
    target_value: float | None
    target_change: float | None
    milestones: list[dict[str, Any]]
    gases: list[str]
    scopes: list[str]
    net: bool
    gross_target: str | None
    credits: list[dict[str, Any]]
    note: str | None
    version: int
    state: str
    reason: str | None
    at: str
    by: str
    assessment: dict[str, Any] = Field(
        description="status (achieved, on_track, off_track, not_assessable, withdrawn), the "
        "reason with its text, base and current values, target value, trajectory, progress"
    )
    history: list[dict[str, Any]] | None = None


class TargetImportOut(BaseModel):
    file: str
    created: int
    updated: int
    unchanged: int


@router.get("", response_model=Page[TargetOut])
def list_targets(
    user: User, service: Service, limit: Limit = 500, offset: Offset = 0
) -> Page[TargetOut]:
    """Every target of the user's entities with its status now."""
    return paged(service.targets.listing(user), limit, offset, lambda t: TargetOut(**t))


@router.get("/export", response_class=Response)
def export_targets(
    user: User,
    service: Service,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",  # noqa: A002
) -> Response:
    """The targets in force as a file that the import reads back."""
    data = service.targets.export(user, format)
    headers = {"Content-Disposition": f'attachment; filename="targets.{format}"'}
    return Response(data, media_type=MEDIA[format], headers=headers)


@router.get("/{target_id}", response_model=TargetOut)
def show_target(target_id: str, user: User, service: Service) -> TargetOut:
    """One target with its status and every version it had."""
    return TargetOut(**service.targets.show(user, target_id))


@router.post("", response_model=TargetOut, status_code=201)
def create_target(body: TargetIn, user: User, service: Service) -> TargetOut:
    """Add a target (ESG manager, admin; audited). Refused with 422 naming the field: no base
    year, a target year not after it, a net target without its gross target, an unknown metric
    or entity, milestones outside the years, credits without source or quantity."""
    return TargetOut(**service.targets.create(user, body.model_dump()))


@router.put("/{target_id}", response_model=TargetOut)
def update_target(target_id: str, body: TargetBody, user: User, service: Service) -> TargetOut:
    """Change a target: stored as its next version (the versions before are kept)."""
    data = {**body.model_dump(), "target_id": target_id}
    return TargetOut(**service.targets.update(user, target_id, data))


@router.post("/{target_id}/withdraw", response_model=TargetOut)
def withdraw_target(target_id: str, body: WithdrawIn, user: User, service: Service) -> TargetOut:
    """Withdraw a target with the reason (a new version; nothing is deleted)."""
    return TargetOut(**service.targets.withdraw(user, target_id, body.reason))


@router.post("/imports", response_model=TargetImportOut)
def import_targets(form: UploadForm, user: User, service: Service) -> dict[str, Any]:
    """Targets from a CSV or XLSX file (the columns of the export); all or nothing, 422 naming
    each row, cell and column refused."""
    name = form.file.filename or "targets"
    with uploaded(name, form.file.file.read(MAX_UPLOAD_BYTES + 1)) as path:
        return service.targets.import_file(user, path, name)
