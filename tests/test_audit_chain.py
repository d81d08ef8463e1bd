"""The hash-chained audit log: tampering directly in the database is found, and ``verify`` names the
first entry that was edited, removed or reordered (library and CLI)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.ledger.audit import entry_hash
from tests import tampering
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG = [
    ["id", "name", "parent", "country", "aliases"],
    ["grp", "Group", "", "CN", ""],
    ["smelter", "Smelter", "grp", "CN", "SM-01"],
    ["refinery", "Refinery", "grp", "CN", ""],
]
DATA_HEADER = ["entity", "period", "metric", "value", "unit"]


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG[0], ORG[1:]))
    ws.import_data(
        write_csv(
            tmp_path / "d1.csv",
            DATA_HEADER,
            [
                ["smelter", "2024", "energy.raw_coal", "100", "t"],
                ["smelter", "2024", "energy.electricity_purchased", "12.5", "万千瓦时"],
                ["refinery", "2024", "energy.natural_gas", "3", "万立方米"],
                ["refinery", "2024", "production.alumina", "1.5", "万吨"],
            ],
        )
    )
    ws.import_data(
        write_csv(
            tmp_path / "d2.csv",
            DATA_HEADER,
            [
                ["smelter", "2024", "energy.raw_coal", "101", "t"],  # a correction
                ["grp", "2024", "finance.revenue", "2", "万元"],
            ],
        )
    )
    result = ws.verify_audit()
    assert result.ok, result.problem
    assert result.entries >= 20
    return ws


def entries(ws: Ledger) -> list[sa.Row]:
    with ws.db.reading() as connection:
        return list(connection.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")))


def execute(ws: Ledger, *statements: tuple[str, dict[str, object]]) -> None:
    """Tamper with the database (on PostgreSQL past the audit log's append-only triggers)."""
    tampering.execute(ws.db, *statements)


def a_datapoint_entry(ws: Ledger, nth: int = 2) -> int:
    """The seq of the nth datapoint.create entry: in the middle of the log."""
    seqs = [r.seq for r in entries(ws) if r.action == "datapoint.create"]
    return seqs[nth]


# -- an intact log -------------------------------------------------------------------------------


def test_intact_log_verifies(ledger: Ledger) -> None:
    rows = entries(ledger)
    result = ledger.verify_audit()
    assert result.ok and result.kind is None and result.seq is None
    assert result.entries == len(rows)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert result.head_hash == rows[-1].hash
    # every entry links to the one before it
    assert rows[0].prev_hash == "0" * 64
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    actions = {r.action for r in rows}
    assert {
        "factors.load",
        "catalogue.load",
        "entity.create",
        "import.batch",
        "datapoint.create",
        "datapoint.correct",
    } <= actions


# -- edits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", '{"value": 1}'),
        ("actor", "mallory"),
        ("at", "2020-01-01T00:00:00.000000+00:00"),
        ("action", "datapoint.delete"),
        ("object_id", "999"),
        ("prev_hash", "f" * 64),
        ("hash", "e" * 64),
    ],
)
def test_edited_entry_is_found(ledger: Ledger, column: str, value: str) -> None:
    target = a_datapoint_entry(ledger)
    execute(
        ledger,
        (
            f"UPDATE audit_log SET {column} = :value WHERE seq = :seq",
            {"value": value, "seq": target},
        ),
    )
    result = ledger.verify_audit()
    assert not result.ok
    assert (result.seq, result.kind) == (target, "edited"), result.problem
    assert f"entry {target}" in (result.problem or "")


def test_edited_payload_value_only(ledger: Ledger) -> None:
    """Changing one number inside the JSON payload, keeping it valid JSON."""
    target = a_datapoint_entry(ledger, 0)
    payload = json.loads(next(r for r in entries(ledger) if r.seq == target).payload)
    payload["value"] = payload["value"] * 0.5
    execute(
        ledger,
        (
            "UPDATE audit_log SET payload = :p WHERE seq = :s",
            {"p": json.dumps(payload, sort_keys=True, separators=(",", ":")), "s": target},
        ),
    )
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, target, "edited")


def test_later_writes_do_not_hide_an_edit(ledger: Ledger, tmp_path: Path) -> None:
    target = a_datapoint_entry(ledger)
    execute(ledger, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = :s", {"s": target}))
    ledger.import_data(
        write_csv(tmp_path / "d3.csv", DATA_HEADER, [["refinery", "2024", "energy.coke", "9", "t"]])
    )
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, target, "edited")


def _rehash(ws: Ledger, seq: int, **changes: str) -> None:
    """Edit an entry and recompute its own hash, as a careful forger would."""
    row = next(r for r in entries(ws) if r.seq == seq)
    fields = {
        c: getattr(row, c) for c in ("at", "actor", "action", "object_type", "object_id", "payload")
    }
    fields.update(changes)
    digest = entry_hash(
        row.prev_hash,
        fields["at"],
        fields["actor"],
        fields["action"],
        fields["object_type"],
        fields["object_id"],
        fields["payload"],
        row.rows,
    )
    execute(
        ws,
        (
            "UPDATE audit_log SET actor = :actor, payload = :payload, hash = :hash "
            "WHERE seq = :seq",
            {"actor": fields["actor"], "payload": fields["payload"], "hash": digest, "seq": seq},
        ),
    )


def test_edit_with_recomputed_hash_breaks_the_next_link(ledger: Ledger) -> None:
    target = a_datapoint_entry(ledger)
    _rehash(ledger, target, payload='{"value":0}')
    result = ledger.verify_audit()
    assert not result.ok
    assert (result.seq, result.kind) == (target + 1, "removed"), result.problem
    assert "replaced" in (result.problem or "")


