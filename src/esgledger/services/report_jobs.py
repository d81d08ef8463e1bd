"""The full report's build as a job: started by a person, run in the background (a small thread
pool of this process) or in the caller's thread, one at a time per year, its progress readable by
anyone who may read reports.

The job runs the one build operation (:meth:`ReportContent.build`) on behalf of the person who
started it, so the policy, the quality gate and the register apply as to any build. Its state is a
small JSON file beside the year's folder (``reports/<year>-full.job.json``, replaced whole at each
step) and a year's build holds an exclusive ``flock`` on ``reports/<year>-full.lock``: every worker
process of a server sees the same job, and a job whose process died is told apart from a running
one (its lock is free)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from threading import Lock
from typing import IO, Any

from esgledger.access.principal import Principal
from esgledger.errors import EsgLedgerError
from esgledger.ledger.canonical import utc_now
from esgledger.service_errors import Conflict, NotFound, ServiceError
from esgledger.services.operation import Call, Capability, staged
from esgledger.services.report_content import ReportContent
from esgledger.services.report_files import full_folder, report_year

log = logging.getLogger("esgledger.jobs")
WORKERS = 2  # builds of different years at once, per process (the machine has few cores)
_pool: ThreadPoolExecutor | None = None
_pool_lock = Lock()
BUILD_ERROR = "the build failed unexpectedly ({kind}); it was logged: try again"


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="report-job")
        return _pool


class ReportJobs(Capability):
    @staged("report.build")
    def start(
        self,
        call: Call,
        period: str,
        langs: tuple[str, ...] = ("en", "zh"),
        formats: tuple[str, ...] = ("html", "pdf", "xlsx"),
        override_qa: str | None = None,
    ) -> dict[str, Any]:
        """Start building the full report of a year in the background and return the job at
        once (state ``queued``); refused (409 ``report_building``) while one of the year runs."""
        held, job = self._begin(call, period)
        try:
            _executor().submit(self._work, held, job, call.actor, langs, formats, override_qa)
        except RuntimeError:  # the process is shutting down
            _release(held)
            raise
        return job

    @staged("report.build")
    def run(
        self,
        call: Call,
        period: str,
        langs: tuple[str, ...] = ("en", "zh"),
        formats: tuple[str, ...] = ("html", "pdf", "xlsx"),
        override_qa: str | None = None,
    ) -> dict[str, Any]:
        """Build the full report of a year in this thread (the synchronous REST call) as a job,
        so that it too is one at a time per year; returns what the build returns, or raises its
        error."""
        held, job = self._begin(call, period)
        finished = self._work(held, job, call.actor, langs, formats, override_qa)
        if finished["state"] == "failed":
            raise finished["raised"]
        return dict(finished["result"])

    @staged("report.read")
    def status(self, call: Call, job_id: str) -> dict[str, Any]:
        """A job by its id (``<year>-<hex>``): state (queued, running, done, failed), steps done
        of all, the last step, and the build's answer or error. Only a year's latest job is
        kept."""
        year = job_id.split("-", 1)[0]
        found = self.latest(call.actor, year) if year.isdigit() else None
        if found is None or found["id"] != job_id:
            raise NotFound(
                f"no report job {job_id} (only the latest build of each year is kept)",
                field="job_id",
            )
        return found

    @staged("report.read")
    def latest(self, call: Call, period: str) -> dict[str, Any] | None:
        """The latest job of a year (running or finished), or None when there was none; one
        still running says for how long (``elapsed``, seconds)."""
        year = report_year(period)
        state, lock = self._state_file(year), self._lock_file(year)
        job = _read(state)
        while job is not None and job["state"] in ("queued", "running"):
            if not _free(lock):
                started = dt.datetime.fromisoformat(job["started_at"])
                elapsed = (self.context.clock() - started).total_seconds()
                return {**job, "elapsed": max(0, int(elapsed))}
            # a job writes its end before it frees the lock, and a new one takes the lock before
            # it writes: the job is the same as read before the lock was found free only when its
            # process ended before it did
            again = _read(state)
            if again == job:
                return {**job, "state": "failed", "error": _interrupted()}
            job = again
        return job

    # -- helpers --------------------------------------------------------------------------------
    def _state_file(self, year: str) -> Path:
        return full_folder(self.context, year).with_name(f"{year}-full.job.json")

    def _lock_file(self, year: str) -> Path:
        return full_folder(self.context, year).with_name(f"{year}-full.lock")

    def _begin(self, call: Call, period: str) -> tuple[IO[str], dict[str, Any]]:
        """The year's build lock and its new job (queued), written for every reader."""
        year = report_year(period)
        held = self._claim(year, call.actor)
        return held, _write(self._state_file(year), _new_job(year, call.actor))

    def _claim(self, year: str, actor: Principal) -> IO[str]:
        """The year's build lock, or :class:`Conflict` naming the build that holds it."""
        path = self._lock_file(year)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
        if not _lock(handle):
            handle.close()
            running = self.latest(actor, year) or {}
            raise Conflict(
                f"the full report of {year} is being built (started by "
                f"{running.get('by', 'someone')} at {str(running.get('started_at', '?'))[:19]} "
                f"UTC); wait until it is done, then build again if needed",
                field="period",
                code="report_building",
                details={"period": year, "by": running.get("by", ""), "job": running.get("id")},
            ) from None
        return handle

    def _work(
        self,
        held: IO[str],
        job: dict[str, Any],
        actor: Principal,
        langs: tuple[str, ...],
        formats: tuple[str, ...],
        override_qa: str | None,
    ) -> dict[str, Any]:
        """Run the build as ``actor``, writing each step; the lock is released at the end."""
        year, state = job["period"], self._state_file(job["period"])
        try:
            job = _write(state, {**job, "state": "running"})
            built = ReportContent(self.context).build(
                actor,
                year,
                full_folder(self.context, year),
                langs,
                formats,
                progress=_stepper(state, job),
                override_qa=override_qa,
            )
            done = {k: v for k, v in built.items() if k != "files"}
            done["files"] = [{k: v for k, v in f.items() if k != "path"} for f in built["files"]]
            return _write(state, {**_read_or(state, job), "state": "done", "result": done})
        except Exception as exc:  # every failure is the job's answer
            if not isinstance(exc, EsgLedgerError):
                log.exception("report job %s failed", job["id"])
            failed = {**_read_or(state, job), "state": "failed", "error": _error(exc)}
            return {**_write(state, failed), "raised": exc}
        finally:
            _release(held)


