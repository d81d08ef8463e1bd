"""Anchors: the audit chain head, written down outside the database.

``audit verify`` proves that the chain is whole and that the tables hold what it recorded. It
cannot tell the log from a shorter or a rewritten one that is whole too: whoever may write the
database can delete the last entries (and the rows they wrote) and rewind the head, or edit an
entry and re-hash the chain from there on, and ``verify`` passes. An anchor is the head at one
moment, kept where the database's users cannot reach it (the assurer's working papers, a ticket, a
mail, the report); ``verify`` given anchors checks that the log still *extends* each of them.

An anchor is a small JSON document, format ``esgledger-anchor/1``:

- ``ledger``: the hash of the log's first entry, which names the ledger (an anchor of another
  ledger is refused);
- ``seq``, ``hash``: the last entry when the anchor was taken;
- ``rows_root``: the digest of the row stamps replayed up to that entry, i.e. of what the tables
  held then (:func:`esgledger.ledger.rows.rows_root`);
- ``at``: when it was taken (UTC);
- ``signature`` (optional): Ed25519 over the rest, by a key the operator holds
  (:mod:`esgledger.ledger.anchor_keys`).

An entry's hash covers every entry before it, so an intact log whose entry ``seq`` carries the
anchor's hash extends the anchor; the ledger and the rows root say more precisely what differs,
and let an anchor be checked on its own. A *head* (``SEQ:HASH``, as the report prints it) is an
anchor of those two fields alone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import sqlalchemy as sa

from esgledger.ledger.canonical import canonical_json, utc_now
from esgledger.ledger.verify import Expected, Marks, VerifyResult, read_head, verify_chain
from esgledger.ledger.verify import verify_tables as _verify_tables
from esgledger.service_errors import Conflict, Invalid

FORMAT = "esgledger-anchor/1"
ALGORITHM = "Ed25519"
MAX_ANCHOR_BYTES = 16 * 1024  # an anchor is a few hundred bytes
# What a failed check against an anchor names (``VerifyResult.kind``).
ANCHOR_KINDS = ("anchor_other_ledger", "anchor_missing", "anchor_diverged", "anchor_rows")
_HASH = re.compile(r"[0-9a-f]{64}")
_HEAD = re.compile(r"([0-9]{1,18}):([0-9a-f]{64})")
_FIELDS = ("format", "ledger", "seq", "hash", "at", "rows_root", "signature")


@dataclass(frozen=True)
class Signature:
    """An Ed25519 signature of an anchor's other fields (their canonical JSON); ``key`` is the
    SHA-256 of the raw public key, to tell which key signed."""

    algorithm: str
    key: str
    value: str  # base64

    def as_dict(self) -> dict[str, str]:
        return {"algorithm": self.algorithm, "key": self.key, "value": self.value}


@dataclass(frozen=True)
class Anchor:
    """The chain head at one moment. ``source`` names where it came from (a file) in messages."""

    seq: int
    hash: str
    ledger: str | None = None  # None, as rows_root and at: a head (SEQ:HASH) alone
    rows_root: str | None = None
    at: str | None = None
    signature: Signature | None = None
    source: str = field(default="the anchor", compare=False)

    def body(self) -> dict[str, Any]:
        """The fields a signature covers."""
        return {
            "format": FORMAT,
            "ledger": self.ledger,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "rows_root": self.rows_root,
        }

    def signed_text(self) -> bytes:
        return canonical_json(self.body()).encode()

    def as_dict(self) -> dict[str, Any]:
        document = self.body()
        document["signature"] = None if self.signature is None else self.signature.as_dict()
        return document

    def to_json(self) -> str:
        """The document as written to a file: indented, keys in a fixed order."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"


# -- taking one ------------------------------------------------------------------------------------
def take_anchor(connection: sa.Connection) -> Anchor:
    """The anchor of the chain head as it is now. The chain up to it is verified first: an anchor
    of a broken chain would vouch for the break."""
    head = read_head(connection)
    if head.seq == 0:
        raise Conflict("the audit log is empty: there is nothing to anchor yet", code="empty_log")
    marks = Marks(frozenset({1, head.seq}))
    chain = verify_chain(connection, marks=marks, head=head)
    if not chain.ok:
        raise Conflict(
            f"the audit chain does not verify, so it is not anchored: {chain.problem}",
            code="chain_broken",
        )
    return Anchor(
        seq=head.seq,
        hash=head.hash,
        ledger=marks.found[1].hash,
        rows_root=marks.found[head.seq].rows_root,
        at=utc_now(),
    )


# -- checking the log against anchors -------------------------------------------------------------
def verify_against(
    connection: sa.Connection, anchors: Sequence[Anchor], tables: bool = True
) -> VerifyResult:
    """``audit verify`` with anchors: the chain, then that it extends every anchor (the earliest
    anchor it does not extend is named), then the tables."""
    expected: Expected = {}
    marks = Marks(frozenset({1, *(anchor.seq for anchor in anchors)}))
    chain = verify_chain(connection, expected, marks)
    if not chain.ok:
        return chain
    for anchor in sorted(anchors, key=lambda a: a.seq):
        problem = _problem(anchor, chain.entries, marks)
        if problem is not None:
            kind, message = problem
            return VerifyResult(False, chain.entries, chain.head_hash, message, anchor.seq, kind)
    result = _verify_tables(connection, expected, chain) if tables else chain
    result.anchors = len(anchors)
    return result


