"""Liquid fuels reported by volume, converted to the tonnes their carrier metric holds.

A data point of diesel, gasoline, fuel oil or LPG entered in litres or m3 is kept as entered. The
calculation reads it as mass = volume x density (or volume / litres per tonne, as the UNSD Energy
Statistics Yearbook publishes it), with the entity's measured density for the period where it
reported one (``site.<fuel>.density``, role ``density``) and otherwise the density factor its
catalogue entry names, valid at the period start. The input record then cites the density (value,
factor id, source, edition, or the measured record) and shows each conversion as a term, so that
``explain`` of the energy total and of Scope 1 shows it.
"""

from __future__ import annotations

from esgledger.calc.context import FormulaContext, Value
from esgledger.calc.notes import note
from esgledger.errors import CalculationError
from esgledger.factors.densities import (
    ROLE,
    density_factor,
    is_volume,
    mass_per_unit,
    multiplies,
)
from esgledger.figures import num
from esgledger.lineage import Record
from esgledger.units import UnitError, convert


def by_volume(record: Record, unit: str) -> bool:
    """Whether an input record of a metric in ``unit`` (not a volume: natural gas in m3 is read
    as it is) reads a data point entered as a volume."""
    if is_volume(unit):
        return False
    return any(is_volume(ref["unit"]) for ref in record.get("datapoints", []))


def convert_volumes(context: FormulaContext, record: Record, value: Value) -> Value:
    """``value`` (a carrier's reported input) with its volume data points as mass; ``record``
    gains the density read, a term per converted data point and a note. Raises
    :class:`CalculationError` when the carrier has no density valid for the period."""
    metric = context.metric
    refs = record.get("datapoints", [])
    annual = [ref for ref in refs if ref["period"] == str(context.period)]
    used = annual[:1] if annual else refs  # an annual figure wins over its months (inputs.py)
    default = density_factor(metric.attributes)
    if default is None:
        raise CalculationError(
            f"{context.where}: {metric.id} is reported by volume and has no energy.density",
            note("factor_unknown", factor=f"{metric.id} density"),
        )
    density, density_unit = context.parameter(ROLE, metric.id, default)
    total = 0.0
    for ref in used:
        if not is_volume(ref["unit"]):
            total += ref["value_normalised"]
            continue
        try:
            mass = ref["value"] * mass_per_unit(ref["unit"], density, density_unit, metric.unit)
        except UnitError as exc:
            raise CalculationError(
                f"{context.where}: {exc}", note("factor_unknown", factor=default)
            ) from exc
        volume = convert(ref["value"], ref["unit"], "m**3")
        sign = "x" if multiplies(density_unit) else "/"
        context.terms.append(
            {
                "input": f"data point #{ref['id']}",
                "detail": (
                    f"{num(ref['value'])} {ref['unit']} (= {num(volume)} m3) {sign} "
                    f"{num(density)} {density_unit}"
                ),
                "value": mass,
                "unit": metric.unit,
                "carrier": metric.id,
            }
        )
        total += mass
    context.add_note(note("volume_to_mass", metric=metric.id, unit=metric.unit))
    record["value"] = total
    record["factors"] = context.factors_read
    record["terms"] = context.terms
    record["notes"] = [*record.get("notes", []), *context.notes]
    return Value(total, value.unit, value.key, dict(value.gases), dict(value.internal))
