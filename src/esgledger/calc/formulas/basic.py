"""Generic formulas: sum and ratio."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext
from esgledger.calc.formulas.registry import carry_internal, formula, product
from esgledger.calc.notes import note
from esgledger.units import conversion_factor


@formula("sum", "sum of the inputs (less those listed as subtracted)")
def total(ctx: FormulaContext) -> float | None:
    """Sum of the inputs, each converted to the metric's unit; gases and internal shares carried.
    Inputs named in ``params.subtract`` are deducted instead (energy supplied outside the group)."""
    present = ctx.present_inputs()
    if not present:
        return None
    assert ctx.metric.formula is not None
    subtracted = set(ctx.metric.formula.params.get("subtract", []))
    result = 0.0
    for metric, value in present:
        factor = conversion_factor(value.unit, ctx.metric.unit)
        if metric.id in subtracted:
            factor = -factor
            ctx.terms.append(
                {
                    "input": value.key,
                    "value": value.value * factor,
                    "unit": ctx.metric.unit,
                    "detail": f"less {metric.id}",
                }
            )
        part = value.value * factor
        result += part
        for gas, tonnes in value.gases.items():
            ctx.add_gas(gas, tonnes)
        carry_internal(ctx, value, part)
    return result


@formula("own_if_producing", "the entity's own value, for entities that report the product")
def own_if_producing(ctx: FormulaContext) -> float | None:
    """The first input, counted only at entities that report the product named by the second
    input: the numerator of an intensity per tonne of that product over the producing boundary
    (the smelter and the energy it receives), not the whole group."""
    assert ctx.metric.formula is not None
    value_id, product_id = ctx.metric.formula.inputs
    made = ctx.values.get(product_id)
    if made is None or made.value <= 0:
        return None
    ctx.input(product_id)
    value = ctx.input(value_id)
    if value is None:
        return None
    part = value.value * conversion_factor(value.unit, ctx.metric.unit)
    for gas, tonnes in value.gases.items():
        ctx.add_gas(gas, tonnes)
    ctx.add_note(note("counted_product", metric=product_id))
    return part


@formula("ratio", "numerator / denominator (x multiplier), from the totals at this level")
def ratio(ctx: FormulaContext) -> float | None:
    """An intensity or rate, from this level's rolled-up numerator and denominator; never averaged."""
    assert ctx.metric.formula is not None
    numerator_id, denominator_id = ctx.metric.formula.inputs
    numerator = ctx.input(numerator_id)
    denominator = ctx.input(denominator_id)
    if numerator is None or denominator is None:
        return None
    if denominator.value == 0:
        ctx.add_note(note("zero_denominator", metric=denominator_id))
        return None
    multiplier = float(ctx.metric.formula.params.get("multiplier", 1))
    label = ctx.metric.formula.params.get("multiplier_label")
    if label:
        ctx.add_note(note("rate_expressed", label=str(label)))
    return product(
        ctx,
        [(numerator.value, numerator.unit), (1 / denominator.value, f"1/({denominator.unit})")],
        ctx.metric.unit,
        multiplier,
    )
