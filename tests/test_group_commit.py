"""Group commit: writes queued at the same time share one transaction, one locked audit head and
one commit; a write that fails raises in its own caller only and leaves no trace. On SQLite and
PostgreSQL, within one process (threads) and across processes."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from esgledger.domain import DataPoint
from esgledger.ledger import audit
from esgledger.ledger.change import changing
from esgledger.ledger.group_commit import GroupCommitter
from esgledger.service_errors import Conflict
from esgledger.store.database import Database
from esgledger.store.schema import audit_head, audit_log, datapoints, settings
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World
from tests.ledger_fixture import Ledger

TIMEOUT = 20.0
WRITER = "esgledger-writer"  # the name of a GroupCommitter's writer thread


# -- helpers -----------------------------------------------------------------------------------
@dataclass
class Traffic:
    """What the database is sent: commits from writer threads, updates of the audit head."""

    commits: int = 0
    head_updates: int = 0


@contextmanager
def traffic(db: Database) -> Iterator[Traffic]:
    seen = Traffic()

    def on_commit(_connection: sa.Connection) -> None:
        if threading.current_thread().name == WRITER:
            seen.commits += 1

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE AUDIT_HEAD"):
            seen.head_updates += 1

    sa.event.listen(db.engine, "commit", on_commit)
    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "commit", on_commit)
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)


@contextmanager
def writer_held(committer: GroupCommitter) -> Iterator[None]:
    """Keep the committer's writer busy with a first job until the block ends, so that the jobs
    queued meanwhile are taken together as one batch when it is released."""
    entered, release = threading.Event(), threading.Event()

    def block(_connection: sa.Connection) -> str:
        entered.set()
        if not release.wait(TIMEOUT):
            raise TimeoutError("the test never released the writer")
        return "blocker"

    with ThreadPoolExecutor(1) as pool:
        blocker = pool.submit(committer.run, block)
        assert entered.wait(TIMEOUT), "the writer never started the first job"
        try:
            yield
        finally:
            release.set()
        assert blocker.result(TIMEOUT) == "blocker"


def queue_in_order(
    committer: GroupCommitter, pool: ThreadPoolExecutor, calls: list[Callable[[], Any]]
) -> list[Future[Any]]:
    """Start each call in its own thread, waiting until it has queued its job before the next,
    so that the batch runs them in this order."""
    futures = []
    for number, call in enumerate(calls, start=1):
        futures.append(pool.submit(call))
        deadline = time.monotonic() + TIMEOUT
        while len(committer._queue) < number:
            assert time.monotonic() < deadline, "a job was never queued"
            time.sleep(0.001)
    return futures


def marker_job(name: str, fail: bool = False) -> Callable[[sa.Connection], int]:
    """A write: a settings row and an audit entry named ``name``; returns the entry's seq.
    With ``fail``, it raises ValueError after writing both."""

    def work(connection: sa.Connection) -> int:
        with changing(connection, "tester") as change:
            stamps = change.insert(settings, [{"key": f"gc.{name}", "value": name}])
            change.record("gc.test", "marker", name, {"name": name}, stamps)
            if fail:
                raise ValueError(f"job {name} failed")
        return change.head.seq

    return work


def audit_rows(db: Database) -> list[sa.Row[Any]]:
    with db.reading() as connection:
        return list(
            connection.execute(
                sa.select(audit_log.c.seq, audit_log.c.action, audit_log.c.object_id).order_by(
                    audit_log.c.seq
                )
            )
        )


def setting_keys(db: Database) -> set[str]:
    with db.reading() as connection:
        return set(
            connection.execute(
                sa.select(settings.c.key).where(settings.c.key.like("gc.%"))
            ).scalars()
        )


def head_state(db: Database) -> tuple[int, str, int]:
    with db.reading() as connection:
        row = connection.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash, audit_head.c.next_datapoint_id)
        ).one()
    return int(row.seq), str(row.hash), int(row.next_datapoint_id)


def stored_point(db: Database, point_id: int) -> sa.Row[Any] | None:
    with db.reading() as connection:
        return connection.execute(sa.select(datapoints).where(datapoints.c.id == point_id)).first()


def assert_chain_ok(world: World) -> None:
    result = world.services.audit.verify(world.user("manager"))
    assert result.ok, result.problem
    seqs = [row.seq for row in audit_rows(world.services.db)]
    assert seqs == list(range(1, len(seqs) + 1))


def assert_one_transaction(backend: str, db: Database, point_ids: list[int]) -> None:
    """On PostgreSQL, rows written by one transaction (outside savepoints, which are
    subtransactions with ids of their own) carry its id in ``xmin``."""
    if backend != "postgresql":
        return
    query = sa.text("SELECT DISTINCT xmin::text FROM datapoints WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    with db.reading() as connection:
        assert len(connection.execute(query, {"ids": point_ids}).all()) == 1


# -- one batch ---------------------------------------------------------------------------------
def test_jobs_queued_together_commit_in_one_transaction(world: World, backend: str) -> None:
    services, owner = world.services, world.user("owner_a")
    committer = services.context.writes
    entries = [Entry("plant_a", str(2000 + n), "energy.diesel", 10.0 + n, "t") for n in range(6)]
    commits, writes = committer.commits, committer.writes
    with ThreadPoolExecutor(len(entries)) as pool, traffic(services.db) as seen:
        with writer_held(committer):
            futures = queue_in_order(
                committer,
                pool,
                [lambda e=e: services.datapoints.create(owner, e) for e in entries],
            )
            assert not any(f.done() for f in futures), "a caller returned before its commit"
        points: list[DataPoint] = [f.result(TIMEOUT) for f in futures]

    # the blocker's transaction and the batch's: two commits, the head written back once
    assert committer.commits == commits + 2
    assert committer.writes == writes + 1 + len(entries)
    assert seen.commits == 2
    assert seen.head_updates == 1
    # every caller got its own value, stored as it was asked for
    assert len({p.id for p in points}) == len(entries)
    for entry, point in zip(entries, points, strict=True):
        assert (point.entity_id, point.period, point.metric_id, point.value) == (
            entry.entity,
            entry.period,
            entry.metric,
            entry.value,
        )
        row = stored_point(services.db, point.id)
        assert row is not None and row.value == entry.value and row.period == entry.period
    # their audit entries follow each other, in the order the jobs were queued
    created = {
        int(row.object_id): row.seq
        for row in audit_rows(services.db)
        if row.action == "datapoint.create"
    }
    seqs = [created[p.id] for p in points]
    assert seqs == list(range(seqs[0], seqs[0] + len(points)))
    assert_chain_ok(world)
    assert_one_transaction(backend, services.db, [p.id for p in points])


def test_batch_is_bounded_by_max_batch(world: World) -> None:
    committer = GroupCommitter(world.services.db, max_batch=3)
    names = [f"bounded{n}" for n in range(7)]
    with ThreadPoolExecutor(len(names)) as pool, traffic(world.services.db) as seen:
        with writer_held(committer):
            futures = queue_in_order(
                committer,
                pool,
                [lambda n=n: committer.run(marker_job(n)) for n in names],
            )
        seqs = [f.result(TIMEOUT) for f in futures]
    # blocker, then batches of 3, 3 and 1
    assert committer.commits == 4
    assert committer.writes == 8
    assert seen.commits == 4
    assert seen.head_updates == 3
    assert seqs == list(range(seqs[0], seqs[0] + len(names)))
    assert setting_keys(world.services.db) == {f"gc.{n}" for n in names}
    assert_chain_ok(world)


def test_held_head_writes_the_head_back_once(world: World) -> None:
    db = world.services.db
    before = head_state(db)
    with traffic(db) as seen, db.transaction() as connection, audit.held_head(connection):
        first = marker_job("held1")(connection)
        second = marker_job("held2")(connection)
        assert audit.lock_head(connection) is audit.lock_head(connection)
    assert seen.head_updates == 1
    assert (first, second) == (before[0] + 1, before[0] + 2)
    assert head_state(db)[0] == before[0] + 2
    assert_chain_ok(world)


# -- failures ----------------------------------------------------------------------------------
def test_stale_correction_in_a_batch_fails_alone(world: World) -> None:
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    committer = services.context.writes
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.coke", 1.0, "t"))
    entries = [Entry("plant_a", str(2010 + n), "energy.diesel", 5.0 + n, "t") for n in range(3)]
    commits, writes = committer.commits, committer.writes
    calls: list[Callable[[], Any]] = [
        lambda: services.datapoints.create(owner, entries[0]),
        lambda: services.datapoints.correct(owner, point.id, 1, {"value": 2.0}),
        lambda: services.datapoints.create(owner, entries[1]),
        lambda: services.datapoints.correct(manager, point.id, 1, {"value": 3.0}),  # stale now
        lambda: services.datapoints.create(owner, entries[2]),
    ]
    with ThreadPoolExecutor(len(calls)) as pool, traffic(services.db) as seen:
        with writer_held(committer):
            futures = queue_in_order(committer, pool, calls)
        with pytest.raises(Conflict) as conflict:
            futures[3].result(TIMEOUT)
        landed = [f.result(TIMEOUT) for i, f in enumerate(futures) if i != 3]

    assert conflict.value.code == "version_conflict"
    assert conflict.value.details["version"] == 2
    assert conflict.value.details["current"]["value"] == 2.0
    corrected = landed[1]
    assert (corrected.version, corrected.value, corrected.created_by) == (2, 2.0, "owner_a")
    for entry, created in zip(entries, (landed[0], landed[2], landed[3]), strict=True):
        row = stored_point(services.db, created.id)
        assert row is not None and (row.period, row.value) == (entry.period, entry.value)
    # one commit for the blocker and one for the batch (after its retry in savepoints)
    assert committer.commits == commits + 2
    assert committer.writes == writes + 1 + 4
    assert seen.commits == 2
    # the stale correction left nothing: no version 3, no value 3.0, no audit entry for it
    versions = services.datapoints.history(manager, point.id)["versions"]
    assert [(v["version"], v["value"]) for v in versions] == [(1, 1.0), (2, 2.0)]
    with services.db.reading() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(datapoints).where(datapoints.c.value == 3.0)
            ).scalar_one()
            == 0
        )
    actions = [
        row.action
        for row in audit_rows(services.db)
        if row.object_id in {str(point.id), str(corrected.id)}
    ]
    assert actions == ["datapoint.create", "datapoint.correct"]
    assert_chain_ok(world)


def test_failing_job_in_a_batch_raises_in_its_caller_only(world: World) -> None:
    db = world.services.db
    committer = GroupCommitter(db)
    jobs = [("ok1", False), ("ok2", False), ("bad", True), ("ok3", False), ("ok4", False)]
    with ThreadPoolExecutor(len(jobs)) as pool, traffic(db) as seen:
        with writer_held(committer):
            futures = queue_in_order(
                committer,
                pool,
                [lambda n=n, f=f: committer.run(marker_job(n, f)) for n, f in jobs],
            )
        with pytest.raises(ValueError, match="job bad failed"):
            futures[2].result(TIMEOUT)
        seqs = {name: futures[i].result(TIMEOUT) for i, (name, fail) in enumerate(jobs) if not fail}

    assert committer.commits == 2
    assert committer.writes == 1 + 4
    assert seen.commits == 2
    # the failed job's row and audit entry are gone; the others' landed, each caller's result
    # being the seq its entry has in the committed chain
    assert setting_keys(db) == {"gc.ok1", "gc.ok2", "gc.ok3", "gc.ok4"}
    stored = {row.object_id: row.seq for row in audit_rows(db) if row.action == "gc.test"}
    assert stored == seqs
    assert sorted(seqs.values()) == list(range(min(seqs.values()), min(seqs.values()) + 4))
    assert_chain_ok(world)


def test_database_error_in_a_batch_raises_in_its_caller_only(world: World) -> None:
    """A statement the database refuses (aborting the transaction on PostgreSQL) is undone by
    its savepoint; the jobs before and after it in the batch commit."""
    db = world.services.db
    with db.transaction() as connection, changing(connection, "tester") as change:
        stamps = change.insert(settings, [{"key": "gc.taken", "value": "x"}])
        change.record("gc.test", "marker", "taken", {}, stamps)
    committer = GroupCommitter(db)

    def duplicate(connection: sa.Connection) -> None:
        with changing(connection, "tester") as change:
            change.record("gc.test", "marker", "dup", {})
            change.insert(settings, [{"key": "gc.taken", "value": "y"}])

    with ThreadPoolExecutor(3) as pool:
        with writer_held(committer):
            futures = queue_in_order(
                committer,
                pool,
                [
                    lambda: committer.run(marker_job("before")),
                    lambda: committer.run(duplicate),
                    lambda: committer.run(marker_job("after")),
                ],
            )
        with pytest.raises(sa.exc.IntegrityError):
            futures[1].result(TIMEOUT)
        first, last = futures[0].result(TIMEOUT), futures[2].result(TIMEOUT)

    assert last == first + 1
    assert setting_keys(db) == {"gc.taken", "gc.before", "gc.after"}
    with db.reading() as connection:
        value = connection.execute(
            sa.select(settings.c.value).where(settings.c.key == "gc.taken")
        ).scalar_one()
    assert value == "x"
    assert "dup" not in {row.object_id for row in audit_rows(db)}
    assert committer.commits == 2 and committer.writes == 3
    assert_chain_ok(world)


def test_lone_failing_job_writes_nothing(world: World) -> None:
    db = world.services.db
    committer = GroupCommitter(db)
    before_head, before_log = head_state(db), audit_rows(db)
    with traffic(db) as seen, pytest.raises(ValueError, match="job alone failed"):
        committer.run(marker_job("alone", fail=True))
    assert seen.commits == 0  # rolled back
    assert committer.writes == 0
    assert head_state(db) == before_head
    assert audit_rows(db) == before_log
    assert setting_keys(db) == set()
    # the committer goes on working after the failure
    assert committer.run(marker_job("next")) == before_head[0] + 1
    assert setting_keys(db) == {"gc.next"}
    assert_chain_ok(world)


def test_lone_failing_job_is_not_counted_as_a_commit(world: World) -> None:
    """``GroupCommitter.commits`` counts transactions committed; a lone job that fails has its
    transaction rolled back, so it must not be counted (it is: see the report)."""
    committer = GroupCommitter(world.services.db)
    with pytest.raises(ValueError):
        committer.run(marker_job("uncounted", fail=True))
    assert committer.commits == 0


def test_caller_error_objects_are_its_own(world: World) -> None:
    """The exception a caller gets is the one its job raised, not a wrapper."""
    committer = GroupCommitter(world.services.db)
    raised = KeyError("mine")

    def work(_connection: sa.Connection) -> None:
        raise raised

    with pytest.raises(KeyError) as caught:
        committer.run(work)
    assert caught.value is raised


# -- many writers ------------------------------------------------------------------------------
def test_concurrent_creates_from_many_threads_all_land(world: World) -> None:
    services = world.services
    committer = services.context.writes
    users = [("owner_a", "plant_a"), ("owner_b", "plant_b"), ("manager", "line_a1")]
    threads, per_thread = 12, 6
    commits, writes = committer.commits, committer.writes
    start = threading.Barrier(threads)

    def writer(number: int) -> list[DataPoint]:
        name, entity = users[number % len(users)]
        user = world.user(name)
        start.wait(TIMEOUT)
        return [
            services.datapoints.create(
                user,
                Entry(entity, str(1900 + number * per_thread + i), "energy.diesel", 1.0 + i, "t"),
            )
            for i in range(per_thread)
        ]

    with ThreadPoolExecutor(threads) as pool:
        results = [p for points in pool.map(writer, range(threads)) for p in points]

    total = threads * per_thread
    assert len(results) == total
    assert len({p.id for p in results}) == total
    assert committer.writes == writes + total
    assert commits < committer.commits <= commits + total
    with services.db.reading() as connection:
        stored = {
            row.id: (row.entity_id, row.period, row.value)
            for row in connection.execute(
                sa.select(datapoints).where(datapoints.c.metric_id == "energy.diesel")
            )
        }
    assert stored == {p.id: (p.entity_id, p.period, p.value) for p in results}
    assert_chain_ok(world)


def test_writer_thread_ends_when_idle_and_starts_again(world: World) -> None:
    committer = GroupCommitter(world.services.db, idle_seconds=0.05)
    first = committer.run(marker_job("idle1"))
    deadline = time.monotonic() + TIMEOUT
    while committer._writer_running:
        assert time.monotonic() < deadline, "the writer thread never ended"
        time.sleep(0.01)
    assert committer.run(marker_job("idle2")) == first + 1
    assert committer.commits == 2
    assert setting_keys(world.services.db) == {"gc.idle1", "gc.idle2"}


# -- many processes ----------------------------------------------------------------------------
CHILD = r"""
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from esgledger.services import Options, Services
from esgledger.workflow.entries import Entry

