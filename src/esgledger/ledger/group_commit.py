"""Group commit: many small write transactions from many threads, committed together.

Every write to the ledger holds the audit chain head until it commits, so writes run one at a
time whatever the number of request threads. Handing the head (and on SQLite the file's write
lock) from thread to thread costs more than the writes themselves once a server is busy. A
:class:`GroupCommitter` runs the writes of all threads on one writer thread instead: it takes every
write queued at that moment, runs them one after the other in one transaction that locks the head
once and writes it back once, and commits once. If one of them fails, the transaction is rolled
back and the batch runs again with each write in its own savepoint: the failed one raises in its
caller's thread, the others commit. A caller returns only after the commit, so an answer never
reports a write that could still be lost.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from esgledger.ledger import audit
from esgledger.store.database import Database

T = TypeVar("T")
Work = Callable[[sa.Connection], T]


class _Job(Generic[T]):
    __slots__ = ("work", "future", "result", "error")

    def __init__(self, work: Work[T]):
        self.work = work
        self.future: Future[T] = Future()
        self.result: T | None = None
        self.error: BaseException | None = None

    def answer(self) -> None:
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.result)  # type: ignore[arg-type]


class GroupCommitter:
    """Run write transactions on one writer thread, several to a commit.

    The writer thread starts with the first write and ends after ``idle_seconds`` without one,
    so an idle service holds no thread. ``max_batch`` bounds the work lost to one failed commit.
    """

    def __init__(self, db: Database, max_batch: int = 64, idle_seconds: float = 2.0):
        self.db = db
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._queue: deque[_Job[Any]] = deque()
        self._wake = threading.Condition()
        self._writer_running = False
        self.commits = 0  # transactions committed, for tests and benchmarks
        self.writes = 0  # writes that landed

    def run(self, work: Work[T]) -> T:
        """Run ``work(connection)`` inside a write transaction; return its result once committed,
        or raise what it raised (then nothing it did is kept)."""
        return self.submit(work).result()

    async def run_async(self, work: Work[T]) -> T:
        """:meth:`run` for a coroutine: it waits for the commit without holding a thread."""
        return await asyncio.wrap_future(self.submit(work))

    def submit(self, work: Work[T]) -> Future[T]:
        """Queue ``work``; the future is answered after the commit of its batch."""
        job: _Job[T] = _Job(work)
        with self._wake:
            self._queue.append(job)
            if self._writer_running:
                self._wake.notify()
            else:
                self._writer_running = True
                threading.Thread(
                    target=self._write_loop, name="esgledger-writer", daemon=True
                ).start()
        return job.future

    def _write_loop(self) -> None:
        while True:
            with self._wake:
                if not self._queue:
                    self._wake.wait(self.idle_seconds)
                    if not self._queue:
                        self._writer_running = False
                        return
                batch = [
                    self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))
                ]
            self._commit(batch)

    def _commit(self, batch: list[_Job[Any]]) -> None:
        try:
            committed = self._commit_together(batch)
            if not committed and len(batch) > 1:
                self._commit_in_savepoints(batch)
                committed = True
        except BaseException as exc:  # the commit (or the start of the transaction) failed
            for job in batch:
                if job.error is None:
                    job.error = exc
        else:
            if committed:
                self.commits += 1
                self.writes += sum(job.error is None for job in batch)
        for job in batch:
            job.answer()

    def _commit_together(self, batch: list[_Job[Any]]) -> bool:
        """Run the batch with one head; False (and nothing kept) if a write failed. A lone
        write's failure is its own answer; in a larger batch nobody has an answer yet."""
        failed = _Failed()
        try:
            with self.db.transaction() as connection, audit.held_head(connection):
                for job in batch:
                    try:
                        job.result = job.work(connection)
                    except BaseException as exc:
                        if len(batch) == 1:
                            job.error = exc
                        raise failed from exc
        except _Failed:
            return False
        return True

    def _commit_in_savepoints(self, batch: list[_Job[Any]]) -> None:
        with self.db.transaction() as connection:
            for job in batch:
                savepoint = connection.begin_nested()
                try:
                    job.result = job.work(connection)
                except BaseException as exc:  # the caller gets it; the rest of the batch goes on
                    savepoint.rollback()
                    job.error = exc
                else:
                    savepoint.commit()


class _Failed(Exception):
    """One write of a batch failed: roll the transaction back."""
