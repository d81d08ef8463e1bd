"""Scope 2: location-based, market-based, and energy received from other group entities."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext, Value
from esgledger.calc.formulas.registry import formula, product, to_co2e
from esgledger.calc.inputs import split_internal_key
from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.figures import num


def _grid_co2(ctx: FormulaContext, value: Value, factor_id: str, role: str) -> float:
    ef = ctx.factor(factor_id, role, value.key)
    co2 = product(ctx, [(value.value, value.unit), (ef.value, ef.unit)], "t")
    ctx.terms.append(
        {
            "input": value.key,
            "gas": "CO2",
            "gas_tonnes": co2,
            "unit": "t CO2",
            "value": co2,
            "detail": f"{num(value.value)} {value.unit} x {num(ef.value)} {ef.unit}",
        }
    )
    return co2


@formula(
    "grid_electricity_co2e", "electricity x grid emission factor of the entity's grid x GWP(CO2)"
)
def grid_electricity_co2e(ctx: FormulaContext) -> float | None:
    """Scope 2 location-based (GHG Protocol Scope 2 Guidance, 2015, ch. 6): purchased electricity
    times the average emission factor of the grid where it is consumed, for the entity's country,
    grid region and year; the official series used is recorded."""
    present = ctx.present_inputs()
    if not present:
        return None
    factor_id, series = ctx.grid_factor_id()
    ctx.add_note(note("grid_series", series=series, factor=factor_id))
    co2 = sum(_grid_co2(ctx, value, factor_id, "grid emission factor") for _m, value in present)
    return to_co2e(ctx, "co2", co2)[0]


@formula("purchased_heat_co2e", "purchased heat x heat supply emission factor x GWP(CO2)")
def purchased_heat_co2e(ctx: FormulaContext) -> float | None:
    """Scope 2 from purchased steam and heat: heat [GJ] x emission factor of heat supply [tCO2/GJ]
    (NDRC 2015 MRV guidelines default)."""
    present = ctx.present_inputs()
    if not present:
        return None
    factor_id = ctx.selection.purchased_heat()
    co2 = sum(
        _grid_co2(ctx, value, factor_id, "heat supply emission factor") for _m, value in present
    )
    return to_co2e(ctx, "co2", co2)[0]


@formula(
    "internal_supply_co2e",
    "energy received from each group supplier x that supplier's emission rate",
)
def internal_supply_co2e(ctx: FormulaContext) -> float | None:
    """Emissions of electricity and heat received from other group entities [tCO2e].

    Electricity: the supplier's own Scope 1 divided by the electricity it generated (a
    supplier-specific rate, GHG Protocol Scope 2 Guidance 2015, section 6.11 on direct line
    transfers). Heat: the heat supply default factor. The whole amount is marked internal to its
    supplier, so consolidation eliminates it wherever the supplier is inside the boundary.
    """
    present = ctx.present_inputs()
    if not present:
        return None
    result = 0.0
    for metric, value in present:
        carrier = "electricity" if "electricity" in metric.id else "heat"
        for link, quantity in value.internal.items():
            supplier, _receiver = split_internal_key(link)
            rate = ctx.supplier_rates.get(supplier, {}).get(carrier)
            if rate is None:
                if carrier == "electricity":
                    raise CalculationError(
                        f"{ctx.where}: supplier {supplier} delivered electricity but reported no "
                        "production.electricity_generated, so its emission rate is unknown"
                    )
                factor = ctx.factor(ctx.selection.purchased_heat(), "heat supply emission factor")
                rate = {"value": factor.value, "unit": factor.unit, "detail": factor.factor_id}
            else:
                ctx.factors_read.append(
                    {
                        "factor": f"internal.{supplier}.{carrier}",
                        "value": rate["value"],
                        "unit": rate["unit"],
                        "role": "supplier emission rate",
                        "applies_to": metric.id,
                        "measured": True,
                        "source": rate["detail"],
                        "lineage_key": rate.get("key"),
                    }
                )
            if rate["unit"].startswith("tCO2e"):
                co2e = product(
                    ctx, [(quantity, value.unit), (rate["value"], rate["unit"])], ctx.metric.unit
                )
            else:  # a CO2 mass factor (the heat default): convert with the GWP of CO2
                co2e = to_co2e(
                    ctx,
                    "co2",
                    product(ctx, [(quantity, value.unit), (rate["value"], rate["unit"])], "t"),
                )[0]
            ctx.add_internal(link, co2e)
            ctx.terms.append(
                {
                    "input": value.key,
                    "supplier": supplier,
                    "value": co2e,
                    "unit": ctx.metric.unit,
                    "detail": f"{num(quantity)} {value.unit} from {supplier} x "
                    f"{rate['value']:.6g} {rate['unit']}",
                }
            )
            result += co2e
    return result


@formula(
    "market_electricity_co2e",
    "certificates x 0 + supplier-specific MWh x supplier factor + remainder x residual mix",
)
def market_electricity_co2e(ctx: FormulaContext) -> float | None:
    """Scope 2 market-based for purchased electricity (GHG Protocol Scope 2 Guidance 2015, ch. 6
    and Table 6.3 hierarchy): energy attribute certificates (China GEC, I-REC, green power
    purchases) carry zero emissions; electricity under supplier-specific contracts takes the
    supplier's factor; the rest takes the residual mix (or the closest official series)."""
    assert ctx.metric.formula is not None
    consumed_id, certificates_id, supplier_id, supplier_factor_id = ctx.metric.formula.inputs
    consumed = ctx.input(consumed_id)
    if consumed is None:
        return None
    certified = ctx.input(certificates_id)
    supplier = ctx.input(supplier_id)
    certified_mwh = certified.value if certified else 0.0
    supplier_mwh = supplier.value if supplier else 0.0
    if certified_mwh + supplier_mwh > consumed.value * (1 + 1e-9):
        raise CalculationError(
            f"{ctx.where}: certificates ({num(certified_mwh)} MWh) and supplier contracts "
            f"({num(supplier_mwh)} MWh) claim more than the electricity consumed "
            f"({num(consumed.value)} MWh)"
        )
    co2 = 0.0
    if certified_mwh:
        ctx.terms.append(
            {
                "input": certified.key if certified else "",
                "value": 0.0,
                "unit": "t CO2",
                "detail": f"{num(certified_mwh)} MWh covered by certificates x 0",
            }
        )
    if supplier_mwh:
        factor = ctx.input(supplier_factor_id)
        if factor is None:
            raise CalculationError(
                f"{ctx.where}: {supplier_id} is reported but "
                f"{supplier_factor_id} (the supplier's factor) is not"
            )
        part = product(ctx, [(supplier_mwh, "MWh"), (factor.value, factor.unit)], "t")
        ctx.terms.append(
            {
                "input": factor.key,
                "value": part,
                "unit": "t CO2",
                "detail": f"{num(supplier_mwh)} MWh x {num(factor.value)} {factor.unit}",
            }
        )
        co2 += part
    remainder = consumed.value - certified_mwh - supplier_mwh
    if remainder > 0:
        residual_id = ctx.residual_mix_id()
        ef = ctx.factor(residual_id, "residual mix", consumed_id)
        part = product(ctx, [(remainder, consumed.unit), (ef.value, ef.unit)], "t")
        ctx.terms.append(
            {
                "input": consumed.key,
                "value": part,
                "unit": "t CO2",
                "detail": f"{num(remainder)} MWh not covered x {num(ef.value)} {ef.unit} (residual mix)",
            }
        )
        co2 += part
    return to_co2e(ctx, "co2", co2)[0]
