"""The typed contexts of the report pages: the Reports page (``/reports``), the report sections
page (``/reports/sections``, issue 11 part 3) and a year's full report fragment; each ``...Data``
is the JSON twin, its ``...View`` what the HTML adds (the editor, the forms, a refusal)."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


class ReportRow(TypedDict):
    period: str
    built: dict[str, Answer | None]  # the KPI book per language
    full: list[Answer]  # the full report's files as last built (HTML, PDF, XLSX)
    built_at: str | None  # when (the newest file's time)
    final: bool  # every file recorded in the report register
    job: Answer | None  # the year's latest build job (services.report_jobs)


class ReportsData(TypedDict):
    reports: list[ReportRow]


class ReportsView(TypedDict):
    can_build: bool
    can_override: bool  # an admin: publish over open error-level quality findings
    can_assure: bool  # may download the assurance pack
    languages: tuple[str, ...]


class FullReportData(TypedDict):
    """A year's full report (``/reports/full/{year}/progress``): its files as last built, and
    its latest build job (``services.report_jobs``)."""

    period: str
    files: list[Answer]  # name, lang, format, size, modified, final
    built_at: str | None  # the newest file's time
    final: bool  # every file is recorded in the report register
    job: Answer | None  # state (queued, running, done, failed), steps, result or error


class FullReportView(TypedDict):
    can_build: bool
    can_override: bool
    back: str  # where a form posted without scripts leads back to
    notice: Answer | None  # a refused build (another one of the year is running)


class SectionsData(TypedDict):
    period: str
    sections: list[Answer]
    editing: Answer | None  # the section shown in the editor: body, origin, versions


class SectionsView(TypedDict):
    can_write: bool
    can_build: bool
    can_override: bool  # an admin: publish over open error-level quality findings, with a reason
    periods: list[str]
    preview: str  # the editor's text as HTML (placeholders checked)
    problem: str | None
    saved: str | None
    full_report: FullReportData  # the full report's files of the period and its build job
    here: str
    json_url: str


TEMPLATES: dict[str, tuple[type, ...]] = {
    "reports.html.j2": (ReportsData, ReportsView),
    "report_sections.html.j2": (SectionsData, SectionsView),
    "full_report.html.j2": (FullReportData, FullReportView),
}
