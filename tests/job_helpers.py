"""Waiting for a full report build job (it runs in a thread of the process) in the tests."""

from __future__ import annotations

import time
from typing import Any

from esgledger.services import Principal, Services


def finished_job(
    services: Services, actor: Principal, job_id: str, timeout: float = 120
) -> dict[str, Any]:
    """The job once it is done or failed, read through the service as ``actor``."""
    deadline = time.monotonic() + timeout
    while True:
        job = services.report_jobs.status(actor, job_id)
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"the job {job_id} did not finish: {job}"
        time.sleep(0.1)
