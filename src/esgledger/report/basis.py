"""The basis of preparation: the calculation options of each year's run and the factors whose
values are not verified against their primary source."""

from __future__ import annotations

from esgledger.calc.options import option_rules
from esgledger.i18n import Strings
from esgledger.ledger.runs import PeriodRun
from esgledger.report.appendix import symbol
from esgledger.report.context import OptionRow, Unverified
from esgledger.report.formatting import DASH
from esgledger.report.sources import factor_edition, factor_source
from esgledger.report.trace import (
    FactorUse,
    Trace,
    confidence_phrase,
)


def basis_options(
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


def _categories(stored: str | None, strings: Strings) -> str:
    """The Scope 3 categories a run computed (setting scope3.categories), as the basis shows them."""
    if stored is None:
        return strings("option.scope3_all")  # runs stored before the setting computed every one
    if stored == "none":
        return strings("option.scope3_none")
    return ", ".join(stored.split(","))


def unverified_factors(traces: dict[tuple[str, str], Trace], strings: Strings) -> list[Unverified]:
    found: dict[tuple[str, str, str, float], tuple[FactorUse, set[str]]] = {}
    for (_metric, year), trace in traces.items():
        for factor in trace.unverified_factors:
            _use, years = found.setdefault(factor.identity, (factor, set()))
            years.add(year)
    return [
        Unverified(
            factor.factor,
            f"{factor.value:g} {symbol(factor.unit)}".strip(),
            factor_edition(factor, strings),
            factor_source(factor, strings),
            factor.confidence,
            strings("kpi.years_sep").join(sorted(years)),
            strings.get(confidence_phrase(factor.confidence), factor.confidence),
        )
        for factor, years in sorted(found.values(), key=lambda item: item[0].identity)
    ]
