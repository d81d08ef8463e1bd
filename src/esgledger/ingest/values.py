"""Parsing of single cells: numbers, dates, booleans."""

from __future__ import annotations

import datetime as dt
import math
import re

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """A finite number, allowing thousands separators (``12,345.6``); None if not a number."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


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
