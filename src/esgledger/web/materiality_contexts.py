"""The typed contexts of the materiality, IRO register, stakeholder and questionnaire pages
(issue 10, parts 2 and 3); registered in :data:`esgledger.web.contexts.TEMPLATES`."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


class MaterialityListData(TypedDict):
    assessments: list[Answer]


class MaterialityListView(TypedDict):
    can_edit: bool


class MaterialityData(TypedDict):
    assessment: Answer
    sensitivity: list[Answer]
    groups: dict[str, Answer]


class MaterialityView(TypedDict):
    matrix: str  # the SVG, rendered by the service (labels escaped there)
    can_edit: bool
    can_approve: bool


class IrosData(TypedDict):
    assessment: Answer
    topics: list[Answer]
    horizons: dict[str, Answer]
    scale: dict[str, int]
    iros: list[Answer]


class IrosView(TypedDict):
    can_edit: bool
    can_score: bool
    vocabulary: dict[str, dict[str, dict[str, str]]]


class StakeholdersData(TypedDict):
    groups: list[Answer]
    assessments: list[Answer]
    links: list[Answer]
    topics: list[Answer]


class StakeholdersView(TypedDict):
    can_edit: bool
    issued: list[str]
    imported: int | None


class QuestionnaireView(TypedDict):
    questionnaire: Answer | None
    done: bool
    error: str | None
    message: str
    token: str


class DashboardMatrix(TypedDict):
    """The dashboard's small matrix: the newest assessment of the period, if any."""

    materiality: Answer | None
    materiality_svg: str
