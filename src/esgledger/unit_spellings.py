"""Units as real reports print them, read into the registry's names.

Published ESG reports of Chinese groups, in English and Chinese, print units as their tables
were typeset: ``10,000 m³``, ``万 m³``, ``tonnes of standard coal``, ``RMB10,000``, ``RMB
million``, ``100 million kWh``, ``person-times``. This module turns such a spelling into the
registry's spelling (:mod:`esgledger.units`) before pint sees it, and decides the readings pint
would get wrong:

- ``t``, ``tonne(s)``, ``ton(s)`` and ``metric ton(s)`` are the metric tonne, 1,000 kg: reports
  under SSE Guideline No. 14 and the HKEX ESG Reporting Code state masses in metric tonnes (pint
  reads ``ton`` as the US short ton, 907.18 kg); the short ton is only ``short_ton``;
- ``kt`` is a kilotonne, not a knot; ``Mt`` a megatonne;
- ``度`` and ``degrees`` of electricity are kilowatt-hours (1 度 = 1 kWh), not angles;
- ``万`` / ``10,000`` / ``10^4`` and ``亿`` / ``100 million`` / ``10^8`` before a unit are
  multiples of it, for the units real tables print them with (:data:`SCALED`); any other
  combination is left for the registry to refuse, never guessed.

Nothing here converts between kinds of quantity (a tonne of coal is never a tce): those
conversions go through cited factors.
"""

from __future__ import annotations

import re
import unicodedata

# Whole spellings (after width and space normalisation), case-insensitive for Latin letters.
PRINTED: dict[str, str] = {
    "tonnes of standard coal": "tce",
    "tonne of standard coal": "tce",
    "tons of standard coal": "tce",
    "ton of standard coal": "tce",
    "tonnes of standard coal equivalent": "tce",
    "tonnes of coal equivalent": "tce",
    "tonnes standard coal": "tce",
    "kg of standard coal": "kgce",
    "kilograms of standard coal": "kgce",
    "tonnes of co2 equivalent": "tCO2e",
    "tonnes of co2e": "tCO2e",
    "tonnes co2e": "tCO2e",
    "t co2e": "tCO2e",
    "tco2-eq": "tCO2e",
    "tco2-e": "tCO2e",
    "t of co2e": "tCO2e",
    "t of co2 equivalent": "tCO2e",
    "t of co2": "tCO2",
    "t co2": "tCO2",
    "t co2-e": "tCO2e",
    "tonnes of co2-e": "tCO2e",
    "kg": "kg",  # printed "Kg", "KG": the kilogram (pint reads names case-sensitively)
    "g": "g",
    "t co2-eq": "tCO2e",
    "tonnes of co2": "tCO2",
    "tonnes of carbon dioxide equivalent": "tCO2e",
    "tonnes of carbon dioxide": "tCO2",
    "tonnes co2": "tCO2",
    "person-times": "person",
    "person-time": "person",
    "person times": "person",
    "man-times": "person",
    "persons": "person",
    "people": "person",
    "degrees": "kWh",
    "degree": "kWh",
    "yuan": "RMB",
    "rmb yuan": "RMB",
    "rmb": "RMB",
    "rmb10,000": "wan_RMB",
    "rmb 10,000": "wan_RMB",
    "rmb10000": "wan_RMB",
    "rmb 10000": "wan_RMB",
    "10000 rmb": "wan_RMB",
    "10000 yuan": "wan_RMB",
    "rmb ten thousand": "wan_RMB",
    "10,000 rmb": "wan_RMB",
    "10,000 yuan": "wan_RMB",
    "rmb million": "million_RMB",
    "rmb 1 million": "million_RMB",
    "rmb mn": "million_RMB",
    "rmb millions": "million_RMB",
    "million rmb": "million_RMB",
    "million yuan": "million_RMB",
    "rmb 100 million": "yi_RMB",
    "rmb100 million": "yi_RMB",
    "100 million rmb": "yi_RMB",
    "100 million yuan": "yi_RMB",
    "rmb billion": "billion_RMB",
    "rmb bn": "billion_RMB",
    "billion rmb": "billion_RMB",
    "rmb thousand": "thousand_RMB",
    "usd": "USD",
    "us$": "USD",
    "usd million": "million_USD",
    "us$ million": "million_USD",
    "million usd": "million_USD",
    "usd mn": "million_USD",
    "usd 1 million": "million_USD",
    "hk$": "HKD",
    "hkd": "HKD",
    "hk$ million": "million_HKD",
    "hkd million": "million_HKD",
    "rmb'000": "thousand_RMB",
    "rmb '000": "thousand_RMB",
    "per million hours": "1/million_hours",
    "per million hours worked": "1/million_hours",
    "per 1,000,000 hours worked": "1/million_hours",
    "per 1,000,000 hours": "1/million_hours",
    "每百万工时": "1/million_hours",
    # counts printed with the noun they count (HKEX KPI B5.1 "number of suppliers")
    "suppliers": "1",
    "supplier": "1",
    "companies": "1",
    "家": "1",
    "个": "1",
    "次": "1",
    # cases as Chinese tables count them (腐败案件 0 件, 安全事故 2 起)
    "件": "case",
    "起": "case",
    "‰": "permille",
    "per mille": "permille",
    "per thousand": "permille",
}

