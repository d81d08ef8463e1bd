"""The coverage page in a real browser (headless Chromium, the real server; SQLite and
PostgreSQL): an ESG manager opens it from the navigation, chooses the period's frameworks, marks
an item not applicable, is refused when explaining a mandatory item, follows an error's next step
to the form that resolves it, and filters by status; in English and Chinese. Screenshots go to
``test-artifacts/screenshots/``."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.test_web_browser import Person, browser, server  # noqa: F401 - the fixtures


def explain(page: Page, reference: str, status: str, text_en: str, text_zh: str) -> None:
    form = page.locator("#explain-form")
    form.locator("[name=reference]").fill(reference)
    form.locator("select[name=status]").select_option(status)
    if status == "explained":
        form.locator("[name=reason_id]").fill("considered_reasons")
    form.locator("[name=text_en]").fill(text_en)
    form.locator("[name=text_zh]").fill(text_zh)
    form.locator("button[type=submit]").click()


def test_choosing_frameworks_and_explaining_in_the_browser(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
    backend: str,
) -> None:
    manager = Person(browser, server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav a[href='/disclose/coverage']")
        page.goto("/disclose/coverage?period=2025")
        expect(page.locator("#no-profile")).to_be_visible()
        form = page.locator("#profile-form")
        form.locator("[name=frameworks]").fill("hkex, sse14")
        form.locator("select[name=issuer_class]").select_option("main_board")
        form.locator("button[type=submit]").click()
        expect(page.locator("#fw-hkex")).to_be_visible()
        expect(page.locator("#finding-list")).to_contain_text(
            "HKEX-D28(a) is mandatory and missing"
        )
        expect(page.locator("#profile-line")).to_contain_text("Main Board issuer (not LargeCap)")
        unexplained = page.locator("#finding-list > li[data-code=unexplained]").first
        reference = unexplained.inner_text().split()[1]  # "error HKEX-A1 (comply or explain) ..."
        expect(unexplained.locator("li[data-step=text]")).to_contain_text(f"meets: [{reference}]")
        unexplained.locator("li[data-step=explain] a").click()  # the step's page: the form
        expect(page.locator("#explain-form [name=reference]")).to_have_value(reference)
        explain(page, "HKEX-D28(b)", "explained", "Not yet measured", "尚未计量")
        expect(page.locator("#disclose-error")).to_contain_text("allows no omission")
        english = "An engineering group ships no packaged products"
        explain(page, "HKEX-A2.5", "not_applicable", english, "工程类企业，无包装产品")
        expect(page.locator("#item-HKEX-A2\\.5")).to_contain_text("not applicable")
        manager.shot("disclose-coverage-en", full_page=False)
        page.goto("/disclose/coverage?period=2025&status=not_applicable")
        expect(page.locator("tr.status-not_met")).to_have_count(0)
        page.click("a[lang=zh-CN]")
        expect(page.locator("h1")).to_contain_text("披露覆盖情况")
        expect(page.locator("#item-HKEX-A2\\.5")).to_contain_text("工程类企业，无包装产品")
        page.goto("/disclose/coverage?period=2025")
        expect(page.locator("#profile-line")).to_contain_text("主板发行人（非大型股）")
        expect(page.locator("#finding-list li[data-step=text]").first).to_contain_text("报告文本")
        manager.shot("disclose-coverage-zh", full_page=False)
        assert manager.dialogs == [] and manager.console_errors == []
    finally:
        manager.close()
