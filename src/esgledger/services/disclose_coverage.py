"""The coverage of a period computed from the ledger (:mod:`esgledger.disclose.coverage`): the
items of the period's reporting profile, what the ledger holds for them (values, section tags,
targets, governance, the materiality assessment), the explanations in force; the rows and findings
for the coverage page and the report's content index."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from esgledger.disclose.coverage import (
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
from esgledger.ledger import disclose as repository
from esgledger.ledger import governance as governance_records
from esgledger.ledger import targets as target_records
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.runs import period_values
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.materiality import period_outcome
from esgledger.services.topics import read_library

STATUSES = ("met", "explained", "not_applicable", "not_met")


def checked_period(period: str) -> str:
    """``period`` when it is a reporting year, else :class:`Invalid` naming the field."""
    try:
        period_bounds(period)
    except ValueError as exc:
        raise Invalid(str(exc), field="period") from None
    return period


def section_tags(connection: sa.Connection, period: str, lang: str) -> dict[str, set[str]]:
    """Section id -> the item references the period's narrative sections declare they meet
    (front matter ``meets`` and ``tag`` placeholders: esgledger.report.full.sections)."""
    from esgledger.services.report_content import period_tags

    return period_tags(connection, period)


def applicable(
    library: FrameworkLibrary, entry: str, period: str, issuer_class: str | None
) -> tuple[Edition, list[tuple[Any, str]]]:
    """The edition of a profile entry (``hkex`` or pinned ``hkex@2020``) and its items that apply
    to ``period`` with the level the issuer class owes."""
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
        edition, items = applicable(library, entry, period, profile["issuer_class"])
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
