"""The appendix: one entry per figure, explained from its lineage (formula, inputs, factors,
entities, eliminations, notes, data points and sources)."""

from __future__ import annotations

from esgledger.catalogue import Catalogue, Metric
from esgledger.i18n import Strings
from esgledger.report.context import Entry, Line, anchor
from esgledger.report.formatting import (
    DASH,
    format_precise,
    unit_label,
)
from esgledger.report.names import Names
from esgledger.report.sources import factor_edition, factor_source, in_language
from esgledger.report.trace import (
    FactorUse,
    Said,
    Trace,
)


def _formula_label(function: str, strings: Strings) -> str:
    return strings.get(f"formula.{function}") or function


def appendix_entry(
    metric: Metric,
    year: str,
    found: Trace,
    traces: dict[tuple[str, str], Trace],
    catalogue: Catalogue,
    strings: Strings,
    names: Names,
    back: str,
    *,
    key: str | None = None,
    title: str | None = None,
) -> Entry:
    """The appendix entry of ``metric`` (or of its metric ``key``, titled ``title``) in ``year``."""
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
    # The engine's own expressions are English: a report in another language prints the
    # formula descriptions above in its language and no English line (issue 11 part 6).
    expressions: list[str] = []
    computed_for = (
        strings("appendix.computed_for", count=len(found.computed_by))
        if len(found.computed_by) > 1
        else ""
    )
    entry = Entry(
        anchor=anchor(key or metric.id, year),
        back=back,
        title=title or metric.label(strings.lang),
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
        link = anchor(line.metric, year) if (line.metric, year) in traces else None
        entry.inputs.append(Line([name, quantity, contribution.strip()], link))
    if found.breakdown_complete and not any(line.contribution is not None for line in found.inputs):
        for line in found.breakdown:
            input_metric = catalogue.metrics.get(line.metric)
            name = input_metric.label(strings.lang) if input_metric else line.metric
            quantity = _quantity(line.quantity, line.unit, strings)
            entry.breakdown.append(
                Line(
                    [name, quantity, f"{format_precise(line.contribution)} {unit}".strip()],
                    anchor(line.metric, year) if (line.metric, year) in traces else None,
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
                    f"{format_precise(used.value)} {symbol(used.unit)}".strip(),
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


def symbol(unit: str) -> str:
    """Factor units are printed as symbols (kgce/kg, tCO₂/MWh) in both languages, as the
    standards print them."""
    return unit_label(unit, Strings("en"))


def _factor_line(factor: FactorUse, strings: Strings) -> Line:
    value = f"{factor.value:g} {symbol(factor.unit)}".strip()
    return Line(
        [
            factor.factor,
            factor_edition(factor, strings),
            value,
            factor.valid_from,
            factor_source(factor, strings),
            in_language(factor.note, strings),
            str(len(factor.entities)),
        ],
        flag=factor.unverified,
    )


def _note(said: Said, root: str, strings: Strings, names: Names) -> str:
    """The engine's note in the report language (a metric it names by its label), with the
    entities it concerns."""
    note, entities = strings.note(said.text, names), said.entities
    if entities == {root}:
        return note
    if len(entities) <= 3:
        return f"{note} ({strings.join([names(e) for e in names.sort(entities)])})"
    return f"{note} ({strings('appendix.entities_count', count=len(entities))})"
