"""A process killed in the middle of an import loses nothing and half-writes nothing.

A child process imports a generated CSV of about 50 000 rows and is killed with SIGKILL while it
writes: either paused at a chosen point inside the write transaction (deterministic), or after
a delay once writing has started. Afterwards the ledger holds none or all of that batch, the audit
chain verifies, and importing the file again lands every row.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.store.schema import audit_head, audit_log, datapoints, import_batches
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

APP_NAME = "esgledger_killed_import"
METRICS = {
    "production.alumina": "t",
    "production.primary_aluminium": "t",
    "production.rolled_products": "t",
    "production.foil": "t",
    "production.extrusions": "t",
    "production.recycled_aluminium": "t",
    "finance.revenue": "万元",
    "energy.raw_coal": "t",
    "energy.washed_coal": "t",
    "energy.coke": "t",
    "energy.diesel": "t",
    "energy.gasoline": "t",
    "energy.fuel_oil": "t",
    "energy.lpg": "t",
    "energy.natural_gas": "万立方米",
    "energy.electricity_purchased": "万千瓦时",
    "energy.steam_purchased": "GJ",
    "water.withdrawal": "m3",
    "air.so2": "t",
    "air.nox": "t",
    "air.particulates": "t",
    "waste.hazardous": "t",
    "waste.non_hazardous": "kg",
    "workforce.headcount": "person",
    "training.hours": "h",
    "safety.fatalities": "person",
    "safety.lost_days": "day",
    "safety.hours_worked": "h",
}
ENTITIES = [f"site{i:03d}" for i in range(150)]
ROWS = len(ENTITIES) * 12 * len(METRICS)  # 50 400

# The child: import the file. It prints WRITING when the write transaction starts (the audit head
# is locked), and, if a pause point is given, stops there inside the open transaction until killed:
#   before:append     data points written (and old versions superseded), no audit entries yet
#   after:append      audit entries written too, the head not yet moved
#   after:save_head   everything written, only COMMIT missing
# The hooks sit on the ledger's audit functions, so they do not depend on how rows reach the driver
# (executemany, COPY ...).
CHILD = r"""
import sys, time
from pathlib import Path
import sqlalchemy as sa
from esgledger.ledger import audit
from tests.ledger_fixture import Ledger

url, path, pause = sys.argv[1], sys.argv[2], sys.argv[3]

def stop(connection):
    # what this transaction has written so far, then wait to be killed
    points = connection.execute(sa.text("SELECT count(*) FROM datapoints")).scalar()
    print("PAUSED", points, flush=True)
    time.sleep(600)

def hook(name):
    original = getattr(audit, name)
    def hooked(connection, *args, **kwargs):
        if name == "lock_head":
            print("WRITING", flush=True)
        if pause == "before:" + name:
            stop(connection)
        result = original(connection, *args, **kwargs)
        if pause == "after:" + name:
            stop(connection)
        return result
    setattr(audit, name, hooked)

for name in ("lock_head", "append", "save_head"):
    hook(name)
summary = Ledger.open(url).import_data(Path(path))
print("DONE", summary.created, flush=True)
"""


@dataclass
class State:
    points: int
    batches: int
    entries: int
    head_seq: int
    verified: bool
    problem: str | None


def state(ws: Ledger) -> State:
    with ws.db.reading() as connection:

        def count(table: sa.Table) -> int:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )

        head_seq = connection.execute(sa.select(audit_head.c.seq)).scalar_one()
        result = ws.verify_audit()
        return State(
            count(datapoints),
            count(import_batches),
            count(audit_log),
            head_seq,
            result.ok,
            result.problem,
        )


@pytest.fixture
def big_ledger(ws: Ledger, tmp_path: Path) -> tuple[Ledger, Path]:
    org = write_csv(
        tmp_path / "org.csv",
        ["id", "name", "parent", "country"],
        [["grp", "Group", "", "CN"]] + [[e, e, "grp", "CN"] for e in ENTITIES],
    )
    ws.import_organisation(org)
    # something already in the ledger, which must survive untouched
    ws.import_data(
        write_csv(
            tmp_path / "seed.csv",
            ["entity", "period", "metric", "value", "unit"],
            [["grp", "2023", "energy.coke", "5", "t"]],
        )
    )
    rows = [
        [
            entity,
            f"2024-{month:02d}",
            metric,
            f"{(i % 997) + (0 if unit == 'person' else 0.25):.2f}",
            unit,
        ]
        for i, (entity, month, (metric, unit)) in enumerate(
            (e, m, mu) for e in ENTITIES for m in range(1, 13) for mu in METRICS.items()
        )
    ]
    assert len(rows) == ROWS >= 50_000
    big = write_csv(tmp_path / "big.csv", ["entity", "period", "metric", "value", "unit"], rows)
    return ws, big


def _child_url(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        return db_url
    return (
        sa.make_url(db_url)
        .update_query_dict({"application_name": APP_NAME})
        .render_as_string(hide_password=False)
    )


def _start(db_url: str, path: Path, pause: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    env = {k: v for k, v in os.environ.items() if k != "ESGLEDGER_DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, _child_url(db_url), str(path), pause],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.strip())
        lines.put("EOF")

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


def _wait_for(
    process: subprocess.Popen[str], lines: queue.Queue[str], marker: str, timeout: float = 180
) -> str:
    """Wait for a line starting with ``marker``; return it."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            process.kill()
            pytest.fail(f"the child never printed {marker}")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line.split(" ")[0] == marker:
            return line
        if line == "EOF":
            _, err = process.communicate()
            pytest.fail(f"the child ended before {marker} (exit {process.returncode}): {err}")


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    if process.stdout:
        process.stdout.close()
    if process.stderr:
        process.stderr.close()


