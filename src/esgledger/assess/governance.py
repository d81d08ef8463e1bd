"""The sustainability governance records, checked: bodies (board, committees, working groups,
teams; SSE Guideline No. 14 Art. 12(1), HKEX ESG Reporting Code Part B board statement, IFRS S2
para 6), the meetings they hold, the training given to directors (HKEX B7.3), and the fields of
the policy register. Pure: the services read the stored records and call these checks; a problem
is a :class:`FieldError` naming the field (the services add the row of an imported file).

The vocabulary (body kinds, reporting frequencies, policy-name endings) is reviewed data in
``assess/data/governance.yaml``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from esgledger.errors import EsgLedgerError, RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file

RULES_FILE = Path(__file__).parent / "data" / "governance.yaml"
RECORD_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
MAX_HOURS = 1000.0
_LIST_SEPARATORS = re.compile(r"[;；,，\n]+")


class FieldError(EsgLedgerError):
    """A field of a record is refused: ``field`` and what was expected."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rules:
    body_kinds: Mapping[str, Mapping[str, str]]
    frequencies: Mapping[str, Mapping[str, str]]
    policy_suffixes: tuple[str, ...]
    policy_similarity: float


@lru_cache(maxsize=1)
def rules(path: Path = RULES_FILE) -> Rules:
    """The vocabulary of ``governance.yaml``; a malformed file is refused naming it."""
    content, _sha = read_rule_file(path)
    where = str(path)
    check_keys(
        where, content, ["body_kinds", "frequencies", "policy_suffixes", "policy_similarity"]
    )
    kinds = {
        str(k): bilingual(f"{where}: body_kinds.{k}", v) for k, v in content["body_kinds"].items()
    }
    frequencies = {
        str(k): bilingual(f"{where}: frequencies.{k}", v) for k, v in content["frequencies"].items()
    }
    suffixes = [str(s).casefold() for s in content["policy_suffixes"]]
    ratio = content["policy_similarity"]
    if not isinstance(ratio, float) or not 0.0 < ratio < 1.0:
        raise RuleFileError(where, "policy_similarity must be a number between 0 and 1")
    return Rules(kinds, frequencies, tuple(sorted(suffixes, key=len, reverse=True)), ratio)


# -- fields -------------------------------------------------------------------------------------
def record_id(value: Any, field: str = "id") -> str:
    text = text_field(value, field)
    if not RECORD_ID.match(text):
        raise FieldError(field, f"{text!r} is not an id (lower-case letters, digits, _ . -)")
    return text


def text_field(value: Any, field: str, required: bool = True, limit: int = 4000) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise FieldError(field, f"{field} is empty; expected text")
    if len(text) > limit:
        raise FieldError(field, f"{field} has {len(text)} characters; at most {limit}")
    return text


def date_field(value: Any, field: str) -> dt.date:
    """A calendar date (``YYYY-MM-DD``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"{field} {text!r} is not a date (YYYY-MM-DD)") from None


def hours_field(value: Any, field: str = "hours") -> float:
    """Hours of training: a number above 0 (at most 1,000)."""
    try:
        hours = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise FieldError(field, f"{field} {value!r} is not a number of hours") from None
    if not math.isfinite(hours) or hours <= 0 or hours > MAX_HOURS:
        raise FieldError(field, f"{field} {value!r} must be above 0 and at most {MAX_HOURS:g}")
    return hours


def count_field(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise FieldError(field, f"{field} {value!r} is not a whole number") from None
    if number < 0:
        raise FieldError(field, f"{field} {number} is negative")
    return number


def list_field(value: Any, field: str) -> list[str]:
    """A list, or text separated by ``;`` or ``,`` (as a CSV cell holds it); no repeats."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = [item.strip() for item in _LIST_SEPARATORS.split(value)]
    elif isinstance(value, (list, tuple)):
        items = [str(item).strip() for item in value]
    else:
        raise FieldError(field, f"{field} must be a list")
    found: list[str] = []
    for item in items:
        if item and item not in found:
            found.append(item)
    return found


def topic_ids(value: Any, known: Iterable[str], field: str = "topic_ids") -> list[str]:
    """Topic ids of the library; an unknown one is refused naming it."""
    ids = list_field(value, field)
    library = set(known)
    unknown = [topic for topic in ids if topic not in library]
    if unknown:
        raise FieldError(field, f"unknown topic(s) {', '.join(unknown)}; see 'assess topics list'")
    return ids


def choice(value: Any, field: str, allowed: Iterable[str]) -> str:
    text = text_field(value, field)
    options = list(allowed)
    if text not in options:
        raise FieldError(field, f"{field} {text!r} is not one of {', '.join(options)}")
    return text


def members_field(value: Any, field: str = "members") -> list[dict[str, str]]:
    """Members with their roles: a list of ``{name, role}``, or text ``name: role; name: role``."""
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        pairs = [(str(m.get("name") or ""), str(m.get("role") or "")) for m in value]
    else:
        pairs = []
        for item in list_field(value, field):
            name, _colon, role = item.replace("：", ":").partition(":")
            pairs.append((name, role))
    members = []
    for name, role in pairs:
        if not name.strip():
            raise FieldError(field, f"a member without a name in {value!r} (name: role)")
        members.append({"name": name.strip(), "role": role.strip()})
    return members


# -- the structure ------------------------------------------------------------------------------
def check_parent(body_id: str, parent_id: str | None, parents: Mapping[str, str | None]) -> None:
    """``parent_id`` must be a body in force and not ``body_id`` itself or one of its members'
    bodies (the structure is a tree). ``parents``: body id -> parent id, of the bodies in force."""
    if parent_id is None:
        return
    if parent_id not in parents:
        raise FieldError("parent_id", f"parent body {parent_id!r} does not exist")
    seen = {body_id}
    current: str | None = parent_id
    while current is not None:
        if current in seen:
            raise FieldError("parent_id", f"{body_id!r} under {parent_id!r} would make a cycle")
        seen.add(current)
        current = parents.get(current)


def tree_order(parents: Mapping[str, str | None]) -> list[tuple[str, int]]:
    """The bodies as a tree, depth first: ``(id, depth)``; roots (and orphans) at depth 0."""
    children: dict[str | None, list[str]] = {}
    for body, parent in parents.items():
        children.setdefault(parent if parent in parents else None, []).append(body)
    ordered: list[tuple[str, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for body in sorted(children.get(parent, [])):
            ordered.append((body, depth))
            walk(body, depth + 1)

    walk(None, 0)
    return ordered


def covered(bodies: Iterable[Sequence[str]]) -> set[str]:
    """The topics covered by the duties of the given bodies (SSE No. 14 Art. 11(1) governance)."""
    return {topic for topics in bodies for topic in topics}
