"""The full report's content: the organisation's narrative sections (versioned, audited, period
locks respected; importable from and exportable to a folder of ``<lang>/<section>.md`` files),
their preview, and the full report's build (HTML and PDF, English and Chinese)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from esgledger.errors import EsgLedgerError
from esgledger.frameworks import builtin_frameworks
from esgledger.i18n import Strings
from esgledger.ledger import report_builds as registry
from esgledger.ledger import report_sections as stored
from esgledger.ledger.locks import refuse_locked
from esgledger.ledger.reads import load_entities
from esgledger.ledger.targets import target_ids
from esgledger.report.full.build import Progress, build_full, outline_for, preview_section
from esgledger.report.full.chart_blocks import chart_registry
from esgledger.report.full.checking import CheckResolver, check_text
from esgledger.report.full.data import Inputs
from esgledger.report.full.outline import Outline
from esgledger.report.full.placeholders import PlaceholderError
from esgledger.report.full.sections import (
    SectionText,
    default_text,
    is_template,
    read_folder,
    section_tags,
    texts_for,
)
from esgledger.report.pdf import PdfWriters
from esgledger.service_errors import Invalid
from esgledger.services.operation import Call, Capability, Reading, Writing, reads, staged, writes
from esgledger.services.qa_review import record_override, report_gate
from esgledger.services.report_files import report_year
from esgledger.services.report_inputs import (
    LANGS,
    content_index,
    draft_reasons,
    file_sha256,
    index_rows,
    materiality_svgs,
    qa_answer,
    reporting_profile,
)


class ReportContent(Capability):
    # -- sections ---------------------------------------------------------------------------------
    @reads("report.read")
    def sections(self, call: Reading, period: str) -> list[dict[str, Any]]:
        """Every narrative section of the outline with, per language, where its text comes from."""
        name = report_year(period)
        found = stored.in_force(call.connection, name)
        listed = []
        for section in self._outline().sections():
            if not section.narrative:
                continue
            langs = {}
            for lang in LANGS:
                row = found.get((section.id, lang))
                langs[lang] = (
                    {
                        "origin": "ledger",
                        "period": row["period"],
                        "version": row["version"],
                        # stored unchanged: still the template the report would print
                        "template": is_template(section.id, lang, str(row["body"])),
                    }
                    if row
                    else {"origin": "default" if default_text(section.id, lang) else "none"}
                )
            listed.append({"id": section.id, "title": section.title, "langs": langs})
        return listed

    @reads("report.read")
    def show(self, call: Reading, period: str, section: str, lang: str) -> dict[str, Any]:
        """A section's text in force (stored, else the default) and its versions for the period."""
        name = report_year(period)
        self._section(section, lang)
        row = stored.newest(call.connection, name, section, lang)
        default = default_text(section, lang)
        return {
            "period": name,
            "section": section,
            "lang": lang,
            "body": row["body"] if row else (default.text if default else ""),
            "origin": "ledger" if row else "default",
            "versions": [
                {k: v[k] for k in ("version", "sha256", "saved_at", "saved_by")}
                for v in stored.history(call.connection, name, section, lang)
            ],
        }

    @writes("report.section.write")
    def save(
        self, call: Writing, period: str, section: str, lang: str, body: str
    ) -> dict[str, Any]:
        """Store a section's text as its next version for the period (refused when a placeholder
        refers to nothing, naming the line, or when the period is locked)."""
        name = report_year(period)
        self._section(section, lang)
        refuse_locked(call.connection, [name], f"the text of section {section}")
        self._check(call.connection, SectionText(section, lang, body, "edited text"))
        saved = stored.save(call.change, name, section, lang, body)
        return {k: saved[k] for k in ("period", "section_id", "lang", "version", "unchanged")}

    @reads("report.read")
    def preview(self, call: Reading, period: str, section: str, lang: str, body: str) -> str:
        """The text as the report prints it, with the period's live values, tables and charts
        (not saved); a placeholder that refers to nothing is refused naming its line."""
        name = report_year(period)
        self._section(section, lang)
        text = SectionText(section, lang, body, "preview")
        markers = self._check(call.connection, text)
        from esgledger.services.targets import Targets

        targets = Targets(self.context).listing(call.actor)
        inputs = Inputs(
            builtin_frameworks(), targets, materiality_svgs(self.context, call, name), _no_index, []
        )
        try:
            return preview_section(call.connection, self.context.catalogue, name, text, inputs)
        except PlaceholderError as exc:  # a reference valid in general but not for this period
            raise Invalid(str(exc), field="body", details={"line": exc.line}) from exc
        except EsgLedgerError as exc:  # no calculation of the year yet: markers, and why
            return str(Markup('<p class="notice">{}</p>').format(str(exc))) + markers

    @writes("report.section.write")
    def import_folder(self, call: Writing, period: str, folder: Path) -> dict[str, Any]:
        """Import ``<lang>/<section>.md`` files: all checked first, then all saved, or none."""
        name = report_year(period)
        if not folder.is_dir():
            raise Invalid(f"{folder} is not a folder", field="folder")
        texts = read_folder(folder)
        if not texts:
            raise Invalid(f"{folder}: no <lang>/<section>.md files found", field="folder")
        refuse_locked(call.connection, [name], "the imported section texts")
        for text in texts:
            try:
                self._section(text.section, text.lang)
            except Invalid as exc:
                raise Invalid(f"{text.origin}: {exc}", field="folder") from exc
            self._check(call.connection, text)
        saved = [stored.save(call.change, name, t.section, t.lang, t.text) for t in texts]
        return {
            "files": len(texts),
            "saved": sum(not s["unchanged"] for s in saved),
            "unchanged": sum(bool(s["unchanged"]) for s in saved),
        }

    @reads("report.read")
    def export_folder(self, call: Reading, period: str, folder: Path) -> list[Path]:
        """Write every narrative section's text in force as ``<lang>/<section>.md``."""
        name = report_year(period)
        found = stored.in_force(call.connection, name)
        written = []
        for text in self._texts(found):
            path = folder / text.lang / f"{text.section}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.text, encoding="utf-8")
            written.append(path)
        return written

    @reads("report.read")
    def tags(self, call: Reading, period: str) -> dict[str, set[str]]:
        """The framework items each section declares it meets (for coverage)."""
        return section_tags(self._texts(stored.in_force(call.connection, report_year(period))))

    # -- the full report ------------------------------------------------------------------------
    @staged("report.build")
    def build(
        self,
        call: Call,
        period: str,
        out: Path | None = None,
        langs: tuple[str, ...] = LANGS,
        formats: tuple[str, ...] = ("html", "pdf"),
        progress: Progress | None = None,
        override_qa: str | None = None,
    ) -> dict[str, Any]:
        """Build the full report (HTML, PDF, the XLSX data annex); a final one (period locked,
        every value approved) has its files recorded in the report register with their SHA-256.
        Returns the files and the draft reasons (``draft`` in English, ``draft_reasons`` by
        language). A final report is refused while error-level
        quality findings are open, unless an admin overrides with a reason (``override_qa``:
        recorded and printed in the basis of preparation); a draft builds regardless and lists
        them (:mod:`.qa_review`)."""
        name = report_year(period)
        for lang in langs:
            if lang not in LANGS:
                raise Invalid(f"lang {lang!r}: en, zh or both", field="lang")
        for fmt in formats:
            if fmt not in ("html", "pdf", "xlsx"):
                raise Invalid(f"format {fmt!r}: html, pdf or xlsx", field="format")
        # the PDF workers load WeasyPrint while the year is read and the documents assembled
        with PdfWriters(len(langs) if "pdf" in formats else 0) as pdfs:
            from esgledger.services.targets import Targets

            targets = Targets(self.context).listing(call.actor)
            matrix = materiality_svgs(self.context, call, name)
            coverage = index_rows(self.context, call, name, langs)
            reports_dir = self.context.reports_dir
            out = out or reports_dir / f"{name}-full"
            outline = self._outline()
            with call.reading() as connection:
                final = not draft_reasons(connection, name)
            qa = report_gate(self.context, call, name, langs, final, override_qa)
            with call.reading() as connection:
                draft = draft_reasons(connection, name)
                texts = self._texts(stored.in_force(connection, name))
                library = builtin_frameworks()
                index = content_index(coverage, outline, section_tags(texts), library)
                inputs = Inputs(
                    library,
                    targets,
                    matrix,
                    index,
                    draft,
                    profile=reporting_profile(connection, name),
                    qa=qa,
                )
                paths = build_full(
                    connection,
                    self.context.catalogue,
                    name,
                    out,
                    inputs,
                    langs=langs,
                    formats=formats,
                    stored={(t.section, t.lang): t for t in texts},
                    outline=outline,
                    progress=progress,
                    pdfs=pdfs,
                )
        files: list[dict[str, Any]] = [
            {
                "path": str(p),
                "file_name": p.name,
                "sha256": file_sha256(p),
                "size": p.stat().st_size,
            }
            for p in paths
        ]
        if not draft:
            with call.writing() as change:
                record_override(change, name, qa[langs[0]])
                for p, f in zip(paths, files, strict=True):
                    lang = p.stem.rsplit("-", 1)[-1]
                    try:
                        storage = p.resolve().relative_to(reports_dir.resolve()).as_posix()
                    except ValueError:
                        storage = str(p.resolve())
                    registry.record_build(
                        change,
                        name,
                        f"{lang}.{p.suffix[1:]}",
                        p.name,
                        storage,
                        f["sha256"],
                        f["size"],
                    )
        return {
            "period": name,
            "draft": [Strings("en")(k, **a) for k, a in draft],
            "draft_reasons": {lang: [Strings(lang)(k, **a) for k, a in draft] for lang in LANGS},
            "files": files,
            "recorded": not draft,
            "qa": qa_answer(qa[langs[0]]),
        }

    # -- helpers --------------------------------------------------------------------------------
    def _outline(self) -> Outline:
        return outline_for(self.context.catalogue)

    def _section(self, section: str, lang: str) -> None:
        if lang not in LANGS:
            raise Invalid(f"lang {lang!r}: en or zh", field="lang")
        found = self._outline().section(section)
        if found is None or not found.narrative:
            raise Invalid(
                f"section {section!r} is no narrative section of the outline", field="section"
            )

    def _texts(self, found: dict[tuple[str, str], dict[str, Any]]) -> list[SectionText]:
        mine = {
            key: SectionText(
                key[0],
                key[1],
                row["body"],
                f"ledger {row['period']} v{row['version']}",
                row["version"],
            )
            for key, row in found.items()
        }
        narrative = [s.id for s in self._outline().sections() if s.narrative]
        return texts_for(narrative, LANGS, mine)

    def _check(self, connection: sa.Connection, text: SectionText) -> str:
        resolver = CheckResolver(
            self.context.catalogue,
            [e.id for e in load_entities(connection)],
            chart_registry(),
            target_ids(connection),
            builtin_frameworks(),
        )
        try:
            return check_text(text, resolver)
        except PlaceholderError as exc:
            raise Invalid(str(exc), field="body", details={"line": exc.line}) from exc


def _no_index(framework: str, strings: Strings) -> str | None:
    return None  # a narrative section shows no content index


def period_tags(connection: sa.Connection, period: str) -> dict[str, set[str]]:
    """Section id -> the framework items the organisation's own texts in force for the period
    declare they meet: what the coverage computation reads (esgledger.services.disclose_coverage.
    section_tags). The shipped template texts claim nothing: they are not the company's words,
    also when stored unchanged (a folder exported and imported back with a few sections
    rewritten)."""
    mine = [
        SectionText(section, lang, row["body"], f"ledger {row['period']} v{row['version']}")
        for (section, lang), row in stored.in_force(connection, period).items()
        if not is_template(section, lang, row["body"])
    ]
    return section_tags(mine)
