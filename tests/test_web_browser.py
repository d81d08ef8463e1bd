"""The web application in a real browser (Debian's headless Chromium driven by Playwright) against
the real server (uvicorn on loopback), on SQLite and PostgreSQL.

The review scenario of the collaboration issue: a data owner enters and submits values with an
explanation for a large change and uploads evidence; an ESG manager rejects one and approves the
rest; the owner corrects the rejected one; the manager approves it; the dashboard shows the period
complete; the period is locked and a further edit is refused; the report downloads. Screenshots of
the main pages go to ``test-artifacts/screenshots/``. The browser must start: no skipping.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from esgledger.api import create_app
from esgledger.services import Options, Services
from tests.collab_fixtures import PASSWORD, make_org
from tests.ledger_fixture import Ledger
from tests.web_seed import EVIDENCE_PDF, VALUES, YEAR, seed_last_year

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000
REFUSED_PAGE = re.compile(r"status of (409|422) ")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except Exception as exc:  # the browser tests must run, never skip
            pytest.fail(f"headless Chromium did not start: {exc}")
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[str]:
    """The application on a free loopback port, served by uvicorn in a thread."""
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    seed_last_year(ws, tmp_path)
    for name, role, entities in (
        ("owner_a", "data_owner", ["plant_a"]),
        ("manager", "esg_manager", []),
        ("admin", "admin", []),
        ("auditor", "auditor", []),
    ):
        services.accounts.create(ws.admin, name, PASSWORD, role, entities)
    with serving(services) as base:
        yield base
    ws.db.dispose()


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """The application over ``services`` on a free loopback port (uvicorn in a thread)."""
    port = free_port()
    config = uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uvicorn_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


class Person:
    """One user in their own browser context (own cookies)."""

    def __init__(self, browser: Browser, base: str, username: str, backend: str):
        self.context: BrowserContext = browser.new_context(
            base_url=base, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.username = username
        self.backend = backend
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        # a refused form's page (the refused edit's 409, a refused file's 422) is logged by the
        # browser; anything else (a script error, a content security policy violation) fails
        if message.type == "error" and not REFUSED_PAGE.search(message.text):
            self.console_errors.append(message.text)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def shot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.backend}-{name}.png"), full_page=full_page
        )

    def login(self, screenshot: str | None = None) -> None:
        page = self.page
        page.goto("/login")
        page.fill("input[name=username]", self.username)
        page.fill("input[name=password]", PASSWORD)
        if screenshot:
            self.shot(screenshot, full_page=False)
        page.click("form.stack button[type=submit]")
        expect(page.locator("header .user")).to_contain_text(self.username)

    def close(self) -> None:
        self.context.close()


def card(page: Page, metric: str) -> Locator:
    return page.locator(f"article.card[data-metric='{metric}']")


def test_review_scenario_in_a_real_browser(browser: Browser, server: str, backend: str) -> None:
    owner = Person(browser, server, "owner_a", backend)
    manager = Person(browser, server, "manager", backend)
    auditor = Person(browser, server, "auditor", backend)
    try:
        run_scenario(owner, manager)
        read_the_audit_log(auditor)
    finally:
        for person in (owner, manager, auditor):
            person.close()


def read_the_audit_log(auditor: Person) -> None:
    """After the scenario, the auditor reads the year's audit log and verifies the chain."""
    auditor.login()
    page = auditor.page
    page.click("header nav a[href='/audit']")
    page.fill("#audit-filters input[name=period]", YEAR)
    page.fill("#audit-filters input[name=action]", "datapoint.reject")
    page.click("#audit-filters button[type=submit]")
    rows = page.locator("#audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Value rejected")
    page.fill("#audit-filters input[name=action]", "")
    page.click("#audit-filters button[type=submit]")
    expect(page.locator("#audit-log")).to_contain_text("period.lock")
    page.click("#verify-chain")
    expect(page.locator("#verification .notice.ok")).to_contain_text("The chain is intact")
    auditor.shot("audit")
    page.locator("#audit-log a[href^='/datapoints/']").first.click()
    expect(page.locator("table.audit")).to_be_visible()  # the data point's own trail
    assert auditor.dialogs == [] and auditor.console_errors == []


