"""Disclosure coverage (issue 11, part 2): the reporting profile of a period, the explanations and
not-applicable declarations of framework items, and the coverage computed from the ledger
(:mod:`esgledger.disclose.coverage`). Records are versioned and audited, and refused while the
period is locked (:mod:`esgledger.ledger.disclose`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from esgledger.assess.governance import FieldError
from esgledger.disclose.coverage import (
    EXPLAINED,
    NOT_APPLICABLE,
    CoverageRow,
    Decision,
    Evidence,
    Finding,
    cover_edition,
    sse_topic_findings,
)
from esgledger.disclose.rules import coverage_rules
from esgledger.frameworks import (
    Edition,
    FrameworkLibrary,
    applicable_items,
    builtin_frameworks,
    edition_in_force,
    period_bounds,
)
from esgledger.i18n import Strings
from esgledger.ledger import disclose as repository
from esgledger.ledger import governance as governance_records
from esgledger.ledger import targets as target_records
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.runs import period_values
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.materiality import period_outcome
from esgledger.services.operation import Capability, Reading, Writing, reads, writes
from esgledger.services.records import export_file, parse_all, read_rows
from esgledger.services.topics import read_library
from esgledger.workflow.periods import refuse_if_locked

DECISIONS = (EXPLAINED, NOT_APPLICABLE)
COLUMNS = ("reference", "status", "reason_id", "text_en", "text_zh")


def section_tags(connection: sa.Connection, period: str, lang: str) -> dict[str, set[str]]:
    """Section id -> the item references the period's narrative sections declare they meet
    (front matter ``meets`` and ``tag`` placeholders: esgledger.report.full.sections)."""
    from esgledger.services.report_content import period_tags

    return period_tags(connection, period)


def _period(period: str) -> str:
    try:
        period_bounds(period)
    except ValueError as exc:
        raise Invalid(str(exc), field="period") from None
    return period


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


def _applicable(
    library: FrameworkLibrary, entry: str, period: str, issuer_class: str | None
) -> tuple[Edition, list[tuple[Any, str]]]:
    framework, _, pinned = entry.partition("@")
    classes = {c for e in library.editions_of(framework) for c in e.issuer_classes}
    own_class = issuer_class if issuer_class in classes else None
    if pinned:
        edition = library.edition(framework, pinned)
        start, _end = period_bounds(period)
        return edition, [(item, item.level_for(own_class, start)) for item in edition.items]
    found = edition_in_force(library, framework, period)
    assert found is not None
    items = applicable_items(library, framework, period, own_class)
    return found, [(a.item, a.level) for a in items]


class Disclose(Capability):
    # -- the profile ---------------------------------------------------------------------------
    @reads("disclose.read", entity_first=False)
    def profile(self, call: Reading, period: str) -> dict[str, Any]:
        found = repository.profile(call.connection, _period(period))
        if found is None:
            raise NotFound(f"no reporting profile for {period}", field="period")
        return {**found, "history": repository.profile_history(call.connection, period)}

    @writes("disclose.write")
    def set_profile(
        self, call: Writing, period: str, frameworks: list[str], issuer_class: str | None = None
    ) -> dict[str, Any]:
        """Choose the period's frameworks and HKEX issuer class (a new version of the profile)."""
        library = builtin_frameworks()
        entries = _framework_entries(library, _period(period), frameworks)
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
        return repository.explanations(call.connection, _period(period))

    @writes("disclose.write")
    def explain(self, call: Writing, period: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Explain an item (a reason of the framework's list, text in English and Chinese) or
        declare it not applicable; refused for an item of no chosen framework, a reason outside
        the list, or an item that allows no omission."""
        refuse_if_locked(call.connection, _period(period))
        items = self._items(call.connection, period)
        try:
            checked = _decision_fields(period, fields, items)
        except FieldError as exc:
            raise Invalid(exc.message, field=exc.field) from exc
        return repository.save_explanation(call.change, checked)

    @writes("disclose.write")
    def withdraw(self, call: Writing, period: str, reference: str, reason: str) -> dict[str, Any]:
        refuse_if_locked(call.connection, _period(period))
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
        refuse_if_locked(call.connection, _period(period))
        items = self._items(call.connection, period)
        rows = read_rows(path, label, "explanations")
        parsed = parse_all(label, rows, lambda cells: _decision_fields(period, cells, items))
        stored = [repository.save_explanation(call.change, p)["reference"] for p in parsed]
        return {"file": label, "period": period, "references": stored}

    @reads("disclose.read", entity_first=False)
    def export(self, call: Reading, period: str, fmt: str = "csv") -> bytes:
        rows = repository.explanations(call.connection, _period(period))
        return export_file(rows, COLUMNS, fmt, "explanations")

    # -- coverage ------------------------------------------------------------------------------
    def _names(self, connection: sa.Connection, lang: str) -> dict[str, str]:
        """Topic and metric ids -> names in ``lang``, for the coverage's messages."""
        catalogue = self.context.catalogue
        found = {m: str(catalogue.label(m, lang)) for m in catalogue.metrics}
        found.update({t.id: t.name(lang) for t in read_library(connection).topics})
        return found

    @reads("disclose.read", entity_first=False)
    def coverage(
        self, call: Reading, period: str, framework: str | None = None, lang: str = "en"
    ) -> dict[str, Any]:
        """Every applicable item of the profile's frameworks with its status, and the errors and
        warnings (errors first), each naming the item and what is missing."""
        rows, findings, profile = coverage_rows(call.connection, _period(period), lang)
        if framework is not None:
            rows = [row for row in rows if row.framework == framework]
            refs = {row.reference for row in rows}
            findings = [f for f in findings if f.reference in refs]
        strings = Strings(lang)
        names = self._names(call.connection, lang)
        return {
            "period": period,
            "profile": {k: profile[k] for k in ("frameworks", "issuer_class")},
            "rows": [row_dict(row, strings, names) for row in rows],
            "findings": [finding_dict(f, strings, names) for f in findings],
            "errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
            "counts": {s: sum(1 for r in rows if r.status == s) for s in _STATUSES},
        }

    @reads("disclose.read", entity_first=False)
    def index_rows(self, call: Reading, period: str, lang: str = "en") -> list[CoverageRow]:
        """The rows of the content index (:func:`esgledger.disclose.index.index_html`)."""
        return coverage_rows(call.connection, _period(period), lang)[0]

    def _items(self, connection: sa.Connection, period: str) -> dict[str, tuple[Edition, Any, str]]:
        profile = repository.profile(connection, period)
        if profile is None:
            raise NotFound(f"no reporting profile for {period}: set one first", field="period")
        library = builtin_frameworks()
        found = {}
        for entry in profile["frameworks"]:
            edition, items = _applicable(library, entry, period, profile["issuer_class"])
            found.update({item.reference: (edition, item, level) for item, level in items})
        return found


def coverage_rows(
    connection: sa.Connection, period: str, lang: str = "en"
) -> tuple[list[CoverageRow], list[Finding], dict[str, Any]]:
    """The rows and findings (errors first) of ``period`` (for the report's index too)."""
    profile = repository.profile(connection, period)
    if profile is None:
        raise NotFound(f"no reporting profile for {period}: set one first", field="period")
    library, rules = builtin_frameworks(), coverage_rules()
    evidence = _evidence(connection, period, lang)
    decisions = {
        d["reference"]: Decision(
            d["reference"],
            d["status"],
            d["reason_id"],
            {"en": d["text_en"], "zh": d["text_zh"]},
        )
        for d in repository.explanations(connection, period)
    }
    rows: list[CoverageRow] = []
    findings: list[Finding] = []
    for entry in profile["frameworks"]:
        edition, items = _applicable(library, entry, period, profile["issuer_class"])
        own_rows, own = cover_edition(edition, items, evidence, decisions, rules)
        rows += own_rows
        findings += own
        if edition.framework == "sse14":
            topics = [
                (t.id, tuple(r for r in t.frameworks if r.startswith("SSE14-")))
                for t in read_library(connection).topics
                if t.sse_article
            ]
            findings += sse_topic_findings(own_rows, topics, evidence)
    findings.sort(key=lambda f: (f.severity != "error", f.reference))
    return rows, findings, profile


def _evidence(connection: sa.Connection, period: str, lang: str) -> Evidence:
    roots = [e.id for e in load_entities(connection) if e.parent_id is None]
    values = {metric for (_e, metric) in period_values(connection, period, roots)}
    values |= {
        p.metric_id for p in current_datapoints(connection, [period]) if p.entity_id in roots
    }
    targets = {
        str(t.definition["metric_key"]).split("{", 1)[0]
        for t in target_records.current_targets(connection)
        if t.state == target_records.ACTIVE
    }
    topics = read_library(connection)
    tags = section_tags(connection, period, lang)
    outcome = period_outcome(connection, period) or {}
    classes = outcome.get("classes", {})
    return Evidence(
        values=frozenset(values),
        tags={section: frozenset(refs) for section, refs in tags.items()},
        target_metrics=frozenset(targets),
        governance=bool(governance_records.current(connection, "body")),
        topic_metrics={t.id: t.metrics for t in topics.topics},
        assessed=bool(outcome),
        material=frozenset(t for t, c in classes.items() if c != "not_material"),
        explained_topics=frozenset(outcome.get("explained", ())),
        iro_topics=frozenset(outcome.get("iro_topics", ())),
        element_gaps={t: tuple(e) for t, e in outcome.get("elements", {}).items()},
    )


_STATUSES = ("met", "explained", "not_applicable", "not_met")


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


Names = Mapping[str, str]  # a topic or metric id -> its name in the page language


def row_dict(row: CoverageRow, strings: Strings, names: Names | None = None) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "framework": row.framework,
        "edition": row.edition,
        "item": row.item_id,
        "parent": row.parent,
        "title": row.title(strings.lang),
        "level": row.level,
        "kind": row.kind,
        "status": row.status,
        "locations": list(row.locations),
        "metrics": list(row.metrics),
        "missing": list(row.missing),
        "missing_text": (
            missing_text("; ".join(row.missing), strings, names) if row.missing else ""
        ),
        "reason_id": row.reason_id,
        "reason": row.reason_names.get(strings.lang) or row.reason_names.get("en"),
        "text": row.texts.get(strings.lang),
        "inherited_from": row.inherited,
    }


def missing_text(missing: str, strings: Strings, names: Names | None = None) -> str:
    """``value:a, b; targets`` in words of the language (``disclose.missing.*``), the metrics
    by their ``names`` (``无以下指标的数值：赤泥堆存量``, not ``waste.bauxite_residue_stored``)."""
    parts = []
    for part in missing.split("; "):
        kind, _, what = part.partition(":")
        if kind == "value" and names is not None:
            what = named(what, strings, names)
        parts.append(strings.get(f"disclose.missing.{kind}", part, what=what))
    return ("；" if strings.lang == "zh" else "; ").join(parts)


def named(ids: str, strings: Strings, names: Names) -> str:
    """``supply_chain, energy`` as ``供应链、能源``: ids by their names, in the language's list."""
    said = [names.get(one.strip(), one.strip()) for one in ids.split(",") if one.strip()]
    return ("、" if strings.lang == "zh" else ", ").join(said)


def finding_dict(finding: Finding, strings: Strings, names: Names | None = None) -> dict[str, Any]:
    """A coverage finding with its message in the language; ``params`` keep the ids."""
    params = {**finding.params, "reference": finding.reference}
    if names is not None:
        for key in ("topic", "topics"):
            if key in params:
                params[key] = named(params[key], strings, names)
    if "missing" in params:
        params["missing"] = missing_text(params["missing"], strings, names)
    if "level" in params:
        params["level"] = strings(f"framework.level.{params['level']}")
    return {
        "severity": finding.severity,
        "code": finding.code,
        "reference": finding.reference,
        "params": dict(finding.params),
        "message": strings(f"disclose.issue.{finding.code}", **params),
    }
