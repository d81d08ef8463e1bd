"""The unit registry for ESG quantities.

One pint registry for the whole package. Beyond SI it knows:

- standard coal equivalent as its own dimension (``kgce``, ``tce``): energy carriers are converted to it
  only through cited coefficients (GB/T 2589-2020), never through a physical equivalence;
- CO2-equivalent as its own dimension (``kgCO2e``, ``tCO2e``): a gas mass becomes CO2e only through a
  GWP factor. Gas masses (``tCO2``, ``tCH4``, ``tC`` ...) are plain masses;
- Chinese counting units (万 = 10^4, 亿 = 10^8) for kWh, m3, t, tce and RMB;
- currency (``RMB``) as its own dimension, with no exchange rates; ``USD`` and ``HKD`` are
  dimensions of their own, so that a figure per US dollar of sales is never read as one per
  yuan.

User-entered unit strings go through :func:`parse_unit`, which also accepts the Chinese spellings used
in statistical reports (万千瓦时, 万立方米, 万吨, 吨标准煤 ...).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pint

from esgledger.suggestions import did_you_mean
from esgledger.unit_spellings import (
    SHOWN,
    normalised,
    printed_unit,
    ratio_parts,
    scaled,
    split_multiple,
    with_metric_words,
    without_description,
)

_DEFINITIONS = """
kgce = [coal_equivalent] = kilogram_coal_equivalent
tce = 1000 * kgce = tonne_coal_equivalent
wan_tce = 10000 * tce
kgCO2e = [co2_equivalent]
tCO2e = 1000 * kgCO2e
wan_tCO2e = 10000 * tCO2e
RMB = [currency] = CNY = yuan
wan_RMB = 10000 * RMB
USD = [currency_usd] = US_dollar
million_USD = 1000000 * USD
HKD = [currency_hkd] = HK_dollar
million_HKD = 1000000 * HKD
yi_RMB = 100000000 * RMB
thousand_RMB = 1000 * RMB
million_RMB = 1000000 * RMB
billion_RMB = 1000000000 * RMB
wan_kWh = 10000 * kWh
yi_kWh = 100000000 * kWh
wan_m3 = 10000 * meter ** 3
yi_m3 = 100000000 * meter ** 3
wan_GJ = 10000 * gigajoule
wan_L = 10000 * liter
Nm3 = meter ** 3
wan_Nm3 = 10000 * meter ** 3
wan_t = 10000 * metric_ton
wan_tCO2 = 10000 * metric_ton
tCO2 = metric_ton
kgCO2 = kilogram
tCH4 = metric_ton
kgCH4 = kilogram
tN2O = metric_ton
kgN2O = kilogram
tC = metric_ton
person = 1 = persons
case = 1 = cases
wan_person = 10000 * person
million_hours = 1000000 * hour
"""

UNIT_ALIASES: dict[str, str] = {
    "万千瓦时": "wan_kWh",
    "10^4 kWh": "wan_kWh",
    "10^4kWh": "wan_kWh",
    "亿千瓦时": "yi_kWh",
    "10^8 kWh": "yi_kWh",
    "10^8kWh": "yi_kWh",
    "千瓦时": "kWh",
    "度": "kWh",
    "兆瓦时": "MWh",
    "万立方米": "wan_m3",
    "10^4 m3": "wan_m3",
    "10^4m3": "wan_m3",
    "万标立方米": "wan_Nm3",
    "10^4 Nm3": "wan_Nm3",
    "立方米": "m**3",
    "m3": "m**3",
    "m³": "m**3",
    "升": "L",
    "公升": "L",
    "千升": "kL",
    "万升": "wan_L",
    "10^4 L": "wan_L",
    "10^4L": "wan_L",
    "litre": "L",
    "litres": "L",
    "liter": "L",
    "liters": "L",
    "万吨": "wan_t",
    "10^4 t": "wan_t",
    "10^4t": "wan_t",
    "吨": "t",
    "tonne": "t",
    "tonnes": "t",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "千克标准煤": "kgce",
    "万吨标准煤": "wan_tce",
    "10^4 tce": "wan_tce",
    "吨二氧化碳当量": "tCO2e",
    "万吨二氧化碳当量": "wan_tCO2e",
    "10^4 tCO2e": "wan_tCO2e",
    "元": "RMB",
    "万元": "wan_RMB",
    "RMB 10^4": "wan_RMB",
    "RMB10^4": "wan_RMB",
    "RMB 10,000": "wan_RMB",
    "亿元": "yi_RMB",
    "RMB 10^8": "yi_RMB",
    "人": "person",
    "人次": "person",
    "小时": "h",
    "天": "day",
    "%": "percent",
    "吉焦": "GJ",
    "千卡": "kcal",
    "大卡": "kcal",
    "千卡/千克": "kcal/kg",
}


def _international_calorie(text: str) -> str:
    """Chinese energy statistics use the International Table calorie (1 kcal = 4.1868 kJ, so that
    7 000 kcal = 29 307.6 kJ = 1 kgce, GB/T 2589-2020); pint's plain ``cal`` is thermochemical."""
    return _CALORIE.sub(lambda m: m.group(0) + "_it", text)


