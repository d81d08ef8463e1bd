"""``audit verify``: the chain of entries is intact, and the tables hold exactly what it recorded.

1. The chain: walked in sequence order, each entry's hash is recomputed and its link to the one
   before checked; the first entry edited, removed or moved is named (and the head row must
   anchor the last entry, so truncating the log shows too).
2. The tables: the row stamps of every entry are replayed (the last stamp of a row wins; a stamp
   without a digest removes it) and compared with a digest of every row of every tracked table
   (:data:`esgledger.ledger.rows.TRACKED`) as it stands, and each parent's digest of its child
   rows with the child rows. The first table and row that differ are named: changed, missing or
   not in the log at all.

The walk can note chosen entries on the way (:class:`Marks`): their hash and the rows root of the
stamps replayed up to them, which is what an anchor records and is checked against
(:mod:`esgledger.ledger.anchors`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.ledger.audit import GENESIS, entry_hash
from esgledger.ledger.rows import (
    TRACKED,
    Tracked,
    child_digest,
    children_digest,
    key_text,
    parse_stamps,
    row_digest,
    rows_root,
)
from esgledger.store.schema import audit_head, audit_log

BATCH = 5000  # rows read per round trip while walking the log and the tables
# What a failed verification names: a broken chain, or a table that differs from the log.
CHAIN_KINDS = ("edited", "removed", "reordered")
TABLE_KINDS = ("row_changed", "row_missing", "row_unlogged", "values_changed")


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    problem: str | None = None
    seq: int | None = None
    kind: str | None = None  # one of CHAIN_KINDS or TABLE_KINDS
    table: str | None = None
    row: str | None = None  # the row's key, as the stamps spell it
    differences: int = 0  # rows of tracked tables that differ from the log
    rows_checked: int = 0
    anchors: int = 0  # anchors the chain was found to extend

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "problem": self.problem,
            "seq": self.seq,
            "kind": self.kind,
            "table": self.table,
            "row": self.row,
            "differences": self.differences,
            "rows_checked": self.rows_checked,
            "anchors": self.anchors,
        }


Expected = dict[tuple[str, str], tuple[str | None, int]]  # (table, key) -> (digest, seq)


@dataclass(frozen=True)
class Mark:
    """An entry as the walk passed it: its hash, and the rows root of the stamps replayed up to
    and including it (:func:`esgledger.ledger.rows.rows_root`)."""

    hash: str
    rows_root: str


@dataclass
class Marks:
    """The entries (by sequence number) the walk is to note, and what it found of them."""

    at: frozenset[int]
    found: dict[int, Mark] = field(default_factory=dict)


@dataclass(frozen=True)
class HeadRow:
    """The chain head a walk ends at: the sequence number and hash of the last entry."""

    seq: int
    hash: str


def verify(connection: sa.Connection, tables: bool = True) -> VerifyResult:
    """Verify the chain and (unless ``tables`` is False) the tracked tables against it."""
    expected: Expected = {}
    result = verify_chain(connection, expected)
    if not result.ok or not tables:
        return result
    return verify_tables(connection, expected, result)


def _entries(connection: sa.Connection, until: int | None = None) -> Iterator[Any]:
    columns = (
        audit_log.c.seq,
        audit_log.c.at,
        audit_log.c.actor,
        audit_log.c.action,
        audit_log.c.object_type,
        audit_log.c.object_id,
        audit_log.c.payload,
        audit_log.c.prev_hash,
        audit_log.c.hash,
        audit_log.c.rows,
    )
    last = 0
    bound = [] if until is None else [audit_log.c.seq <= until]
    while True:  # keyset pages: memory stays flat on a long log, on both backends
        page = connection.execute(
            sa.select(*columns)
            .where(audit_log.c.seq > last, *bound)
            .order_by(audit_log.c.seq)
            .limit(BATCH)
        ).all()
        if not page:
            return
        yield from page
        last = page[-1].seq


def read_head(connection: sa.Connection) -> HeadRow:
    row = connection.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    ).one()
    return HeadRow(int(row.seq), str(row.hash))


def verify_chain(
    connection: sa.Connection,
    expected: Expected | None = None,
    marks: Marks | None = None,
    head: HeadRow | None = None,
) -> VerifyResult:
    """Walk the chain; report the first entry that was edited, removed or moved. Collects the
    entries' row stamps into ``expected`` on the way, and notes the entries ``marks`` asks for.
    The walk ends at ``head`` (default: the head row as read now; given one read earlier, the
    entries appended since are left out)."""
    until = None if head is None else head.seq
    if head is None:
        head = read_head(connection)
    if marks is not None and expected is None:
        expected = {}
    seen_hashes: set[str] = set()
    previous_hash = GENESIS
    count = 0
    last: sa.Row[Any] | None = None
    for row in _entries(connection, until):
        count += 1
        expected_seq = count
        if row.seq != expected_seq:
            return VerifyResult(
                False,
                count,
                previous_hash,
                f"entry {expected_seq} is missing (next present entry is {row.seq})",
                expected_seq,
                "removed",
            )
        recomputed = entry_hash(
            row.prev_hash,
            row.at,
            row.actor,
            row.action,
            row.object_type,
            row.object_id,
            row.payload,
            row.rows,
        )
        if recomputed != row.hash:
            return VerifyResult(
                False,
                count,
                previous_hash,
                f"entry {row.seq} ({row.action} {row.object_id}) was edited: its "
                "content no longer matches its hash",
                row.seq,
                "edited",
            )
        if row.prev_hash != previous_hash:
            if row.prev_hash in seen_hashes or _links_later(connection, row):
                return VerifyResult(
                    False,
                    count,
                    previous_hash,
                    f"entry {row.seq} ({row.action} {row.object_id}) is out of "
                    "order: it links to an entry other than the one before it",
                    row.seq,
                    "reordered",
                )
            return VerifyResult(
                False,
                count,
                previous_hash,
                f"the entry before {row.seq} was removed or replaced: entry "
                f"{row.seq} links to a hash that is not in the log",
                row.seq,
                "removed",
            )
        if expected is not None and row.rows:
            for item in parse_stamps(row.rows):
                expected[(item.table, item.key)] = (item.digest, row.seq)
        if marks is not None and row.seq in marks.at:
            assert expected is not None
            root = rows_root((table, key, found[0]) for (table, key), found in expected.items())
            marks.found[row.seq] = Mark(row.hash, root)
        seen_hashes.add(row.hash)
        previous_hash = row.hash
        last = row
    if last is not None and head.seq == count and head.hash != previous_hash:
        return VerifyResult(
            False,
            count,
            previous_hash,
            f"entry {last.seq} ({last.action} {last.object_id}) was replaced: it no "
            "longer matches the hash its head records",
            last.seq,
            "edited",
        )
    if head.seq != count or head.hash != previous_hash:
        return VerifyResult(
            False,
            count,
            previous_hash,
            f"the log ends at entry {count} but its head records entry "
            f"{head.seq}: entries at the end were removed or the head was altered",
            count + 1,
            "removed",
        )
    return VerifyResult(True, count, previous_hash)


def _links_later(connection: sa.Connection, row: sa.Row[Any]) -> bool:
    """Whether ``row`` links to an entry further on in the log (two entries swapped)."""
    found = connection.execute(
        sa.select(audit_log.c.seq).where(audit_log.c.hash == row.prev_hash).limit(1)
    ).first()
    return found is not None


@dataclass
class _Difference:
    table: str
    key: str
    kind: str
    seq: int | None


def _rows(connection: sa.Connection, table: sa.Table) -> Iterator[sa.RowMapping]:
    """Every row of ``table``, read in keyset pages of its primary key (no server-side cursor,
    which PostgreSQL's autocommit reads cannot hold)."""
    key = list(table.primary_key.columns)
    query = sa.select(table).order_by(*key).limit(BATCH)
    last: tuple[Any, ...] | None = None
    while True:
        page = (
            connection.execute(
                query if last is None else query.where(sa.tuple_(*key) > sa.tuple_(*last))
            )
            .mappings()
            .all()
        )
        yield from page
        if len(page) < BATCH:
            return
        last = tuple(page[-1][column.name] for column in key)


def _actual(connection: sa.Connection, spec: Tracked) -> dict[str, tuple[str, Any]]:
    """key -> (digest, the parent's children digest column or None)."""
    digest_column = spec.children.digest_column if spec.children else None
    return {
        key_text(spec, row): (row_digest(spec, row), row[digest_column] if digest_column else None)
        for row in _rows(connection, spec.table)
    }


def _children(connection: sa.Connection, spec: Tracked) -> dict[str, list[str]]:
    """Parent key -> digests of its child rows."""
    assert spec.children is not None
    link = dict((parent, child) for child, parent in spec.children.link)
    grouped: dict[str, list[str]] = {}
    for row in _rows(connection, spec.children.table):
        parent = key_text(spec, {name: row[link[name]] for name in spec.key})
        grouped.setdefault(parent, []).append(child_digest(spec.children.table, row))
    return grouped


def verify_tables(
    connection: sa.Connection, expected: Expected, chain: VerifyResult
) -> VerifyResult:
    """Compare every tracked table with the replayed stamps; the first difference is named."""
    differences: list[_Difference] = []
    checked = 0
    for spec in TRACKED.values():
        actual = _actual(connection, spec)
        checked += len(actual)
        wanted = {key: found for (table, key), found in expected.items() if table == spec.name}
        for key in sorted(set(actual) | set(wanted), key=_sort_key):
            digest, seq = wanted.get(key, (None, None))
            have = actual.get(key)
            if have is None:
                if digest is not None:
                    differences.append(_Difference(spec.name, key, "row_missing", seq))
            elif digest is None:
                differences.append(_Difference(spec.name, key, "row_unlogged", seq))
            elif have[0] != digest:
                differences.append(_Difference(spec.name, key, "row_changed", seq))
        if spec.children is not None:
            children = _children(connection, spec)
            checked += sum(len(found) for found in children.values())
            for key in sorted(set(actual) | set(children), key=_sort_key):
                have = actual.get(key)
                if have is None or have[1] != children_digest(children.get(key, [])):
                    differences.append(_Difference(spec.name, key, "values_changed", None))
    if not differences:
        return VerifyResult(True, chain.entries, chain.head_hash, rows_checked=checked)
    first = differences[0]
    return VerifyResult(
        False,
        chain.entries,
        chain.head_hash,
        _describe(connection, first, len(differences)),
        first.seq,
        first.kind,
        first.table,
        first.key,
        len(differences),
        checked,
    )


def _sort_key(key: str) -> tuple[Any, ...]:
    parts = json.loads(key)
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parts)


def _entry_text(connection: sa.Connection, seq: int | None) -> str:
    if seq is None:
        return "no entry"
    row = connection.execute(
        sa.select(audit_log.c.action, audit_log.c.actor, audit_log.c.at).where(
            audit_log.c.seq == seq
        )
    ).first()
    if row is None:
        return f"entry {seq}"
    return f"entry {seq} ({row.action} by {row.actor} at {row.at})"


def _describe(connection: sa.Connection, first: _Difference, count: int) -> str:
    where = f"table {first.table}, row {first.key}"
    entry = _entry_text(connection, first.seq)
    if first.kind == "row_changed":
        text = f"{where}: its contents differ from what audit {entry} recorded"
    elif first.kind == "row_missing":
        text = f"{where} is missing: audit {entry} wrote it and no entry removed it"
    elif first.kind == "row_unlogged":
        text = f"{where} is not in the audit log: it was written outside esgledger"
    else:
        child = TRACKED[first.table].children
        child_name = child.table.name if child else "child"
        text = f"{where}: its {child_name} rows differ from the digest it records"
    more = count - 1
    return text + (f" ({more} more row(s) differ)" if more else "")
