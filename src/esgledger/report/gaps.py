"""What the report says about figures the inventory could not compute: a marked cell in the KPI
table and a list with each reason and the value whose failure caused it (issue: calculate what
can be calculated; the reader sees a gap, never a silent blank or a partial total)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from esgledger.i18n import Strings
from esgledger.ledger.runs import PeriodRun
from esgledger.lineage import key

NOT_REPORTED = "not_reported"


class _Names(Protocol):
    def metric(self, metric_id: str) -> str: ...

    def entity(self, entity_id: str) -> str: ...

    def unit(self, unit: str) -> str: ...


@dataclass
class GapLine:
    """One figure of the reporting entity without a number: where, why, and the first cause."""

    anchor: str
    metric: str
    year: str
    status: str
    reason: str
    cause: str


def gap_anchor(metric_id: str, year: str) -> str:
    return f"g-{metric_id}-{year}"


def root_gaps(
    runs: dict[str, PeriodRun | None], years: list[str], root: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """The reporting entity's figures each year's run could not compute, by (metric, year). A
    category the organisation does not report is no gap of the report: the basis section names
    the categories it reports."""
    found = {}
    for year in years:
        run = runs[year]
        if run is None:
            continue
        for gap in run.gaps.values():
            if gap["kind"] == NOT_REPORTED:
                continue
            if gap["entity"] == root and gap["key"] == key(gap["metric"], root, year):
                found[(gap["metric"], year)] = gap
    return found


def cell_text(gap: dict[str, Any], strings: Strings) -> str:
    return strings("gap.cell_not_reported" if gap["kind"] == NOT_REPORTED else "gap.cell")


def gap_lines(
    gaps: dict[tuple[str, str], dict[str, Any]],
    runs: dict[str, PeriodRun | None],
    strings: Strings,
    names: _Names,
) -> list[GapLine]:
    """The list under the KPI tables, in table order (metric, then year)."""
    lines = []
    for (metric_id, year), gap in gaps.items():
        run = runs[year]
        cause = run.gaps.get(gap["cause"]) if run is not None else None
        cause_text = ""
        if cause is not None and cause["key"] != gap["key"]:
            cause_text = strings(
                "gap.caused_by",
                metric=names.metric(cause["metric"]),
                entity=names.entity(cause["entity"]),
                reason=strings.note(cause["reason"], names),
            )
        lines.append(
            GapLine(
                gap_anchor(metric_id, year),
                names.metric(metric_id),
                year,
                cell_text(gap, strings),
                strings.note(gap["reason"], names),
                cause_text,
            )
        )
    return lines
