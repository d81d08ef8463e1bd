"""Disclosure coverage under ``/disclose/...``: the period's reporting profile, explanations of
framework items and the coverage computed from the ledger. Read by every user, written by admins
and ESG managers; each write is one audited service operation, refused whole (422 naming the
field, row or cell)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from esgledger.api.deps import Service, User
from esgledger.api.models_admin import Upload
from esgledger.api.routes.assess_governance import _file, _received
from esgledger.services.imports import uploaded

router = APIRouter(prefix="/disclose", tags=["disclosure: profile, explanations, coverage"])
UploadForm = Annotated[Upload, Form(media_type="multipart/form-data")]
Format = Annotated[Literal["csv", "xlsx"], Query(alias="format", description="csv or xlsx")]
Period = Annotated[str, Field(pattern=r"^[0-9]{4}$", description="reporting year YYYY")]
Record = dict[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ProfileIn(_Strict):
    frameworks: list[Annotated[str, Field(max_length=40)]] = Field(max_length=10)
    issuer_class: str | None = Field(None, max_length=40)


class ExplanationIn(_Strict):
    reference: str = Field(max_length=100, description="e.g. HKEX-A2.5")
    status: Literal["explained", "not_applicable"] = "explained"
    reason_id: str | None = Field(None, max_length=60)
    text_en: str = Field(max_length=4000)
    text_zh: str = Field(max_length=4000)


class WithdrawalIn(_Strict):
    reason: str = Field(max_length=1000)


@router.get("/{period}/profile")
def profile(period: str, user: User, service: Service) -> Record:
    """The period's frameworks and issuer class, with every version."""
    return service.disclose.profile(user, period)


@router.put("/{period}/profile")
def profile_set(period: str, body: ProfileIn, user: User, service: Service) -> Record:
    """Choose the period's frameworks (``hkex``, ``hkex@2020``) and issuer class."""
    return service.disclose.set_profile(user, period, body.frameworks, body.issuer_class)


@router.get("/{period}/coverage")
def coverage(
    period: str,
    user: User,
    service: Service,
    framework: Annotated[str | None, Query(max_length=40)] = None,
    lang: Annotated[Literal["en", "zh"], Query()] = "en",
) -> Record:
    """Every applicable item with its status, and the errors and warnings (errors first)."""
    return service.disclose.coverage(user, period, framework, lang)


@router.get("/{period}/explanations")
def explanations(period: str, user: User, service: Service) -> list[Record]:
    return service.disclose.explanations(user, period)


@router.post("/{period}/explanations", status_code=201)
def explain(period: str, body: ExplanationIn, user: User, service: Service) -> Record:
    """Explain an item (a reason of the framework's list) or declare it not applicable."""
    return service.disclose.explain(user, period, body.model_dump())


@router.post("/{period}/explanations/{reference}/withdrawal")
def withdraw(
    period: str, reference: str, body: WithdrawalIn, user: User, service: Service
) -> Record:
    return service.disclose.withdraw(user, period, reference, body.reason)


@router.post("/{period}/explanations/imports")
def explanations_import(period: str, form: UploadForm, user: User, service: Service) -> Record:
    """The explanations of a CSV or XLSX file; all or nothing, every bad cell named."""
    with uploaded(*_received(form)) as path:
        return service.disclose.import_file(user, period, path)


@router.get("/{period}/explanations/export")
def explanations_export(period: str, user: User, service: Service, fmt: Format = "csv") -> Response:
    return _file(service.disclose.export(user, period, fmt), fmt, f"explanations-{period}")
