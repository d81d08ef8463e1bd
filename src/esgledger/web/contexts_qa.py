"""The typed context of the QA page (``/qa?period=``): ``QaData`` is its JSON twin, ``QaView``
what the HTML adds (findings grouped by severity with their links, forms, a post's refusal); and
of the dashboard's card of the quality checks."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


class QaData(TypedDict):
    period: str
    review: Answer  # services.qa_review.review: rules, findings, counts, override, locked


class QaView(TypedDict):
    groups: list[Answer]  # {"severity", "findings"}: errors, then warnings, then justified
    can_justify: bool
    problem: Answer | None
    problem_key: str | None  # the finding the refused post was about
    saved: str | None
    here: str
    json_url: str


class DashboardQaData(TypedDict):
    """The dashboard's card of the quality checks (``/dashboard/qa?period=``)."""

    qa: Answer  # services.qa_review.counts: open and justified errors and warnings


TEMPLATES: dict[str, tuple[type, ...]] = {
    "qa.html.j2": (QaData, QaView),
    "dashboard_qa.html.j2": (DashboardQaData,),
}
