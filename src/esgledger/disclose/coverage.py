"""Coverage of a period's report, computed, never typed (issue 11, part 2).

Each applicable item (:func:`esgledger.frameworks.applicable_items`) is **met** by its metrics
(a value for the reporting entity in the current calculation run or the reported data, broken down
as the item asks: ``data/coverage.yaml``), by the narrative sections that tag it, or by the records
the rules name (targets, governance, materiality); or it is **explained** (a reason of the
framework's list, with text) or **not applicable**; else **not met**. The findings name the item
and what is missing: errors for a claim the data do not hold, a not-applicable item mapped to a
chapter, a mandatory or no-omission item explained or missing, a comply-or-explain item neither met
nor explained, an SSE topic absent from the index (SSE No. 14 Art. 7), a financially material SSE
topic without its four elements (Art. 11); warnings for encouraged or voluntary items not met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from esgledger.disclose.rules import CoverageRules
from esgledger.frameworks import Edition, Item

MET, EXPLAINED, NOT_APPLICABLE, NOT_MET = "met", "explained", "not_applicable", "not_met"
STATUSES = (MET, EXPLAINED, NOT_APPLICABLE, NOT_MET)
STRICT = frozenset({"mandatory"})
OWED = frozenset({"comply_or_explain"})
OPTIONAL = frozenset({"encouraged", "voluntary"})


@dataclass(frozen=True)
class Decision:
    """An explanation or not-applicable declaration in force (a ledger record)."""

    reference: str
    status: str  # explained | not_applicable
    reason_id: str | None
    texts: Mapping[str, str]


@dataclass(frozen=True)
class Evidence:
    """What the ledger holds for the period (the service gathers it)."""

    values: frozenset[str]  # metric keys with a value for the reporting entity
    tags: Mapping[str, frozenset[str]]  # section id -> item references it declares it meets
    target_metrics: frozenset[str] = frozenset()  # metrics with a target in force
    governance: bool = False  # a governance body is in force
    assessed: bool = False  # the period has a materiality assessment
    material: frozenset[str] = frozenset()  # topics the materiality assessment found material
    explained_topics: frozenset[str] = frozenset()  # found not material, explained (SSE Art. 7)
    iro_topics: frozenset[str] = frozenset()  # topics of the assessment's IROs
    element_gaps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # topic -> missing
    topic_metrics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """An error or warning: ``code`` names its string (``disclose.issue.<code>``)."""

    severity: str  # error | warning
    code: str
    reference: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class CoverageRow:
    framework: str
    edition: str
    reference: str
    item_id: str
    parent: str | None
    titles: Mapping[str, str]
    level: str
    kind: str
    status: str
    locations: tuple[str, ...] = ()  # section ids that tag the item
    metrics: tuple[str, ...] = ()  # metric keys found
    missing: tuple[str, ...] = ()  # what an unmet item lacks
    reason_id: str | None = None
    reason_names: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    inherited: str | None = None  # the ancestor whose decision covers this item

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]


def _found_metrics(item: Item, values: frozenset[str]) -> list[str]:
    return sorted(key for key in values if key.split("{", 1)[0] in item.metrics)


def _axes_held(found: Sequence[str]) -> set[str]:
    axes: set[str] = set()
    for key in found:
        if "{" in key:
            inner = key[key.index("{") + 1 : -1]
            axes.update(pair.split("=", 1)[0] for pair in inner.split(","))
    return axes


def _evidence_gaps(
    item: Item, evidence: Evidence, rules: CoverageRules, found: Sequence[str]
) -> list[str]:
    """What the item's data or records lack (empty when they hold what it asks)."""
    missing: list[str] = []
    metrics = list(dict.fromkeys(item.metrics))
    if metrics and item.kind == "quantitative" and not found:
        missing.append("value:" + ", ".join(metrics[:4]) + ("…" if len(metrics) > 4 else ""))
    axes = rules.breakdowns.get(item.reference, ())
    if axes and found:
        held = _axes_held(found)
        lacking = [axis for axis in axes if axis not in held]
        if lacking:
            missing.append("breakdown:" + ", ".join(lacking))
    elif axes and not found and not missing:
        missing.append("breakdown:" + ", ".join(axes))
    for source in rules.evidence.get(item.reference, ()):
        if source == "governance" and not evidence.governance:
            missing.append("governance")
        elif source == "targets":
            covered = set(item.metrics) | {
                m for topic in item.topics for m in evidence.topic_metrics.get(topic, ())
            }
            if not covered & evidence.target_metrics:
                missing.append("targets")
        elif source == "materiality" and not evidence.assessed:
            missing.append("materiality")
        elif source == "iros" and not set(item.topics) & evidence.iro_topics:
            missing.append("iros")
    return missing


