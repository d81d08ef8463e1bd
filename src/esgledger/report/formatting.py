"""Numbers and units as the report prints them.

Table figures get thousands separators and a precision that suits their size; the appendix prints
five significant figures (:func:`format_precise`, the one rule of published precision); the XLSX
annex keeps the stored value whole. Units are stored in pint
spelling (``m**3``, ``wan_RMB``, ``tce/t``) and shown per language (m³, RMB 10k / 万元, tce/t).
"""

from __future__ import annotations

import math

from esgledger.i18n import Strings

DASH = "–"


SIGNIFICANT = 5  # digits a published figure keeps; the XLSX annex keeps full precision


def format_number(value: float | None) -> str:
    """A table figure: integers as integers; from 1 up, five significant figures and at most 2
    decimals (38,216.2 -> 38,216; 1,740.5 -> 1,740.5; 268.61); 3 significant digits below 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if value == 0:
        return "0"
    magnitude = abs(value)
    if abs(value - round(value)) < 1e-9 * max(1.0, magnitude):
        return f"{round(value):,}"
    if magnitude >= 1:
        return f"{value:,.{_decimals_from_one(magnitude)}f}"
    decimals = min(10, 2 - math.floor(math.log10(magnitude)))
    return f"{value:,.{decimals}f}"


def _decimals_from_one(magnitude: float) -> int:
    """Decimals of a figure of 1 or more: five significant figures, at most 2 decimals (the
    published precision of :func:`format_precise`, capped for tables)."""
    return min(2, max(0, SIGNIFICANT - 1 - math.floor(math.log10(magnitude))))


def format_chart(value: float) -> str:
    """A chart label: whole numbers from 1 000 up, otherwise as in the tables."""
    return f"{value:,.0f}" if abs(value) >= 1000 else format_number(value)


def row_decimals(values: list[float | None]) -> int:
    """Decimals for one table row, so that the years of a row line up: none when every value is
    a whole number; from 1 up, five significant figures of the largest and at most 2 decimals
    (none from 10 000 up); 3 significant digits of the largest below 1."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if all(abs(v - round(v)) < 1e-9 * max(1.0, abs(v)) for v in present):
        return 0
    largest = max(abs(v) for v in present)
    if largest >= 1:
        return _decimals_from_one(largest)
    return min(10, 2 - math.floor(math.log10(largest)))


def format_fixed(value: float | None, decimals: int) -> str:
    """``value`` with thousands separators and ``decimals`` decimals; a dash for no value."""
    if value is None or math.isnan(value):
        return DASH
    return f"{value:,.{decimals}f}"


def format_precise(value: float | None, digits: int = SIGNIFICANT) -> str:
    """A figure of the appendix, the explain pages and the notes, at a precision that fits its
    size: ``digits`` significant figures, and never decimals once the whole part has that many
    (5,077,212.760355 -> 5,077,213; 443.5632 -> 443.56; 0.122912 -> 0.12291). The one rule for
    published precision; the data annex keeps every stored digit."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    if decimals > 12:
        return f"{value:.{digits}g}"
    text = f"{round(value, decimals):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_share(share: float) -> str:
    if 0 < share < 0.0005:
        return "<0.1%"
    return f"{share * 100:.1f}%"


def unit_label(unit: str, strings: Strings) -> str:
    """Display spelling of a pint unit string in the report language: ``m**3`` -> m³,
    ``tce/wan_RMB`` -> tce/RMB 10k or 吨标准煤/万元, ``1/million_hours`` -> per million hours
    worked."""
    text = unit.strip()
    if text in ("1", ""):
        return ""
    if "/" not in text:
        return _token(text, strings, denominator=False)
    numerator, denominator = (part.strip() for part in text.split("/", 1))
    if denominator.startswith("(") and denominator.endswith(")"):
        denominator = denominator[1:-1].strip()
    if numerator == "1":
        per = strings.get(f"unitper.{denominator}")
        if per is not None:
            return per
        return f"1/{_token(denominator, strings, denominator=True)}"
    return f"{_token(numerator, strings, False)}/{_token(denominator, strings, denominator=True)}"


def _token(token: str, strings: Strings, denominator: bool) -> str:
    if denominator:
        found = strings.get(f"unitden.{token}")
        if found is not None:
            return found
    found = strings.get(f"unit.{token}")
    if found is not None:
        return found
    return _prettify(token)


def _prettify(token: str) -> str:
    """Fallback for units the i18n table does not list: superscript powers, CO₂ subscripts."""
    text = token.replace("**2", "²").replace("**3", "³").replace("CO2", "CO₂").replace("CH4", "CH₄")
    return text.replace("N2O", "N₂O").replace("*", "·")
