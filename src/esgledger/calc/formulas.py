"""Formula functions named by derived metrics in the catalogue.

Each function takes a :class:`FormulaContext` and returns the value in the metric's unit, or None
when none of its inputs were reported. Units are checked by pint: every product is converted to the
metric's unit through :func:`esgledger.units.product_conversion`.
"""

from __future__ import annotations

from collections.abc import Callable

from esgledger.calc.context import FormulaContext
from esgledger.errors import CalculationError
from esgledger.units import UnitError, conversion_factor, product_conversion

CO2_PER_C = 44.0 / 12.0  # molar mass ratio CO2/C (IPCC 2006 Vol. 2 Ch. 1; NDRC MRV guidelines)

Formula = Callable[[FormulaContext], float | None]
FORMULAS: dict[str, Formula] = {}
EXPRESSIONS: dict[str, str] = {}


def formula(name: str, expression: str) -> Callable[[Formula], Formula]:
    def register(function: Formula) -> Formula:
        FORMULAS[name] = function
        EXPRESSIONS[name] = expression
        return function

    return register


def _product(ctx: FormulaContext, parts: list[tuple[float, str]], constant: float = 1.0) -> float:
    magnitude = constant
    for value, _unit in parts:
        magnitude *= value
    try:
        return magnitude * product_conversion(tuple(u for _v, u in parts), ctx.metric.unit)
    except UnitError as exc:
        raise CalculationError(f"{ctx.where}: {exc}") from exc


@formula("sum", "sum of the inputs")
def total(ctx: FormulaContext) -> float | None:
    """Sum of the inputs, each converted to the metric's unit."""
    present = ctx.present_inputs()
    if not present:
        return None
    return sum(value.value * conversion_factor(value.unit, ctx.metric.unit) for _m, value in present)


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
        ctx.notes.append(f"not computed: {denominator_id} is zero")
        return None
    multiplier = float(ctx.metric.formula.params.get("multiplier", 1))
    label = ctx.metric.formula.params.get("multiplier_label")
    if label:
        ctx.notes.append(f"rate expressed {label}")
    return _product(ctx, [(numerator.value, numerator.unit), (1 / denominator.value,
                          f"1/({denominator.unit})")], multiplier)


@formula("standard_coal", "sum over carriers of quantity x standard-coal coefficient (GB/T 2589-2020)")
def standard_coal(ctx: FormulaContext) -> float | None:
    """Comprehensive energy consumption [tce] = sum_i quantity_i x coefficient_i.

    Coefficients are the GB/T 2589-2020 Appendix A reference values; where the entity measured the
    carrier's net calorific value, the coefficient is NCV / 29 307.6 kJ per kgce (GB/T 2589-2020,
    clause 4: 1 kgce = 29 307.6 kJ). Electricity uses the calorific equivalent (当量值, 0.1229
    kgce/kWh) unless the inventory selects the equivalent value (等价值).
    """
    present = ctx.present_inputs()
    if not present:
        return None
    result = 0.0
    for metric, value in present:
        spec = metric.attributes.get("energy", {}).get("tce_factor")
        if spec is None:
            raise CalculationError(f"{ctx.where}: {metric.id} has no energy.tce_factor in the catalogue")
        if spec == "electricity":
            spec = ctx.selection.electricity_tce(ctx.options.electricity_tce)
            ctx.notes.append(f"electricity converted by the {ctx.options.electricity_tce} method")
        measured = ctx.site_parameters.get(("ncv", metric.id))
        if measured is not None:
            ncv, ncv_unit = ctx.parameter("ncv", metric.id, spec)
            heat = ctx.factor(ctx.selection.standard_coal_heat_value(), "standard coal heat value")
            part = _product(ctx, [(value.value, value.unit), (ncv, ncv_unit),
                                  (1 / heat.value, f"1/({heat.unit})")])
            detail = f"{value.value:g} {value.unit} x {ncv:g} {ncv_unit} / {heat.value:g} {heat.unit}"
        else:
            coefficient = ctx.factor(spec, "standard coal coefficient", metric.id)
            part = _product(ctx, [(value.value, value.unit), (coefficient.value, coefficient.unit)])
            detail = f"{value.value:g} {value.unit} x {coefficient.value:g} {coefficient.unit}"
        ctx.terms.append({"input": value.key, "detail": detail, "value": part, "unit": ctx.metric.unit})
        result += part
    return result