def cover_edition(
    edition: Edition,
    applicable: Sequence[tuple[Item, str]],
    evidence: Evidence,
    decisions: Mapping[str, Decision],
    rules: CoverageRules,
) -> tuple[list[CoverageRow], list[Finding]]:
    """The rows of one framework's index and the findings about them."""
    reasons = {r.id: dict(r.names) for r in edition.omission_reasons}
    tagged: dict[str, list[str]] = {}
    for section, references in sorted(evidence.tags.items()):
        for reference in references:
            tagged.setdefault(reference, []).append(section)
    rows: list[CoverageRow] = []
    findings: list[Finding] = []
    for item, level in applicable:
        ref = item.reference
        locations = tuple(tagged.get(ref, ()))
        decision, inherited = decisions.get(ref), None
        if decision is None:
            for ancestor in edition.ancestors(item):
                if ancestor.reference in decisions:
                    decision, inherited = decisions[ancestor.reference], ancestor.reference
                    break
        found = _found_metrics(item, evidence.values)
        gaps = _evidence_gaps(item, evidence, rules, found)
        holds = not gaps and (bool(locations) or bool(found) or _met_by_records(item, rules))
        base = dict(
            framework=edition.framework, edition=edition.edition, reference=ref,
            item_id=item.id, parent=item.parent, titles=dict(item.titles), level=level,
            kind=item.kind, locations=locations, metrics=tuple(found),
        )  # fmt: skip
        strict = level in STRICT or item.no_omission
        if decision is not None and (not holds or decision.status == NOT_APPLICABLE):
            status = decision.status
            rows.append(
                CoverageRow(
                    **base,  # type: ignore[arg-type]
                    status=status,
                    reason_id=decision.reason_id,
                    reason_names=reasons.get(decision.reason_id or "", {}),
                    texts=dict(decision.texts),
                    inherited=inherited,
                )
            )
            if status == NOT_APPLICABLE and locations:
                findings.append(_f("error", "na_but_mapped", ref, sections=", ".join(locations)))
            if strict:
                what = "; ".join(gaps) or "text"
                findings.append(_f("error", "strict_explained", ref, level=level, missing=what))
            continue
        if holds:
            rows.append(CoverageRow(**base, status=MET))  # type: ignore[arg-type]
            continue
        missing = tuple(gaps) or ("text",)
        rows.append(CoverageRow(**base, status=NOT_MET, missing=missing))  # type: ignore[arg-type]
        what = "; ".join(missing)
        if locations:
            findings.append(
                _f("error", "claimed_absent", ref, sections=", ".join(locations), missing=what)
            )
        elif strict:
            findings.append(_f("error", "strict_missing", ref, level=level, missing=what))
        elif level in OWED:
            findings.append(_f("error", "unexplained", ref, missing=what))
        elif level == "required_if_material" and set(item.topics) & evidence.material:
            topics = ", ".join(sorted(set(item.topics) & evidence.material))
            findings.append(_f("error", "material_missing", ref, topics=topics, missing=what))
        elif level in OPTIONAL:
            findings.append(_f("warning", "optional_missing", ref, level=level, missing=what))
        else:
            findings.append(_f("warning", "not_met", ref, level=level, missing=what))
    return rows, findings


def _met_by_records(item: Item, rules: CoverageRules) -> bool:
    """An item the rules let records meet (governance, targets) is met once they hold."""
    return bool(rules.evidence.get(item.reference)) and item.kind != "quantitative"


def _f(severity: str, code: str, reference: str, **params: str) -> Finding:
    return Finding(severity, code, reference, params)


def sse_topic_findings(
    rows: Sequence[CoverageRow],
    topics: Sequence[tuple[str, tuple[str, ...]]],
    evidence: Evidence,
) -> list[Finding]:
    """SSE No. 14: every one of the 21 topics appears in the index, reported or explained (Art. 7),
    and a financially material one carries its four elements (Art. 11). ``topics``: each SSE
    topic's id and the SSE references the topic library maps it to."""
    by_ref = {row.reference: row for row in rows}
    findings: list[Finding] = []
    for topic, references in topics:
        own = [
            row
            for row in by_ref.values()
            if any(row.reference == r or row.reference.startswith(r + "(") for r in references)
            or any(row.reference.startswith(r + ".") for r in references)
        ]
        if topic in evidence.explained_topics:
            continue  # found not material and explained in the assessment (Art. 7)
        if own and not any(row.status != NOT_MET for row in own):
            findings.append(_f("error", "sse_topic_absent", references[0], topic=topic))
        gaps = evidence.element_gaps.get(topic)
        if gaps:
            findings.append(
                _f("error", "sse_elements", references[0], topic=topic, missing=", ".join(gaps))
            )
    return findings
