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


def _locations(
    row: CoverageRow, titles: Mapping[str, str], places: Mapping[str, Sequence[str]]
) -> str:
    """The sections that tag the item; for an item met by its figures alone, the sections whose
    tables print them (``places``: metric key -> section ids, ``*`` for any other metric)."""
    sections = list(row.locations)
    if not sections and row.status != NOT_APPLICABLE:
        for key in row.metrics:
            for section in places.get(key.split("{", 1)[0]) or places.get("*", ()):
                if section not in sections:
                    sections.append(section)
    links = [
        f'<a class="pageref" href="#{escape(anchor(s))}">{escape(titles.get(s, s))}</a>'
        for s in sections[:3]
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
    rows: Sequence[CoverageRow],
    strings: Strings,
    titles: Mapping[str, str] | None = None,
    places: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The index tables as an HTML fragment; ``titles`` names the sections (else their ids);
    ``places`` gives, per metric, the sections whose tables print it (where an item met by its
    figures is found; ``*``: the sections printing every metric, for a metric not listed)."""
    titles = titles or {}
    places = places or {}
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
            f"<td>{_status(row, strings)}</td><td>{_locations(row, titles, places)}</td></tr>"
            for row in own
        )
        parts.append(
            f'<section class="content-index" data-framework="{escape(framework)}">'
            f"<h3>{escape(name)}</h3>"
            f'<table class="index"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            "</section>"
        )
    return "\n".join(parts)