_CALORIE = re.compile(r"(?<![A-Za-z_])k?cal(?![A-Za-z_])")

registry: pint.UnitRegistry = pint.UnitRegistry(
    autoconvert_offset_to_baseunit=False, cache_folder=None, preprocessors=[_international_calorie]
)
for _line in _DEFINITIONS.strip().splitlines():
    registry.define(_line.strip())


_UNIT_CHARACTERS = re.compile(r"[\w\s^*/.()%³²·-]+")


class UnitError(ValueError):
    """A unit string that is unknown, or a unit of the wrong dimension."""


def canonical_unit_text(text: str) -> str:
    """The registry spelling of a user-entered or printed unit (aliases and printed forms
    resolved, see :mod:`esgledger.unit_spellings`); text it cannot read is returned as typed,
    for :func:`parse_unit` to refuse with suggestions."""
    stripped = normalised(text)
    if stripped in UNIT_ALIASES:
        return UNIT_ALIASES[stripped]
    printed = printed_unit(stripped)
    if printed is not None:
        return printed
    multiple = split_multiple(stripped)
    if multiple is not None:
        name = scaled(multiple[0], canonical_unit_text(multiple[1]))
        return stripped if name is None else name
    parts = ratio_parts(stripped)
    if parts is not None:
        # a ratio of spellings, each of which may be an alias: 吨标准煤/万元, GJ/万立方米,
        # "Ton/Ton of alumina production output", "tCO2-e per USD million sales"
        return "/".join(f"({_part_text(part)})" for part in parts)
    return with_metric_words(stripped)


def _part_text(part: str) -> str:
    """One side of a printed ratio in the registry's spelling; the words naming what it
    measures ("of alumina production output", "revenue") dropped only when the side is not a
    unit with them (``tonnes of standard coal`` stays tce)."""
    spelled = canonical_unit_text(part)
    if _known(spelled):
        return spelled
    bare = without_description(part)
    if bare is not None and _known(canonical_unit_text(bare)):
        return canonical_unit_text(bare)
    return spelled


