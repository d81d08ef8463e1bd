"""The typed context of the QA page (``/qa?period=``): ``QaData`` is its JSON twin, ``QaView``
what the HTML adds (findings grouped by severity with their links, forms, a post's refusal)."""

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


TEMPLATES: dict[str, tuple[type, ...]] = {"qa.html.j2": (QaData, QaView)}
