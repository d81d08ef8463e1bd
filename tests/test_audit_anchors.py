"""Anchors (issue 8, part 3): the chain head written down outside the database.

Removing the last entries (and the rows they wrote) and rewinding the head, or editing an entry
and re-hashing the chain from there on, leaves a log that ``audit verify`` cannot tell from the
real one: these tests show that it passes, and that verifying against an anchor taken earlier
fails and says what happened. On both backends, through the service; signed anchors; reading
anchor documents. The doors are in ``test_audit_anchor_doors.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from esgledger.service_errors import Conflict, Invalid
from esgledger.services import Services
from esgledger.services.audit import (
    ANCHOR_KINDS,
    new_signing_key,
    parse_anchor,
)
from esgledger.web.i18n import Strings
from tests.anchor_helpers import check, import_more, log, small_ledger, stamps_root, take
from tests.ledger_fixture import Ledger
from tests.tampering import cut_log, execute, rewrite_from


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    return small_ledger(ws, tmp_path)


# -- what an anchor records ------------------------------------------------------------------------
def test_an_anchor_records_the_ledger_the_head_and_the_rows(ledger: Ledger) -> None:
    anchor = take(ledger)
    entries = log(ledger)
    assert anchor.ledger == entries[0].hash
    assert (anchor.seq, anchor.hash) == (entries[-1].seq, entries[-1].hash)
    assert anchor.rows_root == stamps_root(entries)
    assert anchor.at is not None
    taken = dt.datetime.fromisoformat(anchor.at)
    assert taken.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - taken) < dt.timedelta(minutes=5)
    document = json.loads(anchor.to_json())
    assert list(document) == ["format", "ledger", "seq", "hash", "at", "rows_root", "signature"]
    assert document["format"] == "esgledger-anchor/1" and document["signature"] is None
    assert parse_anchor(anchor.to_json()) == anchor


def test_the_rows_root_leaves_out_deleted_rows(ledger: Ledger) -> None:
    """A user's entity assignment, deleted by a later entry, leaves the root as it was before."""
    services, admin = ledger.services, ledger.admin
    services.accounts.create(admin, "anna", "correct horse battery", "viewer", [])
    unassigned = take(ledger)
    services.accounts.update(admin, "anna", entities=["smelter"])
    assigned = take(ledger)
    services.accounts.update(admin, "anna", entities=[])
    again = take(ledger)
    stamps = [json.loads(r.rows or "[]") for r in log(ledger)[assigned.seq :]]
    assert ["user_entities", '["anna","smelter"]', None] in [s for e in stamps for s in e]
    assert len({unassigned.rows_root, assigned.rows_root}) == 2
    assert again.rows_root == unassigned.rows_root == stamps_root(log(ledger))


def test_an_intact_log_that_grew_extends_its_anchors(ledger: Ledger, tmp_path: Path) -> None:
    first = take(ledger)
    import_more(ledger, tmp_path)
    second = take(ledger)
    assert second.seq > first.seq and second.ledger == first.ledger
    result = check(ledger, first, second)
    assert result.ok, result.problem
    assert (result.anchors, result.entries, result.head_hash) == (2, second.seq, second.hash)
    assert result.rows_checked > 0  # the tables were checked too


# -- removing the last entries ---------------------------------------------------------------------
def test_removing_the_last_entries_passes_verify_but_not_the_anchor(
    ledger: Ledger, tmp_path: Path
) -> None:
    before = take(ledger)
    import_more(ledger, tmp_path)
    anchor = take(ledger)

    removed = cut_log(ledger.db, before.seq)

    assert removed == anchor.seq - before.seq > 0
    plain = ledger.services.audit.verify(ledger.admin)
    assert plain.ok, plain.problem  # the log is whole, and the tables agree with it
    assert plain.entries == before.seq
    result = check(ledger, anchor)
    assert (result.ok, result.kind, result.seq) == (False, "anchor_missing", anchor.seq)
    assert f"records entry {anchor.seq}, but the log ends at entry {before.seq}" in (
        result.problem or ""
    )
    assert "removed from its end and its head rewound" in (result.problem or "")
    assert check(ledger, before).ok  # what is left still extends the earlier anchor


# -- rewriting the chain ---------------------------------------------------------------------------
def test_rehashing_the_chain_from_an_entry_on_passes_verify_but_not_the_anchor(
    ledger: Ledger, tmp_path: Path
) -> None:
    early = take(ledger)
    import_more(ledger, tmp_path)
    late = take(ledger)
    target = next(
        r.seq for r in log(ledger) if r.seq > early.seq and r.action == "datapoint.create"
    )

    rewrite_from(ledger.db, target)

    plain = ledger.services.audit.verify(ledger.admin)
    assert plain.ok, plain.problem
    assert plain.entries == late.seq and plain.head_hash != late.hash
    assert check(ledger, early).ok  # rewritten after the early anchor: it is still extended
    result = check(ledger, early, late)
    assert (result.ok, result.kind, result.seq) == (False, "anchor_diverged", late.seq)
    problem = result.problem or ""
    assert f"entry {late.seq} has hash {plain.head_hash[:16]}…" in problem
    assert f"records {late.hash[:16]}…" in problem and "re-hashed" in problem


