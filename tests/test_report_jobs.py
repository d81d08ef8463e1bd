"""The full report's build as a background job, its files and the dashboard's status, through the
services on SQLite and PostgreSQL: a job answers at once, runs the build on behalf of the person
who started it (a final build's files are registered as theirs) and reports every step; a second
build of the year is refused while one runs, naming who started it; a failure is the job's error;
a job whose process died is told apart from a running one; only readers of reports see jobs and
files, only reviewers start them; the file listing marks registered files final and resolves
nothing outside the year's folder; the QA counts split open and justified by severity."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from esgledger.service_errors import Conflict, Forbidden, NotFound
from esgledger.services import report_jobs
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from tests.collab_fixtures import World
from tests.job_helpers import finished_job
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)
from tests.web_seed import LAST_YEAR, seed_last_year

HTML = ("html",)


@pytest.fixture
def seeded(world: World, tmp_path: Path) -> World:
    """The world with last year's values of ``plant_a`` imported (drafts) and calculated."""
    seed_last_year(world.ws, tmp_path)
    return world


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Builds wait at their first step until the event is set (so a test sees one running)."""
    release, original = threading.Event(), report_jobs._stepper

    def stepper(state: Path, job: dict[str, Any]) -> Callable[[int, int, str], None]:
        step = original(state, job)

        def waiting(done: int, total: int, message: str) -> None:
            step(done, total, message)
            assert release.wait(60), "the test never released the build"

        return waiting

    monkeypatch.setattr(report_jobs, "_stepper", stepper)
    yield release
    release.set()


def test_a_job_answers_at_once_and_reports_each_step(seeded: World) -> None:
    services, manager = seeded.services, seeded.user("manager")
    job = services.report_jobs.start(manager, LAST_YEAR, ("en", "zh"), HTML)
    assert job["state"] == "queued" and job["by"] == "manager" and job["id"].startswith("2023-")
    done = finished_job(services, seeded.user("viewer"), job["id"])
    assert done["state"] == "done" and done["error"] is None
    assert (done["done"], done["total"]) == (4, 4)
    assert done["step"] == "zh: esgledger-full-report-2023-zh.html"
    result = done["result"]
    assert [f["file_name"] for f in result["files"]] == [
        "esgledger-full-report-2023-en.html",
        "esgledger-full-report-2023-zh.html",
    ]
    assert result["recorded"] is False and "the period 2023 is not locked" in result["draft"]
    listed = services.report_files.full(seeded.user("auditor"), LAST_YEAR)
    assert [f["file_name"] for f in listed["files"]] == [f["file_name"] for f in result["files"]]
    assert listed["final"] is False and not any(f["final"] for f in listed["files"])
    assert listed["built_at"] is not None and listed["built_at"] <= done["finished_at"]
    assert services.report_jobs.latest(manager, LAST_YEAR) == done


def test_a_final_build_runs_on_behalf_of_its_starter(seeded: World) -> None:
    services, admin, manager = seeded.services, seeded.ws.admin, seeded.user("manager")
    points, _ = services.datapoints.find(admin, Filters(period=LAST_YEAR))
    for point in points:  # imported as submitted: the manager approves them
        services.datapoints.approve(manager, point.id, point.version)
    services.calculation.run(manager, LAST_YEAR)
    services.periods.lock(manager, LAST_YEAR, "published")
    job = services.report_jobs.start(seeded.user("admin"), LAST_YEAR, ("en",), HTML)
    done = finished_job(services, manager, job["id"])
    assert done["state"] == "done" and done["result"]["recorded"] is True
    (record,) = [r for r in services.reports.list(manager) if r["period"] == LAST_YEAR]
    assert (record["lang"], record["by"]) == ("en.html", "admin")  # the register names the starter
    listed = services.report_files.full(manager, LAST_YEAR)
    assert listed["final"] is True and [f["final"] for f in listed["files"]] == [True]
    path = services.report_files.full_file(manager, LAST_YEAR, "esgledger-full-report-2023-en.html")
    path.write_text("changed after the build", encoding="utf-8")
    assert services.report_files.full(manager, LAST_YEAR)["final"] is False  # not the one built


def test_a_second_build_of_the_year_is_refused_while_one_runs(
    seeded: World, held: threading.Event
) -> None:
    services, manager, admin = seeded.services, seeded.user("manager"), seeded.user("admin")
    job = services.report_jobs.start(manager, LAST_YEAR, ("en",), HTML)
    with pytest.raises(Conflict) as refused:
        services.report_jobs.start(admin, LAST_YEAR, ("en",), HTML)
    assert refused.value.code == "report_building" and refused.value.field == "period"
    assert "the full report of 2023 is being built (started by manager at" in str(refused.value)
    assert refused.value.details == {"period": "2023", "by": "manager", "job": job["id"]}
    with pytest.raises(Conflict, match="is being built"):  # the synchronous build too
        services.report_jobs.run(admin, LAST_YEAR, ("en",), HTML)
    running = services.report_jobs.status(admin, job["id"])
    deadline = time.monotonic() + 60
    while running["done"] == 0 and time.monotonic() < deadline:  # held at its first step
        time.sleep(0.05)
        running = services.report_jobs.status(admin, job["id"])
    assert running["state"] == "running" and (running["done"], running["total"]) == (1, 2)
    assert 0 <= running["elapsed"] < 60  # while it runs: for how long
    held.set()
    assert finished_job(services, admin, job["id"])["state"] == "done"
    again = services.report_jobs.run(admin, LAST_YEAR, ("en",), HTML)  # free again
    assert [f["file_name"] for f in again["files"]] == ["esgledger-full-report-2023-en.html"]
    assert services.report_jobs.latest(admin, LAST_YEAR)["by"] == "admin"
    with pytest.raises(NotFound, match="only the latest build of each year is kept"):
        services.report_jobs.status(admin, job["id"])


def test_a_failed_build_is_the_jobs_error(seeded: World) -> None:
    services, manager = seeded.services, seeded.user("manager")
    job = services.report_jobs.start(manager, "2030", ("en",), HTML)  # no calculation of 2030
    failed = finished_job(services, manager, job["id"])
    assert failed["state"] == "failed" and failed["result"] is None
    assert failed["error"]["code"] == "invalid" and "2030" in failed["error"]["message"]
    with pytest.raises(Exception, match="2030"):  # the synchronous build raises the same
        services.report_jobs.run(manager, "2030", ("en",), HTML)


def test_a_job_whose_process_ended_is_told_apart(seeded: World) -> None:
    services, manager = seeded.services, seeded.user("manager")
    services.report_jobs.run(manager, LAST_YEAR, ("en",), HTML)  # returns once the lock is free
    job = services.report_jobs.latest(manager, LAST_YEAR)
    state = services.context.reports_dir / "2023-full.job.json"
    state.write_text(state.read_text().replace('"state": "done"', '"state": "running"'))
    shown = services.report_jobs.status(manager, job["id"])  # nobody holds the year's lock
    assert shown["state"] == "failed" and shown["error"]["code"] == "report_interrupted"
    assert "build again" in shown["error"]["message"]


def test_a_job_ending_while_it_is_read_is_not_taken_for_interrupted(
    seeded: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, manager = seeded.services, seeded.user("manager")
    services.report_jobs.run(manager, LAST_YEAR, ("en",), HTML)  # returns once the lock is free
    job = services.report_jobs.latest(manager, LAST_YEAR)
    state = services.context.reports_dir / "2023-full.job.json"
    ended = state.read_text()
    state.write_text(ended.replace('"state": "done"', '"state": "running"'))
    free = report_jobs._free

    def ends_meanwhile(path: Path) -> bool:  # the job writes its end, then frees the lock
        state.write_text(ended)
        return free(path)

    monkeypatch.setattr(report_jobs, "_free", ends_meanwhile)
    shown = services.report_jobs.status(manager, job["id"])
    assert shown["state"] == "done" and shown["error"] is None


def test_a_job_file_that_could_not_be_written_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_jobs.os, "replace", disk_full)
    job = {"id": "2023-abc", "state": "running", "started_at": "2023-01-01T00:00:00Z"}
    with pytest.raises(OSError, match="No space left"):
        report_jobs._write(tmp_path / "2023-full.job.json", job)
    assert list(tmp_path.iterdir()) == []


def test_who_may_start_and_see_jobs_and_files(seeded: World) -> None:
    services = seeded.services
    for name in ("owner_a", "auditor", "viewer"):
        with pytest.raises(Forbidden):
            services.report_jobs.start(seeded.user(name), LAST_YEAR)
    for name in ("owner_a", "viewer_a"):
        with pytest.raises(Forbidden):
            services.report_jobs.latest(seeded.user(name), LAST_YEAR)
        with pytest.raises(Forbidden):
            services.report_files.full(seeded.user(name), LAST_YEAR)
    assert services.report_jobs.latest(seeded.user("viewer"), LAST_YEAR) is None
    with pytest.raises(NotFound, match="no report job 2023-abc"):
        services.report_jobs.status(seeded.user("viewer"), "2023-abc")
    with pytest.raises(Exception, match="is a month"):
        services.report_jobs.start(seeded.user("manager"), "2023-05")


def test_the_listing_resolves_only_the_years_report_files(seeded: World) -> None:
    services, viewer = seeded.services, seeded.user("viewer")
    assert services.report_files.full(viewer, LAST_YEAR) == {
        "period": "2023",
        "files": [],
        "built_at": None,
        "final": False,
    }
    folder = services.context.reports_dir / "2023-full"
    folder.mkdir(parents=True)
    (folder / "esgledger-annex-2023-zh.xlsx").write_bytes(b"x" * 10)
    (folder / "notes.txt").write_text("not a report file")
    (services.context.reports_dir / "secret.html").write_text("elsewhere")
    (listed,) = services.report_files.full(viewer, LAST_YEAR)["files"]
    assert (listed["file_name"], listed["lang"], listed["format"]) == (
        "esgledger-annex-2023-zh.xlsx",
        "zh",
        "xlsx",
    )
    assert listed["size"] == 10 and listed["final"] is False
    for name in ("notes.txt", "../secret.html", "esgledger-annex-2023-en.xlsx"):
        with pytest.raises(NotFound):
            services.report_files.full_file(viewer, LAST_YEAR, name)


@pytest.mark.usefixtures("qa_rules")
def test_the_qa_counts_split_open_and_justified_by_severity(world: World) -> None:
    services, manager = world.services, world.user("manager")
    services.datapoints.create(manager, Entry("plant_a", "2024", "energy.diesel", 20, "t"))
    services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "water.withdrawal", 7000, "m3")
    )
    counts = services.qa_review.counts(world.user("viewer"), "2024")
    assert counts["checks"] > 0 and counts["figures"] > 0
    assert {k: v for k, v in counts.items() if k not in ("checks", "figures")} == {
        "period": "2024",
        "errors_open": 1,
        "errors_justified": 0,
        "warnings_open": 1,
        "warnings_justified": 0,
    }
    review = services.qa_review.review(manager, "2024")
    for finding in review["findings"]:
        services.qa_review.justify(
            world.user("manager2"), "2024", finding["rule"], finding["key"], "Checked on site"
        )
    after = services.qa_review.counts(world.user("viewer"), "2024")
    assert (after["errors_open"], after["errors_justified"]) == (0, 1)
    assert (after["warnings_open"], after["warnings_justified"]) == (0, 1)