def run_scenario(owner: Person, manager: Person) -> None:
    # -- the data owner enters this year's values; the large change needs an explanation ------
    owner.login(screenshot="login")
    page = owner.page
    page.goto(f"/entry/plant_a/{YEAR}")
    for metric, (_before, _unit, typed) in VALUES.items():
        page.fill(f"input[name='value.{metric}']", typed)
    page.press("input[name='value.energy.diesel']", "Tab")
    explanation = page.locator("#ex-energy-diesel textarea")
    expect(explanation).to_be_visible()  # shown by HTMX: +100 % against last year
    expect(page.locator("#ex-energy-diesel")).to_contain_text("+100%")
    expect(explanation).to_have_attribute("required", "")
    explanation.fill("New mobile fleet <script>alert('x')</script> for the quarry")
    # the source of the figure, typed in the row's "Source and note" (closed rows send nothing)
    source = page.locator("#row-energy-diesel input[name='source.energy.diesel']")
    expect(source).to_be_disabled()
    page.locator("#row-energy-diesel details.annotations summary").click()
    expect(source).to_be_enabled()
    source.fill("Fuel card statements, January to December")
    owner.shot("entry-filled")
    page.click("button[value=submit]")
    expect(page.locator("#flash")).to_contain_text("3")
    expect(page.locator("#row-energy-diesel .badge")).to_have_text("submitted")
    expect(source).to_have_value("Fuel card statements, January to December")

    # -- evidence for the diesel value ---------------------------------------------------------
    page.click("#row-energy-diesel a:has-text('history')")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "fuel-invoice.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}],
    )
    page.click("form.upload button[type=submit]")
    expect(page.locator("#flash")).to_be_visible()
    expect(page.locator(".evidence a:has-text('fuel-invoice.pdf')")).to_be_visible()
    owner.shot("datapoint-history")

    # -- the ESG manager rejects the water value and approves the rest ----------------------
    manager.login()
    review = manager.page
    review.goto(f"/review?period={YEAR}")
    expect(review.locator("article.card")).to_have_count(3)
    diesel = card(review, "energy.diesel")
    expect(diesel.locator(".explanations")).to_contain_text("<script>alert('x')</script>")
    expect(diesel.locator(".evidence")).to_contain_text("fuel-invoice.pdf")
    manager.shot("review-queue")
    water = card(review, "water.withdrawal")
    water.locator("form.reject input[name=comment]").fill("December meter reading is missing")
    water.locator("form.reject button").click()
    expect(card(review, "water.withdrawal")).to_have_attribute("data-status", "rejected")
    for metric in ("energy.diesel", "energy.electricity_purchased"):
        card(review, metric).locator("form.approve button").click()
        expect(card(review, metric)).to_have_attribute("data-status", "approved")

    # -- the owner corrects the rejected value and submits it again --------------------------
    page.goto(f"/dashboard?period={YEAR}")
    expect(page.locator("table.waiting")).to_contain_text("Correct")
    page.goto(f"/entry/plant_a/{YEAR}")
    expect(page.locator("#row-water-withdrawal .badge")).to_have_text("rejected")
    page.fill("input[name='value.water.withdrawal']", "5180")
    page.click("button[value=submit]")
    expect(page.locator("#row-water-withdrawal .badge")).to_have_text("submitted")

    # -- the manager approves the correction; the period is complete -------------------------
    review.goto(f"/review?period={YEAR}")
    water = card(review, "water.withdrawal")
    expect(water).to_contain_text("5,180")
    water.locator("form.approve button").click()
    expect(card(review, "water.withdrawal")).to_have_attribute("data-status", "approved")
    review.goto(f"/dashboard?period={YEAR}")
    expect(review.locator("#period-status")).to_have_class("summary complete")

    # -- calculate, look at an explanation, lock ----------------------------------------------
    review.goto(f"/periods/{YEAR}")
    review.click("#run-calc")
    expect(review.locator("table.data").first).to_contain_text("tCO")
    manager.shot("values")
    review.goto(f"/explain/ghg.scope1/grp/{YEAR}")
    expect(review.locator("section.record.root")).to_be_visible()
    expect(review.locator("section.record.root h2")).to_contain_text("Scope 1 GHG emissions")
    manager.shot("explain", full_page=False)  # the first screen shows the answer
    diesel = review.locator("details.record > summary:has-text('Diesel · Plant A')").first
    expect(diesel).to_be_hidden()  # folded below the first levels
    folded = review.locator("details.record:not([open])")
    while folded.count():  # open every fold, as a reader following each branch would
        folded.first.locator("> summary").click()
    expect(diesel).to_be_visible()
    expect(review.locator("body")).not_to_contain_text("energy.diesel@plant_a")  # names, not keys
    manager.shot("explain-opened")
    review.goto(f"/dashboard?period={YEAR}")
    manager.shot("dashboard")
    review.goto(f"/periods/{YEAR}")
    review.fill("input[name=reason]", "Figures approved for the annual report")
    review.click("#lock-period")
    expect(review.locator("#period-state .badge")).to_have_text("locked")
    manager.shot("period-locked")

    # -- a further edit is refused -----------------------------------------------------------
    page.goto(f"/entry/plant_a/{YEAR}")
    expect(page.locator("#locked-note")).to_be_visible()
    expect(page.locator("input[name='value.energy.diesel']")).to_be_disabled()
    page.evaluate(
        """() => {
            const form = document.getElementById('entry-form');
            form.querySelectorAll('[disabled]').forEach(e => e.removeAttribute('disabled'));
            form.querySelector("input[name='value.energy.diesel']").value = '25';
            form.submit();
        }"""
    )
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#row-energy-diesel .field-error")).to_contain_text("locked")
    owner.shot("edit-refused", full_page=False)

    # -- the report is built and downloads ---------------------------------------------------
    review.goto("/reports")
    review.click(f"#build-{YEAR}-en")
    link = review.locator(f"#download-{YEAR}-en")
    expect(link).to_be_visible()
    with review.expect_download() as download_info:
        link.click()
    download = download_info.value
    target = SCREENSHOTS.parent / f"{owner.backend}-{download.suggested_filename}"
    download.save_as(target)
    assert "<html" in target.read_text(encoding="utf-8")[:200].lower()
    manager.shot("reports")

    # -- the same pages in Chinese ---------------------------------------------------------------
    review.goto(f"/dashboard?period={YEAR}")
    review.click("header .langs a[lang=zh-CN]")
    expect(review.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(review.locator("#period-status")).to_contain_text("已完成")
    manager.shot("dashboard-zh")
    review.goto(f"/explain/ghg.scope1/grp/{YEAR}")
    expect(review.locator("h1")).to_contain_text("计算过程")
    manager.shot("explain-zh")
    page.click("header .langs a[lang=zh-CN]")
    expect(page.locator("h1")).to_contain_text("数据填报")
    owner.shot("entry-zh")
    page.click("#row-energy-diesel a.small")
    expect(page.locator("h2").first).to_contain_text("版本")  # no upload: the period is locked
    owner.shot("datapoint-zh")
    assert owner.dialogs == [] and manager.dialogs == []  # no script from free text ran
    assert owner.console_errors == [] and manager.console_errors == []


def test_admin_invites_a_user_in_a_real_browser(
    browser: Browser, server: str, backend: str
) -> None:
    """The admin adds a data owner on the users page; the new user signs in and sees only the
    assigned plant; the manager has no users page."""
    admin = Person(browser, server, "admin", backend)
    invited = Person(browser, server, "li_wei", backend)
    manager = Person(browser, server, "manager", backend)
    try:
        admin.login()
        page = admin.page
        page.click("header nav a[href='/users']")
        form = page.locator("#add-user")
        form.locator("input[name=username]").fill("li_wei")
        form.locator("select[name=role]").select_option("data_owner")
        form.locator("select[name=entities]").select_option(["plant_b"])
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("li_wei")
        expect(page.locator("#user-li_wei")).to_contain_text("Plant B")
        admin.shot("users")

        invited.login()
        invited.page.goto("/entry/plant_b/2024")
        expect(invited.page.locator("h1")).to_be_visible()
        assert invited.console_errors == []
        assert invited.page.goto("/entry/plant_a/2024").status == 404  # outside the scope

        manager.login()
        expect(manager.page.locator("header nav a[href='/users']")).to_have_count(0)
        assert manager.page.goto("/users").status == 403
        assert admin.dialogs == [] and invited.dialogs == []
        assert admin.console_errors == []
    finally:
        for person in (admin, invited, manager):
            person.close()


def data_file(rows: list[list[object]]) -> bytes:
    header = ["entity", "period", "metric", "value", "unit", "method", "source", "note"]
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


REFUSED_ROWS = [
    ["plant_a", YEAR, "energy.coke", "12", "t", "measured", "", ""],
    ["plant_x", YEAR, "energy.coke", "4", "t", "measured", "", ""],
    ["plant_a", "24", "energy.cokes", "", "t", "measured", "", ""],
    ["plant_b", YEAR, "energy.diesel", "7", "kilo", "measured", "", ""],
]
# plant_b month by month (six months), plant_a's year: diesel +100 % is held as a draft
GOOD_ROWS = [
    *[
        ["plant_b", f"{YEAR}-{m:02d}", "energy.diesel", 3 + m, "t", "measured", "", ""]
        for m in range(1, 7)
    ],
    ["plant_a", YEAR, "water.withdrawal", "5100", "m3", "measured", "", ""],
    ["plant_a", YEAR, "energy.diesel", "20", "t", "measured", "", ""],
]


def upload_data(page: Page, name: str, content: bytes) -> None:
    form = page.locator("#data form[enctype='multipart/form-data']")
    form.locator("input[name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    form.locator("button[type=submit]").click()


def test_imports_and_the_review_filter_in_a_real_browser(
    browser: Browser, server: str, backend: str
) -> None:
    """The admin imports a data file on the imports page (a refused one first, in English and
    Chinese); the manager filters the review queue by entity, ticks the whole page with "select
    all" and approves it."""
    admin = Person(browser, server, "admin", backend)
    manager = Person(browser, server, "manager", backend)
    try:
        admin.login()
        page = admin.page
        page.click("header nav a[href='/imports']")
        expect(page.locator("h1")).to_have_text("Imports")
        upload_data(page, "plant-data.csv", data_file(REFUSED_ROWS))
        expect(page.locator("#import-error")).to_contain_text("nothing was written")
        expect(page.locator("#issues tbody tr")).to_have_count(5)
        expect(page.locator("#issues")).to_contain_text("did you mean 'plant_b' or 'plant_a'?")
        admin.shot("imports-refused")
        page.click("header .langs a[lang=zh-CN]")
        expect(page.locator("h1")).to_have_text("文件导入")
        upload_data(page, "plant-data.csv", data_file(REFUSED_ROWS))
        expect(page.locator("#import-error")).to_contain_text("未写入任何数据")
        expect(page.locator("#issues")).to_contain_text("组织架构中主体的编号或别名")
        admin.shot("imports-refused-zh")
        upload_data(page, "plant-data.csv", data_file(GOOD_ROWS))
        expect(page.locator("#import-done")).to_be_visible()
        held = page.locator("#held-drafts")
        expect(held.locator("tbody tr")).to_have_count(1)
        expect(held).to_contain_text("柴油")
        admin.shot("imports-done-zh")
        held.locator("a").click()
        expect(page.locator("#ex-energy-diesel textarea")).to_be_visible()  # explain it here
        page.click("header .langs a[lang=en]")
        page.goto("/imports")
        admin.shot("imports")

        manager.login()
        review = manager.page
        review.goto(f"/dashboard?period={YEAR}")
        waiting = review.locator("table.waiting > tbody > tr")
        expect(waiting).to_have_count(2)  # the six months of diesel together, and the water
        group = review.locator("tr.waiting-group")
        expect(group).to_contain_text(f"6 months, {YEAR}-01 to {YEAR}-06")
        group.locator("summary").click()
        expect(group.locator("table.months tr")).to_have_count(6)
        manager.shot("dashboard-waiting")
        review.goto(f"/entry/plant_b/{YEAR}")
        expect(review.locator("#row-energy-diesel")).to_contain_text("6 months entered")
        review.locator("#row-energy-diesel").screenshot(
            path=str(SCREENSHOTS / f"{backend}-entry-months.png")
        )
        review.click("header nav a[href='/review']")
        expect(review.locator("article.card")).to_have_count(7)  # six months and the water
        review.locator("#review-filter select[name=entity]").select_option("plant_b")
        review.click("#review-filter button[type=submit]")
        expect(review.locator("article.card")).to_have_count(6)
        expect(review.locator("h1")).to_contain_text("Plant B")
        select_all = review.locator("#select-all")
        expect(select_all).to_be_visible()  # shown by the page's script
        select_all.check()
        for box in review.locator("input.pick").all():
            expect(box).to_be_checked()
        review.locator("input.pick").first.uncheck()
        assert review.evaluate("document.getElementById('select-all').indeterminate") is True
        select_all.check()
        manager.shot("review-filter")
        review.click("#bulk-approve button[type=submit]")
        expect(review.locator("#flash")).to_contain_text("Approved 6")
        expect(review.locator("article.card")).to_have_count(0)
        review.locator("#review-filter select[name=entity]").select_option("")
        review.click("#review-filter button[type=submit]")
        expect(review.locator("article.card")).to_have_count(1)
        review.click("header .langs a[lang=zh-CN]")
        expect(review.locator("#review-filter")).to_contain_text("全部主体")
        review.locator("#review-filter select[name=entity]").select_option("plant_a")
        review.click("#review-filter button[type=submit]")
        expect(review.locator("label.select-all")).to_contain_text("全选本页")
        manager.shot("review-filter-zh")
        assert admin.dialogs == [] and manager.dialogs == []
        assert admin.console_errors == [] and manager.console_errors == []
    finally:
        for person in (admin, manager):
            person.close()


def test_settings_and_the_step_a_refusal_asks_for_in_a_real_browser(
    browser: Browser, server: str, backend: str
) -> None:
    """The manager changes the change threshold on the settings page; building the report of a
    year without a calculation shows an error page that keeps the navigation and leads to the
    period's Calculate button, which makes the build work."""
    manager = Person(browser, server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav a[href='/settings']")
        threshold = page.locator("#setting-review\\.change_threshold")
        threshold.locator("input[name=value]").fill("25")
        threshold.locator("button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("Change threshold")
        expect(page.locator("#setting-review\\.change_threshold .setting-value")).to_have_text(
            "25%"
        )
        manager.shot("settings")
        page.click("header .langs a[lang=zh-CN]")
        expect(page.locator("h1")).to_have_text("设置")
        manager.shot("settings-zh")
        page.click("header .langs a[lang=en]")

        page.goto(f"/entry/plant_a/{YEAR}")  # a year with data, not calculated yet
        page.fill("input[name='value.energy.coke']", "3")
        page.click("button[value=save]")
        expect(page.locator("#flash")).to_be_visible()
        page.click("header nav a[href='/reports']")
        page.click(f"#build-{YEAR}-en")
        expect(page.locator("#error-message")).to_contain_text(
            f"There is no calculation for {YEAR} yet"
        )
        expect(page.locator("header nav a[href='/reports']")).to_be_visible()  # the chrome stays
        manager.shot("error-remedy", full_page=False)
        page.click("header .langs a[lang=zh-CN]")  # back to the reports page, in Chinese
        expect(page.locator("h1")).to_have_text("报告")
        page.click(f"#build-{YEAR}-zh")
        expect(page.locator("#error-message")).to_contain_text("尚无计算结果")
        manager.shot("error-remedy-zh", full_page=False)
        page.click("#error-remedy a")
        page.click("#run-calc")
        page.goto("/reports")
        page.click(f"#build-{YEAR}-zh")
        expect(page.locator(f"#download-{YEAR}-zh")).to_be_visible()
        assert manager.console_errors == [] and manager.dialogs == []
    finally:
        manager.close()
