"""The full report as one self-contained HTML document (inline CSS and SVG), assembled from the
outline: cover, contents, chapters of sections, each section's blocks in order; and its PDF."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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


def render_document(
    outline: Outline,
    data: FullData,
    texts: dict[tuple[str, str], SectionText],
    draft: list[str],
    *,
    printed: bool = False,
) -> str:
    """The document; ``printed``: for the PDF, without the screen-only chapters."""
    lang = data.strings.lang
    chapters = [
        ShownChapter(
            chapter.id,
            chapter.title[lang],
            [render_section(s, data, texts) for s in chapter.sections],
            all(b.kind in SCREEN_ONLY for s in chapter.sections for b in s.blocks),
        )
        for chapter in outline.chapters
        if not (printed and all(b.kind in SCREEN_ONLY for s in chapter.sections for b in s.blocks))
    ]
    template = ENVIRONMENT.get_template("full.html.j2")
    return template.render(c=data.context, t=data.strings, chapters=chapters, draft=draft)


def write_pdfs(documents: list[tuple[str, Path]]) -> Iterator[Path]:
    """Each (document, path)'s PDF, in parallel processes when there are several (WeasyPrint is
    single-threaded Python: the English and Chinese PDFs take one core each); yields the paths
    as they are written."""
    if len(documents) < 2 or (os.cpu_count() or 1) < 2:
        for html, path in documents:
            yield write_pdf(html, path)
        return
    spawn = multiprocessing.get_context("spawn")  # no fork of a server's threads and connections
    with ProcessPoolExecutor(max_workers=min(len(documents), 2), mp_context=spawn) as pool:
        yield from pool.map(write_pdf, *zip(*documents, strict=True))


def write_pdf(html: str, path: Path) -> Path:
    """The PDF of the document (WeasyPrint, print media: pages, running headers, page numbers,
    contents with page numbers; fonts, Noto CJK included, embedded as subsets)."""
    from weasyprint import HTML  # imported here: loading pango takes a moment

    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path
