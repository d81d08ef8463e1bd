"""Scope 1 from fuel combustion."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext
from esgledger.calc.formulas.registry import CO2_PER_C, formula, product, to_co2e
from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.figures import num


@formula(
    "combustion_co2e",
    "sum over fuels of quantity x NCV x carbon content x oxidation x 44/12, per gas x GWP",
)
def combustion_co2e(ctx: FormulaContext) -> float | None:
    """Greenhouse gases from fuel combustion [tCO2e].

    China (NDRC 2015 MRV guidelines): CO2 = AD x NCV x CC x OF x 44/12, AD in t or 10^4 Nm3, NCV in
    GJ/t, CC in tC/TJ, OF in %; these guidelines count CO2 only. Elsewhere (IPCC 2006 Vol. 2 Ch. 2
    Eq. 2.1, Tier 1): gas = AD x NCV x EF_gas, EF in kg/TJ from Table 1.4 (CO2, full oxidation) and
    Table 2.2 (CH4, N2O). Measured site NCV, CC or OF override the defaults. Each gas is converted to
    CO2e with the inventory's GWP set.
    """
    present = ctx.present_inputs()
    if not present:
        return None
    rules = ctx.selection.combustion(ctx.entity.country)
    ctx.add_note(note("method", citation=str(rules["citation"])))
    result = 0.0
    for metric, value in present:
        fuel = metric.attributes.get("energy", {}).get("fuel")
        if fuel is None:
            raise CalculationError(f"{ctx.where}: {metric.id} has no energy.fuel in the catalogue")
        fuel = rules.get("fuel_map", {}).get(fuel, fuel)
        activity = (value.value, value.unit)
        # one carrier, one heat content: the carrier's own default NCV (the one its tce
        # coefficient rests on) where the catalogue names it, else the method's by fuel type
        carrier_ncv = metric.attributes.get("energy", {}).get("ncv")
        ncv = ctx.parameter("ncv", metric.id, carrier_ncv or rules["ncv"].format(fuel=fuel))
        if rules["method"] == "ncv_cc_of":
            cc = ctx.parameter(
                "carbon_content", metric.id, rules["carbon_content"].format(fuel=fuel)
            )
            of = ctx.parameter("oxidation", metric.id, rules["oxidation"].format(fuel=fuel))
            co2 = product(ctx, [activity, ncv, cc, of], "t", CO2_PER_C)
            detail = (
                f"{num(value.value)} {value.unit} x {num(ncv[0])} {ncv[1]} x {num(cc[0])} {cc[1]} x "
                f"{num(of[0])} {of[1]} x 44/12"
            )
            gases = {"co2": co2}
        else:
            ef = ctx.factor(rules["co2_factor"].format(fuel=fuel), "CO2 emission factor", metric.id)
            co2 = product(ctx, [activity, ncv, (ef.value, ef.unit)], "t")
            detail = (
                f"{num(value.value)} {value.unit} x {num(ncv[0])} {ncv[1]} x "
                f"{num(ef.value)} {ef.unit}"
            )
            gases = {"co2": co2}
            fuel_class = rules.get("fuel_classes", {}).get(fuel)
            stationary = metric.attributes.get("energy", {}).get("combustion") != "mobile"
            if not stationary and "ch4_factor" in rules:
                ctx.add_note(note("mobile_gases"))
            if fuel_class and stationary and "ch4_factor" in rules:
                for gas in ("ch4", "n2o"):
                    gas_ef = ctx.factor(
                        rules[f"{gas}_factor"].format(fuel_class=fuel_class),
                        f"{gas.upper()} emission factor",
                        metric.id,
                    )
                    gases[gas] = product(ctx, [activity, ncv, (gas_ef.value, gas_ef.unit)], "t")
        part = 0.0
        for gas, tonnes in gases.items():
            gwp_gas = "ch4_fossil" if gas == "ch4" and ctx.options.gwp == "AR6" else gas
            co2e, _gwp = to_co2e(ctx, gwp_gas, tonnes)
            part += co2e
        ctx.terms.append(
            {
                "input": value.key,
                "detail": detail,
                "value": part,
                "unit": ctx.metric.unit,
                "gases_t": gases,
            }
        )
        result += part
    return result
