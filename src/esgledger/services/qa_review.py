"""Findings of the quality checks as people resolve them (issue 12, part 3).

A finding is resolved only by fixing the data (it is gone on the next run) or by a justification
recorded by someone other than the author of the values it rests on (the segregation of duties of
approval, :mod:`esgledger.services.qa_authors`). Justifications are versioned and audited
(:mod:`esgledger.ledger.qa`), keyed by period, rule and the finding's key, refused while the
period is locked, and withdrawn by a new version. :func:`report_qa` is what the report build reads:
the checks run, the findings open and justified, and any admin's override of the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.access.principal import Principal
from esgledger.catalogue import Catalogue
from esgledger.free_text import check_text
from esgledger.ledger import qa as repository
from esgledger.ledger.canonical import utc_now
from esgledger.ledger.change import Change
from esgledger.ledger.locks import locks_covering
from esgledger.ledger.reads import load_entities
from esgledger.qa.facts import Fact, location
from esgledger.qa.findings import Finding
from esgledger.qa.references import references
from esgledger.qa.rules import Rule
from esgledger.qa.summary import Override, QaSummary, summarise
from esgledger.service_errors import Conflict, Forbidden, Invalid, NotFound
from esgledger.services.context import Context
from esgledger.services.operation import Call, Capability, Reading, Writing, reads, staged, writes
from esgledger.services.qa import QA, finding_dict, rule_dict
from esgledger.services.qa_authors import Authors, authors
from esgledger.services.qa_references import described, resolve
from esgledger.workflow.periods import parse_period, refuse_if_locked

SEGREGATION = (
    "segregation of duties: this finding rests on a value you entered, imported, changed, "
    "submitted or explained ({values}), so someone else must justify it"
)


@dataclass
class Checked:
    """One run of the checks on a period: the rules run, their findings and each finding's short
    reference by (rule, key)."""

    rules: list[Rule]
    findings: list[Finding]
    figures: int = 0  # how many figures the rules read (none: nothing was checked)
    references: dict[tuple[str, str], str] = field(default_factory=dict)

    def reference(self, finding: Finding) -> str:
        return self.references[(finding.rule, finding.key)]


def run_checks(context: Context, actor: Principal, period: str, lang: str) -> Checked:
    """The checks of ``period`` on the ledger (the QA service of issue 12 gathers the facts)."""
    found = QA(context).check(actor, period, lang=lang)
    return Checked(list(found.rules), list(found.findings), found.facts, found.references)


def _year(period: str) -> str:
    return str(parse_period(period))


def locked(connection: sa.Connection, period: str) -> bool:
    return period in locks_covering(connection, [period])


def report_qa(
    context: Context, call: Call, period: str, langs: tuple[str, ...]
) -> dict[str, QaSummary]:
    """The QA summary of ``period`` in each of ``langs`` for the report build."""
    found = QA(context).check_languages(call.actor, period, langs)
    with call.reading() as connection:
        justified = repository.justifications(connection, period)
    return {
        lang: summarise(list(result.rules), list(result.findings), justified)
        for lang, result in found.items()
    }


def report_gate(
    context: Context,
    call: Call,
    period: str,
    langs: tuple[str, ...],
    final: bool,
    override_reason: str | None = None,
) -> dict[str, QaSummary]:
    """The quality checks of a report build, per language. A final report is refused while an
    error-level finding has no justification (:class:`Conflict` naming them), unless an admin
    gives a reason to override (``qa.override``; the summaries then carry the :class:`Override`
    the basis of preparation prints and :func:`record_override` stores). A draft builds
    regardless and lists what is open."""
    if override_reason is not None:
        call.authorize("qa.override")
        override_reason = (check_text(override_reason, "reason") or "").strip()
        if not override_reason:
            raise Invalid("an override of the quality checks needs a reason", field="override_qa")
    summaries = report_qa(context, call, period, langs)
    first = summaries[langs[0]]
    if not final or not first.open_errors:
        return summaries
    if override_reason is None:
        every = [*first.open_errors, *first.open_warnings, *(f for f, _ in first.justified)]
        shown = references((f.rule, f.key) for f in every)
        listed = "; ".join(f"{shown[(f.rule, f.key)]}: {f.message}" for f in first.open_errors[:10])
        more = len(first.open_errors) - 10
        raise Conflict(
            f"{len(first.open_errors)} error-level quality finding(s) of {period} are open, so "
            f"the final report is not published: {listed}"
            + (f"; and {more} more" if more > 0 else "")
            + f". Fix the data, have someone who did not enter the values justify them "
            f"(esgledger justify --period {period} --key REFERENCE, or /qa?period={period}), "
            "or, as an admin, override with a reason (--override-qa)",
            field="qa",
            code="qa_open",
            details={
                "findings": [
                    {**row, "reference": shown[(row["rule"], row["key"])]}
                    for row in first.blocking()
                ]
            },
        )
    at = utc_now()
    for summary in summaries.values():
        summary.override = Override(
            override_reason,
            call.actor.username,
            at,
            tuple(f"{f.rule}: {f.message}" for f in summary.open_errors),
        )
    return summaries


def record_override(change: Change, period: str, summary: QaSummary) -> None:
    """Store the override a final build carried (audited as ``qa.override``)."""
    if summary.override is not None:
        repository.record_override(change, period, summary.blocking(), summary.override.reason)


def finding_row(
    finding: Finding,
    reference: str,
    lang: str = "en",
    names: Callable[[Fact], str] | None = None,
) -> dict[str, Any]:
    """The one JSON shape of a finding (:func:`esgledger.services.qa.finding_dict`), each value
    with its ``reference`` (a data point id, a run value key, a target id, a file row), where it
    stands in ``lang`` (``where``: ``数据点 938 第 1 版``) and, given ``names``, what it is
    (``figure``: the metric, the entity and the period, in ``lang``)."""
    row = finding_dict(finding, reference)
    for value, fact in zip(row["values"], finding.facts, strict=True):
        value["reference"] = fact.reference
        value["where"] = location(fact, lang)
        if names is not None:
            value["figure"] = names(fact)
    return row


def figure_names(
    catalogue: Catalogue, entities: dict[str, str], lang: str
) -> Callable[[Fact], str]:
    """``Employees trained · Shanxi Alumina Refinery · 2023``: a figure named for a reader in
    ``lang`` (``entities``: id -> name in ``lang``; a report table's entity as printed)."""

    def name(fact: Fact) -> str:
        metric = fact.row_label or "?"
        if fact.metric_key is not None and catalogue.find(fact.metric_key) is not None:
            metric = str(catalogue.label(fact.metric_key, lang))
        entity = fact.entity_as_written or entities.get(fact.entity_id or "", fact.entity_id or "")
        return " · ".join(part for part in (metric, entity.lstrip("~"), fact.period) if part)

    return name


class QAReview(Capability):
    @staged("qa.justification.read")
    def review(self, call: Call, period: str, lang: str = "en") -> dict[str, Any]:
        """Every finding of the period (errors first) with its justification, if any, and
        whether the acting user may justify it (and why not)."""
        name = _year(period)
        checked = run_checks(self.context, call.actor, name, lang)
        with call.reading() as connection:
            justified = repository.justifications(connection, name)
            by_key = {(j["rule"], j["finding_key"]): j for j in justified}
            is_locked = locked(connection, name)
            override = repository.override(connection, name)
            may = _may_justify(call)
            behind = Authors(connection)
            entities = {str(e.id): e.label(lang) for e in load_entities(connection)}
            names = figure_names(self.context.catalogue, entities, lang)
            rows = []
            for finding in checked.findings:
                row = finding_row(finding, checked.reference(finding), lang, names)
                row["justification"] = by_key.get((finding.rule, finding.key))
                refusal = None
                if may is not None:
                    refusal = may
                elif is_locked:
                    refusal = f"period {name} is locked"
                elif call.actor.username in behind.of(finding.facts):
                    refusal = _segregation(finding)
                row["may_justify"] = refusal is None
                row["refusal"] = refusal
                rows.append(row)
        summary = summarise(checked.rules, checked.findings, justified)
        return {
            "period": name,
            "locked": is_locked,
            "rules": [rule_dict(r, lang) for r in checked.rules],
            "figures": checked.figures,
            "findings": rows,
            "counts": {
                "errors_open": len(summary.open_errors),
                "warnings_open": len(summary.open_warnings),
                "justified": len(summary.justified),
            },
            "override": override,
        }

    @staged("qa.justification.read")
    def counts(self, call: Call, period: str) -> dict[str, Any]:
        """How many findings of the period are open and justified, errors and warnings apart (the
        dashboard's status of the quality checks)."""
        name = _year(period)
        checked = run_checks(self.context, call.actor, name, "en")
        with call.reading() as connection:
            summary = summarise(
                checked.rules, checked.findings, repository.justifications(connection, name)
            )
        justified = [finding.severity == "error" for finding, _ in summary.justified]
        return {
            "period": name,
            "checks": len(checked.rules),
            "figures": checked.figures,
            "errors_open": len(summary.open_errors),
            "errors_justified": sum(justified),
            "warnings_open": len(summary.open_warnings),
            "warnings_justified": len(justified) - sum(justified),
        }

    @reads("qa.justification.read", entity_first=False)
    def justifications(self, call: Reading, period: str) -> list[dict[str, Any]]:
        """The justifications in force for the period, each with its finding's ``reference``."""
        return referenced(repository.justifications(call.connection, _year(period)))

    @staged("qa.justify")
    def justify(
        self,
        call: Call,
        period: str,
        rule: str | None,
        finding_key: str,
        text: str,
        lang: str = "en",
    ) -> dict[str, Any]:
        """Record why a finding of the period stands (a new version when one is in force);
        refused to the author of any value it rests on, and while the period is locked.
        ``finding_key`` is the finding's short reference (``sum.totals#3fa9c2``) or its full
        key; ``rule`` may be left out (None) when the reference or key names one finding."""
        name = _year(period)
        text = (check_text(text, "justification") or "").strip()
        if not text:
            raise Invalid(
                "a justification needs a text saying why the finding stands", field="text"
            )
        with call.reading() as connection:
            refuse_if_locked(connection, name)
        checked = run_checks(self.context, call.actor, name, lang)
        by_pair = {(f.rule, f.key): f for f in checked.findings}
        rule, finding_key = resolve(
            finding_key, rule, name, {p: described(f.message) for p, f in by_pair.items()}
        )
        finding = by_pair[(rule, finding_key)]
        with call.writing() as change:
            refuse_if_locked(change.connection, name)
            if call.actor.username in authors(change.connection, finding.facts):
                raise Forbidden(_segregation(finding), details={"action": "qa.justify"})
            stored = repository.save_justification(
                change,
                {
                    "period": name,
                    "rule": rule,
                    "finding_key": finding_key,
                    "severity": finding.severity,
                    "message": finding.message,
                    "text": text,
                },
            )
            return {**stored, "reference": checked.reference(finding)}

    @writes("qa.justify")
    def withdraw(
        self, call: Writing, period: str, rule: str | None, finding_key: str, reason: str
    ) -> dict[str, Any]:
        """Withdraw a justification (a new version marked withdrawn, with the reason);
        ``finding_key`` is its finding's reference or full key, as for :meth:`justify`."""
        name = _year(period)
        refuse_if_locked(call.connection, name)
        in_force = {
            (j["rule"], j["finding_key"]): described(str(j["text"]))
            for j in repository.justifications(call.connection, name)
        }
        rule, finding_key = resolve(finding_key, rule, name, in_force, "justification")
        found = repository.justification(call.connection, name, rule, finding_key)
        if found is None or found["withdrawn"]:
            raise NotFound(
                f"no justification of {rule} {finding_key!r} for {name}", field="finding_key"
            )
        reason = (check_text(reason, "reason") or "").strip()
        if not reason:
            raise Invalid("a withdrawal needs a reason", field="reason")
        return referenced([repository.withdraw_justification(call.change, found, reason)])[0]


def referenced(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Justification records, each with the short ``reference`` of the finding it justifies."""
    shown = references((str(j["rule"]), str(j["finding_key"])) for j in records)
    return [{**j, "reference": shown[(str(j["rule"]), str(j["finding_key"]))]} for j in records]


def _may_justify(call: Call) -> str | None:
    from esgledger.access.policy import refusal

    return refusal(call.actor, "qa.justify")


def _segregation(finding: Finding) -> str:
    values = "; ".join(f.location for f in finding.facts[:3])
    return SEGREGATION.format(values=values)
