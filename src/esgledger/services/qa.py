"""Quality checks (issue 12): the findings of the declared rules (:mod:`esgledger.qa`) on the
ledger's figures of a period, on the tables of a report handed in, or on both.

:meth:`QA.check` gathers the facts (:mod:`esgledger.services.qa_facts`: data points, the current
calculation run, targets, of the period and the year before it), adds the report tables' facts,
loads the rules and runs them; :func:`finding_dict` is the one JSON shape of a finding that every
door (CLI, API, web page) prints, :func:`unread_dict` that of a report row the checks could not
read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esgledger.domain import Period
from esgledger.ingest.report_tables import ReportedTables, read_report_tables
from esgledger.ledger import settings
from esgledger.ledger.reads import load_entities
from esgledger.qa.engine import CheckInputs, run_checks
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.index import FactIndex
from esgledger.qa.references import references
from esgledger.qa.rules import Rule, load_rules
from esgledger.service_errors import Invalid
from esgledger.services.operation import Capability, Reading, reads
from esgledger.services.qa_facts import (
    ledger_facts,
    period_sections,
    previous_period,
    target_facts,
    template_sections,
)
from esgledger.services.targets import Targets


@dataclass
class CheckResult:
    """The findings of one run of the checks (errors first), with the rules applied.

    ``findings`` are what the checks found in the figures; ``unread`` the report rows they could
    not read (kind ``unread_row``: not checked), counted apart as ``rows_not_read`` and failing
    the run only when their rule is error-level. ``references`` holds each one's short reference
    (:mod:`esgledger.qa.references`) by (rule, key)."""

    period: str | None
    findings: list[Finding]
    rules: list[Rule]
    facts: int  # how many figures the rules read
    reported_file: str | None = None
    lang: str = "en"
    counts: dict[str, int] = field(default_factory=dict)
    unread: list[Finding] = field(default_factory=list)
    references: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        every = [*self.findings, *self.unread]
        self.findings = [f for f in every if f.kind != "unread_row"]
        self.unread = [f for f in every if f.kind == "unread_row"]
        self.references = references((f.rule, f.key) for f in every)
        self.counts = {
            "error": sum(1 for f in self.findings if f.severity == "error"),
            "warning": sum(1 for f in self.findings if f.severity == "warning"),
            "rows_not_read": len(self.unread),
        }

    @property
    def blocks_report(self) -> bool:
        return any(f.severity == "error" for f in [*self.findings, *self.unread])

    def reference(self, finding: Finding) -> str:
        return self.references[(finding.rule, finding.key)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "reported_file": self.reported_file,
            "facts": self.facts,
            "counts": dict(self.counts),
            "rules": [rule_dict(rule, self.lang) for rule in self.rules],
            "findings": [finding_dict(f, self.reference(f)) for f in self.findings],
            "rows_not_read": [unread_dict(f) for f in self.unread],
        }


def _period(period: str | None) -> str | None:
    if period is None or period == "":
        return None
    try:
        return str(Period.parse(period))
    except ValueError as exc:
        raise Invalid(str(exc), field="period") from None


class QA(Capability):
    @reads("qa.read", entity_first=False)
    def check(
        self,
        call: Reading,
        period: str | None,
        reported: ReportedTables | None = None,
        lang: str = "en",
    ) -> CheckResult:
        """The findings of every rule on the ledger's figures of ``period`` (and the year before
        it) and the report tables ``reported``; without a period, the report tables alone."""
        return self._checked(call, period, reported, (lang,))[lang]

    @reads("qa.read", entity_first=False)
    def check_languages(
        self, call: Reading, period: str, langs: tuple[str, ...]
    ) -> dict[str, CheckResult]:
        """``check`` of the ledger in each of ``langs`` (the report build's): the figures and
        targets are read once; the sections' text and the messages are each language's."""
        return self._checked(call, period, None, langs)

    def _checked(
        self,
        call: Reading,
        period: str | None,
        reported: ReportedTables | None,
        langs: tuple[str, ...],
    ) -> dict[str, CheckResult]:
        checked = _period(period)
        if checked is None and reported is None:
            raise Invalid("choose a period or hand in report tables", field="period")
        catalogue = self.context.catalogue
        facts: list[Fact] = []
        targets: list[dict[str, Any]] = []
        sees = call.actor.sees
        if checked is not None:
            facts += ledger_facts(
                call.connection, catalogue, [checked, previous_period(checked)], sees
            )
            found, targets = target_facts(call.connection, Targets(self.context)._shown, sees)
            facts += found
        if reported is not None:
            facts += reported.facts
        rules = load_rules()
        entities = load_entities(call.connection)
        extra = {
            "period": checked,
            "entities": entities,
            "visible_entities": {e.id for e in entities if sees(e.id)},
            "change_threshold": settings.read(call.connection, "review.change_threshold"),
        }
        index, factors = FactIndex(facts), self.context.library(call.connection)
        results = {}
        for lang in langs:
            sections = (
                period_sections(call.connection, checked, lang) if checked is not None else {}
            )
            templates = (
                template_sections(call.connection, catalogue, checked, lang)
                if checked is not None
                else {}
            )
            inputs = CheckInputs(
                facts=index,
                lang=lang,
                catalogue=catalogue,
                factors=factors,
                targets=targets,
                sections=sections,
                extra={**extra, "template_sections": templates},
            )
            results[lang] = CheckResult(
                checked,
                run_checks(rules, inputs),
                rules,
                len(facts),
                reported.file if reported is not None else None,
                lang,
            )
        return results

    @reads("qa.read", entity_first=False)
    def read_reported(self, call: Reading, path: Path, name: str | None = None) -> ReportedTables:
        """The figures of a report-tables file (CSV or XLSX), resolved against the ledger's
        entities and the catalogue; all or nothing (an :class:`InputRejected` names every bad
        cell). Nothing is written: report tables never become ledger data."""
        return read_report_tables(
            path, self.context.catalogue, load_entities(call.connection), name or path.name
        )


def fact_dict(fact: Fact) -> dict[str, Any]:
    """A figure a finding rests on, as the JSON of a finding lists it."""
    return {
        "value": fact.value,
        "unit": fact.unit,
        "entity": fact.entity_id or fact.entity_as_written,
        "metric": fact.metric_key,
        "period": fact.period,
        "origin": fact.origin,
        "location": fact.location,
        "table": fact.table,
        "row_label": fact.row_label,
        "as_written": fact.text_as_written,
        "unit_as_written": fact.unit_as_written,
    }


def finding_dict(finding: Finding, reference: str) -> dict[str, Any]:
    """The one JSON shape of a finding: ``rule``, ``severity``, ``message``, the ``table``,
    ``row_label`` and ``period`` of its first figure, ``values`` (every figure it rests on),
    ``arithmetic``, ``key`` (stable across runs, what a justification stores) and ``reference``
    (its short form, ``sum.totals#3fa9c2``, which ``justify`` takes too)."""
    first = finding.facts[0] if finding.facts else None
    tables: list[str] = list(dict.fromkeys(f.table for f in finding.facts if f.table))
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "table": tables[0] if tables else None,
        "tables": tables,
        "row_label": first.row_label if first is not None else None,
        "period": first.period if first is not None else None,
        "values": [fact_dict(f) for f in finding.facts],
        "arithmetic": finding.arithmetic,
        "key": finding.key,
        "reference": reference,
    }


def unread_dict(row: Finding) -> dict[str, Any]:
    """A report row the checks could not read: its ``table``, ``row_label``, the ``file`` and
    ``lines`` it is on, its ``periods``, the ``reason`` (``no_metric``: the label names no
    metric; ``unit``: the label names ``metric`` but the unit cannot be its ``metric_unit``;
    ``currency``: it is per another currency), the ``message`` saying what was expected, the
    rule and its severity, and its ``values`` as printed."""
    first = row.facts[0] if row.facts else None
    places = [dict(f.place[1]) for f in row.facts if f.place is not None]
    return {
        "rule": row.rule,
        "severity": row.severity,
        "table": first.table if first is not None else None,
        "row_label": first.row_label if first is not None else None,
        "file": places[0].get("file") if places else None,
        "lines": [int(p["line"]) for p in places if str(p.get("line", "")).isdigit()],
        "periods": list(dict.fromkeys(f.period for f in row.facts)),
        "reason": row.details.get("reason"),
        "metric": row.details.get("metric"),
        "metric_unit": row.details.get("metric_unit"),
        "message": row.message,
        "values": [fact_dict(f) for f in row.facts],
    }


def rule_dict(rule: Rule, lang: str = "en") -> dict[str, Any]:
    return {
        "id": rule.id,
        "check": rule.check,
        "severity": rule.severity,
        "description": rule.description.get(lang) or rule.description["en"],
        "source": rule.source,
    }
