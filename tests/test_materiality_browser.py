"""Double materiality in a real browser (headless Chromium, the real server), on SQLite and
PostgreSQL: a stakeholder answers the questionnaire through the link, without an account; the ESG
manager scores the IROs, explains the immaterial SSE topics, runs the assessment and sees the
matrix; the chair of the committee (another user) approves it; the dashboard shows the matrix.
Screenshots in English and Chinese go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from esgledger.services import Options, Services, sse_elements
from tests.collab_fixtures import PASSWORD, make_org
from tests.ledger_fixture import Ledger
from tests.test_web_browser import Person, browser, serving  # noqa: F401 (fixture)

EFFECTS = {"anticipated": {"low": 300, "high": 900, "unit": "RMB million", "line": "cost of sales"}}


@pytest.fixture
def server(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, dict[str, int]]]:
    services = Services.open(db_url, Options(files_dir=tmp_path / "files"))
    ws = Ledger(services)
    make_org(ws, tmp_path)
    for name in ("manager", "chair"):
        services.accounts.create(ws.admin, name, PASSWORD, "esg_manager", [])
    admin = ws.admin
    found = services.materiality.create(
        admin, "2025", "survey, workshop, scoring", None, ["climate", "water", "employees"], False
    )
    services.stakeholders.save_group(
        admin,
        {
            "id": "community",
            "name": "Local communities",
            "name_zh": "周边社区",
            "topic_ids": ["water", "employees"],
            "weight": 1,
        },
    )
    common = {"value_chain": "own_operations", "response": "abatement plan", "owner": "COO"}
    iros = {
        "ets": services.iros.create(
            admin,
            found["id"],
            {
                "topic_id": "climate",
                "kind": "risk",
                "risk_type": "climate_transition_policy_legal",
                "title": "ETS allowance costs",
                "horizons": ["short", "medium"],
                "effects": EFFECTS,
                **common,
            },
        )["id"],
        "emissions": services.iros.create(
            admin,
            found["id"],
            {
                "topic_id": "climate",
                "kind": "impact",
                "polarity": "negative",
                "actuality": "actual",
                "title": "Smelter emissions",
                **common,
            },
        )["id"],
        "water": services.iros.create(
            admin,
            found["id"],
            {
                "topic_id": "water",
                "kind": "impact",
                "polarity": "negative",
                "actuality": "potential",
                "title": "Water withdrawal in dry basins",
                **common,
            },
        )["id"],
    }
    (token,) = services.stakeholders.issue_links(admin, found["id"], "community", 1)
    every = sse_elements.ElementInputs({"climate"}, {"ghg.scope1"}, set())
    monkeypatch.setattr(sse_elements, "element_inputs", lambda connection: every)
    with serving(services) as base:
        yield base, f"/q/{token}", {**iros, "assessment": found["id"]}
    ws.db.dispose()


def test_materiality_in_a_real_browser(
    browser: Browser,  # noqa: F811
    server: tuple[str, str, dict[str, int]],
    backend: str,
) -> None:
    base, link, ids = server
    stakeholder = Person(browser, base, "stakeholder", backend)
    manager = Person(browser, base, "manager", backend)
    chair = Person(browser, base, "chair", backend)
    try:
        # -- a stakeholder answers through the link, without an account --------------------
        page = stakeholder.page
        page.goto(link + "?lang=zh")
        expect(page.locator("h1")).to_contain_text("利益相关方问卷")
        assert page.locator("nav").count() == 0
        stakeholder.shot("questionnaire-zh")
        page.goto(link)
        page.check("#q-climate input[value='5']")
        page.check("#q-water input[value='3']")
        page.check("#q-employees input[value='2']")
        page.fill("textarea[name=comment]", "Dust from the residue yard")
        stakeholder.shot("questionnaire-en")
        page.click("#send-answers")
        expect(page.locator("#thanks")).to_be_visible()
        page.goto(link)
        expect(page.locator("#refused")).to_contain_text("already been used")
        # -- the ESG manager scores the IROs, explains, runs, sees the matrix -------------
        manager.login()
        page = manager.page
        page.click("header nav details.navgroup summary")  # the Assessment menu
        page.click("header nav a[href='/assess/materiality']")
        page.click(f"#assessment-{ids['assessment']} a[href='/assess/iros/{ids['assessment']}']")
        for iro, parts in (
            ("ets", {"magnitude": "5", "likelihood": "4", "horizon": "medium"}),
            ("emissions", {"scale": "4", "scope": "5", "irremediability": "3"}),
            ("water", {"scale": "2", "scope": "2", "irremediability": "2", "likelihood": "2"}),
        ):
            form = page.locator(f"#iro-{ids[iro]} form.score-form")
            for name, value in parts.items():
                form.locator(f"select[name={name}]").select_option(value)
            form.locator("input[name=rationale]").fill(f"workshop score of {iro}")
            form.locator("button[type=submit]").click()
            expect(page.locator(f"#iro-{ids[iro]} dd.score")).to_contain_text("workshop score")
        manager.shot("iro-register-en")
        page.goto(f"/assess/materiality/{ids['assessment']}")
        for topic in ("water", "employees"):
            row = page.locator(f"#topic-{topic}")
            row.locator("input[name=explanation]").fill(f"{topic}: not material this year")
            row.locator("form.inline-form button").click()
        page.click("#run-assessment")
        expect(page.locator("#run-state")).to_contain_text("Run on the current")
        expect(page.locator("#matrix-section svg g[data-topic='climate']")).to_have_attribute(
            "data-class", "double"
        )
        expect(page.locator("#topic-water")).to_have_attribute("data-class", "not_material")
        manager.shot("materiality-en")
        page.goto(f"/lang/zh?next=/assess/materiality/{ids['assessment']}")
        expect(page.locator("h1")).to_contain_text("双重重要性评估")
        manager.shot("materiality-zh")
        page.goto(f"/assess/iros/{ids['assessment']}")
        manager.shot("iro-register-zh")
        page.goto("/assess/stakeholders")
        manager.shot("stakeholders-zh")
        page.goto("/lang/en?next=/assess/stakeholders")
        manager.shot("stakeholders-en")
        # -- the chair of the committee approves -----------------------------------------
        chair.login()
        page = chair.page
        page.goto(f"/assess/materiality/{ids['assessment']}")
        page.fill("#approval-body", "ESG Committee of the Board")
        page.fill("#approval-date", "2026-03-20")
        page.click("#approve-assessment")
        expect(page.locator("#approved")).to_contain_text("ESG Committee of the Board")
        assert page.locator("#run-assessment").count() == 0  # locked
        page.goto("/dashboard?period=2025")
        expect(page.locator("#dashboard-materiality svg")).to_be_visible()
        chair.shot("dashboard-materiality-en")
        for person in (stakeholder, manager, chair):
            assert person.console_errors == [], person.console_errors
    finally:
        for person in (stakeholder, manager, chair):
            person.close()