@formula("combustion_co2e", "sum over fuels of quantity x NCV x carbon content x oxidation x 44/12 x GWP(CO2)")
def combustion_co2e(ctx: FormulaContext) -> float | None:
    """CO2 from fuel combustion, in tCO2e.

    China (NDRC 2015 MRV guidelines): E = AD x NCV x CC x OF x 44/12, with AD in t or 10^4 Nm3, NCV
    in GJ/t, CC in tC/TJ, OF in %. Elsewhere (IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1, Tier 1):
    E = AD x NCV x EF_CO2, EF in kg CO2/TJ, full oxidation. Measured site NCV, CC or OF override the
    defaults. CO2 is converted to CO2e with the inventory's GWP set (GWP of CO2 = 1).
    """
    present = ctx.present_inputs()
    if not present:
        return None
    rules = ctx.selection.combustion(ctx.entity.country)
    ctx.notes.append(f"method: {rules['citation']}")
    gwp = ctx.gwp("co2")
    co2_total = 0.0
    for metric, value in present:
        fuel = metric.attributes.get("energy", {}).get("fuel")
        if fuel is None:
            raise CalculationError(f"{ctx.where}: {metric.id} has no energy.fuel in the catalogue")
        fuel = rules.get("fuel_map", {}).get(fuel, fuel)
        ncv, ncv_unit = ctx.parameter("ncv", metric.id, rules["ncv"].format(fuel=fuel))
        if rules["method"] == "ncv_cc_of":
            cc, cc_unit = ctx.parameter("carbon_content", metric.id,
                                        rules["carbon_content"].format(fuel=fuel))
            of, of_unit = ctx.parameter("oxidation", metric.id, rules["oxidation"].format(fuel=fuel))
            parts = [(value.value, value.unit), (ncv, ncv_unit), (cc, cc_unit), (of, of_unit)]
            constant = CO2_PER_C
            detail = (f"{value.value:g} {value.unit} x {ncv:g} {ncv_unit} x {cc:g} {cc_unit} x "
                      f"{of:g} {of_unit} x 44/12")
        else:
            ef = ctx.factor(rules["co2_factor"].format(fuel=fuel), "CO2 emission factor", metric.id)
            parts = [(value.value, value.unit), (ncv, ncv_unit), (ef.value, ef.unit)]
            constant = 1.0
            detail = f"{value.value:g} {value.unit} x {ncv:g} {ncv_unit} x {ef.value:g} {ef.unit}"
        co2_tonnes = _product_to(ctx, parts, "t", constant)
        co2_total += co2_tonnes
        part = co2_tonnes * gwp.value * product_conversion(("t", gwp.unit), ctx.metric.unit)
        ctx.terms.append({"input": value.key, "detail": f"{detail} x GWP {gwp.value:g}",
                          "value": part, "unit": ctx.metric.unit, "gas": "CO2",
                          "gas_tonnes": co2_tonnes})
    ctx.gases["CO2"] = co2_total
    return co2_total * gwp.value * product_conversion(("t", gwp.unit), ctx.metric.unit)


def _product_to(ctx: FormulaContext, parts: list[tuple[float, str]], unit: str,
                constant: float = 1.0) -> float:
    magnitude = constant
    for value, _unit in parts:
        magnitude *= value
    try:
        return magnitude * product_conversion(tuple(u for _v, u in parts), unit)
    except UnitError as exc:
        raise CalculationError(f"{ctx.where}: {exc}") from exc


def _indirect(ctx: FormulaContext, factor_id: str, role: str) -> float | None:
    present = ctx.present_inputs()
    if not present:
        return None
    gwp = ctx.gwp("co2")
    ef = ctx.factor(factor_id, role, present[0][0].id)
    co2_total = 0.0
    for _metric, value in present:
        co2_tonnes = _product_to(ctx, [(value.value, value.unit), (ef.value, ef.unit)], "t")
        co2_total += co2_tonnes
        part = co2_tonnes * gwp.value * product_conversion(("t", gwp.unit), ctx.metric.unit)
        ctx.terms.append({"input": value.key, "value": part, "unit": ctx.metric.unit, "gas": "CO2",
                          "gas_tonnes": co2_tonnes,
                          "detail": f"{value.value:g} {value.unit} x {ef.value:g} {ef.unit} x GWP "
                                    f"{gwp.value:g}"})
    ctx.gases["CO2"] = co2_total
    return co2_total * gwp.value * product_conversion(("t", gwp.unit), ctx.metric.unit)


@formula("grid_electricity_co2e", "electricity x grid emission factor of the entity's grid x GWP(CO2)")
def grid_electricity_co2e(ctx: FormulaContext) -> float | None:
    """Scope 2 location-based (GHG Protocol Scope 2 Guidance, 2015, ch. 6): purchased electricity
    times the average emission factor of the grid where it is consumed, for the country, grid region
    and year of the entity; the official series used is recorded."""
    factor_id, series = ctx.selection.grid_factor_id(
        ctx.entity.country, ctx.entity.grid_region, ctx.options.grid_series, ctx.where
    )
    if ctx.values.get(ctx.metric.formula.inputs[0]) is None if ctx.metric.formula else True:
        return None
    ctx.notes.append(f"grid factor series: {series} ({factor_id})")
    return _indirect(ctx, factor_id, "grid emission factor")


@formula("purchased_heat_co2e", "purchased heat x heat supply emission factor x GWP(CO2)")
def purchased_heat_co2e(ctx: FormulaContext) -> float | None:
    """Scope 2 from purchased steam and heat: heat [GJ] x emission factor of heat supply [tCO2/GJ]
    (NDRC 2015 MRV guidelines default)."""
    return _indirect(ctx, ctx.selection.purchased_heat(), "heat supply emission factor")
