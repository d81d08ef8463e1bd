"""The full report over REST: its narrative sections (list, read, save a version) and its build
(HTML and PDF, English and Chinese) with the files' download. Each route calls one operation of
:class:`esgledger.services.report_content.ReportContent`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from esgledger.api.deps import Service, User
from esgledger.api.models import PERIOD_PATTERN
from esgledger.service_errors import NotFound

router = APIRouter(tags=["periods and reports"])
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN)]
SectionPath = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$")]
Lang = Literal["en", "zh"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionIn(Strict):
    body: str = Field(max_length=200_000, description="Markdown with placeholders")


class SectionSaved(BaseModel):
    period: str
    section_id: str
    lang: str
    version: int
    unchanged: bool


class SectionOut(BaseModel):
    period: str
    section: str
    lang: str
    body: str
    origin: str = Field(description="ledger (the organisation's version) or default (template)")
    versions: list[dict[str, Any]]


class FullReportIn(Strict):
    period: str = Field(pattern=PERIOD_PATTERN)
    lang: Literal["en", "zh", "both"] = "both"
    formats: list[Literal["html", "pdf", "xlsx"]] = Field(default=["html", "pdf"], min_length=1)
    override_qa: str | None = Field(
        default=None,
        max_length=2000,
        description="admins: publish a final report over open error-level quality findings, "
        "for this reason (recorded, printed in the basis of preparation)",
    )


class FullFile(BaseModel):
    file_name: str
    sha256: str
    size: int


class FullReportOut(BaseModel):
    period: str
    draft: list[str] = Field(description="why the report says DRAFT; empty for a final report")
    recorded: bool = Field(description="files recorded in the report register (final report)")
    files: list[FullFile]
    qa: dict[str, Any] = Field(
        description="the quality checks: errors_open (rule: message), warnings_open, justified, "
        "override (reason, by) or null"
    )


@router.get("/full-report/sections/{period}", response_model=list[dict[str, Any]])
def sections(period: PeriodPath, user: User, service: Service) -> list[dict[str, Any]]:
    """The outline's narrative sections with where each language's text comes from."""
    return service.report_content.sections(user, period)


@router.get("/full-report/sections/{period}/{section}/{lang}", response_model=SectionOut)
def section(
    period: PeriodPath, section: SectionPath, lang: Lang, user: User, service: Service
) -> SectionOut:
    """A section's text in force and its versions for the period."""
    return SectionOut(**service.report_content.show(user, period, section, lang))


@router.put("/full-report/sections/{period}/{section}/{lang}", response_model=SectionSaved)
def save(
    period: PeriodPath,
    section: SectionPath,
    lang: Lang,
    body: SectionIn,
    user: User,
    service: Service,
) -> SectionSaved:
    """Save a section's text as its next version (422 naming the line of a placeholder that
    refers to nothing; 409 in a locked period)."""
    return SectionSaved(**service.report_content.save(user, period, section, lang, body.body))


@router.post("/full-report", response_model=FullReportOut, status_code=201)
def build(body: FullReportIn, user: User, service: Service) -> FullReportOut:
    """Build the full report (ESG manager, admin). A final report is refused (409 ``qa_open``,
    naming them) while error-level quality findings are open, unless an admin overrides."""
    langs = ("en", "zh") if body.lang == "both" else (body.lang,)
    out = service.context.reports_dir / f"{body.period}-full"
    built = service.report_content.build(
        user, body.period, out, langs, tuple(body.formats), override_qa=body.override_qa
    )
    return FullReportOut(**built)


@router.get(
    "/full-report/{period}/{file_name}",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def download(
    period: PeriodPath,
    file_name: Annotated[str, Path(pattern=r"^esgledger-full-report-[0-9-]+-(en|zh)\.(html|pdf)$")],
    user: User,
    service: Service,
) -> FileResponse:
    """A file of the period's full report, as last built."""
    service.report_content.sections(user, period)  # report.read
    path = service.context.reports_dir / f"{period}-full" / file_name
    if not path.is_file():
        raise NotFound(f"no file {file_name} of the {period} full report; build it first")
    return FileResponse(path, filename=file_name, content_disposition_type="attachment")
