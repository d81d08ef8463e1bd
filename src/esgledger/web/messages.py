"""Error messages in the page language.

The services speak English (their message is also the API's); the pages translate a refusal by
its ``code`` and ``field``, filling placeholders from its ``details``. A Chinese page shows the
translation with the service's English message beside it (the precise detail: which value, which
row); an English page shows the service's message as it is.

Keys in ``i18n.yaml``, tried in this order (the first whose placeholders can all be filled wins):

* ``error.code.CODE.FIELD``: a code about one field (``error.code.exists.username``);
* ``error.field.FIELD``: a refused value of a field, for the codes that only say "invalid";
* ``error.code.CODE``: every code has one (``tests/test_web_i18n.py`` checks);
* then a generic headline: ``error.generic.invalid`` or ``error.generic.failed``.

Each of these may have a ``.detail`` variant using the details (``{found}``, ``{locked}``), tried
first; when the error does not carry them the plain key is used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from esgledger.free_text import MAX_LENGTH
from esgledger.report.formatting import format_number
from esgledger.services.accounts import MAX_PASSWORD_LENGTH as PASSWORD_MAX
from esgledger.services.accounts import MIN_PASSWORD_LENGTH as PASSWORD_MIN
from esgledger.services.periods import FIRST_YEAR, LAST_YEAR
from esgledger.web.render import file_size, unit_name

if TYPE_CHECKING:
    from esgledger.i18n import Strings

# Codes that only say "invalid": the field says what is wrong.
FIELD_CODES = ("invalid", "invalid_request")
# Refusals told apart only by their message: (code, start of the message, key suffix).
RECOGNISED = (
    ("forbidden", "segregation of duties: this finding", "segregation_finding"),
    ("forbidden", "segregation of duties", "segregation"),
)


@dataclass(frozen=True)
class Message:
    """``text`` in the page language; ``detail``, the service's English message, when ``text``
    is a translation of it."""

    text: str
    detail: str | None = None


def localize(t: Strings, error: Mapping[str, Any]) -> Message:
    """``error`` (``code``, ``message``, ``field``, ``details``, optionally ``status``) for a
    page in ``t.lang``."""
    message = str(error.get("message") or "")
    if t.lang == "en":
        return Message(message)
    code = str(error.get("code") or "error")
    field = str(error["field"]) if error.get("field") else None
    values = placeholders(t, field, error.get("details"))
    for key in candidates(code, field, message):
        for variant in (f"{key}.detail", key):
            text = fill(t, variant, values)
            if text is not None:
                return Message(text, message or None)
    generic = "invalid" if field or error.get("status") == 422 else "failed"
    return Message(t(f"error.generic.{generic}"), message or None)


def candidates(code: str, field: str | None, message: str) -> list[str]:
    keys = [
        f"error.code.{code}.{suffix}"
        for c, start, suffix in RECOGNISED
        if c == code and message.startswith(start)
    ]
    if field:
        keys.append(f"error.code.{code}.{field}")
        if code in FIELD_CODES:
            keys.append(f"error.field.{field}")
    keys.append(f"error.code.{code}")
    return keys


def fill(t: Strings, key: str, values: Mapping[str, object]) -> str | None:
    """The text of ``key`` with ``values`` filled in; None when the key is not in the table or
    needs a value that is not there."""
    texts = t.table.get(key)
    if texts is None:
        return None
    try:
        return texts[t.lang].format(**values)
    except (KeyError, IndexError, ValueError):
        return None


def placeholders(t: Strings, field: str | None, details: Any) -> dict[str, object]:
    """What a translation may name: the field's limits and the details, shown in the page
    language (a status as its name, a ratio as a percentage, a size in MiB)."""
    values: dict[str, object] = {}
    if field in MAX_LENGTH:
        values["limit"] = MAX_LENGTH[field]
    if field == "password":
        values.update(min=PASSWORD_MIN, max=PASSWORD_MAX)
    if field == "period":
        values.update(first=FIRST_YEAR, last=LAST_YEAR)
    if isinstance(details, list):  # the issues of a refused value: the one about the field
        issues = [d for d in details if isinstance(d, Mapping)]
        details = next(
            (d for d in issues if d.get("field") == field), issues[0] if issues else None
        )
    if not isinstance(details, Mapping):
        return values
    for name, value in details.items():
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            values[name] = value
    if isinstance(details.get("status"), str):
        values["status"] = t.get(f"status.{details['status']}", details["status"])
    for name in ("change", "threshold"):
        ratio = details.get(name)
        if isinstance(ratio, int | float) and not isinstance(ratio, bool) and math.isfinite(ratio):
            values[name] = f"{ratio:.0%}"
        else:
            values.pop(name, None)
    before = details.get("last_year")
    if isinstance(before, int | float) and not isinstance(before, bool):
        unit = str(details.get("last_year_unit") or "")
        values["last_year"] = f"{format_number(before)} {unit_name(unit, t.lang)}".strip()
    current = details.get("current")
    if isinstance(current, Mapping) and current.get("created_by"):
        values["by"] = current["created_by"]
    counts = details.get("by_status")
    if isinstance(counts, Mapping):
        pending = [(s, n) for s, n in sorted(counts.items()) if s != "approved" and n]
        if pending:
            values["pending"] = t("error.list_separator").join(
                t("error.status_count", status=t.get(f"status.{s}", s), count=n) for s, n in pending
            )
    size = details.get("max_bytes")
    if isinstance(size, int) and not isinstance(size, bool):
        values["max_bytes"] = file_size(size)
    return values
