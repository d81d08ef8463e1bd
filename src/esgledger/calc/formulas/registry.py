"""The formula registry and the arithmetic helpers every formula shares."""

from __future__ import annotations

from collections.abc import Callable

from esgledger.calc.context import FormulaContext, Value
from esgledger.errors import CalculationError
from esgledger.units import UnitError, product_conversion

CO2_PER_C = 44.0 / 12.0  # molar mass ratio CO2/C (IPCC 2006 Vol. 2 Ch. 1; NDRC MRV guidelines)

Formula = Callable[[FormulaContext], float | None]
FORMULAS: dict[str, Formula] = {}
EXPRESSIONS: dict[str, str] = {}


def formula(name: str, expression: str) -> Callable[[Formula], Formula]:
    """Register a formula function under the name the catalogue uses."""

    def register(function: Formula) -> Formula:
        FORMULAS[name] = function
        EXPRESSIONS[name] = expression
        return function

    return register


def product(
    ctx: FormulaContext, parts: list[tuple[float, str]], unit: str, constant: float = 1.0
) -> float:
    """The product of magnitudes with units, converted to ``unit`` (an error names the value)."""
    magnitude = constant
    for value, _unit in parts:
        magnitude *= value
    try:
        return magnitude * product_conversion(tuple(u for _v, u in parts), unit)
    except UnitError as exc:
        raise CalculationError(f"{ctx.where}: {exc}") from exc


def carry_internal(ctx: FormulaContext, source: Value, part: float) -> dict[str, float]:
    """Pass on the internally supplied share of ``source`` to a term worth ``part``; return it
    by internal link, for the term's record (a chart of the terms nets out what consolidation
    eliminates: :func:`esgledger.report.trace.trace_value`)."""
    if not source.internal or source.value == 0:
        return {}
    carried = {}
    for supplier, amount in source.internal.items():
        carried[supplier] = part * amount / source.value
        ctx.add_internal(supplier, carried[supplier])
    return carried


def to_co2e(ctx: FormulaContext, gas: str, tonnes: float) -> tuple[float, float]:
    """Record ``tonnes`` of ``gas`` and return (CO2e in the metric's unit, the GWP used)."""
    gwp = ctx.gwp(gas)
    ctx.add_gas(gas.upper() if gas != "ch4_fossil" else "CH4", tonnes)
    return tonnes * gwp.value * product_conversion(("t", gwp.unit), ctx.metric.unit), gwp.value
