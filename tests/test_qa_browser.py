"""The QA page in a real browser (headless Chromium, the real server; SQLite and PostgreSQL): a
manager opens it from the navigation, sees the error and the warning with their arithmetic, follows
a finding's link to the data point, is refused when justifying a value they entered (the refusal
beside the finding), and another manager justifies it; the page in Chinese. Screenshots go to
``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from esgledger.services import Options, Services
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, make_org
from tests.ledger_fixture import Ledger
from tests.qa_test_rules import qa_rules  # noqa: F401 - the fixture
from tests.test_web_browser import Person, browser, serving  # noqa: F401 - the fixtures

REFUSED = re.compile(r"status of 403 ")


@pytest.fixture
def qa_server(db_url: str, tmp_path: Path, qa_rules: object) -> Iterator[str]:  # noqa: F811
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    for name, role, entities in (
        ("owner_a", "data_owner", ["plant_a"]),
        ("manager", "esg_manager", []),
        ("manager2", "esg_manager", []),
    ):
        services.accounts.create(ws.admin, name, PASSWORD, role, entities)
    manager = services.accounts.principal("manager")
    owner = services.accounts.principal("owner_a")
    services.datapoints.create(manager, Entry("plant_a", "2024", "energy.diesel", 20, "t"))
    services.datapoints.create(owner, Entry("plant_a", "2024", "water.withdrawal", 7000, "m3"))
    with serving(services) as base:
        yield base
    services.dispose()


def test_justifying_a_finding_in_the_browser(
    browser: Browser,  # noqa: F811
    qa_server: str,
    backend: str,
) -> None:
    author = Person(browser, qa_server, "manager", backend)
    other = Person(browser, qa_server, "manager2", backend)
    try:
        author.login()
        page = author.page
        page.click("header nav a[href='/qa']")
        page.goto("/qa?period=2024")
        expect(page.locator("#qa-error h2")).to_contain_text("Errors (block the final report) (1)")
        expect(page.locator("#qa-warning h2")).to_contain_text("Warnings (1)")
        error = page.locator("#qa-error article").first
        expect(error.locator(".qa-arithmetic")).to_have_text("20 > 15")
        expect(error.locator(".qa-refusal")).to_contain_text("You entered or changed a value")
        # its short reference, and the command that takes it, beside the form
        expect(error.locator(".qa-ref")).to_have_text("diesel.limit#df58ed")
        error.locator("summary", has_text="Justify").click()
        expect(error.locator(".qa-cli")).to_contain_text(
            "esgledger justify --period 2024 --key diesel.limit#df58ed"
        )
        error.locator("summary", has_text="Justify").click()
        author.shot("qa-page-en", full_page=True)
        error.locator("summary", has_text="Justify").click()
        error.locator("textarea[name=text]").fill("Standby generators ran during the outage")
        error.locator("button[type=submit]").click()
        refusal = page.locator("#qa-error article #qa-error")
        expect(refusal).to_contain_text("segregation of duties: this finding rests on a value")
        author.shot("qa-refused-en", full_page=False)
        page.locator("#qa-error article a.qa-link-datapoint").first.click()
        expect(page.locator("#versions")).to_be_visible()

        other.login()
        page2 = other.page
        page2.goto("/qa?period=2024")
        found = page2.locator("#qa-error article").first
        found.locator("summary", has_text="Justify").click()
        found.locator("textarea[name=text]").fill("Standby generators ran during the outage")
        found.locator("button[type=submit]").click()
        expect(page2.locator("#qa-saved")).to_contain_text("The justification is recorded.")
        justified = page2.locator("#qa-justified article")
        expect(justified).to_contain_text("Justified by manager2")
        expect(justified).to_contain_text("Standby generators ran during the outage")
        expect(page2.locator("#qa-error")).to_have_count(0)
        other.shot("qa-justified-en", full_page=True)
        page2.click("a[lang=zh-CN]")
        expect(page2.locator("h1")).to_contain_text("质量检查")
        expect(page2.locator("#qa-justified h2")).to_contain_text("已说明 (1)")
        other.shot("qa-justified-zh", full_page=True)
        assert author.dialogs == [] and other.dialogs == []
        assert [e for e in author.console_errors if not REFUSED.search(e)] == []
        assert other.console_errors == []
    finally:
        author.close()
        other.close()