def _short(digest: str) -> str:
    return f"{digest[:16]}…"


def _problem(anchor: Anchor, entries: int, marks: Marks) -> tuple[str, str] | None:
    first = marks.found.get(1)
    if anchor.ledger is not None and (first is None or first.hash != anchor.ledger):
        ours = _short(first.hash) if first is not None else "none (the log is empty)"
        return "anchor_other_ledger", (
            f"{anchor.source} is of another ledger: its ledger's first audit entry has hash "
            f"{_short(anchor.ledger)}, this log's first entry {ours} (or this log was "
            "rewritten from its first entry on)"
        )
    taken = f" (taken {anchor.at})" if anchor.at else ""
    found = marks.found.get(anchor.seq)
    if found is None:
        return "anchor_missing", (
            f"{anchor.source}{taken} records entry {anchor.seq}, but the log ends at entry "
            f"{entries}: entries were removed from its end and its head rewound"
        )
    if found.hash != anchor.hash:
        return "anchor_diverged", (
            f"entry {anchor.seq} has hash {_short(found.hash)}, but {anchor.source}{taken} "
            f"records {_short(anchor.hash)}: the log was rewritten at or before entry "
            f"{anchor.seq} (entries edited or replaced and the chain re-hashed)"
        )
    if anchor.rows_root is not None and found.rows_root != anchor.rows_root:
        return "anchor_rows", (
            f"the row stamps up to entry {anchor.seq} digest to {_short(found.rows_root)}, but "
            f"{anchor.source} records {_short(anchor.rows_root)}: the anchor was altered"
        )
    return None


# -- reading one ------------------------------------------------------------------------------------
def parse_head(text: str, source: str = "--head") -> Anchor:
    """A head as the report prints it, ``SEQ:HASH``."""
    match = _HEAD.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise Invalid(
            f"{source}: expected SEQ:HASH (an entry number and its 64-character hash, as the "
            f"report prints them), got {text[:80]!r}",
            field="head",
        )
    return Anchor(int(match.group(1)), match.group(2), source=f"head {match.group(1)}")


def parse_anchor(document: str | bytes | Mapping[str, Any], source: str = "the anchor") -> Anchor:
    """An anchor document (JSON text, or already parsed), every field checked; the errors name
    ``source`` and the field."""
    data: Any = document
    if isinstance(document, str | bytes):
        if len(document) > MAX_ANCHOR_BYTES:
            raise Invalid(
                f"{source} is {len(document)} bytes: an anchor is a JSON document of a few "
                f"hundred bytes (at most {MAX_ANCHOR_BYTES})",
                field="anchor",
            )
        try:
            data = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Invalid(
                f"{source} is not JSON ({exc}): expected an anchor written by "
                "'esgledger audit anchor'",
                field="anchor",
            ) from exc
    if not isinstance(data, Mapping):
        raise Invalid(f"{source}: expected a JSON object (an anchor)", field="anchor")
    unknown = sorted(set(data) - set(_FIELDS))
    missing = [name for name in _FIELDS if name not in data and name != "signature"]
    if unknown or missing:
        said = [f"unknown field(s) {', '.join(unknown)}"] if unknown else []
        said += [f"missing field(s) {', '.join(missing)}"] if missing else []
        raise Invalid(f"{source}: {'; '.join(said)}", field=(unknown or missing)[0])
    if data["format"] != FORMAT:
        _refuse(source, "format", repr(FORMAT), data["format"])
    seq = data["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        _refuse(source, "seq", "a positive whole number", seq)
    return Anchor(
        seq=seq,
        hash=_digest(source, "hash", data["hash"]),
        ledger=_digest(source, "ledger", data["ledger"]),
        rows_root=_digest(source, "rows_root", data["rows_root"]),
        at=_instant(source, data["at"]),
        signature=_signature(source, data.get("signature")),
        source=source,
    )


def _refuse(source: str, name: str, expected: str, got: Any) -> NoReturn:
    shown = repr(got)
    shown = shown if len(shown) <= 80 else f"{shown[:77]}..."
    raise Invalid(f"{source}: {name}: expected {expected}, got {shown}", field=name)


def _digest(source: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        _refuse(source, name, "a SHA-256 hash (64 lowercase hexadecimal characters)", value)
    return str(value)


def _instant(source: str, value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        _refuse(source, "at", "an ISO date and time with its zone", value)
    return str(value)


def _signature(source: str, value: Any) -> Signature | None:
    if value is None:
        return None
    expected = {"algorithm", "key", "value"}
    if not isinstance(value, Mapping) or set(value) != expected:
        _refuse(source, "signature", "null or an object with algorithm, key and value", value)
    if value["algorithm"] != ALGORITHM:
        _refuse(source, "signature.algorithm", repr(ALGORITHM), value["algorithm"])
    key = _digest(source, "signature.key", value["key"])
    text = value["value"]
    try:
        raw = base64.b64decode(text, validate=True) if isinstance(text, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 64:
        _refuse(source, "signature.value", "an Ed25519 signature in base64 (64 bytes)", text)
    return Signature(ALGORITHM, key, str(text))
