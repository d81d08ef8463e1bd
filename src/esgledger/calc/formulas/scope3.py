"""Scope 3 by category (GHG Protocol Corporate Value Chain (Scope 3) Standard, 2011)."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext
from esgledger.calc.formulas.registry import formula, product, to_co2e
from esgledger.errors import CalculationError
from esgledger.figures import num


@formula("scope3_lines", "sum over lines of activity x factor (method and data quality per line)")
def scope3_lines(ctx: FormulaContext) -> float | None:
    """Scope 3 lines: activity (tonnes, tonne-km, spend) x cited factor [tCO2e]. Each term records
    its category, calculation method (Scope 3 Standard ch. 7) and data-quality score (1 best, 5
    worst)."""
    present = ctx.present_inputs()
    if not present:
        return None
    result = 0.0
    for metric, value in present:
        line = metric.attributes.get("scope3")
        if not line:
            raise CalculationError(f"{ctx.where}: {metric.id} has no scope3 attributes")
        ef = ctx.factor(line["factor"], "Scope 3 emission factor", metric.id)
        part = product(ctx, [(value.value, value.unit), (ef.value, ef.unit)], ctx.metric.unit)
        ctx.terms.append(
            {
                "input": value.key,
                "value": part,
                "unit": ctx.metric.unit,
                "category": line["category"],
                "method": line["method"],
                "data_quality": line["data_quality"],
                "detail": f"{num(value.value)} {value.unit} x {num(ef.value)} {ef.unit}",
            }
        )
        result += part
    return result


@formula(
    "scope3_fuel_energy",
    "fuels x well-to-tank factor + purchased electricity x grid factor x T&D loss rate",
)
def scope3_fuel_energy(ctx: FormulaContext) -> float | None:
    """Scope 3 category 3: upstream (well-to-tank) emissions of purchased fuels, and the
    transmission and distribution losses of purchased electricity at the location-based grid
    factor (Scope 3 Standard, category 3 activities a and c)."""
    present = ctx.present_inputs()
    if not present:
        return None
    result = 0.0
    for metric, value in present:
        if metric.attributes.get("energy", {}).get("tce_factor") == "electricity":
            grid_id, _series = ctx.grid_factor_id()
            grid = ctx.factor(grid_id, "grid emission factor", metric.id)
            loss = ctx.factor(
                "scope3_indicative.electricity.td_loss_rate", "T&D loss rate", metric.id
            )
            lost_co2 = product(
                ctx,
                [(value.value, value.unit), (grid.value, grid.unit), (loss.value, loss.unit)],
                "t",
            )
            part = to_co2e(ctx, "co2", lost_co2)[0]
            detail = f"{num(value.value)} MWh x {num(grid.value)} {grid.unit} x {num(loss.value)} %"
        else:
            wtt_id = metric.attributes.get("energy", {}).get("wtt")
            if not wtt_id:
                continue
            wtt = ctx.factor(wtt_id, "well-to-tank factor", metric.id)
            part = product(ctx, [(value.value, value.unit), (wtt.value, wtt.unit)], ctx.metric.unit)
            detail = f"{num(value.value)} {value.unit} x {num(wtt.value)} {wtt.unit}"
        ctx.terms.append(
            {
                "input": value.key,
                "value": part,
                "unit": ctx.metric.unit,
                "category": 3,
                "method": "average-data",
                "data_quality": 4,
                "detail": detail,
            }
        )
        result += part
    return result
