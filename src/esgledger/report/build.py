"""Assemble the HTML report of one year: title page, three-year KPI tables, charts and appendix.

Everything shown is read from the stored calculation runs (lineage records loaded in bulk, one query
per period) and the catalogue; nothing is recalculated. Each table figure links to an appendix entry
that explains it from its lineage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from esgledger.calc.options import option_rules
from esgledger.calc.runner import BASE_TOTAL_ROLE
from esgledger.catalogue import Catalogue, Metric
from esgledger.domain import DataPoint, OrgTree, Period
from esgledger.errors import EsgLedgerError
from esgledger.i18n import HTML_LANG, LANGUAGES, Strings
from esgledger.ledger import settings
from esgledger.ledger.reads import current_datapoints, load_entities
from esgledger.ledger.runs import RESTATED, PeriodRun, load_period_run, load_period_runs
from esgledger.ledger.verify import read_head
from esgledger.lineage import Text, key
from esgledger.report import charts
from esgledger.report.formatting import (
    DASH,
    format_fixed,
    format_number,
    format_precise,
    row_decimals,
    unit_label,
)
from esgledger.report.gaps import GapLine, cell_text, gap_anchor, gap_lines, root_gaps
from esgledger.report.published import Published, compare, published_anchor, published_points
from esgledger.report.trace import (
    FactorUse,
    Lineage,
    Said,
    Trace,
    confidence_phrase,
    trace_value,
)

TEMPLATES = Path(__file__).parent / "templates"
YEARS_SHOWN = 3
LONG_LIST = 12  # more included entities than this: the footnote folds the list away
# Catalogue groups get one table each, in this order; groups not listed follow in catalogue order.
GROUP_ORDER = ("production", "energy", "ghg", "scope3", "environment", "social", "finance")
SKIPPED_GROUPS = frozenset({"site_parameters"})
# The catalogue roles of the metrics the charts show: the scopes chart, the energy mix.
SCOPE_ROLES = ("scope1_total", "scope2_location_total")
ENERGY_TOTAL_ROLE = "energy_total"


# -- page context ----------------------------------------------------------------------------------
@dataclass
class Cell:
    year: str
    text: str
    anchor: str | None = None
    current: bool = False
    gap: bool = False  # no value: not computable or not reported (the anchor goes to the reason)


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


@dataclass
class KpiTable:
    group: str
    title: str
    anchor: str
    rows: list[Row]
    boundary: str  # the entities included, joined; or the 'none' text when count is 0
    boundary_count: int
    excluded: str


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


# -- entry point -----------------------------------------------------------------------------------
def build_report(
    connection: sa.Connection,
    catalogue: Catalogue,
    period: str,
    out_dir: Path,
    lang: str = "en",
    *,
    entity: str | None = None,
    generated: dt.date | None = None,
) -> Path:
    """Write ``esgledger-report-<period>-<lang>.html`` into ``out_dir`` and return its path.

    ``period`` is the report year; the two years before it are shown for comparison (a year without
    a calculation run shows "–"). ``entity`` is the reporting entity (default: the root of the
    organisation tree; a named entity's id goes into the file name). The file is self-contained:
    inline CSS and SVG, no external resources.
    """
    if lang not in LANGUAGES:
        raise EsgLedgerError(f"unknown report language {lang!r}: use one of {', '.join(LANGUAGES)}")
    strings = Strings(lang)
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        raise EsgLedgerError(str(exc)) from exc
    if parsed.month is not None:
        raise EsgLedgerError(
            f"report period {period!r} is a month; the report covers a year, "
            f"e.g. --period {parsed.year}"
        )
    years = [str(parsed.year - offset) for offset in range(YEARS_SHOWN - 1, -1, -1)]
    tree = OrgTree(load_entities(connection))
    runs = load_period_runs(connection, years)
    stored_base = settings.read(connection, "base_year")
    base_year = None if stored_base is None else str(stored_base)
    restated = None
    if base_year in years[:-1]:
        restated_run = load_period_run(connection, base_year, RESTATED)
        if restated_run is not None:
            runs[base_year] = restated_run  # GHG Protocol: report the recalculated base year
            restated = restated_run.restatement
    root = _reporting_entity(tree, entity)
    if runs[years[-1]] is None:
        raise EsgLedgerError(
            f"no calculation for {years[-1]}: calculate the year before writing its report "
            f"('esgledger calc --period {years[-1]}', POST /api/v1/calculations or the "
            "Calculate button of the period's page)"
        )
    published = published_points(current_datapoints(connection, years), root)
    context = _assemble(
        catalogue, tree, root, years, runs, strings, generated or dt.date.today(), published
    )
    context.base_year = base_year
    head = read_head(connection)  # after the reads: nothing the report shows is newer
    context.ledger_head = (head.seq, head.hash)
    if restated is not None:
        total = catalogue.role(BASE_TOTAL_ROLE)
        context.restatement = strings(
            "title.restated",
            year=restated.base_year,
            metric=total.label(lang),
            unit=unit_label(total.unit, strings),
            original=f"{restated.original:,.0f}",
            restated=f"{restated.restated:,.0f}",
            change=f"{restated.change:+.1%}",
            threshold=f"{restated.threshold:.0%}",
            reasons="; ".join(restated.reasons),
        )
    html = render(context, strings)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{period}-{lang}" if entity is None else f"{entity}-{period}-{lang}"
    path = out_dir / f"esgledger-report-{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def render(context: ReportContext, strings: Strings) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("report.html.j2")
    return template.render(c=context, t=strings)


def _reporting_entity(tree: OrgTree, wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in tree.by_id:
            raise EsgLedgerError(f"unknown entity {wanted!r}; see 'esgledger org list'")
        return wanted
    roots = tree.roots()
    if not roots:
        raise EsgLedgerError("the organisation is empty: import it with 'esgledger org import'")
    groups = [r for r in roots if tree.by_id[r].type == "group"]
    candidates = groups or roots
    if len(candidates) > 1:
        raise EsgLedgerError(
            f"the organisation has several top-level entities "
            f"({', '.join(roots)}); name the reporting entity"
        )
    return candidates[0]


# -- assembly --------------------------------------------------------------------------------------
class _Names:
    """Entity, metric and unit labels in the report language, and the organisation's reading
    order (also the labels of what the engine's notes name: :class:`esgledger.i18n.Labels`)."""

    def __init__(self, tree: OrgTree, catalogue: Catalogue, strings: Strings):
        self.tree = tree
        self.catalogue = catalogue
        self.strings = strings
        self.lang = strings.lang
        self.order: dict[str, int] = {}
        stack = list(reversed(tree.roots()))
        while stack:
            current = stack.pop()
            self.order[current] = len(self.order)
            stack.extend(reversed(tree.children.get(current, [])))

    def __call__(self, entity_id: str) -> str:
        entity = self.tree.by_id.get(entity_id)
        return entity.label(self.lang) if entity else entity_id

    def entity(self, entity_id: str) -> str:
        return self(entity_id)

    def metric(self, metric_id: str) -> str:
        return self.catalogue.label(metric_id, self.lang)

    def unit(self, unit: str) -> str:
        return unit_label(unit, self.strings) or unit

    def sort(self, entity_ids: set[str] | list[str]) -> list[str]:
        return sorted(entity_ids, key=lambda e: (self.order.get(e, len(self.order)), e))


def _report_groups(catalogue: Catalogue) -> list[str]:
    listed = [g for g in GROUP_ORDER if g in catalogue.groups]
    others = [g for g in catalogue.groups if g not in GROUP_ORDER and g not in SKIPPED_GROUPS]
    return listed + others


def _anchor(metric_id: str, year: str) -> str:
    return f"a-{metric_id}-{year}"


def _assemble(
    catalogue: Catalogue,
    tree: OrgTree,
    root: str,
    years: list[str],
    runs: dict[str, PeriodRun | None],
    strings: Strings,
    generated: dt.date,
    published: dict[tuple[str, str], DataPoint] | None = None,
) -> ReportContext:
    names = _Names(tree, catalogue, strings)
    published = published or {}
    groups = _report_groups(catalogue)
    traces: dict[tuple[str, str], Trace] = {}
    for year in years:
        run = runs[year]
        if run is None:
            continue
        lineage = Lineage(run.records)
        for group in groups:
            for metric in catalogue.in_group(group):
                if metric.aggregation == "none":  # an entity's own parameter, not a group figure
                    continue
                found = trace_value(lineage, key(metric.id, root, year))
                if found is not None:
                    traces[(metric.id, year)] = found
    gaps = root_gaps(runs, years, root)
    tables, appendix = [], []
    shown_gaps: dict[tuple[str, str], dict[str, Any]] = {}
    for group in groups:
        metrics = [
            m
            for m in catalogue.in_group(group)
            if m.aggregation != "none"
            and any(
                (m.id, year) in traces or (m.id, year) in gaps or (m.id, year) in published
                for year in years
            )
        ]
        if not metrics:
            continue
        shown_gaps.update(
            ((m.id, y), gaps[(m.id, y)]) for m in metrics for y in years if (m.id, y) in gaps
        )
        title = catalogue.groups[group][strings.lang]
        only_published = {k: p for k, p in published.items() if k not in traces}
        tables.append(
            _table(group, title, metrics, years, traces, gaps, strings, names, only_published)
        )
        appendix.append(
            AppendixGroup(
                title,
                [
                    _entry(
                        metric,
                        year,
                        traces[(metric.id, year)],
                        traces,
                        catalogue,
                        strings,
                        names,
                        f"r-{metric.id}",
                    )
                    for metric in metrics
                    for year in years
                    if (metric.id, year) in traces
                ],
            )
        )
    options, differ = _options(years, runs, strings)
    energy_total = catalogue.role(ENERGY_TOTAL_ROLE)
    mix, mix_caption = _mix(
        catalogue, years[-1], traces.get((energy_total.id, years[-1])), strings, energy_total
    )
    return ReportContext(
        long_list=LONG_LIST,
        lang=strings.lang,
        html_lang=HTML_LANG[strings.lang],
        year=years[-1],
        years=years,
        entity_name=names(root),
        generated=generated.isoformat(),
        options=options,
        options_differ=differ,
        unverified=_unverified(traces, strings),
        tables=tables,
        scope_chart=_scopes(years, traces, strings, catalogue),
        scope_caption=strings("chart.scopes.caption", unit=unit_label("tCO2e", strings)),
        mix_chart=mix,
        mix_title=strings("chart.mix.title", year=years[-1]),
        mix_caption=mix_caption,
        appendix=appendix,
        gaps=gap_lines(shown_gaps, runs, strings, names),
        published=compare(published, traces, catalogue, strings),
    )


def _codes(metric: Metric, framework: str) -> str:
    return ", ".join(metric.frameworks.get(framework, ()))


def _table(
    group: str,
    title: str,
    metrics: list[Metric],
    years: list[str],
    traces: dict[tuple[str, str], Trace],
    gaps: dict[tuple[str, str], dict[str, Any]],
    strings: Strings,
    names: _Names,
    only_published: dict[tuple[str, str], DataPoint],
) -> KpiTable:
    rows = []
    for metric in metrics:
        found = [traces.get((metric.id, year)) for year in years]
        figures = [
            f.value if f else _published_value(only_published, metric.id, y)
            for f, y in zip(found, years, strict=True)
        ]
        decimals = row_decimals(figures)
        cells = [
            Cell(
                year,
                format_fixed(f.value, decimals) if f else DASH,
                _anchor(metric.id, year) if f else None,
                year == years[-1],
            )
            if (metric.id, year) not in gaps and (metric.id, year) not in only_published
            else Cell(
                year,
                format_fixed(only_published[(metric.id, year)].value_normalised, decimals),
                published_anchor(metric.id, year),
                year == years[-1],
            )
            if (metric.id, year) in only_published
            else Cell(
                year,
                cell_text(gaps[(metric.id, year)], strings),
                gap_anchor(metric.id, year),
                year == years[-1],
                gap=True,
            )
            for year, f in zip(years, found, strict=True)
        ]
        rows.append(
            Row(
                metric.id,
                metric.label(strings.lang),
                unit_label(metric.unit, strings),
                cells,
                _codes(metric, "hkex"),
                _codes(metric, "gri"),
                f"r-{metric.id}",
                metric.formula is not None and metric.formula.function == "sum",
            )
        )
    shown = [traces[(m.id, y)] for m in metrics for y in years if (m.id, y) in traces]
    included, count, excluded = _boundary_footnote(shown, strings, names)
    return KpiTable(group, title, f"t-{group}", rows, included, count, excluded)


def _boundary_footnote(shown: list[Trace], strings: Strings, names: _Names) -> tuple[str, int, str]:
    """Footnote texts: the entities whose reported data the table's figures include, and the
    entities the roll-ups left out, with the reason (and the years, when not every year)."""
    years_with_data = sorted({t.period for t in shown})
    reporting: dict[str, set[str]] = {}
    shares: dict[str, float] = {}
    excluded: dict[str, dict[str, tuple[Text, set[str]]]] = {}  # entity -> reason -> years
    for found in shown:
        for entity in found.reporting_entities:
            reporting.setdefault(entity, set()).add(found.period)
        for entity, share in found.shares.items():
            shares[entity] = min(share, shares.get(entity, share))
        for entity, why in found.excluded.items():
            for said, reason in why.items():
                seen = excluded.setdefault(entity, {}).setdefault(said, (reason, set()))
                seen[1].add(found.period)
    years_sep = strings("kpi.years_sep")
    items = []
    for entity in names.sort(set(reporting)):
        label = names(entity)
        if shares.get(entity, 1.0) < 1 - 1e-12:
            label = strings("kpi.share", name=label, share=_percent(shares[entity]))
        if sorted(reporting[entity]) != years_with_data:
            label = strings(
                "kpi.only_years", name=label, years=years_sep.join(sorted(reporting[entity]))
            )
        items.append(label)
    included_text = strings.join(items) if items else strings("kpi.boundary_none")
    left_out = []
    for entity in names.sort(set(excluded)):
        reasons = []
        periods_out = []
        for reason, periods in sorted(
            excluded[entity].values(), key=lambda item: strings.note(item[0], names)
        ):
            if isinstance(reason, dict) and reason["code"] == "not_in_group":
                periods_out.append(str(reason["args"]["period"]))
            elif sorted(periods) == years_with_data:
                reasons.append(strings.note(reason, names))
            else:
                reasons.append(
                    strings(
                        "kpi.reason_years",
                        reason=strings.note(reason, names),
                        years=years_sep.join(sorted(periods)),
                    )
                )
        if periods_out:  # one reason for the years it was out
            reasons.append(
                strings("note.not_in_group", period=years_sep.join(sorted(set(periods_out))))
            )
        below = len(names.tree.descendants(entity)) if entity in names.tree.by_id else 0
        label = (
            strings("kpi.with_subsidiaries", name=names(entity), count=below)
            if below
            else names(entity)
        )
        left_out.append(
            strings("kpi.excluded_item", name=label, reason=strings("kpi.reason_sep").join(reasons))
        )
    excluded_text = (
        strings("kpi.excluded", items=strings("kpi.reason_sep").join(left_out)) if left_out else ""
    )
    return included_text, len(items), excluded_text


def _percent(share: float) -> str:
    return f"{share * 100:.4g}%"


def _formula_label(function: str, strings: Strings) -> str:
    return strings.get(f"formula.{function}") or function


def _entry(
    metric: Metric,
    year: str,
    found: Trace,
    traces: dict[tuple[str, str], Trace],
    catalogue: Catalogue,
    strings: Strings,
    names: _Names,
    back: str,
) -> Entry:
    unit = unit_label(found.unit, strings)
    computed = [_formula_label(f, strings) for f in found.functions]
    if not computed and found.datapoints:
        computed = [strings("formula.input")]
    formulas: list[str] = []
    if found.kind == "rollup":
        formulas.append(strings("formula.rollup"))
        formulas.extend(strings("appendix.each_entity", formula=f) for f in computed)
    else:
        formulas.extend(computed)
    expressions = found.expressions if strings.lang != "en" else []
    if found.kind == "rollup" and strings.lang != "en":
        expressions = [found.record.get("formula", ""), *expressions]
    computed_for = (
        strings("appendix.computed_for", count=len(found.computed_by))
        if len(found.computed_by) > 1
        else ""
    )
    entry = Entry(
        anchor=_anchor(metric.id, year),
        back=back,
        title=metric.label(strings.lang),
        year=year,
        value=f"{format_precise(found.value)} {unit}".strip(),
        key=found.key,
        kind=strings(f"appendix.kind.{found.kind}"),
        formulas=formulas,
        expressions=expressions,
        computed_for=computed_for,
    )
    for line in found.inputs:
        input_metric = catalogue.metrics.get(line.metric)
        name = input_metric.label(strings.lang) if input_metric else line.metric
        quantity = _quantity(line.quantity, line.unit, strings)
        contribution_unit = (
            unit
            if line.contribution_unit in ("", found.unit)
            else unit_label(line.contribution_unit, strings)
        )
        contribution = (
            f"{format_precise(line.contribution)} {contribution_unit}"
            if line.contribution is not None
            else DASH
        )
        link = _anchor(line.metric, year) if (line.metric, year) in traces else None
        entry.inputs.append(Line([name, quantity, contribution.strip()], link))
    if found.breakdown_complete and not any(line.contribution is not None for line in found.inputs):
        for line in found.breakdown:
            input_metric = catalogue.metrics.get(line.metric)
            name = input_metric.label(strings.lang) if input_metric else line.metric
            quantity = _quantity(line.quantity, line.unit, strings)
            entry.breakdown.append(
                Line(
                    [name, quantity, f"{format_precise(line.contribution)} {unit}".strip()],
                    _anchor(line.metric, year) if (line.metric, year) in traces else None,
                )
            )
    for factor in found.factors:
        entry.factors.append(_factor_line(factor, strings))
    for used in found.measured:
        entry.measured.append(
            Line(
                [
                    names(used.entity),
                    used.parameter,
                    f"{format_precise(used.value)} {_symbol(used.unit)}".strip(),
                    strings("appendix.replaces", factor=used.replaces),
                ]
            )
        )
    partial = any(float(child.get("factor", 1.0)) != 1.0 for child in found.children)
    if found.own:
        entry.children.append(
            Line(
                [
                    f"{names(found.entity)} ({strings('appendix.own')})",
                    format_precise(found.own["value"]),
                    "" if partial else None,
                ]
            )
        )
    for child in found.children:
        inclusion = None
        if partial:
            inclusion = f"× {format_precise(float(child.get('factor', 1.0)))}"
            if child.get("reason"):
                inclusion += f" ({strings.note(child['reason'], names)})"
        entry.children.append(
            Line([names(child["entity"]), format_precise(child["value"]), inclusion])
        )
    entry.partial = partial
    for item in found.eliminations:
        entry.eliminations.append(
            strings(
                "appendix.elimination",
                entity=names(item.get("supplier", "")),
                value=f"{format_precise(item.get('value'))} {unit}".strip(),
            )
        )
    for entity in names.sort(set(found.excluded)):
        reasons = sorted(strings.note(r, names) for r in found.excluded[entity].values())
        entry.excluded.append(Line([names(entity), strings("kpi.reason_sep").join(reasons)]))
    for said in found.notes.values():
        entry.notes.append(_note(said, found.entity, strings, names))
    if found.datapoints:
        statuses = [
            f"{strings.get(f'status.{s}', s)} {n}" for s, n in sorted(found.statuses.items())
        ]
        methods = [f"{strings.get(f'method.{m}', m)} {n}" for m, n in sorted(found.methods.items())]
        entry.datapoints = strings(
            "appendix.datapoints_summary",
            count=found.datapoints,
            entities=len(found.datapoint_entities),
            statuses=strings.join(statuses),
            methods=strings.join(methods),
        )
        top = [f"{source} ({n})" if n > 1 else source for source, n in found.sources.most_common(8)]
        if len(found.sources) > 8:
            top.append("…")
        entry.sources = strings.join(top)
    return entry


def _quantity(value: float, unit: str, strings: Strings) -> str:
    if not unit:
        return DASH
    return f"{format_precise(value)} {unit_label(unit, strings)}".strip()


def _symbol(unit: str) -> str:
    """Factor units are printed as symbols (kgce/kg, tCO₂/MWh) in both languages, as the
    standards print them."""
    return unit_label(unit, Strings("en"))


def _factor_line(factor: FactorUse, strings: Strings) -> Line:
    value = f"{factor.value:g} {_symbol(factor.unit)}".strip()
    edition = " · ".join(
        part
        for part in (
            factor.factor_set,
            factor.edition,
            f"v{factor.version}" if factor.version else "",
        )
        if part
    )
    return Line(
        [
            factor.factor,
            edition,
            value,
            factor.valid_from,
            strings.note(factor.source),
            factor.note,
            str(len(factor.entities)),
        ],
        flag=factor.unverified,
    )


def _note(said: Said, root: str, strings: Strings, names: _Names) -> str:
    """The engine's note in the report language (a metric it names by its label), with the
    entities it concerns."""
    note, entities = strings.note(said.text, names), said.entities
    if entities == {root}:
        return note
    if len(entities) <= 3:
        return f"{note} ({strings.join([names(e) for e in names.sort(entities)])})"
    return f"{note} ({strings('appendix.entities_count', count=len(entities))})"


def _options(
    years: list[str], runs: dict[str, PeriodRun | None], strings: Strings
) -> tuple[list[OptionRow], bool]:
    rows = []
    for option in option_rules():
        values = []
        for year in years:
            run = runs[year]
            if run is None:
                values.append(DASH)
                continue
            chosen = run.options.get(option, "")
            values.append(strings.get(f"option.{option}.{chosen}", chosen))
        rows.append(OptionRow(strings(f"option.{option}"), values))
    rows.append(
        OptionRow(
            strings("option.scope3_categories"),
            [
                DASH if run is None else _categories(run.options.get("scope3_categories"), strings)
                for run in (runs[y] for y in years)
            ],
        )
    )
    rows.append(
        OptionRow(
            strings("option.run"),
            [
                strings("option.run_value", id=run.run_id, date=run.at[:10])
                if run
                else strings("option.no_run")
                for run in (runs[y] for y in years)
            ],
        )
    )
    chosen_sets = {tuple(sorted(run.options.items())) for run in runs.values() if run is not None}
    return rows, len(chosen_sets) > 1


def _published_value(
    points: dict[tuple[str, str], DataPoint], metric_id: str, year: str
) -> float | None:
    point = points.get((metric_id, year))
    return None if point is None else point.value_normalised


def _categories(stored: str | None, strings: Strings) -> str:
    """The Scope 3 categories a run computed (setting scope3.categories), as the basis shows them."""
    if stored is None:
        return strings("option.scope3_all")  # runs stored before the setting computed every one
    if stored == "none":
        return strings("option.scope3_none")
    return ", ".join(stored.split(","))


def _unverified(traces: dict[tuple[str, str], Trace], strings: Strings) -> list[Unverified]:
    found: dict[tuple[str, str, str, float], tuple[FactorUse, set[str]]] = {}
    for (_metric, year), trace in traces.items():
        for factor in trace.unverified_factors:
            _use, years = found.setdefault(factor.identity, (factor, set()))
            years.add(year)
    return [
        Unverified(
            factor.factor,
            f"{factor.value:g} {_symbol(factor.unit)}".strip(),
            f"{factor.edition} (v{factor.version})",
            strings.note(factor.source),
            factor.confidence,
            strings("kpi.years_sep").join(sorted(years)),
            strings.get(confidence_phrase(factor.confidence), factor.confidence),
        )
        for factor, years in sorted(found.values(), key=lambda item: item[0].identity)
    ]


def _scopes(
    years: list[str], traces: dict[tuple[str, str], Trace], strings: Strings, catalogue: Catalogue
) -> charts.Chart:
    scope1, scope2 = (
        [traces[(m, y)].value if (m, y) in traces else None for y in years]
        for m in (catalogue.role(role).id for role in SCOPE_ROLES)
    )
    return charts.scope_chart(
        years,
        scope1,
        scope2,
        {
            "title": strings("chart.scopes.title"),
            "scope1": strings("chart.scopes.scope1"),
            "scope2": strings("chart.scopes.scope2"),
            "unit": unit_label("tCO2e", strings),
            "year": strings("chart.year"),
            "no_data": strings("chart.no_data"),
        },
    )


def _mix(
    catalogue: Catalogue, year: str, found: Trace | None, strings: Strings, total: Metric
) -> tuple[charts.Chart | None, str]:
    """Energy mix from the terms recorded in the lineage of the energy total (the metric of the
    role ``energy_total``; no recalculation); a part of the total that no term itemises is shown
    as 'other'."""
    if found is None or not found.breakdown:
        return None, strings("chart.mix.empty", year=year)
    items = [
        (
            catalogue.metrics[line.metric].label(strings.lang)
            if line.metric in catalogue
            else line.metric,
            line.contribution or 0.0,
        )
        for line in found.breakdown
    ]
    remainder = found.value - found.itemised
    if remainder > 1e-3 * max(1.0, abs(found.value)):
        items.append((strings("chart.mix.other"), remainder))
    unit = unit_label(found.unit, strings)
    chart = charts.mix_chart(items, strings("chart.mix.title", year=year), unit)
    caption = strings(
        "chart.mix.caption",
        unit=unit,
        metric=total.label(strings.lang),
        total=format_number(found.value),
    )
    return chart, caption
