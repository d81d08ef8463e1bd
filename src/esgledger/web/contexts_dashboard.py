"""The typed contexts of the dashboard (``/dashboard``): ``DashboardData`` is its JSON twin,
``DashboardView`` what the HTML adds (trend charts, the waiting items grouped, the materiality
section)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from esgledger.web.materiality_contexts import DashboardMatrix

if TYPE_CHECKING:
    from esgledger.web.charts import TrendChart

Answer = dict[str, Any]


class DashboardData(TypedDict):
    period: str
    periods: list[str]
    state: Answer
    progress: Answer
    kpis: list[Answer]
    waiting: list[Answer]
    targets: list[Answer]  # target progress (issue 10), as services.targets.listing answers
    # findings open and justified by severity (services.qa_review.counts); the page itself asks
    # /dashboard/qa once it has loaded (running the checks takes a moment), so None there
    qa: Answer | None
    full_report: Answer | None  # the year's full report as last built (services.report_files)


class WaitingGroup(TypedDict):
    """Items of "waiting for me" with the same task, entity and indicator: one row, its months
    listed inside."""

    task: str
    entity: str
    metric: str
    items: list[Answer]
    periods: list[str]  # each item's period, in order
    href: str  # where the task is done


class DashboardView(DashboardMatrix):  # + the materiality section
    charts: dict[str, TrendChart]
    editable: list[str]
    waiting_groups: list[WaitingGroup]
    qa_later: bool  # the card of the quality checks is loaded after the page (HTMX)


TEMPLATES: dict[str, tuple[type, ...]] = {"dashboard.html.j2": (DashboardData, DashboardView)}
