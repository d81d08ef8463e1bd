"""How a number is written for a reader: in a note, a term of a calculation, a terminal line."""

from __future__ import annotations

import math
from decimal import Decimal


class Figure(float):
    """A number in a note, formatted as the note's ``{value:,.6g}`` asks but never in exponent
    form: 1,461,010 tCO2e rather than 1.46101e+06 (a reader of a report or a terminal should not
    have to decode scientific notation)."""

    def __format__(self, spec: str) -> str:
        if not spec.endswith("g") or not math.isfinite(self):
            return float.__format__(self, spec)
        grouped = "," in spec
        digits = spec[:-1].replace(",", "").lstrip(".")
        precision = int(digits) if digits.isdigit() else 6
        text = format(Decimal(f"{float(self):.{precision}g}"), ",f" if grouped else "f")
        return "0" if text in ("-0", "0") else text


def num(value: float) -> str:
    """``value`` to six significant digits, never in exponent form (``{num(x)}`` in an f-string
    where ``{x:g}`` would print 1.8e+06)."""
    return format(Figure(value), "g")
