"""Free text of the assessment's records checked once: bounded, storable by every database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from esgledger.free_text import UNSTORABLE
from esgledger.service_errors import Invalid


def text(value: Any, field: str, limit: int = 4000, required: bool = False) -> str:
    """``value`` as stripped text; Invalid naming ``field`` when too long, unstorable or (when
    ``required``) empty."""
    found = "" if value is None else str(value).strip()
    if len(found) > limit:
        raise Invalid(f"{field}: at most {limit} characters, got {len(found)}", field=field)
    if UNSTORABLE.search(found):
        raise Invalid(f"{field}: contains characters no database can store", field=field)
    if required and not found:
        raise Invalid(f"{field}: required", field=field)
    return found


def iso_date(value: str, field: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except (ValueError, AttributeError):
        raise Invalid(f"{field}: {value!r} is not a date (2025-03-28)", field=field) from None


def year(value: str) -> str:
    found = str(value).strip()
    if not (len(found) == 4 and found.isdigit() and 1990 <= int(found) <= 2199):
        raise Invalid(f"period: {value!r} is not a reporting year (2025)", field="period")
    return found