def _wait_until_server_forgot(db_url: str) -> None:
    """On PostgreSQL the killed client's session ends (its transaction aborts) asynchronously."""
    if db_url.startswith("sqlite"):
        return
    engine = sa.create_engine(db_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                left = connection.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APP_NAME},
                ).scalar_one()
            if left == 0:
                return
            time.sleep(0.1)
        pytest.fail("the killed import's session is still open on the server")
    finally:
        engine.dispose()


def _check_integrity(ws: Ledger) -> None:
    if ws.db.is_sqlite:
        with ws.db.reading() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def _assert_all_or_nothing(ws: Ledger, before: State) -> bool:
    """Return True when the killed import had committed, False when it left no trace."""
    after = state(ws)
    assert after.verified, after.problem
    assert after.head_seq == after.entries
    nothing = State(before.points, before.batches, before.entries, before.head_seq, True, None)
    everything = State(
        before.points + ROWS,
        before.batches + 1,
        before.entries + ROWS + 1,
        before.head_seq + ROWS + 1,
        True,
        None,
    )
    assert after in (nothing, everything), f"half-written import: before {before}, after {after}"
    _check_integrity(ws)
    return after == everything


# where the child stops inside the transaction ("" = no pause: kill after a delay once writing)
ATTEMPTS = [
    ("before:append", 0.0),
    ("after:append", 0.0),
    ("after:save_head", 0.0),
    ("", 0.05),
    ("", 0.5),
    ("", 1.5),
]


def test_killed_import_writes_all_or_nothing(big_ledger: tuple[Ledger, Path], db_url: str) -> None:
    ws, big = big_ledger
    before = state(ws)
    assert before.verified
    committed = False
    killed_mid_write = 0
    for pause, delay in ATTEMPTS:
        process, lines = _start(db_url, big, pause)
        try:
            line = _wait_for(process, lines, "PAUSED" if pause else "WRITING")
            if pause:
                # inside its transaction the child had written every data point of the batch
                assert line == f"PAUSED {before.points + ROWS}", line
            if delay:
                time.sleep(delay)
            still_running = process.poll() is None
        finally:
            _kill(process)
        _wait_until_server_forgot(db_url)
        committed = _assert_all_or_nothing(ws, before)
        if pause:
            # the child was stopped inside its transaction: nothing may have been kept
            assert not committed, f"paused at {pause}, yet the import was committed"
        if still_running and not committed:
            killed_mid_write += 1
        if committed:
            break
    assert killed_mid_write >= 3

    # importing the file again lands every row, once
    summary = ws.import_data(big)
    if committed:
        assert (summary.created, summary.unchanged) == (0, ROWS)
    else:
        assert (summary.created, summary.corrected, summary.unchanged) == (ROWS, 0, 0)
    after = state(ws)
    assert after.points == before.points + ROWS
    assert after.verified, after.problem
    assert len(ws.datapoints(["2024-06"])) == len(ENTITIES) * len(METRICS)
    assert len(ws.datapoints(["2023"])) == 1


def test_killed_import_of_corrections_keeps_the_old_versions(
    big_ledger: tuple[Ledger, Path], db_url: str, tmp_path: Path
) -> None:
    """Killed while superseding: the current values stay the old ones, none is lost or doubled."""
    ws, _ = big_ledger
    header = ["entity", "period", "metric", "value", "unit"]
    rows = [[e, "2024", "energy.coke", "10", "t"] for e in ENTITIES]
    ws.import_data(write_csv(tmp_path / "v1.csv", header, rows))
    corrected = write_csv(
        tmp_path / "v2.csv", header, [[e, "2024", "energy.coke", "11", "t"] for e in ENTITIES]
    )
    before = state(ws)
    process, lines = _start(db_url, corrected, "before:append")
    try:
        # the corrections are written (old versions superseded) inside the open transaction
        line = _wait_for(process, lines, "PAUSED")
        assert line == f"PAUSED {before.points + len(ENTITIES)}", line
    finally:
        _kill(process)
    _wait_until_server_forgot(db_url)
    after = state(ws)
    assert (after.points, after.entries, after.verified) == (before.points, before.entries, True)
    current = [p for p in ws.datapoints(["2024"]) if p.metric_id == "energy.coke"]
    assert sorted(p.entity_id for p in current) == ENTITIES
    assert {(p.value, p.version) for p in current} == {(10.0, 1)}
    summary = ws.import_data(corrected)
    assert summary.corrected == len(ENTITIES)
    current = [p for p in ws.datapoints(["2024"]) if p.metric_id == "energy.coke"]
    assert {(p.value, p.version) for p in current} == {(11.0, 2)}
    assert ws.verify_audit().ok
