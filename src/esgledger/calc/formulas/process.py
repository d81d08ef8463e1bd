"""Aluminium and industrial process emissions."""

from __future__ import annotations

from esgledger.calc.context import FormulaContext
from esgledger.calc.formulas.registry import CO2_PER_C, formula, product, to_co2e
from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.figures import num
from esgledger.units import conversion_factor


def _production(ctx: FormulaContext) -> str:
    """The product a process formula is per tonne of: its first input (primary aluminium)."""
    assert ctx.metric.formula is not None
    return ctx.metric.formula.inputs[0]


def _fraction(value: float, unit: str) -> float:
    return value * conversion_factor(unit, "1")


@formula("anode_co2e", "MP x NC x (1 - S - Ash) x 44/12")
def anode_co2e(ctx: FormulaContext) -> float | None:
    """CO2 from prebake anode consumption [tCO2e].

    E = MP x NC x (1 - S_a - Ash_a) x 44/12, MP primary aluminium [t], NC net anode consumption
    [tC/t Al], S_a and Ash_a the sulphur and ash fractions (IPCC 2006 Vol. 3 Ch. 4.4 Eq. 4.21;
    NDRC 2013 electrolytic aluminium guideline; US EPA 40 CFR 98.63). Chinese defaults NC 0.42, S 2 %,
    ash 0.4 % give 1.503 tCO2/t Al. Outside China without measured parameters, the IPCC Tier 1
    factor for prebake cells applies (1.6 tCO2/t Al).
    """
    made = _production(ctx)
    production = ctx.input(made)
    if production is None:
        return None
    rules = ctx.selection.rule("anode", ctx.entity.country)
    measured = any(
        (role, made) in ctx.site_parameters
        for role in ("anode_net_consumption", "anode_sulphur", "anode_ash")
    )
    if "tier1" in rules and not measured:
        ef = ctx.factor(rules["tier1"], "Tier 1 anode emission factor", made)
        co2 = product(ctx, [(production.value, production.unit), (ef.value, ef.unit)], "t")
        ctx.terms.append(
            {
                "input": production.key,
                "value": co2,
                "unit": "t CO2",
                "detail": f"{num(production.value)} t x {num(ef.value)} {ef.unit} (Tier 1)",
            }
        )
        return to_co2e(ctx, "co2", co2)[0]
    defaults = rules if "net_consumption" in rules else ctx.selection.rule("anode", "CN")
    nc = ctx.parameter("anode_net_consumption", made, defaults["net_consumption"])
    sulphur = ctx.parameter("anode_sulphur", made, defaults["sulphur"])
    ash = ctx.parameter("anode_ash", made, defaults["ash"])
    purity = 1 - _fraction(*sulphur) - _fraction(*ash)
    co2 = product(ctx, [(production.value, production.unit), nc], "t", purity * CO2_PER_C)
    if not measured:
        ctx.add_note(note("default_anode"))
    ctx.terms.append(
        {
            "input": production.key,
            "value": co2,
            "unit": "t CO2",
            "detail": f"{num(production.value)} t x {num(nc[0])} {nc[1]} x (1 - {num(sulphur[0])} "
            f"{sulphur[1]} - {num(ash[0])} {ash[1]}) x 44/12",
        }
    )
    return to_co2e(ctx, "co2", co2)[0]


@formula("pfc_co2e", "MP x (EF_CF4 x GWP_CF4 + EF_C2F6 x GWP_C2F6) / 1000")
def pfc_co2e(ctx: FormulaContext) -> float | None:
    """PFC (CF4, C2F6) from anode effects [tCO2e].

    With measured anode-effect minutes per cell-day (AEM), the slope method: EF_CF4 = slope x AEM,
    EF_C2F6 = ratio x EF_CF4 (IPCC 2006 Vol. 3 Ch. 4.4 Eq. 4.25, Tier 2; slope and ratio by cell
    technology, or the Chinese 0.143 and 0.1 when the technology is not given). Otherwise default
    factors: Chinese EF_CF4 0.034 and EF_C2F6 0.0034 kg/t Al; IPCC Tier 1 by technology elsewhere.
    """
    made = _production(ctx)
    production = ctx.input(made)
    if production is None:
        return None
    rules = ctx.selection.rule("pfc", ctx.entity.country)
    tech = ctx.entity.cell_technology or rules.get("default_tech")
    aem = ctx.site_parameters.get(("anode_effect_minutes", made))
    if aem is not None:
        source = (
            ctx.selection.rules["pfc"]["by_technology"] if ctx.entity.cell_technology else rules
        )
        slope = ctx.factor(source["slope_cf4"].format(tech=tech), "CF4 slope coefficient", made)
        ratio = ctx.factor(source["c2f6_ratio"].format(tech=tech), "C2F6/CF4 ratio", made)
        minutes = ctx.parameter("anode_effect_minutes", made, "")[0]
        ef_cf4 = (slope.value * minutes, slope.unit)
        ef_c2f6 = (ef_cf4[0] * ratio.value * conversion_factor(ratio.unit, "1"), slope.unit)
        method = note("slope_method", slope=slope.value, minutes=minutes, ratio=ratio.value)
    else:
        cf4 = ctx.factor(rules["cf4"].format(tech=tech), "CF4 emission factor", made)
        c2f6 = ctx.factor(rules["c2f6"].format(tech=tech), "C2F6 emission factor", made)
        ef_cf4, ef_c2f6 = (cf4.value, cf4.unit), (c2f6.value, c2f6.unit)
        method = note("default_pfc")
    result = 0.0
    for gas, ef in (("cf4", ef_cf4), ("c2f6", ef_c2f6)):
        tonnes = product(ctx, [(production.value, production.unit), ef], "t")
        co2e, gwp = to_co2e(ctx, gas, tonnes)
        ctx.terms.append(
            {
                "input": production.key,
                "gas": gas.upper(),
                "gas_tonnes": tonnes,
                "value": co2e,
                "unit": ctx.metric.unit,
                "detail": f"{num(production.value)} t x {num(ef[0])} {ef[1]} x GWP {num(gwp)}",
            }
        )
        result += co2e
    ctx.add_note(method)
    return result


