"""Build the full report of a year: HTML, PDF and the XLSX data annex, English and/or Chinese.

``build_full(connection, catalogue, "2024", out, inputs, langs=("en", "zh"),
formats=("html", "pdf", "xlsx"))`` writes ``out/esgledger-full-report-2024-en.html`` and ``.pdf``,
``out/esgledger-annex-2024-en.xlsx`` (and the ``zh`` files) and returns their paths. A report
built while ``inputs.draft`` names reasons (values not approved, the period not locked) says
DRAFT on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.catalogue import Catalogue
from esgledger.collector import collection_paused
from esgledger.errors import EsgLedgerError
from esgledger.i18n import LANGUAGES, Strings
from esgledger.qa.summary import Override
from esgledger.report.annex import write_annex
from esgledger.report.basis_section import basis_html, basis_of_context, profile_frameworks
from esgledger.report.build import report_context
from esgledger.report.full import blocks
from esgledger.report.full import sections as narrative
from esgledger.report.full.chart_blocks import chart_registry
from esgledger.report.full.data import FullData, Inputs
from esgledger.report.full.document import render_chapters, render_document, resolver
from esgledger.report.full.outline import DEFAULT_OUTLINE, Outline, load_outline
from esgledger.report.full.sections import SectionText, texts_for
from esgledger.report.pdf import PdfWriters
from esgledger.report.whole import text_written_whole

FORMATS = ("html", "pdf", "xlsx")
# (step done, steps in all, what was just done) -> None: the CLI's progress bar
Progress = Callable[[int, int, str], None]


def outline_for(catalogue: Catalogue, path: Path = DEFAULT_OUTLINE) -> Outline:
    """The outline, checked against the catalogue and the chart registry."""
    return load_outline(blocks.checks(catalogue, set(chart_registry())), path)


def file_name(period: str, lang: str, fmt: str) -> str:
    return f"esgledger-full-report-{period}-{lang}.{fmt}"


def profile_basis(
    context: Any, catalogue: Catalogue, profile: tuple[list[str], str | None], strings: Strings
) -> str:
    """The basis of preparation naming the frameworks and issuer class of the period's profile."""
    names, issuer = profile_frameworks(profile[0], profile[1], context.year, strings.lang)
    run = context.sources.runs.get(context.year)
    basis = basis_of_context(
        context, catalogue, run, strings, frameworks=names, issuer_class=issuer
    )
    return basis_html(basis, strings)


def _override(inputs: Inputs, lang: str) -> Override | None:
    summary = inputs.qa.get(lang)
    return None if summary is None else summary.override


def build_full(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    out_dir: Path,
    inputs: Inputs,
    *,
    langs: Iterable[str] = LANGUAGES,
    formats: Iterable[str] = FORMATS,
    stored: Mapping[tuple[str, str], SectionText] | None = None,
    outline: Outline | None = None,
    generated: dt.date | None = None,
    progress: Progress | None = None,
    pdfs: PdfWriters | None = None,
) -> list[Path]:
    """Write the report's files and return their paths: each language's printed document goes
    to its PDF worker as soon as it is assembled, then the HTML and the annexes are written.
    ``pdfs``: workers the caller started earlier (they load WeasyPrint in the meantime)."""
    langs, formats = list(langs), list(formats)
    for lang in langs:
        if lang not in LANGUAGES:
            raise EsgLedgerError(f"unknown report language {lang!r}: use en, zh or both")
    for fmt in formats:
        if fmt not in FORMATS:
            raise EsgLedgerError(f"unknown report format {fmt!r}: use {', '.join(FORMATS)}")
    outline = outline or outline_for(catalogue)
    texts = {
        (t.section, t.lang): t
        for t in texts_for([s.id for s in outline.sections()], langs, stored or {})
    }
    charts = chart_registry()
    steps, done, written = len(langs) * (1 + len(formats)), 0, []

    def step(message: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, steps, message)

    out_dir.mkdir(parents=True, exist_ok=True)
    annexes: list[FullData] = []  # written from the same figures once every PDF is under way
    with pdfs or PdfWriters(len(langs) if "pdf" in formats else 0) as writers:
        for lang in langs:
            with collection_paused():
                context, _strings = report_context(
                    connection, catalogue, period, lang, None, generated, _override(inputs, lang)
                )
            strings = Strings(lang)
            if inputs.profile is not None:  # the basis names the frameworks the profile chose
                context.basis_html = profile_basis(context, catalogue, inputs.profile, strings)
            data = FullData(context, strings, inputs, charts)
            draft = inputs.draft_text(strings) if inputs.draft else []
            chapters = render_chapters(outline, data, texts)
            if "pdf" in formats:  # its worker starts now, while the rest is written
                document = render_document(chapters, data, draft, printed=True)
                writers.submit(document, out_dir / file_name(period, lang, "pdf"))
            step(f"{lang}: assembled")
            if "html" in formats:
                path = out_dir / file_name(period, lang, "html")
                text_written_whole(path, render_document(chapters, data, draft))
                written.append(path)
                step(f"{lang}: {path.name}")
            if "xlsx" in formats:
                annexes.append(data)
        for data in annexes:
            annex = write_annex(data.context, catalogue, data.strings, out_dir, inputs.targets)
            written.append(annex)
            step(f"{data.strings.lang}: {annex.name}")
        if progress is not None and writers.waiting:  # the longest step: say what it waits for
            progress(done, steps, ", ".join(path.name for path in writers.waiting) + " …")
        for path in writers.results():
            written.append(path)
            step(path.name)
    return written


def preview_section(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    text: SectionText,
    inputs: Inputs,
    generated: dt.date | None = None,
) -> str:
    """A section's text as the report prints it: placeholders with the period's live values,
    tables and charts (the web editor's preview)."""
    with collection_paused():
        context, _strings = report_context(
            connection, catalogue, period, text.lang, None, generated
        )
    data = FullData(context, Strings(text.lang), inputs, chart_registry())
    return narrative.render(text, resolver(data, text.section))
