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
    draft_reasons: dict[str, list[str]] = Field(
        default_factory=dict, description="the same in each language (en, zh)"
    )
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


class ReportJobOut(BaseModel):
    id: str = Field(description="<year>-<hex>; only the latest job of each year is kept")
    period: str
    state: Literal["queued", "running", "done", "failed"]
    by: str = Field(description="who started it (the build runs on their behalf)")
    started_at: str
    finished_at: str | None
    done: int = Field(description="steps done")
    total: int = Field(description="steps in all (0 until the build has prepared its inputs)")
    step: str | None = Field(description="the last step done")
    elapsed: int | None = Field(default=None, description="while it runs: seconds since it started")
    result: dict[str, Any] | None = Field(description="when done: as the synchronous build")
    error: dict[str, Any] | None = Field(
        description="when failed: code, message, field, details (the one error shape)"
    )


class FullFileListed(BaseModel):
    file_name: str
    lang: str
    format: str
    size: int
    modified: str
    final: bool = Field(description="recorded in the report register with this SHA-256")


class FullFilesOut(BaseModel):
    period: str
    files: list[FullFileListed]
    built_at: str | None = Field(description="the newest file's time; null: never built")
    final: bool = Field(description="every file recorded in the report register")


def _langs(body: FullReportIn) -> tuple[str, ...]:
    return ("en", "zh") if body.lang == "both" else (body.lang,)


@router.post("/full-report", response_model=FullReportOut, status_code=201)
def build(body: FullReportIn, user: User, service: Service) -> FullReportOut:
    """Build the full report (ESG manager, admin) and answer when it is done. A final report is
    refused (409 ``qa_open``, naming them) while error-level quality findings are open, unless an
    admin overrides; 409 ``report_building`` while a build of the year runs."""
    built = service.report_jobs.run(
        user, body.period, _langs(body), tuple(body.formats), override_qa=body.override_qa
    )
    return FullReportOut(**built)


@router.post("/full-report/jobs", response_model=ReportJobOut, status_code=202)
def start(body: FullReportIn, user: User, service: Service) -> ReportJobOut:
    """Start the full report's build in the background (ESG manager, admin) and answer at once
    with the job; follow it with ``GET /full-report/jobs/{id}``. 409 ``report_building`` while
    a build of the year runs; the quality gate's refusal is the job's error."""
    job = service.report_jobs.start(
        user, body.period, _langs(body), tuple(body.formats), override_qa=body.override_qa
    )
    return ReportJobOut(**job)


@router.get("/full-report/jobs/{job_id}", response_model=ReportJobOut)
def job(
    job_id: Annotated[str, Path(pattern=r"^[0-9]{4}-[0-9a-f]{1,32}$")],
    user: User,
    service: Service,
) -> ReportJobOut:
    """A build job: its state, steps done of all, and the build's answer or error."""
    return ReportJobOut(**service.report_jobs.status(user, job_id))


@router.get("/full-report/{period}/files", response_model=FullFilesOut)
def files(period: PeriodPath, user: User, service: Service) -> FullFilesOut:
    """The files of the year's full report as last built."""
    return FullFilesOut(**service.report_files.full(user, period))


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
    path = service.report_files.full_file(user, period, file_name)
    return FileResponse(path, filename=file_name, content_disposition_type="attachment")
