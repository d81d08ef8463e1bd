"""Targets in a real browser (headless Chromium, Playwright) against the real server, on SQLite
and PostgreSQL: the ESG manager adds a target in the web form (a refused one first), sees its
status badge and progress bar on the targets page and on the dashboard, in English and Chinese.
Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from esgledger.services import Options, Services
from tests.collab_fixtures import PASSWORD, make_org
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_browser import Person, browser, serving  # noqa: F401 - the fixture
from tests.web_seed import seed_last_year


@pytest.fixture
def target_server(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The application with plant_a's 2022 and 2023 values calculated, and an ESG manager."""
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    rows = [["plant_a", "2022", "water.withdrawal", "5500", "m3", "measured", "meter", ""]]
    ws.import_data(write_csv(tmp_path / "base.csv", DATA_HEADER, rows))
    ws.calc("2022")
    seed_last_year(ws, tmp_path)  # 2023: 5,000 m3 of water, calculated
    services.accounts.create(ws.admin, "manager", PASSWORD, "esg_manager", [])
    with serving(services) as base:
        yield base
    ws.db.dispose()


def test_the_manager_adds_a_target_and_follows_it_in_both_languages(
    browser: Browser,  # noqa: F811 - the fixture imported above
    target_server: str,
    backend: str,
) -> None:
    manager = Person(browser, target_server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav details.navgroup summary")  # the Assessment menu
        page.click("header nav a[href='/assess/targets']")
        expect(page.locator("#no-targets")).to_be_visible()
        form = page.locator("form.target-form")
        form.locator("input[name=target_id]").fill("T-WATER")
        form.locator("input[name=name]").fill("Water withdrawal at Plant A -20 % by 2030")
        form.locator("input[name=name_zh]").fill("2030年甲厂取水量较2022年下降20%")
        form.locator("select[name=kind]").select_option("absolute")
        form.locator("input[name=metric_key]").fill("water.withdrawal")
        form.locator("select[name=entity]").select_option("plant_a")
        form.locator("input[name=base_year]").fill("2022")
        form.locator("input[name=target_year]").fill("2020")  # before the base year: refused
        form.locator("input[name=target]").fill("-20%")
        form.locator("input[name=milestones]").fill("2025=-10%")
        form.locator("button[type=submit]").click()
        expect(page.locator("#target-error")).to_contain_text("must come after the base year")
        expect(page.locator("#no-targets")).to_be_visible()  # nothing stored
        form = page.locator("form.target-form")
        expect(form.locator("input[name=name]")).to_have_value(
            "Water withdrawal at Plant A -20 % by 2030"
        )
        form.locator("input[name=target_year]").fill("2030")
        form.locator("button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("T-WATER")
        # target 5,500 x 0.8 = 4,400 m3; 2023: 5,000 m3, progress (5,500 - 5,000) / 1,100 = 45 %;
        # trajectory 2023 = 5,500 - 550 x 1/3 = 5,316.7 (milestone 2025: 4,950): on track
        row = page.locator("#target-T-WATER")
        expect(row.locator(".target-status")).to_have_text("On track")
        expect(row.locator(".progress-value")).to_have_text("45%")
        expect(row).to_contain_text("4,400")
        manager.shot("targets-en")
        page.click("header nav a[href='/dashboard']")
        widget = page.locator("#target-progress tr[data-target='T-WATER']")
        expect(widget.locator(".target-status")).to_have_text("On track")
        expect(widget.locator(".progress-value")).to_have_text("45%")
        manager.shot("dashboard-targets-en")
        page.click("a[lang='zh-CN']")
        expect(widget.locator(".target-status")).to_have_text("按计划推进")
        expect(widget).to_contain_text("2030年甲厂取水量较2022年下降20%")
        manager.shot("dashboard-targets-zh")
        page.click("header nav details.navgroup summary")  # the Assessment menu
        page.click("header nav a[href='/assess/targets']")
        expect(page.locator("h1")).to_have_text("目标")
        expect(row.locator(".target-status")).to_have_text("按计划推进")
        expect(row.locator(".progress-value")).to_have_text("45%")
        manager.shot("targets-zh")
        assert manager.dialogs == []
        assert [e for e in manager.console_errors if "422" not in e] == []
    finally:
        manager.close()
