"""Parsing of single cells: numbers, dates, booleans. One number rule for every door (imported
files, the web entry form, the API's values are checked with :func:`check_magnitude` as well).

A number is written with a point for decimals. A comma is read only as a thousands separator, in
groups of three (``1,234.5``); ``1,5`` is refused rather than read as 15 or as 1.5 (in much of
the world the comma is the decimal sign). Spaces may separate thousands too (``1 234.5``);
full-width digits and signs (typed with a Chinese input method) are read as their ASCII forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from esgledger.service_errors import Invalid

# Largest magnitude of a value in its metric's unit. The largest real figures are about 1e11
# (a group's electricity in kWh, its revenue in RMB); 1e15 leaves four orders of magnitude
# above them, and sums and products of such values stay far from float overflow (1.8e308).
MAX_MAGNITUDE = 1e15

PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
THOUSANDS = re.compile(
    r"[+-]?[0-9]{1,3}(?:(?P<sep>[, ])[0-9]{3})(?:(?P=sep)[0-9]{3})*(?:\.[0-9]+)?"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，＋－", "0123456789.,+-")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
DECIMAL_COMMA = (
    "a number with a point for decimals, such as 1.5 (a comma only separates thousands, "
    "in groups of three: 1,234.5)"
)
NUMBER = "a number such as 1234.5"


class NumberRefused(ValueError):
    """Text that is not a number; ``expected`` says what would be, ``code`` names the case
    (``decimal_comma`` for a comma that cannot be a thousands separator)."""

    def __init__(self, text: str, expected: str, code: str = "invalid"):
        super().__init__(f"{text!r}: expected {expected}")
        self.text = text
        self.expected = expected
        self.code = code


# How a printed table says "nothing to report" (nil): distinct from zero, stored with method nil.
# "/" is how HKEX KPI tables of Chinese issuers print a year with nothing to report.
NIL_SPELLINGS = frozenset(
    {"-", "—", "–", "--", "——", "/", "／", "不适用", "n/a", "N/A", "NA", "无"}
)


def is_nil(text: str) -> bool:
    """Whether ``text`` is a nil cell as reports print it (``-``, ``—``, ``不适用``, ``N/A``)."""
    if text[:1].isascii() and text[:1].isdigit():
        return False  # a number (most cells): no nil spelling starts with a digit
    return text.strip().translate(_FULL_WIDTH) in NIL_SPELLINGS


def read_number(text: str) -> float:
    """The finite number ``text`` writes, or :class:`NumberRefused`."""
    if PLAIN.fullmatch(text):  # most cells: a plain number, nothing to clean
        plain = float(text)
        if math.isfinite(plain):
            return plain
    cleaned = text.strip().translate(_FULL_WIDTH).translate(_SPACES)
    if THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "").replace(" ", "")
    elif "," in cleaned:
        raise NumberRefused(text, DECIMAL_COMMA, "decimal_comma")
    if not PLAIN.fullmatch(cleaned):
        raise NumberRefused(text, NUMBER)
    number = float(cleaned)
    if not math.isfinite(number):
        raise NumberRefused(text, f"a number of at most {MAX_MAGNITUDE:.0e} in magnitude")
    return number


def parse_number(text: str) -> float | None:
    """The finite number ``text`` writes; None if it is not one (see :func:`read_number`)."""
    try:
        return read_number(text)
    except NumberRefused:
        return None


def entered_number(text: str, field: str = "value") -> float:
    """A number typed into a form: :func:`read_number`, refused as :class:`Invalid` naming
    ``field`` (code ``decimal_comma`` for ``1,5``)."""
    try:
        return read_number(text)
    except NumberRefused as refused:
        reason = "" if refused.expected == NUMBER else f": expected {refused.expected}"
        raise Invalid(
            f"{text!r} is not a number{reason}",
            field=field,
            details={"found": text},
            code=refused.code,
        ) from None


MAX_VERSION = 2**31 - 1


def parse_version(text: str, row: str) -> int | None:
    """A version number posted with a form (None when empty): ASCII digits only (``"²"`` is a
    digit to :meth:`str.isdigit` but not to :func:`int`), else :class:`Invalid` naming ``row``."""
    if not text:
        return None
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_VERSION:
        return int(text)
    raise Invalid(
        f"version of {row}: found {text!r}; expected the whole number of the version the form "
        "showed (reload the page)",
        field="version",
        details={"found": text, "row": row},
    )


def magnitude_problem(normalised: float, unit: str) -> str | None:
    """What to expect instead of ``normalised`` (a value in ``unit``, its metric's unit), when it
    is not finite or larger in magnitude than :data:`MAX_MAGNITUDE`; None when it is fine."""
    if math.isfinite(normalised) and abs(normalised) <= MAX_MAGNITUDE:
        return None
    return f"a value of at most {MAX_MAGNITUDE:.0e} {unit} in magnitude"


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "y", "是"}:
        return True
    if lowered in {"0", "false", "no", "n", "否"}:
        return False
    return None
