"""The full report's build on the web pages (TestClient, SQLite and PostgreSQL): the build answers
at once (HTMX: the year's fragment, which polls its progress; a form: back to its page; JSON: the
job, 202); a second build of the year while one runs is refused with who started it, in English
and Chinese; the finished fragment links the files. The dashboard shows the period's quality
checks (open and justified errors and warnings, a link to /qa) and the year's full report (draft
or final, when, files, a link to the Reports page), in English and Chinese and in its JSON twin."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from esgledger.services import report_jobs
from tests.collab_fixtures import World
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)
from tests.test_qa_web import findings  # noqa: F401  (fixture)
from tests.test_report_jobs import held  # noqa: F401  (fixture)
from tests.web_clients import csrf, finished_build

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/reports"}


def progress_at(client: TestClient, text: str, timeout: float = 60) -> str:
    """The 2023 fragment, polled as HTMX does, once it shows ``text``."""
    deadline = time.monotonic() + timeout
    while text not in (shown := client.get("/reports/full/2023/progress", headers=HTMX).text):
        assert time.monotonic() < deadline, shown
        time.sleep(0.1)
    return shown


class _Built:
    """A build that returns at once with no files (where a test is about the web's answer)."""

    def __init__(self, context: object) -> None:
        pass

    def build(self, actor: object, period: str, *args: object, **kwargs: object) -> dict[str, Any]:
        return {"period": period, "draft": [], "files": [], "recorded": False, "qa": {}}


def test_the_build_answers_at_once_and_a_second_one_is_refused(
    browse: dict[str, TestClient],
    held: threading.Event,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager, admin = browse["manager"], browse["admin"]
    token = csrf(manager, "/reports")
    started = manager.post("/reports/full/2023", data={"csrf_token": token}, headers=HTMX)
    assert started.status_code == 202
    fragment = started.text
    assert fragment.startswith("<div") and "<html" not in fragment  # the fragment alone
    assert 'hx-get="/reports/full/2023/progress" hx-trigger="every 1s"' in fragment
    assert 'id="build-full-2023" disabled' in fragment
    assert "Preparing: quality checks" in fragment or "Waiting to start" in fragment
    polled = progress_at(manager, "Step 1 of 8")
    assert "Step 1 of 8: English report assembled" in polled and "Started by manager" in polled
    zh_client = browse["admin"]
    zh_client.cookies.set("esgledger_lang", "zh")
    refused = zh_client.post(
        "/reports/full/2023", data={"csrf_token": csrf(zh_client, "/reports")}, headers=HTMX
    )
    assert refused.status_code == 409 and 'id="job-notice-2023"' in refused.text
    assert "2023 年度完整报告正在生成中（由 manager 发起）" in refused.text
    assert "第 1 步，共 8 步：英文报告已排版" in refused.text
    zh_client.cookies.set("esgledger_lang", "en")
    page = admin.post("/reports/full/2023", data={"csrf_token": csrf(admin, "/reports")})
    assert page.status_code == 409  # without HTMX: the error page
    assert "the full report of 2023 is being built (started by manager" in page.text
    api = admin.post(
        "/reports/full/2023",
        data={"csrf_token": csrf(admin, "/reports")},
        headers={"Accept": "application/json"},
    )
    assert api.status_code == 409 and api.json()["error"]["code"] == "report_building"
    held.set()
    done = finished_build(manager, "2023")
    assert done["state"] == "done" and done["done"] == done["total"] == 8
    final = manager.get("/reports/full/2023/progress", headers=HTMX).text
    assert "hx-trigger" not in final and 'data-state="done"' in final
    assert "Built by manager at" in final and "the period 2023 is not locked" in final
    zh = manager.get(
        "/reports/full/2023/progress", headers=HTMX, cookies={"esgledger_lang": "zh"}
    ).text
    assert "manager 于" in zh and "草稿" in zh and "报告期2023尚未锁定" in zh  # why, in Chinese
    for name in ("full-report-2023-en.pdf", "full-report-2023-zh.pdf", "annex-2023-en.xlsx"):
        assert f'href="/reports/full/2023/esgledger-{name}"' in final
    pdf = manager.get("/reports/full/2023/esgledger-full-report-2023-zh.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # how a plain form and JSON are answered: the build itself need not write its files again
    monkeypatch.setattr(report_jobs, "ReportContent", _Built)
    again = manager.post(
        "/reports/full/2023", data={"csrf_token": token, "back": "/reports/sections?period=2023"}
    )
    assert again.status_code == 303 and again.headers["location"] == "/reports/sections?period=2023"
    finished_build(manager, "2023")
    job = manager.post(
        "/reports/full/2023",
        data={"csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert job.status_code == 202 and job.json()["state"] == "queued"
    assert finished_build(manager, "2023")["id"] == job.json()["id"]


@pytest.mark.usefixtures("qa_rules", "findings")
def test_the_dashboard_shows_the_quality_checks_and_the_full_report(
    world: World, browse: dict[str, TestClient]
) -> None:
    viewer = browse["viewer"]
    data = viewer.get("/dashboard.json?period=2024").json()
    assert data["qa"]["errors_open"] == 1 and data["qa"]["warnings_open"] == 1
    assert data["full_report"] == {"period": "2024", "files": [], "built_at": None, "final": False}
    html = viewer.get("/dashboard?period=2024").text  # the checks' card follows the page
    assert 'hx-get="/dashboard/qa?period=2024" hx-trigger="load"' in html
    assert "Running the quality checks" in html and 'href="/qa?period=2024"' in html
    card = viewer.get("/dashboard/qa?period=2024").text
    assert card.startswith("<section") and 'href="/qa?period=2024"' in card
    errors = card[card.index('<tr id="qa-errors"') :].split("</tr>")[0]
    assert '<td class="num open">1</td><td class="num">0</td>' in errors
    assert viewer.get("/dashboard/qa.json?period=2024").json()["qa"] == data["qa"]
    assert 'id="report-none"' in html and 'href="/reports#full-2024"' in html
    assert "<title>Dashboard 2024 · esgledger</title>" in html  # no section inside the title
    world.services.report_jobs.run(world.user("manager"), "2023", ("en",), ("html",))
    built = viewer.get("/dashboard?period=2023", cookies={"esgledger_lang": "zh"}).text
    assert "2023 年度完整报告" in built and "草稿" in built and "前往报告页面" in built
    assert 'href="/reports/full/2023/esgledger-full-report-2023-en.html"' in built
    assert "查看 2023 的质量检查" in built and "正在运行质量检查" in built
    zh = viewer.get("/dashboard?period=2024", cookies={"esgledger_lang": "zh"}).text
    assert "尚未生成。" in zh
    zh_card = viewer.get("/dashboard/qa?period=2024", cookies={"esgledger_lang": "zh"}).text
    assert "质量检查" in zh_card and "未解决" in zh_card and "已说明" in zh_card
    owner = browse["owner_a"].get("/dashboard.json?period=2024").json()
    assert owner["full_report"] is None  # a data owner reads no reports
    assert owner["qa"]["errors_open"] == 1
