"""Liquid fuels reported by volume: the density that turns litres or m3 into the tonnes a carrier
metric holds.

A carrier names its density factor in the catalogue (``energy: {density: liquid_fuel_density.diesel}``,
a factor set such as the UNSD Energy Statistics Yearbook's litres per metric ton); an entity's
measured density (``site.<fuel>.density``, overriding role ``density``) replaces it, as a measured
NCV replaces the default (GB/T 2589-2020 and the 2015 MRV guidelines prefer measured parameters).
A volume for a carrier with no density factor is refused: nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from esgledger.errors import FactorNotFound
from esgledger.factors.library import FactorLibrary, FactorValue, load_library
from esgledger.units import UnitError, parse_unit, registry, spelling, suggested_units

ROLE = "density"
VOLUMES_TYPED = ("L", "升", "kL", "m3", "万升")


def density_factor(attributes: dict) -> str | None:
    """The density factor id a carrier's catalogue entry names (``energy.density``), if any."""
    found = (attributes.get("energy") or {}).get(ROLE)
    return str(found) if found else None


@lru_cache(maxsize=1024)
def is_volume(unit: str) -> bool:
    """Whether ``unit`` (as typed) measures a volume (asked for every figure a calculation
    reads: a handful of units, each worked out once)."""
    try:
        return parse_unit(unit).dimensionality == parse_unit("m**3").dimensionality
    except UnitError:
        return False


def mass_per_unit(volume_unit: str, density: float, density_unit: str, mass_unit: str) -> float:
    """Mass in ``mass_unit`` of one ``volume_unit`` at ``density`` (a mass per volume such as
    kg/m3 or t/kL, or a volume per mass such as the UNSD table's L/t)."""
    volume = registry.Quantity(1.0, parse_unit(volume_unit))
    rho = registry.Quantity(density, parse_unit(density_unit))
    target = parse_unit(mass_unit)
    for candidate in (volume * rho, volume / rho):
        if candidate.dimensionality == target.dimensionality:
            return float(candidate.to(target).magnitude)
    raise UnitError(
        f"the density unit {spelling(density_unit)!r} does not turn {spelling(volume_unit)!r} "
        f"into {spelling(mass_unit)!r}"
    )


def multiplies(density_unit: str) -> bool:
    """Whether a density in ``density_unit`` multiplies a volume (kg/m3), rather than divides
    it (a volume per mass, L/t)."""
    mass_per_volume = parse_unit("kg") / parse_unit("m**3")
    return parse_unit(density_unit).dimensionality == mass_per_volume.dimensionality


def accepted_units(unit: str, attributes: dict) -> str:
    """The units a metric accepts, as people type them; a liquid fuel's volumes included."""
    examples = list(dict.fromkeys(spelling(u) for u in suggested_units(unit)))[:4]
    text = ", ".join(examples)
    factor = density_factor(attributes)
    if factor is not None:
        text += f", or a volume ({', '.join(VOLUMES_TYPED)}) converted with {factor}"
    return text


@lru_cache(maxsize=1)
def _shipped() -> FactorLibrary:
    return load_library()


def shipped_density(factor_id: str, on: dt.date) -> FactorValue | None:
    """The shipped factor set's density valid on ``on`` (the ingest's provisional mass; the
    calculation converts again with the ledger's factor sets and a measured density)."""
    try:
        return _shipped().lookup(factor_id, on)
    except FactorNotFound:
        return None