def test_last_entry_edited_with_recomputed_hash_is_found_by_the_head(ledger: Ledger) -> None:
    last = entries(ledger)[-1].seq
    _rehash(ledger, last, actor="mallory")
    result = ledger.verify_audit()
    assert not result.ok
    assert (result.seq, result.kind) == (last, "edited"), result.problem
    assert f"entry {last}" in (result.problem or "")


def test_altered_head_is_found(ledger: Ledger) -> None:
    execute(ledger, ("UPDATE audit_head SET hash = :h", {"h": "a" * 64}))
    assert not ledger.verify_audit().ok


# -- removals ------------------------------------------------------------------------------------


def test_deleted_middle_entry_is_found(ledger: Ledger) -> None:
    target = a_datapoint_entry(ledger)
    execute(ledger, ("DELETE FROM audit_log WHERE seq = :s", {"s": target}))
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, target, "removed"), result.problem
    assert f"entry {target}" in (result.problem or "")


def test_deleted_first_entry_is_found(ledger: Ledger) -> None:
    execute(ledger, ("DELETE FROM audit_log WHERE seq = 1", {}))
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, 1, "removed")


@pytest.mark.parametrize("count", [1, 2])
def test_deleted_last_entries_are_found_by_the_head(ledger: Ledger, count: int) -> None:
    last = entries(ledger)[-1].seq
    execute(ledger, ("DELETE FROM audit_log WHERE seq > :s", {"s": last - count}))
    result = ledger.verify_audit()
    assert not result.ok
    assert (result.seq, result.kind) == (last - count + 1, "removed"), result.problem
    assert result.entries == last - count


def test_deleted_entry_with_renumbered_log_is_found(ledger: Ledger) -> None:
    """Remove an entry and close the gap (and fix the head's count): the link still breaks."""
    target = a_datapoint_entry(ledger)
    last = entries(ledger)[-1].seq
    execute(
        ledger,
        ("DELETE FROM audit_log WHERE seq = :s", {"s": target}),
        ("UPDATE audit_log SET seq = -seq WHERE seq > :s", {"s": target}),
        ("UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0", {}),
        ("UPDATE audit_head SET seq = :n", {"n": last - 1}),
    )
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, target, "removed"), result.problem


# -- reordering ----------------------------------------------------------------------------------


def _swap(ws: Ledger, a: int, b: int) -> None:
    execute(
        ws,
        ("UPDATE audit_log SET seq = -1 WHERE seq = :a", {"a": a}),
        ("UPDATE audit_log SET seq = :a WHERE seq = :b", {"a": a, "b": b}),
        ("UPDATE audit_log SET seq = :b WHERE seq = -1", {"b": b}),
    )


@pytest.mark.parametrize("distance", [1, 3])
def test_swapped_entries_are_found(ledger: Ledger, distance: int) -> None:
    first = a_datapoint_entry(ledger, 0)
    _swap(ledger, first, first + distance)
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, first, "reordered"), result.problem
    assert f"entry {first}" in (result.problem or "")


def test_swapped_first_entries_are_found(ledger: Ledger) -> None:
    _swap(ledger, 1, 2)
    result = ledger.verify_audit()
    assert (result.ok, result.seq, result.kind) == (False, 1, "reordered"), result.problem


# -- the CLI -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps at the terminal's width (80 without one): a wide console keeps messages whole
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


def _invoke(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db_url, *args], env={"ESGLEDGER_DATABASE_URL": None})
    return result.exit_code, result.output


def _edit(ws: Ledger) -> tuple[int, str]:
    target = a_datapoint_entry(ws)
    execute(ws, ("UPDATE audit_log SET payload = '{}' WHERE seq = :s", {"s": target}))
    return target, "edited"


def _remove(ws: Ledger) -> tuple[int, str]:
    target = a_datapoint_entry(ws)
    execute(ws, ("DELETE FROM audit_log WHERE seq = :s", {"s": target}))
    return target, "removed"


def _remove_last(ws: Ledger) -> tuple[int, str]:
    last = entries(ws)[-1].seq
    execute(ws, ("DELETE FROM audit_log WHERE seq = :s", {"s": last}))
    return last, "removed"


def _reorder(ws: Ledger) -> tuple[int, str]:
    first = a_datapoint_entry(ws, 0)
    _swap(ws, first, first + 2)
    return first, "reordered"


TAMPERING: dict[str, Callable[[Ledger], tuple[int, str]]] = {
    "edit": _edit,
    "remove": _remove,
    "remove last": _remove_last,
    "reorder": _reorder,
}


def test_cli_verify_intact(ledger: Ledger, db_url: str) -> None:
    code, output = _invoke(db_url, "audit", "verify")
    assert code == 0, output
    assert "intact" in output
    code, output = _invoke(db_url, "audit", "verify", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["ok"] is True and report["entries"] == len(entries(ledger))


@pytest.mark.parametrize("how", list(TAMPERING))
def test_cli_verify_names_the_entry(ledger: Ledger, db_url: str, how: str) -> None:
    seq, kind = TAMPERING[how](ledger)
    code, output = _invoke(db_url, "audit", "verify")
    assert code == 1, output
    assert f"entry {seq}" in output and kind in output
    code, output = _invoke(db_url, "audit", "verify", "--json")
    assert code == 1, output
    report = json.loads(output)
    assert (report["ok"], report["seq"], report["kind"]) == (False, seq, kind)
    assert f"entry {seq}" in report["problem"]
