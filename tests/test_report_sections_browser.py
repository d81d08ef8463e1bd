"""The report's sections in a real browser (headless Chromium, Playwright) against the real
server, on SQLite and PostgreSQL: the ESG manager opens a section, types Markdown with a
placeholder and sees the live preview (HTMX); a placeholder that refers to nothing shows its line
in the preview and is refused on save (nothing stored); a good text is saved as version 1; the
page in Chinese. Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from esgledger.services import Options, Services
from tests.collab_fixtures import PASSWORD, make_org
from tests.ledger_fixture import Ledger
from tests.test_web_browser import Person, browser, serving  # noqa: F401 - the fixture
from tests.web_seed import seed_last_year


@pytest.fixture
def sections_server(db_url: str, tmp_path: Path) -> Iterator[str]:
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    seed_last_year(ws, tmp_path)  # 2023, calculated
    services.accounts.create(ws.admin, "manager", PASSWORD, "esg_manager", [])
    with serving(services) as base:
        yield base
    ws.db.dispose()


def test_the_manager_edits_a_section_with_a_live_preview(
    browser: Browser,  # noqa: F811 - the fixture imported above
    sections_server: str,
    backend: str,
) -> None:
    manager = Person(browser, sections_server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav a[href='/reports/sections']")
        expect(page.locator("#sections")).to_contain_text("Greenhouse gas emissions")
        page.click("#edit-water-en")
        body = page.locator("#body")
        expect(body).to_contain_text("Template text")
        body.fill(
            '## Our water\n\nWithdrawal: {{ value("water.withdrawal") }} {{ tag("HKEX-A2.2") }}'
        )
        preview = page.locator("#preview")
        expect(preview.locator("h2")).to_have_text("Our water")
        expect(preview.locator(".fw-tag")).to_have_text("HKEX-A2.2")
        body.fill('Intro\n\nWithdrawal: {{ value("water.nothing") }}')
        expect(preview).to_contain_text("line 3: ")
        expect(preview).to_contain_text("unknown metric 'water.nothing'")
        manager.shot("report-section-preview-error-en")
        page.click("#save")
        expect(page.locator("#problem")).to_contain_text("unknown metric 'water.nothing'")
        expect(page.locator("#edit-water-en")).to_have_text("template")  # nothing stored
        page.locator("#body").fill('## Our water\n\nWithdrawal: {{ value("water.withdrawal") }}')
        expect(page.locator("#preview h2")).to_have_text("Our water")
        page.click("#save")
        expect(page.locator("#flash")).to_contain_text("version 1")
        expect(page.locator("#edit-water-en")).to_have_text("v1")
        expect(page.locator("#versions li")).to_have_count(1)
        manager.shot("report-section-en")
        page.click("header .langs a[lang=zh-CN]")
        expect(page.locator("h1")).to_contain_text("报告章节")
        page.click("#edit-water-zh")
        expect(page.locator("#body")).to_contain_text("模板文字")
        expect(page.locator("#preview")).to_contain_text("取水量")
        manager.shot("report-section-zh")
        assert manager.dialogs == []
        assert [e for e in manager.console_errors if "422" not in e] == []
    finally:
        manager.close()
