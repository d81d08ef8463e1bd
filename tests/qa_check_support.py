"""Hand-made figures for the tests of the quality checks: a report table's cell, a data point, a
computed value; and the run of one rule of the shipped rule files over them."""

from __future__ import annotations

from functools import cache
from typing import Any

from esgledger.catalogue import Catalogue, load_catalogue
from esgledger.qa.engine import CheckInputs, run_checks
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.index import FactIndex
from esgledger.qa.rules import Rule, load_rules


@cache
def catalogue() -> Catalogue:
    return load_catalogue()


@cache
def rules() -> dict[str, Rule]:
    return {rule.id: rule for rule in load_rules()}


def cell(
    metric: str | None,
    period: str,
    text: str,
    *,
    table: str = "Environment",
    row: str | None = None,
    entity: str = "grp",
    scale: float = 1.0,
    unit: str | None = None,
    footnote: str | None = None,
    **attributes: str,
) -> Fact:
    """A report table's figure printed as ``text`` (``scale`` turns the printed number into the
    catalogue unit: 10 for a figure printed in 万千瓦时 of a metric in MWh)."""
    written = float(text.replace(",", "").rstrip("%").strip())
    metric_unit = catalogue()[metric].unit if metric else "1"
    return Fact(
        origin="reported_table",
        metric_key=metric,
        entity_id=entity,
        period=period,
        value=written * scale,
        unit=metric_unit,
        location=f"{table}.csv row",
        value_as_written=written,
        unit_as_written=unit or metric_unit,
        text_as_written=text,
        table=table,
        row_label=row or metric,
        entity_as_written=None,
        footnote=footnote,
        attributes=dict(attributes),
    )


def ledger(
    metric: str,
    period: str,
    value: float,
    *,
    entity: str = "grp",
    origin: str = "computed",
    **attributes: str,
) -> Fact:
    """A data point (``origin="datapoint"``) or a value of the current calculation."""
    return Fact(
        origin=origin,  # type: ignore[arg-type]
        metric_key=metric,
        entity_id=entity,
        period=period,
        value=value,
        unit=catalogue()[metric].unit,
        location=f"{origin} {metric}@{entity}@{period}",
        reference=f"{metric}@{entity}@{period}",
        attributes=dict(attributes),
    )


def run(
    rule_id: str,
    facts: list[Fact],
    *,
    lang: str = "en",
    targets: list[dict[str, Any]] | None = None,
    sections: dict[str, str] | None = None,
    **extra: Any,
) -> list[Finding]:
    """The findings of the shipped rule ``rule_id`` on ``facts``."""
    inputs = CheckInputs(
        facts=FactIndex(facts),
        lang=lang,
        catalogue=catalogue(),
        targets=targets or [],
        sections=sections or {},
        extra=extra,
    )
    return run_checks([rules()[rule_id]], inputs)
