"""The assurer's sample: published numbers drawn at random, stratified by magnitude, with what
``verify.py`` needs to recompute each one's arithmetic by hand (ISA 530 / ISAE 3000 sampling:
the selection is reproducible from the recorded seed; stratification puts large and small
values of every metric group into the sample).

The selection rule is :func:`esgledger.assurance.verify_pack.draw_sample`, the function the
pack's own script runs again. The *constants* declared here are the arithmetic the records do
not carry: unit conversions (from the unit registry) and a ratio's multiplier (from the
catalogue), each with the units it converts, so an assurer can check it by hand.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from esgledger.assurance.verify_pack import draw_sample, stratum_of
from esgledger.calc.formulas.registry import CO2_PER_C
from esgledger.catalogue import Catalogue
from esgledger.lineage import Record
from esgledger.report.trace import subtree
from esgledger.units import UnitError, conversion_factor, product_conversion

STRATA = 3
PER_STRATUM = 2
# Formulas whose value is the sum of their terms, each term an input times the factors applied to
# it (calc/formulas: energy.py, combustion.py, scope3.py, process.py). Others are named by
# verify.py as not recomputed.
TERM_SUM_FORMULAS = frozenset(
    {
        "energy_content",
        "combustion_co2e",
        "standard_coal",
        "scope3_fuel_energy",
        "scope3_lines",
        "pfc_co2e",
        "internal_supply_co2e",
    }
)
# Formulas that add their terms in tonnes of CO2, then apply the GWP of CO2 (scope2.py,
# process.py: ``to_co2e``).
GAS_TERM_FORMULAS = frozenset(
    {
        "grid_electricity_co2e",
        "market_electricity_co2e",
        "purchased_heat_co2e",
        "carbonate_co2e",
        "anode_co2e",
    }
)
MAX_SUBSET = 5  # factors of one input whose subsets a term is tried against
DATAPOINT_INPUTS = frozenset({"reported", "monthly_sum"})  # an input read as its data points' sum


def default_seed(period: str, head_hash: str) -> int:
    """The seed when none is given: from the period and the audit chain head, so that a pack of
    the same ledger state draws the same sample and a changed ledger draws afresh."""
    return int(hashlib.sha256(f"{period}:{head_hash}".encode()).hexdigest()[:15], 16)


def sample(
    figures: list[dict[str, Any]],
    records: dict[str, Record],
    catalogue: Catalogue,
    seed: int,
    strata: int = STRATA,
    per_stratum: int = PER_STRATUM,
) -> dict[str, Any]:
    """``sample.json``: the population (every published number with a lineage record), the seed
    and strata, the numbers drawn with their formula, inputs and factors, the records under each
    and the constants verify.py recomputes them with."""
    population = [
        {"key": f["key"], "group": f["group"], "value": f["value"]}
        for f in figures
        if f["lineage_key"] in records
    ]
    by_key = {f["key"]: f for f in figures}
    drawn = draw_sample(population, seed, strata, per_stratum)
    entries = []
    under: set[str] = set()
    for figure_key in drawn:
        figure = by_key[figure_key]
        keys = sorted({record["key"] for record, _share in subtree(records, figure["lineage_key"])})
        under.update(keys)
        root = records[figure["lineage_key"]]
        entries.append(
            {
                "key": figure_key,
                "lineage_key": figure["lineage_key"],
                "group": figure["group"],
                "stratum": stratum_of(population, figure_key, strata),
                "value": figure["value"],
                "unit": figure["unit"],
                "formula": root.get("formula", ""),
                "expression": root.get("expression", ""),
                "inputs": root.get("inputs", []),
                "own": root.get("own"),
                "children": root.get("children", []),
                "eliminations": root.get("eliminations", []),
                "factors": root.get("factors") or figure["factors"],  # a roll-up: those below
                "records": keys,
            }
        )
    constants = {
        key: found for key in sorted(under) if (found := _declared(records[key], catalogue))
    }
    return {
        "method": (
            f"per metric group, the published numbers sorted by absolute value are cut into {strata} "
            f"strata of near-equal size; {per_stratum} are drawn from each with Python's "
            "random.Random(seed).sample, groups in sorted order (verify.py draw_sample)"
        ),
        "seed": seed,
        "strata": strata,
        "per_stratum": per_stratum,
        "population": population,
        "entries": entries,
        "constants": constants,
    }


def _declared(record: Record, catalogue: Catalogue) -> dict[str, Any] | None:
    """What verify.py needs beyond the record to recompute it, or None."""
    kind, function = record["kind"], record.get("formula", "")
    if kind == "input":
        how = record.get("how")
        code = how.get("code") if isinstance(how, dict) else function
        if code in DATAPOINT_INPUTS and not record.get("transfers"):
            return {"shape": "datapoints"}
        return None
    if kind != "formula":
        return None
    unit = record["unit"]
    if function in ("sum", "own_if_producing"):
        conversions = _conversions(record.get("inputs", []), unit)
        return {"shape": function, "conversions": conversions} if conversions else None
    if function == "ratio":
        return _ratio(record, catalogue)
    if function in TERM_SUM_FORMULAS:
        return {"shape": "terms", "terms": _term_products(record)}
    if function in GAS_TERM_FORMULAS:
        to_record = _to_record(record)
        if to_record is None:
            return None
        return {"shape": "terms", "terms": _term_products(record), "to_record": to_record}
    return None


def _conversions(inputs: Iterable[Any], unit: str) -> dict[str, float]:
    found = {}
    for item in inputs:
        if item["unit"] != unit:
            try:
                found[item["key"]] = conversion_factor(item["unit"], unit)
            except UnitError:
                continue
    return found


def _ratio(record: Record, catalogue: Catalogue) -> dict[str, Any] | None:
    inputs = record.get("inputs", [])
    metric = catalogue.metrics.get(record["metric"]) or _metric(catalogue, record["metric"])
    if len(inputs) != 2 or metric is None or metric.formula is None:
        return None
    multiplier = float(metric.formula.params.get("multiplier", 1))
    units = (inputs[0]["unit"], f"1/({inputs[1]['unit']})")
    try:
        conversion = product_conversion(units, record["unit"])
    except UnitError:
        return None
    return {
        "shape": "ratio",
        "constant": multiplier * conversion,
        "multiplier": multiplier,
        "conversion": conversion,
        "units": f"{units[0]} x {units[1]} -> {record['unit']}",
    }


def _metric(catalogue: Catalogue, metric_key: str) -> Any:
    try:
        return catalogue[metric_key]
    except KeyError:
        return None


def _term_products(record: Record) -> dict[str, dict[str, Any]]:
    """Each term that is its input times the factors applied to that input (matched by the
    input's metric or key; a factor applying to every input, such as the GWP of the term's gas,
    with or without), times a unit conversion and, for carbon, the CO2/C molar mass ratio 44/12
    (IPCC 2006 Vol. 2 ch. 1). The first reading that gives the term is declared; a term no
    reading gives (a share such as 1 - sulphur - ash) is left out and named by verify.py."""
    inputs = {item["key"]: item for item in record.get("inputs", [])}
    factors = record.get("factors", [])
    found: dict[str, dict[str, Any]] = {}
    for index, term in enumerate(record.get("terms", [])):
        source = inputs.get(term.get("input", ""))
        if source is None:
            continue
        matched = [
            position
            for position, factor in enumerate(factors)
            if factor.get("applies_to") in (source["metric"], source["key"])
        ]
        general = [
            position
            for position, factor in enumerate(factors)
            if factor.get("applies_to") is None and _applies_to_gas(factor, term)
        ]
        unit = _unit(term.get("unit") or record["unit"])
        readings = [
            (sorted(chosen + extra), ratio)
            for ratio in (1.0, CO2_PER_C)
            for chosen in _subsets(matched)
            for extra in (general, [])
        ]
        for applied, ratio in readings:
            units = (source["unit"], *(factors[i]["unit"] for i in applied))
            converted = _conversion(units, unit)
            if converted is None:
                continue
            conversion = converted * ratio
            value = float(source["value"]) * conversion
            value *= math.prod(factors[i]["value"] for i in applied)
            if math.isclose(value, term["value"], rel_tol=1e-9, abs_tol=1e-9):
                found[str(index)] = {
                    "factors": applied,
                    "constant": conversion,
                    "units": f"{' x '.join(units)} -> {unit}"
                    + (" x 44/12 (CO2/C molar mass ratio)" if ratio != 1.0 else ""),
                }
                break
        else:
            gases = _gas_products(source, factors, matched, term)
            if gases:
                found[str(index)] = {"gases": gases}
    return found


def _gas_products(
    source: Mapping[str, Any],
    factors: Sequence[Mapping[str, Any]],
    matched: list[int],
    term: Mapping[str, Any],
) -> dict[str, dict[str, Any]]:
    """A fuel's term in CO2e that adds one product per gas (quantity x NCV x the gas's emission
    factor, in tonnes of the gas, x its GWP: IPCC 2006 Vol. 2 ch. 2, eq. 2.1): each gas's
    factors and unit conversion, and its GWP factor; empty unless every gas is found."""
    found: dict[str, dict[str, Any]] = {}
    for gas, tonnes in dict(term.get("gases_t") or {}).items():
        gwp = next(
            (
                i
                for i, f in enumerate(factors)
                if str(f.get("role", "")).lower() == f"gwp {gas}".lower()
                and not f.get("applies_to")
            ),
            None,
        )
        ratios = (1.0, CO2_PER_C) if gas.lower() == "co2" else (1.0,)
        for applied, ratio in [(a, r) for r in ratios for a in _subsets(matched)]:
            units = (source["unit"], *(factors[i]["unit"] for i in applied))
            converted = _conversion(units, "t")
            if converted is None or gwp is None:
                continue
            value = float(source["value"]) * converted * ratio
            value *= math.prod(factors[i]["value"] for i in applied)
            if math.isclose(value, float(tonnes), rel_tol=1e-9, abs_tol=1e-9):
                found[gas] = {
                    "factors": applied,
                    "constant": converted * ratio,
                    "gwp": gwp,
                    "units": f"{' x '.join(units)} -> t {gas}"
                    + (" x 44/12 (CO2/C molar mass ratio)" if ratio != 1.0 else "")
                    + " x GWP",
                }
                break
        else:
            return {}
    return found


@functools.lru_cache(maxsize=4096)
def _conversion(units: tuple[str, ...], target: str) -> float | None:
    """The unit registry's multiplier from a product of ``units`` to ``target``, or None."""
    try:
        return product_conversion(units, target)
    except UnitError:
        return None