def _new_job(year: str, actor: Principal) -> dict[str, Any]:
    return {
        "id": f"{year}-{uuid.uuid4().hex[:12]}",
        "period": year,
        "state": "queued",
        "by": actor.username,
        "started_at": utc_now(),
        "finished_at": None,
        "done": 0,
        "total": 0,
        "step": None,
        "result": None,
        "error": None,
    }


def _stepper(state: Path, job: dict[str, Any]) -> Callable[[int, int, str], None]:
    """The build's ``progress(done, total, message)``: each step written to the job's file."""

    def progress(done: int, total: int, message: str) -> None:
        _write(state, {**job, "state": "running", "done": done, "total": total, "step": message})

    return progress


def _error(exc: Exception) -> dict[str, Any]:
    """A failure in the one error shape (code, message, field, details)."""
    if isinstance(exc, ServiceError):
        return {
            "code": exc.code,
            "message": exc.message,
            "field": exc.field,
            "details": _plain(exc.details),
        }
    if isinstance(exc, EsgLedgerError):
        return {"code": "invalid", "message": str(exc), "field": None, "details": None}
    return _interrupted(BUILD_ERROR.format(kind=type(exc).__name__))


def _interrupted(message: str | None = None) -> dict[str, Any]:
    return {
        "code": "report_interrupted",
        "message": message
        or "the build stopped before it was done (the server stopped or restarted); build again",
        "field": None,
        "details": None,
    }


def _plain(details: Any) -> Any:
    """``details`` as JSON can hold them (anything else as text)."""
    return json.loads(json.dumps(details, default=str))


def _write(path: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Replace the job's file whole (never half written for a reader)."""
    if job["state"] in ("done", "failed"):
        job = {**job, "finished_at": utc_now()}
    public = {k: v for k, v in job.items() if k != "raised"}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        temporary.write_text(json.dumps(public, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    finally:  # a write that failed (a full disk) leaves no temporary file behind
        temporary.unlink(missing_ok=True)
    return job


def _read(path: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return found


def _read_or(path: Path, job: dict[str, Any]) -> dict[str, Any]:
    """The job as last written (with its last step), or ``job``."""
    return _read(path) or job


def _lock(handle: IO[str], tries: int = 3) -> bool:
    """Take the lock of ``handle`` without waiting for a build (a few short tries, so that a
    reader's look at the lock never refuses a start)."""
    for attempt in range(tries):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < tries:
                time.sleep(0.05)
    return False


def _free(path: Path) -> bool:
    """Whether nobody holds the lock at ``path`` (a running build holds it)."""
    with _opened(path) as handle:
        if not _lock(handle, tries=1):
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


@contextmanager
def _opened(path: Path) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        yield handle


def _release(held: IO[str]) -> None:
    fcntl.flock(held, fcntl.LOCK_UN)
    held.close()
