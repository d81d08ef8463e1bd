"""The typed contexts of the governance pages (``/assess/governance``, ``/assess/policies``,
``/assess/topics``): each page's ``...Data`` is its JSON twin, its ``...View`` what the HTML
adds (forms, the refusal of a post, what a post did)."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


class GovernanceData(TypedDict):
    structure: list[Answer]
    meetings: list[Answer]
    training: list[Answer]
    topics_covered: list[str]


class GovernanceView(TypedDict):
    can_write: bool
    body_kinds: dict[str, dict[str, str]]  # kind -> {en, zh} (assess/data/governance.yaml)
    frequencies: dict[str, dict[str, str]]
    topic_choices: list[Answer]
    problem: Answer | None
    saved: str | None
    here: str
    json_url: str


class PoliciesData(TypedDict):
    policies: list[Answer]
    duplicates: list[Answer]


class PoliciesView(TypedDict):
    can_write: bool
    topic_choices: list[Answer]
    problem: Answer | None
    outcome: Answer | None
    here: str
    json_url: str


class TopicsData(TypedDict):
    topics: list[Answer]


class TopicsView(TypedDict):
    can_write: bool
    dimensions: list[str]
    problem: Answer | None
    saved: str | None
    here: str
    json_url: str


TEMPLATES: dict[str, tuple[type, ...]] = {
    "assess_governance.html.j2": (GovernanceData, GovernanceView),
    "assess_policies.html.j2": (PoliciesData, PoliciesView),
    "assess_topics.html.j2": (TopicsData, TopicsView),
}