def test_rehashing_the_whole_chain_is_refused_as_another_ledger(ledger: Ledger) -> None:
    anchor = take(ledger)

    rewrite_from(ledger.db, 1)

    assert ledger.services.audit.verify(ledger.admin).ok
    result = check(ledger, anchor)
    assert (result.ok, result.kind) == (False, "anchor_other_ledger")
    assert "rewritten from its first entry on" in (result.problem or "")


def test_an_anchor_of_another_ledger_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    other = Services.open(f"sqlite:///{tmp_path / 'other.db'}", create=True)
    try:
        other.init()
        foreign = Ledger(other).services.audit.anchor(Ledger(other).admin)
    finally:
        other.dispose()
    assert foreign.ledger != take(ledger).ledger

    result = check(ledger, foreign)

    assert (result.ok, result.kind, result.seq) == (False, "anchor_other_ledger", foreign.seq)
    assert "is of another ledger" in (result.problem or "")


def test_an_altered_rows_root_is_named(ledger: Ledger) -> None:
    anchor = take(ledger)
    altered = replace(anchor, rows_root="0" * 64)
    result = check(ledger, altered)
    assert (result.ok, result.kind) == (False, "anchor_rows")
    assert f"the row stamps up to entry {anchor.seq} digest to" in (result.problem or "")


def test_a_broken_chain_is_not_anchored(ledger: Ledger) -> None:
    execute(ledger.db, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", {}))
    with pytest.raises(Conflict, match="does not verify, so it is not anchored: entry 3"):
        take(ledger)


def test_a_chain_broken_before_an_anchor_is_named_as_the_chain(ledger: Ledger) -> None:
    anchor = take(ledger)
    execute(ledger.db, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", {}))
    result = check(ledger, anchor)
    assert (result.ok, result.kind, result.seq) == (False, "edited", 3)


# -- signed anchors --------------------------------------------------------------------------------
def test_a_signed_anchor_verifies_with_its_key_and_nothing_else(ledger: Ledger) -> None:
    pair, stranger = new_signing_key(), new_signing_key()
    signed = take(ledger, pair.private_pem)
    assert signed.signature is not None and signed.signature.key == pair.fingerprint
    assert check(ledger, signed, key=pair.public_pem).ok
    document = json.loads(signed.to_json())

    for name, value in [("at", "2020-01-01T00:00:00+00:00"), ("seq", signed.seq - 1)]:
        forged = parse_anchor(json.dumps({**document, name: value}), "forged.json")
        with pytest.raises(Invalid, match="signature of forged.json does not verify"):
            check(ledger, forged, key=pair.public_pem)
    with pytest.raises(Invalid, match="was signed by another key"):
        check(ledger, signed, key=stranger.public_pem)
    with pytest.raises(Invalid, match="is not signed"):
        check(ledger, take(ledger), key=pair.public_pem)
    with pytest.raises(Invalid, match="not a public key in PEM form"):
        check(ledger, signed, key=pair.private_pem)
    with pytest.raises(Invalid, match="not a private key in PEM form"):
        take(ledger, pair.public_pem)


# -- reading anchor documents ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"rows_root": None}, "rows_root: expected a SHA-256 hash"),
        ({"hash": "ABC"}, "hash: expected a SHA-256 hash"),
        ({"seq": 0}, "seq: expected a positive whole number"),
        ({"seq": True}, "seq: expected a positive whole number"),
        ({"format": "esgledger-anchor/2"}, "format: expected 'esgledger-anchor/1'"),
        ({"at": "2024-01-01T00:00:00"}, "at: expected an ISO date and time with its zone"),
        ({"extra": 1}, "unknown field(s) extra"),
        ({"signature": {"algorithm": "RSA"}}, "signature: expected null or an object"),
    ],
)
def test_a_malformed_anchor_is_refused_by_field(edit: dict[str, Any], message: str) -> None:
    document = {
        "format": "esgledger-anchor/1",
        "ledger": "a" * 64,
        "seq": 5,
        "hash": "b" * 64,
        "at": "2024-01-01T00:00:00+00:00",
        "rows_root": "c" * 64,
        **edit,
    }
    with pytest.raises(
        Invalid, match=f"^anchor.json: {message}".replace("(", r"\(").replace(")", r"\)")
    ):
        parse_anchor(json.dumps(document), "anchor.json")


def test_what_is_no_anchor_is_refused() -> None:
    with pytest.raises(Invalid, match="a.json is not JSON"):
        parse_anchor("{", "a.json")
    with pytest.raises(Invalid, match="a.json: missing field\\(s\\) ledger, seq, hash"):
        parse_anchor(json.dumps({"format": "esgledger-anchor/1"}), "a.json")
    with pytest.raises(Invalid, match="a.json is 20000 bytes"):
        parse_anchor(b" " * 20000, "a.json")


def test_every_anchor_kind_is_named_in_both_languages() -> None:
    for kind in ANCHOR_KINDS:
        english, chinese = (Strings(lang).get(f"audit.kind.{kind}", "") for lang in ("en", "zh"))
        assert english and chinese and english != chinese, kind
