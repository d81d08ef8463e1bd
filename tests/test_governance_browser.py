"""The governance pages in a real browser (headless Chromium, the real server; SQLite and
PostgreSQL): an ESG manager adds the board and a committee under it, records a meeting, and
registers two policies whose names are near-duplicates: the second gets the warning, and the
register flags both. Screenshots of the pages in English and Chinese go to
``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.test_web_browser import Person, browser, server  # noqa: F401 - the fixtures

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_body(
    page: Page, kind: str, fields: dict[str, str], parent: str | None, topics: list[str]
) -> None:
    form = page.locator("#add-body")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("select[name=kind]").select_option(kind)
    if parent:
        form.locator("select[name=parent_id]").select_option(parent)
    form.locator("select[name=reporting_frequency]").select_option("quarterly")
    form.locator("select[name=topic_ids]").select_option(topics)
    form.locator("button[type=submit]").click()


def test_adding_a_body_and_a_policy_in_the_browser(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
    backend: str,
    tmp_path: Path,
) -> None:
    manager = Person(browser, server, "manager", backend)
    try:
        manager.login()
        page = manager.page
        page.click("header nav details.navgroup summary")  # the Assessment menu
        page.click("header nav a[href='/assess/governance']")
        expect(page.locator("h1")).to_have_text("Sustainability governance")
        board = {"id": "board", "name_en": "Board of Directors", "name_zh": "董事会"}
        add_body(
            page,
            "board",
            {**board, "duties": "Oversees ESG", "members": "Liu: chair"},
            None,
            ["climate"],
        )
        expect(page.locator("#governance-saved")).to_contain_text("board")
        committee = {
            "id": "esg",
            "name_en": "Strategy and ESG Committee",
            "name_zh": "战略与ESG委员会",
        }
        add_body(
            page,
            "committee",
            {**committee, "duties": "Reviews material topics"},
            "board",
            ["water"],
        )
        expect(page.locator("li.depth-1#body-esg")).to_contain_text("Strategy and ESG Committee")
        expect(page.locator("li.depth-1#body-esg")).to_contain_text("Board committee")
        meeting = page.locator("#add-meeting")
        meeting.locator("select[name=body_id]").select_option("esg")
        meeting.locator("[name=held_on]").fill("2024-04-02")
        meeting.locator("[name=decisions]").fill("Reviewed the 2030 targets")
        meeting.locator("[name=attended]").fill("5")
        meeting.locator("[name=invited]").fill("6")
        meeting.locator("button[type=submit]").click()
        expect(page.locator("#meetings")).to_contain_text("Reviewed the 2030 targets")
        manager.shot("governance-en")

        page.click("header nav details.navgroup summary")  # the Assessment menu

        page.click("header nav a[href='/assess/policies']")
        document = tmp_path / "anti-corruption.pdf"
        document.write_bytes(PDF)
        register(page, "anti_corruption", "Anti-Corruption Policy", "反腐败管理办法", document)
        expect(page.locator("#policy-saved")).to_contain_text("anti_corruption")
        expect(page.locator("#policy-warning")).to_have_count(0)
        register(page, "ac_typo", "Anti-Coruption Policy", "廉洁从业规定", None)
        expect(page.locator("#policy-warning")).to_contain_text("anti_corruption")
        expect(page.locator("#policy-ac_typo .near")).to_contain_text("anti_corruption")
        expect(page.locator("#policy-anti_corruption a")).to_have_attribute(
            "href", "/assess/policies/anti_corruption/document"
        )
        manager.shot("policies-en")
        page.click("header nav details.navgroup summary")  # the Assessment menu
        page.click("header nav a[href='/assess/topics']")
        expect(page.locator("#topic-climate")).to_contain_text("IFRS-S2")
        manager.shot("topics-en")

        page.click("a[lang=zh-CN]")
        expect(page.locator("h1")).to_have_text("议题库")
        manager.shot("topics-zh")
        page.goto("/assess/governance")
        expect(page.locator("#body-esg")).to_contain_text("战略与ESG委员会")
        manager.shot("governance-zh")
        page.goto("/assess/policies")
        expect(page.locator("#policy-duplicates")).to_contain_text("疑似重复")
        manager.shot("policies-zh")
        assert manager.dialogs == [] and manager.console_errors == []
    finally:
        manager.close()


def register(page: Page, policy_id: str, name_en: str, name_zh: str, document: Path | None) -> None:
    form = page.locator("#add-policy")
    form.locator("[name=id]").fill(policy_id)
    form.locator("[name=name_en]").fill(name_en)
    form.locator("[name=name_zh]").fill(name_zh)
    form.locator("[name=owner]").fill("Discipline Inspection Office")
    form.locator("[name=policy_version]").fill("2024.1")
    form.locator("[name=effective_on]").fill("2024-01-01")
    form.locator("select[name=topic_ids]").select_option(["anti_corruption"])
    if document is not None:
        form.locator("[name=document]").set_input_files(str(document))
    form.locator("button[type=submit]").click()
