"""The typed contexts of the report sections page (``/reports/sections``, issue 11 part 3): its
``...Data`` is the JSON twin, its ``...View`` what the HTML adds (the editor, the refusal)."""

from __future__ import annotations

from typing import Any, TypedDict

Answer = dict[str, Any]


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
    built: list[Answer]  # the full report's files of the period, for download
    here: str
    json_url: str


TEMPLATES: dict[str, tuple[type, ...]] = {"report_sections.html.j2": (SectionsData, SectionsView)}