# How the registry names defined for printed units are shown back to a person.
SHOWN: dict[str, str] = {
    "thousand_RMB": "RMB thousand",
    "million_RMB": "RMB million",
    "billion_RMB": "RMB billion",
    "yi_m3": "100 million m3",
    "million_USD": "USD million",
    "million_HKD": "HK$ million",
    "wan_GJ": "10,000 GJ",
    "wan_tCO2": "10,000 t CO2",
    "wan_person": "10,000 persons",
    "permille": "‰",
}

# A printed multiple before a unit: 万 and 亿, and their English spellings.
_MULTIPLE = re.compile(
    r"^(?:(?P<wan>万|10,000|10 000|10000|10\^4|ten thousand)"
    r"|(?P<yi>亿|100 million|100,000,000|10\^8))\s*(?P<unit>.+)$",
    re.IGNORECASE,
)

# The registry's name of each multiple, by the registry unit it multiplies.
SCALED: dict[tuple[str, str], str] = {
    ("wan", "kWh"): "wan_kWh",
    ("wan", "m**3"): "wan_m3",
    ("wan", "Nm3"): "wan_Nm3",
    ("wan", "t"): "wan_t",
    ("wan", "tce"): "wan_tce",
    ("wan", "tCO2e"): "wan_tCO2e",
    ("wan", "tCO2"): "wan_tCO2",
    ("wan", "RMB"): "wan_RMB",
    ("wan", "GJ"): "wan_GJ",
    ("wan", "L"): "wan_L",
    ("wan", "person"): "wan_person",
    ("yi", "kWh"): "yi_kWh",
    ("yi", "m**3"): "yi_m3",
    ("yi", "RMB"): "yi_RMB",
}

# Words inside a longer unit expression (``tons/year``, ``kg/ton``, ``kt CO2``).
_WORDS = (
    (re.compile(r"(?<![A-Za-z_])(?:metric )?(?:tonnes?|tons?)(?![A-Za-z_])", re.IGNORECASE), "t"),
    (re.compile(r"(?<![A-Za-z_])kt(?![A-Za-z_])"), "kilotonne"),
)


# What a printed denominator says of itself after its unit ("RMB million revenue", "Ton of alumina
# production output", "USD million sales"): words naming the quantity, not the unit.
_DENOMINATOR_WORDS = re.compile(
    r"^(?P<unit>.+?)\s+(?:of\s+[^/]+|(?:operating\s+)?(?:revenue|income|sales|output(?:\s+value)?"
    r"|production(?:\s+output)?)(?:\s+\w+)*)$",
    re.IGNORECASE,
)
# " per " between two units: "tCO2-e per USD million sales"
_PER = re.compile(r"\s+per\s+", re.IGNORECASE)


def ratio_parts(text: str) -> list[str] | None:
    """The numerator and denominators of a printed ratio (``/`` or `` per ``); None when the
    text is not one."""
    if "/" not in text and not _PER.search(text):
        return None
    return [part.strip() for part in _PER.sub("/", text).split("/")]


def without_description(text: str) -> str | None:
    """A unit printed with words naming what it measures ("Ton of alumina production output",
    "RMB million revenue"), without them; None when the text has no such words."""
    found = _DENOMINATOR_WORDS.match(text)
    return found.group("unit").strip() if found else None


def normalised(text: str) -> str:
    """Width and spaces as a keyboard gives them: full-width letters and digits become ASCII,
    ``m³`` becomes ``m3``, runs of spaces one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def printed_unit(text: str) -> str | None:
    """The registry spelling of a whole printed unit, or None when it is not one of them
    ("ton of CO2", "tonne of CO2" as "tonnes of CO2": a metric tonne either way)."""
    lowered = text.lower()
    found = PRINTED.get(lowered)
    if found is None:  # "tons of CO2 equivalent" as "tonnes of ...": a metric ton either way
        found = PRINTED.get(re.sub(r"^(?:tons?|tonne)\b", "tonnes", lowered))
    return found


def split_multiple(text: str) -> tuple[str, str] | None:
    """``("wan", "m³")`` for ``万 m³`` or ``10,000 m³``; None when no multiple is printed."""
    found = _MULTIPLE.match(text)
    if found is None:
        return None
    return ("wan" if found.group("wan") else "yi"), found.group("unit").strip()


def scaled(multiple: str, registry_unit: str) -> str | None:
    """The registry's name of ``multiple`` (``wan``, ``yi``) times ``registry_unit``."""
    return SCALED.get((multiple, registry_unit))


def with_metric_words(text: str) -> str:
    """Tonnes and kilotonnes inside an expression in the registry's spelling."""
    for pattern, replacement in _WORDS:
        text = pattern.sub(replacement, text)
    return text