@formula("carbonate_co2e", "sum over carbonates of quantity x CO2 emission factor")
def carbonate_co2e(ctx: FormulaContext) -> float | None:
    """CO2 from carbonate decomposition (limestone, dolomite, soda ash) [tCO2e].

    E = quantity x EF; Chinese smelter default 0.405 tCO2/t limestone (NDRC 2013 guideline);
    stoichiometric factors of IPCC 2006 Vol. 3 Table 2.1 for dolomite and soda ash, and for limestone
    outside China (pure CaCO3, an upper bound).
    """
    present = ctx.present_inputs()
    if not present:
        return None
    rules = ctx.selection.rule("carbonates", ctx.entity.country)
    co2 = 0.0
    for metric, value in present:
        ef = ctx.factor(rules[metric.id], "carbonate emission factor", metric.id)
        part = product(ctx, [(value.value, value.unit), (ef.value, ef.unit)], "t")
        ctx.terms.append(
            {
                "input": value.key,
                "value": part,
                "unit": "t CO2",
                "detail": f"{num(value.value)} {value.unit} x {num(ef.value)} {ef.unit}",
            }
        )
        co2 += part
    return to_co2e(ctx, "co2", co2)[0]


@formula("anode_baking_co2e", "(GA - H - BA - WT) x 44/12 + PCC x BA x (1 - S - ash) x 44/12")
def anode_baking_co2e(ctx: FormulaContext) -> float | None:
    """CO2 from baking prebake anodes [tCO2e] (IPCC 2006 Vol. 3 Ch. 4.4, Tier 3).

    Pitch volatiles burned in the furnace (Eq. 4.22): (GA - H_w - BA - WT) x 44/12, with GA the
    green anodes charged, H_w their hydrogen, BA the baked anodes produced and WT the waste tar
    collected [t]. Packing coke (Eq. 4.23): PCC x BA x (1 - S_pc - Ash_pc) x 44/12, with PCC the
    packing coke per tonne of baked anode. Each term is computed only when its inputs are measured.
    """
    assert ctx.metric.formula is not None
    values = {name.rsplit(".", 1)[1]: ctx.input(name) for name in ctx.metric.formula.inputs}
    green, baked = values["green_anodes_baked"], values["baked_anodes_produced"]
    co2 = 0.0
    found = False
    if green is not None and baked is not None:
        hydrogen = values["green_anode_hydrogen"]
        tar = values["waste_tar_collected"]
        volatiles = (
            green.value
            - baked.value
            - (hydrogen.value if hydrogen else 0.0)
            - (tar.value if tar else 0.0)
        )
        if volatiles < 0:
            raise CalculationError(
                f"{ctx.where}: baked anodes and collected tar exceed the green "
                "anodes charged (negative pitch volatiles)"
            )
        part = volatiles * CO2_PER_C
        ctx.terms.append(
            {
                "input": green.key,
                "value": part,
                "unit": "t CO2",
                "detail": f"({num(green.value)} - {num(hydrogen.value if hydrogen else 0)} - "
                f"{num(baked.value)} - {num(tar.value if tar else 0)}) t x 44/12",
            }
        )
        co2 += part
        found = True
    coke = values["packing_coke_consumption"]
    if coke is not None and baked is not None:
        sulphur, ash = values["packing_coke_sulphur"], values["packing_coke_ash"]
        purity = (
            1
            - (_fraction(sulphur.value, sulphur.unit) if sulphur else 0.0)
            - (_fraction(ash.value, ash.unit) if ash else 0.0)
        )
        part = product(
            ctx, [(coke.value, coke.unit), (baked.value, baked.unit)], "t", purity * CO2_PER_C
        )
        ctx.terms.append(
            {
                "input": coke.key,
                "value": part,
                "unit": "t CO2",
                "detail": f"{num(coke.value)} t/t x {num(baked.value)} t x {num(purity)} x 44/12",
            }
        )
        co2 += part
        found = True
    if not found:
        return None
    return to_co2e(ctx, "co2", co2)[0]
