"""The charts of the full report, by name (the outline's ``chart`` blocks name them): each has a
bilingual title and draws an SVG string from :class:`ReportData`, or None when the data has
nothing to draw. Issue 11 part 4 lists them: emissions by scope and by entity, energy mix,
intensity against the target trajectory, water, waste, workforce breakdowns, safety trend and the
materiality matrix. The figures are the ones the tables print (one set of figures: the energy mix
is the table's comprehensive energy split by carrier, net of internal supplies)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from esgledger.i18n import Strings
from esgledger.report import chart_kinds
from esgledger.report.chart_data import SCOPE_ROLES
from esgledger.report.chart_inputs import OTHER, MaterialityData, ReportData, report_data
from esgledger.report.formatting import format_chart, format_number, unit_label
from esgledger.report.svg import to_svg

__all__ = ["CHARTS", "ChartSpec", "MaterialityData", "ReportData", "report_data"]


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: dict[str, str]  # en, zh
    render: Callable[[ReportData, Strings], str | None]


def _label(data: ReportData, metric_id: str, strings: Strings) -> str:
    return data.catalogue.label(metric_id, strings.lang)


def _unit(data: ReportData, metric_id: str, strings: Strings) -> str:
    metric = data.catalogue.metrics.get(metric_id)
    return unit_label(metric.unit, strings) if metric else ""


def _desc(strings: Strings, key: str, **args: object) -> str:
    return strings(f"chartdesc.{key}", **args)


def scopes(data: ReportData, strings: Strings) -> str | None:
    ids = [data.catalogue.role(role).id for role in SCOPE_ROLES]
    series = [(_label(data, m, strings), [data.value(m, y) for y in data.years]) for m in ids]
    if not any(v for _n, values in series for v in values):
        return None
    title = strings("chart.scopes.title")
    chart = chart_kinds.columns(title, data.years, series, unit_label("tCO2e", strings))
    return to_svg(chart, _desc(strings, "scopes", years=strings.join(data.years)), "ch-scopes")


def by_entity(data: ReportData, strings: Strings) -> str | None:
    ids = [data.catalogue.role(role).id for role in SCOPE_ROLES]
    entities = sorted(
        {e for m in ids for e in data.by_entity.get(m, {})},
        key=lambda e: -sum(data.by_entity.get(m, {}).get(e, 0.0) for m in ids),
    )
    if not entities:
        return None
    series = [
        (_label(data, m, strings), [data.by_entity.get(m, {}).get(e) for e in entities])
        for m in ids
    ]
    title = strings("chartcat.by_entity", year=data.year)
    names = [data.entity_names.get(e, e) for e in entities]
    chart = chart_kinds.hbars(title, names, series, unit_label("tCO2e", strings))
    svg = to_svg(chart, _desc(strings, "by_entity", count=len(entities)), "ch-entity")
    return svg + _consolidation_note(data, ids, series, strings)


def _consolidation_note(
    data: ReportData, ids: list[str], series: list[tuple[str, list[float | None]]], strings: Strings
) -> str:
    """A caption when the entities' bars do not add up to the group's total (electricity and
    heat supplied between group entities are counted once at group level), so that a reader who
    adds the bars knows why: empty when they agree."""
    shown = sum(v for _name, values in series for v in values if v is not None)
    total = sum(data.value(m, data.year) or 0.0 for m in ids)
    if abs(shown - total) <= max(1.0, 1e-4 * abs(total)):
        return ""
    note = strings(
        "chartcat.by_entity_note",
        shown=format_number(shown),
        total=format_number(total),
        difference=format_number(shown - total),
    )
    return str(Markup('<p class="caption">{}</p>').format(note))


def energy_mix(data: ReportData, strings: Strings) -> str | None:
    if not data.energy_mix:
        return None
    items = sorted(data.energy_mix, key=lambda item: -item[1])
    title = strings("chart.mix.title", year=data.year)
    names = [
        strings("chart.mix.other") if m == OTHER else _label(data, m, strings) for m, _v in items
    ]
    unit = unit_label(data.energy_unit, strings)
    chart = chart_kinds.hbars(title, names, [(title, [v for _m, v in items])], unit, shares=True)
    total = sum(v for _m, v in items)
    return to_svg(chart, _desc(strings, "energy_mix", total=f"{total:,.0f}", unit=unit), "ch-mix")


def intensity_trajectory(data: ReportData, strings: Strings) -> str | None:
    """The first intensity target's trajectory (base, milestones, target) against the actual
    values the report shows for its metric."""
    for target in data.targets:
        assessment = target.get("assessment") or {}
        trajectory = assessment.get("trajectory") or []
        metric_id = str(target.get("metric_key", ""))
        metric = data.catalogue.metrics.get(metric_id)
        if len(trajectory) < 2 or metric is None or metric.aggregation != "ratio":
            continue
        planned = {int(p["year"]): float(p["value"]) for p in trajectory}
        actual = {int(y): v for y in data.years if (v := data.value(metric_id, y)) is not None}
        base = assessment.get("base")
        if base:
            actual.setdefault(int(base["year"]), float(base["value"]))
        xs = list(range(min(planned | actual), max(planned | actual) + 1))
        title = strings("chartcat.trajectory", metric=metric.label(strings.lang))
        chart, paths = chart_kinds.lines(
            title,
            xs,
            [
                (strings("chartcat.planned"), [planned.get(x) for x in xs], True),
                (strings("chartcat.actual"), [actual.get(x) for x in xs], False),
            ],
            f"{metric.label(strings.lang)} ({unit_label(metric.unit, strings)})",
        )
        desc = _desc(strings, "trajectory", start=xs[0], end=xs[-1])
        return to_svg(chart, desc, "ch-trajectory", paths)
    return None


def _members_chart(
    data: ReportData, strings: Strings, metric_ids: list[str], axis: str, ident: str, key: str
) -> str | None:
    """Stacked bars: one bar per member of ``axis``, a segment per metric."""
    found = [m for m in metric_ids if data.members.get(m, {}).get(axis)]
    if not found:
        return None
    members = [
        member
        for member in data.catalogue.axes[axis].members
        if any(data.members[m][axis].get(member) for m in found)
    ]
    labels = [data.catalogue.axes[axis].members[member][strings.lang] for member in members]
    series = [
        (_label(data, m, strings), [data.members[m][axis].get(member) for member in members])
        for m in found
    ]
    title = strings(f"chartcat.{key}", year=data.year)
    chart = chart_kinds.hbars(title, labels, series, _unit(data, found[0], strings))
    totals = [
        sum(v or 0.0 for _n, values in series for v in [values[i]]) for i in range(len(labels))
    ]
    return to_svg(chart, _pairs(strings, labels, totals), ident)


def water(data: ReportData, strings: Strings) -> str | None:
    """Withdrawal by source (GRI 303-3; HKEX A2.2), one bar per source, then the consumption
    (GRI 303-5) and the water recycled as bars of their own colours."""
    sources = data.members.get("water.withdrawal", {}).get("water_source", {})
    axis = data.catalogue.axes["water_source"]
    labels = [axis.members[m][strings.lang] for m in axis.members if sources.get(m)]
    withdrawal: list[float | None] = [sources[m] for m in axis.members if sources.get(m)]
    if not withdrawal and data.value("water.withdrawal", data.year) is not None:
        labels, withdrawal = (
            [_label(data, "water.withdrawal", strings)],
            [data.value("water.withdrawal", data.year)],
        )
    series = [(_label(data, "water.withdrawal", strings), withdrawal)]
    for metric_id in ("water.consumption", "water.recycled"):
        value = data.value(metric_id, data.year)
        if value is None:
            continue
        labels.append(_label(data, metric_id, strings))
        series = [(name, [*values, None]) for name, values in series]
        series.append((_label(data, metric_id, strings), [None] * (len(labels) - 1) + [value]))
    if not labels:
        return None
    title = strings("chartcat.water", year=data.year)
    chart = chart_kinds.hbars(title, labels, series, _unit(data, "water.withdrawal", strings))
    totals = [
        sum(v or 0.0 for _n, values in series for v in [values[i]]) for i in range(len(labels))
    ]
    return to_svg(chart, _pairs(strings, labels, totals), "ch-water")


def _pairs(strings: Strings, labels: list[str], values: list[float]) -> str:
    """A chart's desc: each bar's label and value, in order."""
    return strings.join(
        [f"{label}: {format_chart(value)}" for label, value in zip(labels, values, strict=True)]
    )


def waste(data: ReportData, strings: Strings) -> str | None:
    return _members_chart(
        data,
        strings,
        ["waste.hazardous", "waste.non_hazardous"],
        "waste_treatment",
        "ch-waste",
        "waste",
    )


def workforce(axis: str) -> Callable[[ReportData, Strings], str | None]:
    def render(data: ReportData, strings: Strings) -> str | None:
        return _members_chart(
            data,
            strings,
            ["workforce.headcount"],
            axis,
            f"ch-workforce-{axis}",
            f"workforce.{axis}",
        )

    return render


def safety(data: ReportData, strings: Strings) -> str | None:
    """Injuries and fatalities over the report years (columns) with the LTIFR of each year in
    the desc and as a second line chart below."""
    counts = [
        m
        for m in ("safety.work_injuries", "safety.lost_time_injuries", "safety.fatalities")
        if any(data.value(m, y) is not None for y in data.years)
    ]
    if not counts:
        return None
    series = [(_label(data, m, strings), [data.value(m, y) for y in data.years]) for m in counts]
    title = strings("chartcat.safety")
    ltifr = [data.value("safety.ltifr", y) for y in data.years]
    footer = None
    if any(v is not None for v in ltifr):
        footer = (
            strings("chartcat.ltifr"),
            [format_number(v) if v is not None else "–" for v in ltifr],
        )
    chart = chart_kinds.columns(
        title, data.years, series, strings("chartcat.cases"), grouped=True, footer=footer
    )
    rates = strings.join(
        [
            f"{y}: {format_number(v)}"
            for y, v in zip(data.years, ltifr, strict=True)
            if v is not None
        ]
    )
    return to_svg(chart, _desc(strings, "safety", rates=rates or "–"), "ch-safety")


def materiality(data: ReportData, strings: Strings) -> str | None:
    if data.materiality is None:
        return None
    from esgledger.assess.materiality import classes
    from esgledger.assess.materiality.matrix import Labels, matrix_svg

    found = data.materiality
    labels = Labels(
        title=strings("materiality.matrix.title", period=found.period),
        impact=strings("materiality.axis.impact"),
        financial=strings("materiality.axis.financial"),
        threshold=strings("materiality.threshold"),
        classes={c: strings(f"materiality.class.{c}") for c in classes.CLASSES},
    )
    names = {topic: by_lang.get(strings.lang, topic) for topic, by_lang in found.names.items()}
    return matrix_svg(found.results, names, found.thresholds, found.scale, labels)


def _spec(
    name: str, en: str, zh: str, render: Callable[[ReportData, Strings], str | None]
) -> ChartSpec:
    return ChartSpec(name, {"en": en, "zh": zh}, render)


CHARTS: dict[str, ChartSpec] = {
    spec.name: spec
    for spec in (
        _spec("emissions_by_scope", "GHG emissions by scope", "按范围划分的温室气体排放", scopes),
        _spec(
            "emissions_by_entity", "GHG emissions by entity", "按主体划分的温室气体排放", by_entity
        ),
        _spec("energy_mix", "Energy consumption by carrier", "综合能源消费结构", energy_mix),
        _spec(
            "intensity_trajectory",
            "Intensity against the target trajectory",
            "强度与目标路径",
            intensity_trajectory,
        ),
        _spec("water", "Water withdrawal by source", "按来源划分的取水量", water),
        _spec("waste", "Waste by treatment", "按处置方式划分的废弃物", waste),
        _spec("workforce_gender", "Employees by gender", "按性别划分的员工", workforce("gender")),
        _spec(
            "workforce_age", "Employees by age group", "按年龄组别划分的员工", workforce("age_band")
        ),
        _spec("workforce_region", "Employees by region", "按地区划分的员工", workforce("region")),
        _spec("safety_trend", "Safety performance", "安全绩效趋势", safety),
        _spec("materiality_matrix", "Materiality matrix", "重要性矩阵", materiality),
    )
}
