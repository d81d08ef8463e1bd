"""The content index of a report (issue 11, part 2): one table per framework, each row the item,
its title in the report's language, its level, its status (met, explained with its reason, not
applicable, not met) and where the report meets it, as links to section anchors ``#sec-<id>`` of
class ``pageref`` so that the PDF prints their page numbers (CSS ``target-counter``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from esgledger.disclose.coverage import EXPLAINED, NOT_APPLICABLE, CoverageRow
from esgledger.i18n import Strings


def anchor(section_id: str) -> str:
    """The anchor of a section in the full report (the content part names its sections so)."""
    return f"sec-{section_id}"


def _locations(row: CoverageRow, titles: Mapping[str, str]) -> str:
    links = [
        f'<a class="pageref" href="#{escape(anchor(s))}">{escape(titles.get(s, s))}</a>'
        for s in row.locations
    ]
    return "; ".join(links)


def _status(row: CoverageRow, strings: Strings) -> str:
    text = escape(strings(f"disclose.status.{row.status}"))
    if row.status in (EXPLAINED, NOT_APPLICABLE):
        reason = row.reason_names.get(strings.lang) or row.reason_names.get("en") or ""
        said = row.texts.get(strings.lang) or row.texts.get("en") or ""
        details = strings("disclose.index.sep").join(part for part in (reason, said) if part)
        if details:
            shown = strings("disclose.index.details", details=details)
            text += f'<span class="explanation">{escape(shown)}</span>'
    return text


def index_html(
    rows: Sequence[CoverageRow], strings: Strings, titles: Mapping[str, str] | None = None
) -> str:
    """The index tables as an HTML fragment; ``titles`` names the sections (else their ids)."""
    titles = titles or {}
    frameworks: dict[str, list[CoverageRow]] = {}
    for row in rows:
        frameworks.setdefault(row.framework, []).append(row)
    parts = []
    for framework, own in frameworks.items():
        name = strings.get(f"disclose.framework.{framework}", framework)
        head = "".join(
            f"<th>{escape(strings(f'disclose.column.{c}'))}</th>"
            for c in ("item", "title", "level", "status", "location")
        )
        body = "".join(
            f'<tr class="status-{row.status}" id="idx-{escape(row.reference)}">'
            f"<td>{escape(row.item_id)}</td><td>{escape(row.title(strings.lang))}</td>"
            f"<td>{escape(strings(f'framework.level.{row.level}'))}</td>"
            f"<td>{_status(row, strings)}</td><td>{_locations(row, titles)}</td></tr>"
            for row in own
        )
        parts.append(
            f'<section class="content-index" data-framework="{escape(framework)}">'
            f"<h3>{escape(name)}</h3>"
            f'<table class="index"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            "</section>"
        )
    return "\n".join(parts)
