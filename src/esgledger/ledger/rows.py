"""The tables the ledger vouches for, and the digest of a row.

Every write to one of these tables is recorded in the audit entry that made it: the entry carries a
*row stamp* ``(table, key, digest)`` of each row it inserted, changed or deleted (digest None), and
the stamps are part of the entry's hash. ``audit verify`` replays the stamps of the whole log and
compares them with a digest of each row as it stands, so a row changed, added or removed outside
esgledger (an ``UPDATE`` in a SQL console, a restored file) is found and named.

A row's digest covers its content columns (operational counters such as failed sign-ins are left
out). A table with children (a stored inventory's values, a factor set's values) keeps a digest of
all its child rows in a column of the parent, so that thousands of values are vouched for by one
stamp.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json
from esgledger.store import schema


@dataclass(frozen=True)
class RowStamp:
    """What an audit entry records of one row it wrote: its table, key and digest (None when the
    entry deleted it)."""

    table: str
    key: str
    digest: str | None

    def as_list(self) -> list[str | None]:
        return [self.table, self.key, self.digest]


@dataclass(frozen=True)
class Children:
    """Rows of ``table`` that belong to one parent row (``link`` pairs child and parent columns);
    the parent's ``digest_column`` holds the digest of all of them."""

    table: sa.Table
    link: tuple[tuple[str, str], ...]
    digest_column: str = "values_digest"


@dataclass(frozen=True)
class Tracked:
    table: sa.Table
    key: tuple[str, ...]
    content: tuple[str, ...]
    children: Children | None = None

    @property
    def name(self) -> str:
        return self.table.name


def _tracked(
    table: sa.Table, *, leave_out: Sequence[str] = (), children: Children | None = None
) -> Tracked:
    key = tuple(column.name for column in table.primary_key.columns)
    content = tuple(c.name for c in table.columns if c.name not in leave_out)
    return Tracked(table, key, content, children)


# In the order ``audit verify`` checks them (parents before the tables that refer to them).
TRACKED: dict[str, Tracked] = {
    spec.name: spec
    for spec in (
        _tracked(
            schema.factor_sets,
            children=Children(
                schema.factor_values, (("factor_set", "set_id"), ("version", "version"))
            ),
        ),
        _tracked(schema.entities),
        _tracked(schema.entity_aliases),
        # failed sign-ins and the lockout they cause are operational, not ledger contents
        _tracked(schema.users, leave_out=("failed_attempts", "locked_until")),
        _tracked(schema.user_entities),
        _tracked(schema.settings),
        _tracked(schema.period_locks),
        _tracked(schema.import_batches),
        _tracked(schema.datapoints),
        _tracked(schema.review_comments),
        _tracked(schema.evidence),
        _tracked(schema.transfers),
        _tracked(schema.certificates),
        _tracked(schema.calc_runs, children=Children(schema.calc_values, (("run_id", "id"),))),
        _tracked(schema.report_builds),
        _tracked(schema.catalogue_versions),
        _tracked(schema.stakeholder_groups),
        _tracked(schema.materiality_assessments),
        _tracked(schema.materiality_topics),
        _tracked(schema.iros),
        _tracked(schema.iro_scores),
        _tracked(schema.questionnaire_links),
        _tracked(schema.stakeholder_responses),
        _tracked(schema.materiality_decisions),
        _tracked(schema.targets),
        _tracked(schema.assess_topics),
        _tracked(schema.governance_bodies),
        _tracked(schema.governance_meetings),
        _tracked(schema.director_training),
        _tracked(schema.policies),
        _tracked(schema.report_sections),
        _tracked(schema.disclose_profiles),
        _tracked(schema.disclose_explanations),
        _tracked(schema.qa_justifications),
        _tracked(schema.qa_overrides),
    )
}
CHILD_TABLES = {spec.children.table.name: spec for spec in TRACKED.values() if spec.children}