url, token, entity, first_year, files, go = sys.argv[1:7]
services = Services.open(url, Options(files_dir=Path(files)))
user = services.accounts.principal_for_token(token)
print("ready", flush=True)
deadline = time.monotonic() + 30
while not Path(go).exists():
    if time.monotonic() > deadline:
        sys.exit("never told to go")
    time.sleep(0.002)

def write(thread):
    ids = []
    for i in range(10):
        year = str(int(first_year) + thread * 10 + i)
        point = services.datapoints.create(user, Entry(entity, year, "energy.diesel", 1.0 + i, "t"))
        ids.append(point.id)
    return ids

with ThreadPoolExecutor(4) as pool:
    ids = [i for chunk in pool.map(write, range(4)) for i in chunk]
services.dispose()
print(json.dumps(ids), flush=True)
"""


def test_writers_in_two_processes_all_land(
    world: World, db_url: str, backend: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                db_url,
                world.tokens[name],
                entity,
                str(year),
                str(tmp_path / f"files-{name}"),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, entity, year in (("owner_a", "plant_a", 1950), ("owner_b", "plant_b", 1950))
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        go.touch()
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    written: list[list[int]] = []
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        written.append(json.loads(out.strip().splitlines()[-1]))
    ids = written[0] + written[1]
    assert len(ids) == 80 and len(set(ids)) == 80
    with world.services.db.reading() as connection:
        rows = connection.execute(
            sa.select(datapoints.c.id, datapoints.c.entity_id).where(
                datapoints.c.metric_id == "energy.diesel"
            )
        ).all()
    assert sorted(row.id for row in rows) == sorted(ids)
    assert sorted(row.entity_id for row in rows) == ["plant_a"] * 40 + ["plant_b"] * 40
    assert_chain_ok(world)
    if backend == "sqlite":
        database = sa.make_url(db_url).database
        assert Path(f"{database}-writer.lock").exists()


def test_sqlite_writers_queue_on_the_file_lock(sqlite_template: Path, tmp_path: Path) -> None:
    """SQLite only (the lock is a file beside the ledger): while another process holds
    ``FILE-writer.lock``, a write waits; it runs as soon as the lock is let go."""
    target = tmp_path / "locked.db"
    shutil.copy(sqlite_template, target)
    workspace = Ledger.open(f"sqlite:///{target}")
    committer = GroupCommitter(workspace.db)
    holder = os.open(f"{target}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another open file: excludes like another process
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(committer.run, marker_job("waited"))
            time.sleep(0.3)
            assert not pending.done(), "the write did not wait for the writer lock"
            assert setting_keys(workspace.db) == set()
            fcntl.flock(holder, fcntl.LOCK_UN)
            assert pending.result(TIMEOUT) > 0
        assert setting_keys(workspace.db) == {"gc.waited"}
        assert workspace.verify_audit().ok
    finally:
        os.close(holder)
        workspace.db.dispose()
