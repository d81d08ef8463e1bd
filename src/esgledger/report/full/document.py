"""The full report as one self-contained HTML document (inline CSS and SVG), assembled from the
outline: cover, contents, chapters of sections, each section's blocks in order; the printed
document the PDF is made of (:mod:`esgledger.report.pdf`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from esgledger.report.full import sections as narrative
from esgledger.report.full.blocks import ENVIRONMENT, RENDERERS, Place, breakdown_html
from esgledger.report.full.data import DataResolver, FullData
from esgledger.report.full.outline import Outline, Section
from esgledger.report.full.sections import SectionText

SCREEN_ONLY = frozenset({"appendix"})


@dataclass
class ShownSection:
    id: str
    anchor: str
    title: str
    blocks: list[Markup]


@dataclass
class ShownChapter:
    id: str
    title: str
    sections: list[ShownSection]
    screen_only: bool = False  # the lineage appendix: in the HTML only (hundreds of pages in print)


def resolver(data: FullData, section: str = "text") -> DataResolver:
    counter = iter(range(1_000_000))
    return DataResolver(
        data,
        lambda metric, by: breakdown_html(metric, by, data, f"{section}-p{next(counter)}"),
    )


def render_section(
    section: Section, data: FullData, texts: dict[tuple[str, str], SectionText]
) -> ShownSection:
    """One section's blocks as HTML; a placeholder error names the section, language and line."""
    lang = data.strings.lang
    shown = []
    for index, block in enumerate(section.blocks):
        if block.kind == "narrative":
            text = texts.get((section.id, lang))
            if text is None:
                html = str(Markup('<p class="missing">{}</p>').format(data.strings("full.no_text")))
            else:
                html = narrative.render(text, resolver(data, section.id))
            shown.append(Markup(f'<div class="narrative">{html}</div>'))
        else:
            shown.append(Markup(RENDERERS[block.kind](block.params, Place(section, index), data)))
    return ShownSection(section.id, section.anchor, section.title[lang], shown)


def render_chapters(
    outline: Outline, data: FullData, texts: dict[tuple[str, str], SectionText]
) -> list[ShownChapter]:
    """Every chapter's sections rendered once, for the screen and the printed document alike."""
    lang = data.strings.lang
    return [
        ShownChapter(
            chapter.id,
            chapter.title[lang],
            [render_section(s, data, texts) for s in chapter.sections],
            all(b.kind in SCREEN_ONLY for s in chapter.sections for b in s.blocks),
        )
        for chapter in outline.chapters
    ]


def render_document(
    chapters: list[ShownChapter], data: FullData, draft: list[str], *, printed: bool = False
) -> str:
    """The document; ``printed``: for the PDF, without the screen-only chapters, and with the
    links into them (a figure's link to its lineage entry) left as plain text."""
    shown = [c for c in chapters if not (printed and c.screen_only)]
    template = ENVIRONMENT.get_template("full.html.j2")
    html = template.render(
        c=data.context, t=data.strings, chapters=shown, draft=draft, stylesheet=stylesheet()
    )
    return unlink_absent_targets(html) if printed else html


@cache
def stylesheet() -> Markup:
    """The report's stylesheet with its custom properties written out: WeasyPrint resolves a
    ``var()`` on every element and property, about a tenth of a PDF's layout time."""
    source = "\n".join(
        ENVIRONMENT.loader.get_source(ENVIRONMENT, name)[0]  # type: ignore[union-attr]
        for name in ("report.css", "full.css")
    )
    return Markup(resolve_custom_properties(source))  # noqa: S704 - our own stylesheet files


_ROOT = re.compile(r":root\s*\{([^}]*)\}")
_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_VAR = re.compile(r"var\((--[\w-]+)\)")


def resolve_custom_properties(css: str) -> str:
    """``css`` with each ``var(--name)`` replaced by the value its ``:root`` rule declares, and
    the ``:root`` rule dropped. A ``var()`` of a property ``:root`` does not declare is an error."""
    root = _ROOT.search(css)
    declared = dict(_PROPERTY.findall(root.group(1))) if root else {}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in declared:
            raise ValueError(f"the report stylesheet uses {name}, which :root does not declare")
        return declared[name].strip()

    resolved = _VAR.sub(value, css)
    return resolved.replace(root.group(0), "") if root else resolved


_LINK = re.compile(r'<a((?: class="[^"]*")?) href="#([^"]+)">(.*?)</a>', re.S)
_ID = re.compile(r' id="([^"]+)"')


def unlink_absent_targets(html: str) -> str:
    """The document with each link to an anchor it does not contain turned into a span with the
    link's class and text (in print, a figure's link into the screen-only lineage appendix)."""
    present = set(_ID.findall(html))

    def keep_or_unlink(match: re.Match[str]) -> str:
        if match.group(2) in present:
            return match.group(0)
        return f"<span{match.group(1)}>{match.group(3)}</span>"

    return _LINK.sub(keep_or_unlink, html)
