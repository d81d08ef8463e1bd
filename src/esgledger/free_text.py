"""Free text that people type (units, sources, notes, explanations, comments, reasons): what a
database can store and how long it may be. The REST API checks the same limits in its request
models; the services check them again, so that every path (web forms, CLI, API) answers alike."""

from __future__ import annotations

import re

from esgledger.service_errors import Invalid

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it), lone surrogates
MAX_LENGTH = {
    "unit": 50,
    "source": 500,
    "note": 4000,
    "explanation": 4000,
    "comment": 4000,
    "reason": 2000,
}


def storable(text: str) -> str:
    """``text`` unchanged, or ``ValueError`` when it holds characters no database can store."""
    if UNSTORABLE.search(text):
        raise ValueError("text contains NUL or unpaired surrogate characters")
    return text


def check_text(text: str | None, field: str) -> str | None:
    """``text`` unchanged, or :class:`Invalid` naming ``field`` (one of :data:`MAX_LENGTH`)."""
    if text is None:
        return None
    limit = MAX_LENGTH[field]
    if len(text) > limit:
        raise Invalid(f"{field}: {len(text)} characters; at most {limit}", field=field)
    try:
        return storable(text)
    except ValueError as exc:
        raise Invalid(f"{field}: {exc}", field=field) from exc
