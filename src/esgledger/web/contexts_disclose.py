"""The typed context of the coverage page (``/disclose/coverage``): ``CoverageData`` is its JSON
twin, ``CoverageView`` what the HTML adds (filters, forms, the refusal of a post)."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


class CoverageData(TypedDict):
    period: str
    coverage: Answer | None  # None: no profile for the period yet


class CoverageView(TypedDict):
    choices: dict[str, dict[str, str]]  # frameworks and issuer classes: id -> name
    given: dict[str, str]  # an item reference a step's link fills into a form (explain, withdraw)
    can_write: bool
    status_filter: str
    framework_filter: str
    statuses: list[str]
    problem: Answer | None
    saved: str | None
    here: str
    json_url: str


TEMPLATES: dict[str, tuple[type, ...]] = {"disclose_coverage.html.j2": (CoverageData, CoverageView)}
