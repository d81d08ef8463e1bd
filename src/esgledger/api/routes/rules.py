"""The organisation's own catalogue (metrics, axes, members) and the factor sets: read by every
user, extended by admins from a file (multipart upload; all or nothing, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from esgledger.api.deps import Service, User
from esgledger.api.models_admin import Upload
from esgledger.services.imports import MAX_UPLOAD_BYTES, uploaded

router = APIRouter(tags=["organisation and catalogue"])
UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]


class AxisMemberOut(BaseModel):
    id: str
    name: dict[str, str]
    origin: str


class AxisOut(BaseModel):
    id: str
    name: dict[str, str]
    origin: str = Field(description="built-in, or the organisation's own")
    members: list[AxisMemberOut]


class CatalogueVersionOut(BaseModel):
    version: int
    sha256: str
    file: str
    at: str
    by: str
    metrics: int
    axes: int
    members: int


class CatalogueImportOut(BaseModel):
    version: int | None = Field(description="the new version; null when nothing changed")
    added: list[str]
    changed: list[str]
    axes: list[str]
    members: list[str] = Field(description="axis.member of each member added to a built-in axis")


class FactorSetOut(BaseModel):
    set: str
    edition: str
    version: str
    title: dict[str, str]
    citation: str
    loaded_at: str
    origin: str = Field(description="built-in, imported edition, or organisation")
    in_effect: bool


class FactorImportOut(BaseModel):
    factor_set: str
    edition: str
    factors: int
    values: int
    unchanged: bool = Field(description="true when this very file was stored already")


def _received(form: Upload) -> tuple[str, bytes]:
    """The upload's name and content (one byte over the limit, so that it is refused as such)."""
    return form.file.filename or "file", form.file.file.read(MAX_UPLOAD_BYTES + 1)


@router.get("/catalogue/axes", response_model=list[AxisOut])
def axes(user: User, service: Service) -> list[dict[str, Any]]:
    """Every breakdown axis and its members, built-in and the organisation's."""
    return service.catalogue.axes(user)


@router.get("/catalogue/versions", response_model=list[CatalogueVersionOut])
def catalogue_versions(user: User, service: Service) -> list[dict[str, Any]]:
    """Every version of the organisation's own catalogue, oldest first."""
    return service.catalogue.versions(user)


@router.get("/catalogue/organisation", response_class=PlainTextResponse)
def catalogue_export(user: User, service: Service) -> str:
    """The organisation's catalogue in effect, as YAML that the import reads back."""
    return service.catalogue.export(user)


@router.post("/catalogue/imports", response_model=CatalogueImportOut)
def catalogue_import(form: UploadForm, user: User, service: Service) -> dict[str, Any]:
    """Add the organisation's own metrics (ids ``org.*``), axes (``org_*``) and members of
    built-in axes from a YAML or CSV file, validated like the built-ins; a built-in is never
    shadowed, a metric's unit and kind never change. Admins. All or nothing (422 naming the
    file, key or row)."""
    with uploaded(*_received(form)) as path:
        return service.catalogue.import_file(user, path)


@router.get("/factor-sets", response_model=list[FactorSetOut])
def factor_sets(user: User, service: Service) -> list[dict[str, Any]]:
    """Every stored factor set version: edition, whose it is, whether it is in effect."""
    return service.factors.sets(user)


@router.post("/factor-sets/imports", response_model=FactorImportOut)
def factor_import(form: UploadForm, user: User, service: Service) -> dict[str, Any]:
    """Store a new edition of a publication's factor set, or the organisation's own set
    (``org_*``, whose factors may override a built-in one in its unit), in the format of the
    shipped sets. Admins. All or nothing (422 naming the file, factor and value)."""
    with uploaded(*_received(form)) as path:
        return service.factors.import_file(user, path)
