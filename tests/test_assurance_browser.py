"""The assurance pack's download in a real browser (headless Chromium, the real server; SQLite
and PostgreSQL): an auditor opens the Reports page, downloads the year's pack with its button,
and the file verifies with its own script; the column in Chinese. Screenshots go to
``test-artifacts/screenshots/``."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from esgledger.assurance import verify_pack
from esgledger.services import Options, Services
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, make_org
from tests.ledger_fixture import Ledger
from tests.test_web_browser import Person, browser, serving  # noqa: F401 - the fixtures


@pytest.fixture
def pack_server(db_url: str, tmp_path: Path) -> Iterator[str]:
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    services.accounts.create(ws.admin, "auditor", PASSWORD, "auditor", [])
    services.accounts.create(ws.admin, "viewer", PASSWORD, "viewer", [])
    for entity, tonnes in (("plant_a", 120), ("plant_b", 80)):
        services.datapoints.create(ws.admin, Entry(entity, "2024", "energy.diesel", tonnes, "t"))
    services.calculation.run(ws.admin, "2024")
    services.reports.build(ws.admin, "2024", "en")
    with serving(services) as base:
        yield base
    services.dispose()


def test_an_auditor_downloads_the_pack_from_the_reports_page(
    browser: Browser,  # noqa: F811
    pack_server: str,
    backend: str,
    tmp_path: Path,
) -> None:
    auditor = Person(browser, pack_server, "auditor", backend)
    viewer = Person(browser, pack_server, "viewer", backend)
    try:
        auditor.login()
        page = auditor.page
        page.goto("/reports")
        button = page.locator("#assurance-2024")
        expect(button).to_have_text("Download the assurance pack")
        auditor.shot("assurance-reports-en", full_page=False)
        with page.expect_download() as started:
            button.click()
        download = started.value
        assert download.suggested_filename == "esgledger-assurance-2024.zip"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        folder = tmp_path / "pack"
        with zipfile.ZipFile(saved) as archive:
            archive.extractall(folder)
        out = io.StringIO()
        assert verify_pack.verify(folder, out) == 0, out.getvalue()
        assert "the pack verifies" in out.getvalue()
        page.click("header .langs a[lang=zh-CN]")
        expect(page.locator("table.reports thead")).to_contain_text("鉴证资料包")
        expect(page.locator("#assurance-2024")).to_have_text("下载鉴证资料包")
        auditor.shot("assurance-reports-zh", full_page=False)

        viewer.login()  # a viewer reads reports but gets no pack
        viewer.page.goto("/reports")
        expect(viewer.page.locator("table.reports")).to_be_visible()
        expect(viewer.page.locator("#assurance-2024")).to_have_count(0)
        assert not auditor.console_errors and not viewer.console_errors
    finally:
        auditor.context.close()
        viewer.context.close()
