"""The report's page context: plain dataclasses the templates read, already formatted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from esgledger.report import charts
from esgledger.report.gaps import GapLine
from esgledger.report.published import Published


# -- page context ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mark:
    """A footnote's number where a figure or a row refers to it."""

    number: int
    anchor: str


@dataclass
class Footnote:
    number: int
    anchor: str
    text: str


@dataclass
class Cell:
    year: str
    text: str
    anchor: str | None = None
    current: bool = False
    gap: bool = False  # no value: not computable or not reported (the anchor goes to the reason)
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Row:
    metric: str
    name: str
    unit: str
    cells: list[Cell]
    hkex: str
    gri: str
    anchor: str
    subtotal: bool = False  # a sum of other metrics (Scope 1, totals): printed in bold
    stated: bool = False  # a figure of a stated boundary (covers=), under its metric
    marks: list[Mark] = field(default_factory=list)
    sse: str = ""  # SSE Guideline No. 14 articles in force for the report year
    ifrs_s2: str = ""  # IFRS S2 paragraphs


@dataclass
class MemberLine:
    label: str
    value: str
    share: str  # of the total, when the total is a sum


@dataclass
class BreakdownTable:
    """One metric's members along one axis in the report year, with the total and a note when
    the members do not add up to it."""

    anchor: str
    title: str
    unit: str
    lines: list[MemberLine]
    total: str
    mismatch: str = ""


@dataclass
class KpiTable:
    group: str
    title: str
    anchor: str
    rows: list[Row]
    boundary: str  # the entities included, joined; or the 'none' text when count is 0
    boundary_count: int
    excluded: str
    footnotes: list[Footnote] = field(default_factory=list)
    breakdowns: list[BreakdownTable] = field(default_factory=list)

    @property
    def show_sse(self) -> bool:
        return any(row.sse for row in self.rows)

    @property
    def show_ifrs(self) -> bool:
        return any(row.ifrs_s2 for row in self.rows)


@dataclass
class Line:
    """One row of an appendix sub-table, already formatted."""

    cells: list[str | None]
    link: str | None = None
    flag: bool = False


@dataclass
class Entry:
    anchor: str
    back: str
    title: str
    year: str
    value: str
    key: str
    kind: str
    formulas: list[str]
    expressions: list[str]
    computed_for: str
    inputs: list[Line] = field(default_factory=list)
    breakdown: list[Line] = field(default_factory=list)
    factors: list[Line] = field(default_factory=list)
    measured: list[Line] = field(default_factory=list)
    children: list[Line] = field(default_factory=list)
    excluded: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    eliminations: list[str] = field(default_factory=list)
    partial: bool = False
    datapoints: str = ""
    sources: str = ""


@dataclass
class AppendixGroup:
    title: str
    entries: list[Entry]


@dataclass
class OptionRow:
    label: str
    values: list[str]


@dataclass
class Unverified:
    factor: str
    value: str
    edition: str
    source: str
    confidence: str
    years: str
    checked: str = ""  # the confidence tag as a phrase (how far the value was checked)


@dataclass
class ReportContext:
    long_list: int
    lang: str
    html_lang: str
    year: str
    years: list[str]
    entity_name: str
    generated: str
    options: list[OptionRow]
    options_differ: bool
    unverified: list[Unverified]
    tables: list[KpiTable]
    scope_chart: charts.Chart
    scope_caption: str
    mix_chart: charts.Chart | None
    mix_title: str
    mix_caption: str
    appendix: list[AppendixGroup]
    base_year: str | None = None
    restatement: str | None = None
    ledger_head: tuple[int, str] | None = None  # (seq, hash) of the audit chain head read
    gaps: list[GapLine] = field(default_factory=list)  # figures not computed, and why
    published: list[Published] = field(default_factory=list)  # published beside computed
    sources: Any = None  # assemble.Sources: what the context was assembled from (full report)
    basis_html: str = ""  # the basis of preparation (report.basis_section), markup
    traces: dict[tuple[str, str], Any] = field(default_factory=dict)  # (metric, year) -> Trace
    figures: Any = None  # report.kpi.Figures: stated boundaries and breakdown members too
    names: Any = None  # report.names.Names of the report language


def anchor(metric_id: str, year: str) -> str:
    """The id of a figure's appendix entry."""
    return f"a-{metric_id}-{year}"