def _known(spelled: str) -> bool:
    try:
        registry.parse_units(spelled)
    except Exception:  # pint raises assorted tokenizer errors
        return False
    return bool(_UNIT_CHARACTERS.fullmatch(spelled))


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string such as ``t``, ``万千瓦时`` or ``tCO2e/t``; raise :class:`UnitError`."""
    if not text or not text.strip():
        raise UnitError("empty unit")
    spelled = canonical_unit_text(text)
    if not _UNIT_CHARACTERS.fullmatch(spelled):
        # pint's tokenizer passes over stray punctuation ("t!", "kWh;"): never read it as a unit
        raise UnitError(
            f"unknown unit {text!r}: a unit has letters, digits, spaces and ^ * / . ( ) % -"
        )
    try:
        return registry.parse_units(spelled)
    except Exception as exc:  # pint raises assorted tokenizer errors for garbage input
        raise UnitError(
            f"unknown unit {text!r}{did_you_mean(text.strip(), typed_units())}"
        ) from exc


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that converts a magnitude in ``from_unit`` into ``to_unit``.

    Raises :class:`UnitError` when either unit is unknown or the dimensions differ.
    """
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    if source.dimensionality != target.dimensionality:
        raise UnitError(
            f"unit {spelling(from_unit)!r} measures {_describe(source)}, not "
            f"{_describe(target)} as {spelling(to_unit)!r} does"
        )
    return float(registry.Quantity(1.0, source).to(target).magnitude)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from ``from_unit`` to ``to_unit``."""
    return value * conversion_factor(from_unit, to_unit)


def same_dimension(unit_a: str, unit_b: str) -> bool:
    """Whether two unit strings measure the same kind of quantity."""
    return parse_unit(unit_a).dimensionality == parse_unit(unit_b).dimensionality


# What a unit measures, in words, by a unit of each kind
_KINDS = (
    ("energy", "J"),
    ("mass", "kg"),
    ("volume", "m**3"),
    ("standard coal equivalent", "kgce"),
    ("CO2 equivalent", "kgCO2e"),
    ("money", "RMB"),
    ("time", "h"),
    ("length", "km"),
    ("power", "W"),
    ("transport work (mass times distance)", "t*km"),
)


def _describe(unit: pint.Unit) -> str:
    dims = unit.dimensionality
    if not dims:
        return "a pure number (a count, share or ratio of like units)"
    for name, example in _KINDS:
        if parse_unit(example).dimensionality == dims:
            return name
    for numerator, over in _KINDS:
        for denominator, under in _KINDS:
            if (parse_unit(over) / parse_unit(under)).dimensionality == dims:
                return f"{numerator} per {denominator}"
    return "another kind of quantity"


def spelling(unit: str) -> str:
    """How a user types the registry unit ``unit``: ``wan_kWh`` as ``10^4 kWh (万千瓦时)``,
    ``m**3`` as ``m3``, ``tce/wan_RMB`` as ``tce/RMB 10^4 (吨标准煤/万元)``; other text as given."""
    text = unit.strip()
    if text in UNIT_ALIASES or not _INTERNAL.search(text):
        return text
    parts = text.split("/")
    ascii_form = "/".join(_TYPED_ASCII.get(part.strip(), part.strip()) for part in parts)
    chinese = "/".join(_TYPED_CHINESE.get(part.strip(), part.strip()) for part in parts)
    if chinese == ascii_form or _INTERNAL.search(chinese):
        return ascii_form
    return f"{ascii_form} ({chinese})"


_INTERNAL = re.compile(r"_|\*\*|percent")
_TYPED_ASCII: dict[str, str] = {"m**3": "m3", "percent": "%", **SHOWN}
_TYPED_CHINESE: dict[str, str] = {}
for _typed, _registered in UNIT_ALIASES.items():
    if not _typed.isascii():
        _TYPED_CHINESE.setdefault(_registered, _typed)
    elif _INTERNAL.search(_registered):
        _TYPED_ASCII.setdefault(_registered, _typed)


@lru_cache(maxsize=1)
def typed_units() -> tuple[str, ...]:
    """Unit spellings people type: the aliases, the common suggestions, the registry's own names
    of the units defined here, and pint's short names of common SI units."""
    common = ("J", "kJ", "MJ", "GJ", "TJ", "Wh", "kWh", "MWh", "GWh", "TWh", "g", "kg", "t", "L")
    names = (line.split("=")[0].strip() for line in _DEFINITIONS.strip().splitlines())
    defined = tuple(name for name in names if not _INTERNAL.search(name))
    return tuple(dict.fromkeys((*UNIT_ALIASES, *_SUGGESTIONS, *common, *defined)))


@lru_cache(maxsize=4096)
def product_conversion(units: tuple[str, ...], target: str) -> float:
    """Multiplier that turns a product of magnitudes in ``units`` into ``target``.

    ``product_conversion(("MWh", "tCO2/MWh", "tCO2e/t"), "tCO2e") == 1.0``. Raises
    :class:`UnitError` when the product does not have the dimension of ``target``.
    """
    combined = registry.dimensionless
    for text in units:
        combined = combined * parse_unit(text)
    goal = parse_unit(target)
    if combined.dimensionality != goal.dimensionality:
        raise UnitError(
            f"the product {' x '.join(units)} is {_describe(combined)}, not {_describe(goal)} "
            f"({target})"
        )
    return float(registry.Quantity(1.0, combined).to(goal).magnitude)


_SUGGESTIONS = (
    "t",
    "kg",
    "万吨",
    "MWh",
    "kWh",
    "万千瓦时",
    "GWh",
    "亿千瓦时",
    "m3",
    "万立方米",
    "GJ",
    "MJ",
    "TJ",
    "tce",
    "kgce",
    "万元",
    "元",
    "亿元",
    "person",
    "h",
    "day",
    "percent",
    "tCO2e",
)


def suggested_units(unit: str) -> list[str]:
    """Common spellings a user may enter for a metric whose unit is ``unit`` (its own first)."""
    found = [unit]
    for candidate in _SUGGESTIONS:
        if candidate != unit and same_dimension(candidate, unit):
            found.append(candidate)
    return found


@lru_cache(maxsize=1024)
def conversion_factor_via(from_unit: str, to_unit: str, density: str | None) -> float:
    """Like :func:`conversion_factor`, but a mass may also become a volume (or the reverse) through
    ``density`` (for example ``"1 t/m**3"`` for water, which Chinese sites report in tonnes)."""
    try:
        return conversion_factor(from_unit, to_unit)
    except UnitError:
        if density is None:
            raise
    quantity = registry.Quantity(1.0, parse_unit(from_unit))
    rho: Any = registry.Quantity(density)
    for candidate in (quantity / rho, quantity * rho):
        if candidate.dimensionality == parse_unit(to_unit).dimensionality:
            return float(candidate.to(parse_unit(to_unit)).magnitude)
    raise UnitError(
        f"unit {from_unit!r} cannot be converted to {to_unit!r}, even through the density {density}"
    )
