"""Free text that people type (units, sources, notes, explanations, comments, reasons, entity
names and aliases): what a database can store and how long it may be. The REST API checks the
same limits in its request models; the services and the importers check them again with
:func:`text_problem`, so that every path (web forms, CLI, API, imported files) answers alike."""

from __future__ import annotations

import re
from dataclasses import dataclass

from esgledger.service_errors import Invalid

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it), lone surrogates
# Control characters (C0, DEL, C1) and the bidirectional overrides and isolates, which can make
# a name print as something else: not allowed in text that is shown on one line.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_LENGTH = {
    "unit": 50,
    "source": 500,
    "note": 4000,
    "explanation": 4000,
    "justification": 4000,
    "comment": 4000,
    "reason": 2000,
    "name": 200,
    "name_zh": 200,
    "alias": 200,
    "certificate_id": 200,
}
# Labels shown on one line (a table cell, a heading): no line breaks or other control characters.
ONE_LINE = frozenset({"unit", "name", "name_zh", "alias", "certificate_id"})


@dataclass(frozen=True)
class TextProblem:
    found: str
    expected: str


def storable(text: str) -> str:
    """``text`` unchanged, or ``ValueError`` when it holds characters no database can store."""
    if UNSTORABLE.search(text):
        raise ValueError("text contains NUL or unpaired surrogate characters")
    return text


def one_line(text: str) -> str:
    """``text`` unchanged, or ``ValueError`` when it holds control characters."""
    if CONTROL.search(text):
        raise ValueError("text contains control characters (line breaks, tabs, ...)")
    return text


def text_problem(text: str, field: str) -> TextProblem | None:
    """What is wrong with ``text`` as a value of ``field`` (one of :data:`MAX_LENGTH`), if
    anything."""
    limit = MAX_LENGTH[field]
    if len(text) > limit:
        return TextProblem(f"a text of {len(text):,} characters", f"at most {limit} characters")
    if UNSTORABLE.search(text):
        return TextProblem("NUL or unpaired surrogate characters", "text that a database can store")
    if field in ONE_LINE and CONTROL.search(text):
        return TextProblem(
            "control characters (line breaks, tabs, ...)", "text on one line without them"
        )
    return None


def check_text(text: str | None, field: str) -> str | None:
    """``text`` unchanged, or :class:`Invalid` naming ``field`` (one of :data:`MAX_LENGTH`)."""
    if text is None:
        return None
    problem = text_problem(text, field)
    if problem is not None:
        raise Invalid(f"{field}: found {problem.found}; expected {problem.expected}", field=field)
    return text
