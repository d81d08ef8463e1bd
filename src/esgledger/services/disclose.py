"""Disclosure coverage (issue 11, part 2), the operations: the reporting profile of a period, the
explanations and not-applicable declarations of framework items (versioned and audited, refused
while the period is locked: :mod:`esgledger.ledger.disclose`), and the coverage computed from the
ledger (:mod:`esgledger.services.disclose_coverage`) as the reader sees it, with names and next
steps (:mod:`esgledger.services.disclose_words`, :mod:`esgledger.services.disclose_steps`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess.governance import FieldError
from esgledger.disclose.coverage import EXPLAINED, NOT_APPLICABLE, CoverageRow
from esgledger.frameworks import Edition, FrameworkLibrary, builtin_frameworks, edition_in_force
from esgledger.i18n import Strings
from esgledger.ledger import disclose as repository
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.disclose_coverage import (
    STATUSES,
    applicable,
    checked_period,
    coverage_rows,
)
from esgledger.services.disclose_steps import finding_dict
from esgledger.services.disclose_words import Words, row_dict
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.records import export_file, parse_all, read_rows
from esgledger.services.topics import read_library
from esgledger.workflow.periods import refuse_if_locked

DECISIONS = (EXPLAINED, NOT_APPLICABLE)
COLUMNS = ("reference", "status", "reason_id", "text_en", "text_zh")


def _framework_entries(library: FrameworkLibrary, period: str, given: list[str]) -> list[str]:
    """``hkex`` or ``hkex@2020`` (an edition pinned: a back year before the first shipped edition
    is in force), each checked; refused naming the entry."""
    found = []
    for entry in given:
        name, _, pinned = str(entry).strip().partition("@")
        try:
            canonical = library.canonical(name)
        except KeyError:
            known = ", ".join(library.frameworks())
            raise Invalid(f"framework {name!r} is not one of {known}", field="frameworks") from None
        if pinned:
            editions = [e.edition for e in library.editions_of(canonical)]
            if pinned not in editions:
                raise Invalid(
                    f"{canonical} has no edition {pinned!r}: {', '.join(editions)}",
                    field="frameworks",
                )
        elif edition_in_force(library, canonical, period) is None:
            first = library.editions_of(canonical)[0]
            raise Invalid(
                f"no edition of {canonical} is in force for {period} (the first applies from "
                f"{first.effective_from.isoformat()}): pin one as {canonical}@{first.edition}",
                field="frameworks",
            )
        found.append(f"{canonical}@{pinned}" if pinned else canonical)
    if not found:
        raise Invalid("choose at least one framework", field="frameworks")
    return found


class Disclose(Capability):
    # -- the profile ---------------------------------------------------------------------------
    @reads("disclose.read", entity_first=False)
    def profile(self, call: Reading, period: str) -> dict[str, Any]:
        found = repository.profile(call.connection, checked_period(period))
        if found is None:
            raise NotFound(f"no reporting profile for {period}", field="period")
        return {**found, "history": repository.profile_history(call.connection, period)}

    @writes("disclose.write")
    def set_profile(
        self, call: Writing, period: str, frameworks: list[str], issuer_class: str | None = None
    ) -> dict[str, Any]:
        """Choose the period's frameworks and HKEX issuer class (a new version of the profile)."""
        library = builtin_frameworks()
        entries = _framework_entries(library, checked_period(period), frameworks)
        if issuer_class:
            classes = {c for e in library.editions for c in e.issuer_classes}
            if issuer_class not in classes:
                raise Invalid(
                    f"issuer class {issuer_class!r} is not one of {', '.join(sorted(classes))}",
                    field="issuer_class",
                )
        refuse_if_locked(call.connection, period)
        fields = {"frameworks": entries, "issuer_class": issuer_class or None}
        return repository.save_profile(call.change, period, fields)

    # -- explanations --------------------------------------------------------------------------
    @reads("disclose.read", entity_first=False)
    def explanations(self, call: Reading, period: str) -> list[dict[str, Any]]:
        return repository.explanations(call.connection, checked_period(period))

    @writes("disclose.write")
    def explain(self, call: Writing, period: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Explain an item (a reason of the framework's list, text in English and Chinese) or
        declare it not applicable; refused for an item of no chosen framework, a reason outside
        the list, or an item that allows no omission."""
        refuse_if_locked(call.connection, checked_period(period))
        items = self._items(call.connection, period)
        try:
            checked = _decision_fields(period, fields, items)
        except FieldError as exc:
            raise Invalid(exc.message, field=exc.field) from exc
        return repository.save_explanation(call.change, checked)

    @writes("disclose.write")
    def withdraw(self, call: Writing, period: str, reference: str, reason: str) -> dict[str, Any]:
        refuse_if_locked(call.connection, checked_period(period))
        found = repository.explanation(call.connection, period, reference)
        if found is None or found["withdrawn"]:
            raise NotFound(f"{reference} has no explanation for {period}", field="reference")
        if not reason.strip():
            raise Invalid("a withdrawal needs a reason", field="reason")
        return repository.withdraw_explanation(call.change, found, reason.strip())

    @writes("disclose.write")
    def import_file(
        self, call: Writing, period: str, path: Path, name: str | None = None
    ) -> dict[str, Any]:
        """The explanations of a CSV or XLSX file: all or nothing, every bad cell named."""
        label = name or path.name
        refuse_if_locked(call.connection, checked_period(period))
        items = self._items(call.connection, period)
        rows = read_rows(path, label, "explanations")
        parsed = parse_all(label, rows, lambda cells: _decision_fields(period, cells, items))
        stored = [repository.save_explanation(call.change, p)["reference"] for p in parsed]
        return {"file": label, "period": period, "references": stored}

    @reads("disclose.read", entity_first=False)
    def export(self, call: Reading, period: str, fmt: str = "csv") -> bytes:
        rows = repository.explanations(call.connection, checked_period(period))
        return export_file(rows, COLUMNS, fmt, "explanations")

    # -- coverage ------------------------------------------------------------------------------
    def _words(self, connection: sa.Connection, lang: str) -> Words:
        """The names the coverage says ids by: topics and metrics, the report's sections (the
        outline's titles) and the breakdown axes, in ``lang``."""
        from esgledger.report.full.build import outline_for

        catalogue = self.context.catalogue
        names = {m: str(catalogue.label(m, lang)) for m in catalogue.metrics}
        names.update({t.id: t.name(lang) for t in read_library(connection).topics})
        sections = {s.id: s.title[lang] for s in outline_for(catalogue).sections()}
        axes = {a.id: _in_sentence(a.name.get(lang) or a.id) for a in catalogue.axes.values()}
        members = {a.id: next(iter(a.members), "...") for a in catalogue.axes.values()}
        return Words(Strings(lang), names, sections, axes, members)

    @reads("disclose.read", entity_first=False)
    def coverage(
        self, call: Reading, period: str, framework: str | None = None, lang: str = "en"
    ) -> dict[str, Any]:
        """Every applicable item of the profile's frameworks with its status, and the errors and
        warnings (errors first), each naming the item and what is missing, with the next steps
        that resolve it; names in ``lang`` beside the ids."""
        rows, findings, profile = coverage_rows(call.connection, checked_period(period), lang)
        if framework is not None:
            rows = [row for row in rows if row.framework == framework]
            refs = {row.reference for row in rows}
            findings = [f for f in findings if f.reference in refs]
        words = self._words(call.connection, lang)
        library = builtin_frameworks()
        reasons = {
            row.reference: [
                r.id for r in library.edition(row.framework, row.edition).omission_reasons
            ]
            for row in rows
        }
        return {
            "period": period,
            "profile": {k: profile[k] for k in ("frameworks", "issuer_class")},
            "profile_names": _profile_names(library, profile, words.strings),
            "rows": [row_dict(row, words) for row in rows],
            "findings": [finding_dict(f, words, period, reasons) for f in findings],
            "errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "counts": {s: sum(1 for r in rows if r.status == s) for s in STATUSES},
            "status_names": {s: words.strings(f"disclose.status.{s}") for s in STATUSES},
        }

    @reads("disclose.read", entity_first=False)
    def choices(self, call: Reading, lang: str = "en") -> dict[str, dict[str, str]]:
        """The frameworks and issuer classes a profile may name (id -> name in ``lang``)."""
        library, strings = builtin_frameworks(), Strings(lang)
        return {
            "frameworks": {f: strings(f"disclose.framework.{f}") for f in library.frameworks()},
            "issuer_classes": _issuer_classes(library, lang),
        }

    @reads("disclose.read", entity_first=False)
    def index_rows(self, call: Reading, period: str, lang: str = "en") -> list[CoverageRow]:
        """The rows of the content index (:func:`esgledger.disclose.index.index_html`)."""
        return coverage_rows(call.connection, checked_period(period), lang)[0]

    def _items(self, connection: sa.Connection, period: str) -> dict[str, tuple[Edition, Any, str]]:
        profile = repository.profile(connection, period)
        if profile is None:
            raise NotFound(f"no reporting profile for {period}: set one first", field="period")
        library = builtin_frameworks()
        found = {}
        for entry in profile["frameworks"]:
            edition, items = applicable(library, entry, period, profile["issuer_class"])
            found.update({item.reference: (edition, item, level) for item, level in items})
        return found


def _decision_fields(
    period: str, fields: Mapping[str, Any], items: Mapping[str, tuple[Edition, Any, str]]
) -> dict[str, Any]:
    reference = str(fields.get("reference") or "").strip()
    if reference not in items:
        raise FieldError(
            "reference",
            f"{reference or '(empty)'} is not an item of the frameworks chosen for {period}",
        )
    edition, item, level = items[reference]
    status = str(fields.get("status") or EXPLAINED).strip()
    if status not in DECISIONS:
        raise FieldError("status", f"status {status!r}: expected one of {', '.join(DECISIONS)}")
    if status == EXPLAINED and (level == "mandatory" or item.no_omission):
        raise FieldError(
            "reference",
            f"{reference} is {level} and allows no omission: it cannot be explained, only met",
        )
    reasons = [r.id for r in edition.omission_reasons]
    reason = str(fields.get("reason_id") or fields.get("reason") or "").strip() or None
    if reason not in reasons and not (reason is None and status == NOT_APPLICABLE):
        raise FieldError(
            "reason_id",
            f"reason {reason!r} is not one {edition.framework} {edition.edition} allows: "
            + ", ".join(reasons),
        )
    texts = {lang: str(fields.get(f"text_{lang}") or "").strip() for lang in ("en", "zh")}
    for lang, text in texts.items():
        if not text:
            raise FieldError(f"text_{lang}", f"the explanation needs its text in {lang}")
    return {
        "period": period,
        "reference": reference,
        "status": status,
        "reason_id": reason,
        "text_en": texts["en"],
        "text_zh": texts["zh"],
    }


def _issuer_classes(library: FrameworkLibrary, lang: str) -> dict[str, str]:
    """Issuer class id -> its name in ``lang`` (as the newest edition declaring it says it)."""
    found: dict[str, str] = {}
    for edition in library.editions:
        for cls, names in edition.issuer_classes.items():
            found[cls] = names.get(lang) or names.get("en") or cls
    return found


def _profile_names(
    library: FrameworkLibrary, profile: Mapping[str, Any], strings: Strings
) -> dict[str, Any]:
    """The profile's frameworks and issuer class by their names."""
    issuer_class = profile.get("issuer_class")
    return {
        "frameworks": [
            strings(f"disclose.framework.{entry.partition('@')[0]}")
            + (
                strings("disclose.index.details", details=entry.partition("@")[2])
                if "@" in entry
                else ""
            )
            for entry in profile["frameworks"]
        ],
        "issuer_class": (
            _issuer_classes(library, strings.lang).get(issuer_class, issuer_class)
            if issuer_class
            else None
        ),
    }


def _in_sentence(name: str) -> str:
    """An axis name as a sentence says it: ``Age group`` -> ``age group`` (``GHG`` stays)."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name
