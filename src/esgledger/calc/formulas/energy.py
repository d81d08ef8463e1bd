"""Comprehensive energy consumption in tonnes of standard coal (GB/T 2589-2020)."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext
from esgledger.calc.formulas.registry import carry_internal, formula, product
from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.figures import num
from esgledger.lineage import Term


@formula(
    "standard_coal", "sum over carriers of quantity x standard-coal coefficient (GB/T 2589-2020)"
)
def standard_coal(ctx: FormulaContext) -> float | None:
    """Comprehensive energy consumption [tce] = sum_i quantity_i x coefficient_i.

    Coefficients are the GB/T 2589-2020 Appendix A reference values; where the entity measured the
    carrier's net calorific value, the coefficient is NCV / 29 307.6 kJ per kgce (GB/T 2589-2020:
    1 kgce = 29 307.6 kJ). A carrier whose catalogue entry names its NCV (``energy.ncv``) shows it
    beside the coefficient: the combustion CO2 uses that same heat content (one fuel, one NCV).
    Electricity uses the calorific equivalent (当量值, 0.1229 kgce/kWh)
    unless the inventory selects the equivalent value (等价值). Energy received from another group
    entity is counted here and marked internal, so that consolidation does not count it twice.
    """
    present = ctx.present_inputs()
    if not present:
        return None
    result = 0.0
    for metric, value in present:
        spec = metric.attributes.get("energy", {}).get("tce_factor")
        if spec is None:
            raise CalculationError(f"{ctx.where}: {metric.id} has no energy.tce_factor")
        if spec == "electricity":
            spec = ctx.selection.electricity_tce(ctx.options.electricity_tce)
            ctx.add_note(note("electricity_tce", method=ctx.options.electricity_tce))
        if ("ncv", metric.id) in ctx.site_parameters:
            ncv, ncv_unit = ctx.parameter("ncv", metric.id, spec)
            heat = ctx.factor(ctx.selection.standard_coal_heat_value(), "standard coal heat value")
            part = product(
                ctx,
                [(value.value, value.unit), (ncv, ncv_unit), (1 / heat.value, f"1/({heat.unit})")],
                ctx.metric.unit,
            )
            detail = (
                f"{num(value.value)} {value.unit} x {num(ncv)} {ncv_unit} / "
                f"{num(heat.value)} {heat.unit}"
            )
        else:
            coefficient = ctx.factor(spec, "standard coal coefficient", metric.id)
            heat_content = metric.attributes.get("energy", {}).get("ncv")
            if heat_content:  # the carrier's one NCV: shown here, used by its CO2 too
                ctx.factor(heat_content, "net calorific value behind the coefficient", metric.id)
            part = product(
                ctx,
                [(value.value, value.unit), (coefficient.value, coefficient.unit)],
                ctx.metric.unit,
            )
            detail = (
                f"{num(value.value)} {value.unit} x {num(coefficient.value)} {coefficient.unit}"
            )
        carried = carry_internal(ctx, value, part)
        term: Term = {
            "input": value.key,
            "detail": detail,
            "value": part,
            "unit": ctx.metric.unit,
            "carrier": metric.id,
        }
        if carried:
            term["internal"] = carried
        ctx.terms.append(term)
        result += part
    return result


@formula(
    "energy_content",
    "comprehensive energy consumption x heat value of standard coal (1 kgce = 29 307.6 kJ)",
)
def energy_content(ctx: FormulaContext) -> float | None:
    """Energy in GJ or MWh from the same base value as the tce total (GRI 302-1, HKEX A2.1):
    E = E_tce x 29 307.6 kJ/kgce (GB/T 2589-2020, definition of standard coal). With electricity
    at the equivalent value (等价值) the tce total holds power-station coal, not heat: the note
    says so."""
    assert ctx.metric.formula is not None
    (total_id,) = ctx.metric.formula.inputs
    total = ctx.input(total_id)
    if total is None:
        return None
    heat = ctx.factor(ctx.selection.standard_coal_heat_value(), "standard coal heat value")
    if ctx.options.electricity_tce != "calorific":
        ctx.add_note(note("energy_content_equivalent", method=ctx.options.electricity_tce))
    value = product(ctx, [(total.value, total.unit), (heat.value, heat.unit)], ctx.metric.unit)
    ctx.terms.append(
        {
            "input": total.key,
            "detail": f"{num(total.value)} {total.unit} x {num(heat.value)} {heat.unit}",
            "value": value,
            "unit": ctx.metric.unit,
        }
    )
    return value