def _date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _normaliser(column: sa.Column[Any]) -> Callable[[Any], Any]:
    """How a column's (non-null) value is put in the one form it has on every backend (SQLite
    stores 5 in a REAL column as 5.0, and gives dates back as dates)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.Float):
        return float
    if isinstance(kind, sa.Integer):
        return int
    if isinstance(kind, sa.Date):
        return _date_text
    return str


@functools.cache
def _normalisers(table: sa.Table, names: tuple[str, ...]) -> tuple[Callable[[Any], Any], ...]:
    """The normaliser of each column of ``names``, worked out once per table and column list
    (every write stamps its rows: this is on the path of every API write)."""
    return tuple(_normaliser(table.c[name]) for name in names)


@functools.cache
def _integer_id(table: sa.Table, key: tuple[str, ...]) -> bool:
    return len(key) == 1 and isinstance(table.c[key[0]].type, sa.Integer)


def key_text(spec: Tracked, row: Mapping[Any, Any]) -> str:
    """The row's key as the stamps spell it: a JSON array of its key columns."""
    if _integer_id(spec.table, spec.key):
        only = row[spec.key[0]]
        if type(only) is int:  # an integer id (data points, batches): "[17]", as JSON spells it
            return f"[{only}]"
    return canonical_json(_values(spec.table, spec.key, row))


def _values(table: sa.Table, names: tuple[str, ...], row: Mapping[Any, Any]) -> list[Any]:
    try:
        raw = [row[name] for name in names]
    except KeyError as exc:  # a writer left out a column: its database default would go unstamped
        raise KeyError(f"a row of {table.name} is written without column {exc}") from exc
    return [
        None if value is None else normalise(value)
        for value, normalise in zip(raw, _normalisers(table, names), strict=True)
    ]


def child_digest(table: sa.Table, row: Mapping[Any, Any]) -> str:
    columns = tuple(c.name for c in table.columns)
    return hashlib.sha256(canonical_json(_values(table, columns, row)).encode()).hexdigest()


def children_digest(digests: Iterable[str]) -> str:
    """One digest of a parent's child rows, whatever order they were read in."""
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


def row_digest(spec: Tracked, row: Mapping[Any, Any]) -> str:
    """SHA-256 of the table name and the row's content columns."""
    body = [spec.name, _values(spec.table, spec.content, row)]
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def stamp(spec: Tracked, row: Mapping[Any, Any]) -> RowStamp:
    return RowStamp(spec.name, key_text(spec, row), row_digest(spec, row))


def merged(*writes: Sequence[RowStamp]) -> list[RowStamp]:
    """The stamps of several writes in order, the last stamp of each row winning (a row deleted
    and inserted again is one row that exists)."""
    found: dict[tuple[str, str], RowStamp] = {}
    for stamps in writes:
        found.update({(s.table, s.key): s for s in stamps})
    return list(found.values())


# Text that JSON writes between quotes unchanged: such parts are spelt without the encoder.
_PLAIN = re.compile(r"^[A-Za-z0-9_.\-\[\]]*$")


def plain_text(value: object) -> bool:
    return type(value) is str and _PLAIN.match(value) is not None


def stamps_text(stamps: Sequence[RowStamp]) -> str | None:
    """The ``rows`` column of an audit entry (None when it wrote no tracked row): the canonical
    JSON of ``[[table, key, digest], ...]``, spelt directly when no part needs escaping (an
    integer key, a hex digest: every data point's), through the encoder otherwise."""
    if not stamps:
        return None
    if all(plain_text(s.table) and plain_text(s.key) for s in stamps) and all(
        s.digest is None or plain_text(s.digest) for s in stamps
    ):
        return "[" + ",".join(f'["{s.table}","{s.key}",{_digest(s.digest)}]' for s in stamps) + "]"
    return canonical_json([s.as_list() for s in stamps])


def _digest(digest: str | None) -> str:
    return "null" if digest is None else f'"{digest}"'


def parse_stamps(text: str | None) -> list[RowStamp]:
    if not text:
        return []
    return [RowStamp(table, key, digest) for table, key, digest in json.loads(text)]


def rows_root(replayed: Iterable[tuple[str, str, str | None]]) -> str:
    """One digest of the rows a replay of the stamps says exist (``(table, key, digest)``, the
    last stamp of each row; a row whose last stamp has no digest was deleted and is left out):
    SHA-256 over one line ``canonical JSON [table, key, digest]`` per row, in the order of table
    name and then key text (by code point). An anchor records it (:mod:`esgledger.ledger.anchors`)."""
    root = hashlib.sha256()
    for table, key, digest in sorted((t, k, d) for t, k, d in replayed if d is not None):
        root.update(f"{canonical_json([table, key, digest])}\n".encode())
    return root.hexdigest()