def _subsets(items: list[int]) -> list[list[int]]:
    """``items`` and its subsets, largest first (a formula may read a factor for one term and
    not another: the C2F6 ratio of a PFC term); all of them for a handful, else ``items``."""
    if len(items) > MAX_SUBSET:
        return [items]
    found = [
        [item for bit, item in enumerate(items) if mask >> bit & 1]
        for mask in range(2 ** len(items) - 1, -1, -1)
    ]
    return sorted(found, key=len, reverse=True)


def _applies_to_gas(factor: Mapping[str, Any], term: Mapping[str, Any]) -> bool:
    """A factor for every input applies to a term unless it is the GWP of another gas."""
    role = str(factor.get("role", ""))
    if not role.startswith("GWP "):
        return True
    gases = [term["gas"]] if term.get("gas") else list(term.get("gases_t", {})) or ["co2"]
    return role[4:].lower() in {gas.lower() for gas in gases}


def _unit(text: str) -> str:
    """A unit as the terms write a gas (``t CO2``) in the registry's spelling (``tCO2``)."""
    return text.replace(" ", "")


def _to_record(record: Record) -> dict[str, Any] | None:
    """For a formula that adds its terms in tonnes of CO2 and then applies the GWP of CO2
    (calc/formulas/registry.to_co2e): which factor is that GWP and the unit conversion."""
    factors = record.get("factors", [])
    terms = record.get("terms", [])
    gwp = next(
        (
            i
            for i, f in enumerate(factors)
            if f.get("role") == "GWP co2" and not f.get("applies_to")
        ),
        None,
    )
    if gwp is None or not terms:
        return None
    units = (_unit(terms[0].get("unit") or record["unit"]), factors[gwp]["unit"])
    try:
        conversion = product_conversion(units, record["unit"])
    except UnitError:
        return None
    return {
        "factor": gwp,
        "constant": conversion,
        "units": f"{' x '.join(units)} -> {record['unit']}",
    }
