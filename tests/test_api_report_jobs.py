"""The full report's build over REST (SQLite and PostgreSQL): ``POST /full-report/jobs`` answers
202 with the job at once, ``GET /full-report/jobs/{id}`` follows it to its result, the files are
listed by ``GET /full-report/{period}/files``; while a build of the year runs, both a second job
and the synchronous ``POST /full-report`` are 409 ``report_building``; the synchronous call still
answers the build when the year is free."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from tests.collab_fixtures import API, World
from tests.test_report_jobs import held, seeded  # noqa: F401  (fixtures)

BODY = {"period": "2023", "lang": "en", "formats": ["html"]}


def followed(client: TestClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (job := client.get(f"{API}/full-report/jobs/{job_id}", headers=headers).json())[
        "state"
    ] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return dict(job)


def test_a_job_answers_202_and_is_followed_to_its_files(
    seeded: World,  # noqa: F811 - the fixture imported above
    client: TestClient,
    held: threading.Event,  # noqa: F811 - the fixture imported above
) -> None:
    manager, auditor = seeded.headers("manager"), seeded.headers("auditor")
    started = client.post(f"{API}/full-report/jobs", json=BODY, headers=manager)
    assert started.status_code == 202
    job = started.json()
    assert job["state"] == "queued" and job["by"] == "manager" and job["result"] is None
    for path in ("/full-report/jobs", "/full-report"):
        refused = client.post(f"{API}{path}", json=BODY, headers=seeded.headers("admin"))
        assert refused.status_code == 409, path
        error = refused.json()["error"]
        assert error["code"] == "report_building" and error["details"]["by"] == "manager"
    held.set()
    done = followed(client, auditor, job["id"])
    assert done["state"] == "done" and (done["done"], done["total"]) == (2, 2)
    assert [f["file_name"] for f in done["result"]["files"]] == [
        "esgledger-full-report-2023-en.html"
    ]
    listed = client.get(f"{API}/full-report/2023/files", headers=auditor).json()
    assert [f["file_name"] for f in listed["files"]] == ["esgledger-full-report-2023-en.html"]
    assert listed["final"] is False and listed["built_at"] is not None
    built = client.post(f"{API}/full-report", json=BODY, headers=manager)  # the year is free
    assert built.status_code == 201 and built.json()["recorded"] is False
    gone = client.get(f"{API}/full-report/jobs/{job['id']}", headers=auditor)
    assert gone.status_code == 404  # only the latest job of a year is kept
    assert client.get(f"{API}/full-report/jobs/2023-zz", headers=auditor).status_code == 422
