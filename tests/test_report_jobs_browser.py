"""The full report's build in a real browser (headless Chromium, Playwright) against the real
server, on SQLite and PostgreSQL, over a small ledger (one plant's values of 2023, calculated):
the ESG manager clicks *Build the full report* on the Reports page, the page answers at once and
shows the build's progress (HTMX polls it), then links the HTML, PDF and XLSX files, which
download; the same in Chinese; the dashboard shows the quality checks and the report just built,
in English and Chinese. Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.test_report_sections_browser import sections_server  # noqa: F401 - the fixture
from tests.test_web_browser import Person, browser  # noqa: F401 - the fixture

BUILD_MS = 90_000  # the small ledger's report builds in about 8 s on an idle machine


def test_the_manager_builds_the_full_report_and_watches_its_progress(
    browser: Browser,  # noqa: F811 - the fixture imported above
    sections_server: str,  # noqa: F811 - the fixture imported above
    backend: str,
) -> None:
    manager = Person(browser, sections_server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav a[href='/reports']")
        cell = page.locator("#full-2023")
        expect(cell).to_contain_text("not built yet")
        page.click("#build-full-2023")
        job = page.locator("#job-2023")
        expect(job).to_have_attribute("data-state", "running")
        expect(page.locator("#build-full-2023")).to_be_disabled()
        expect(job).to_contain_text("Started by manager")
        expect(job.locator("progress")).to_be_visible()
        expect(job).to_contain_text("Step ")  # a step of the build, polled while it runs
        manager.shot("report-build-running-en")
        expect(page.locator("#job-2023")).to_have_attribute("data-state", "done", timeout=BUILD_MS)
        expect(page.locator("#job-2023")).to_contain_text("Built by manager at")
        for name in ("en-html", "en-pdf", "zh-pdf", "zh-xlsx"):
            suffix = name.replace("-", ".")
            kind = "annex" if name.endswith("xlsx") else "full-report"
            link = page.locator(f"#full-esgledger-{kind}-2023-{name}")
            expect(link).to_have_attribute(
                "href", f"/reports/full/2023/esgledger-{kind}-2023-{suffix}"
            )
        expect(page.locator("#job-2023")).to_contain_text("draft")
        expect(page.locator("#job-2023")).to_contain_text("the period 2023 is not locked")
        expect(page.locator("#build-full-2023")).to_be_enabled()
        pdf = page.request.get("/reports/full/2023/esgledger-full-report-2023-zh.pdf")
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        manager.shot("report-build-done-en")

        page.click("header .langs a[lang=zh-CN]")
        expect(page.locator("h1")).to_contain_text("报告")
        page.click("#build-full-2023")
        expect(page.locator("#job-2023")).to_have_attribute("data-state", "running")
        expect(page.locator("#job-2023")).to_contain_text("开始生成")
        expect(page.locator("#full-2023 ul.files")).to_have_count(0)  # being written again
        manager.shot("report-build-running-zh")
        expect(page.locator("#job-2023")).to_have_attribute("data-state", "done", timeout=BUILD_MS)
        expect(page.locator("#job-2023")).to_contain_text("生成完成")
        expect(page.locator("#job-2023")).to_contain_text("草稿")
        manager.shot("report-build-done-zh")

        page.goto("/dashboard?period=2023")
        report = page.locator("#dashboard-report")
        expect(report).to_contain_text("2023 年度完整报告")
        expect(report).to_contain_text("草稿")
        expect(report.locator("a[href$='esgledger-full-report-2023-en.pdf']")).to_be_visible()
        expect(page.locator("#dashboard-qa table.qa-counts")).to_be_visible()  # loaded after
        expect(page.locator("#qa-warnings")).to_contain_text("警告")
        expect(page.locator("#dashboard-qa-link")).to_have_attribute("href", "/qa?period=2023")
        manager.shot("dashboard-status-zh")
        page.click("header .langs a[lang=en]")
        expect(page.locator("#dashboard-report")).to_contain_text("Full report 2023")
        expect(page.locator("#dashboard-qa")).to_contain_text("Quality checks")
        manager.shot("dashboard-status-en")
        page.click("#dashboard-report-link")
        expect(page).to_have_url(f"{sections_server}/reports#full-2023")
        assert manager.dialogs == []
        assert manager.console_errors == []
    finally:
        manager.close()
