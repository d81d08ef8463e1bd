"""The QA page (issue 12, part 3) on SQLite and PostgreSQL: /qa?period= lists the findings by
severity with their arithmetic and links to the data point, its history and the explanation; its
JSON twin; the navigation links to it; the justify form needs the CSRF token, refuses the value's
author with a clear message in English and Chinese and writes nothing; another manager's
justification is shown with who and why; /periods/{period}/qa leads to it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from esgledger.ledger import qa as repository
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)
from tests.web_clients import csrf, finished_build

KEY = "energy.diesel@plant_a@2024"
pytestmark = pytest.mark.usefixtures("qa_rules")


@pytest.fixture
def findings(world: World) -> int:
    """A diesel value above the error rule's limit, entered by ``manager``."""
    manager = world.user("manager")
    point = world.services.datapoints.create(
        manager, Entry("plant_a", "2024", "energy.diesel", 20, "t")
    )
    world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "water.withdrawal", 7000, "m3")
    )
    return point.id


def test_the_page_lists_findings_with_links_and_a_json_twin(
    findings: int, browse: dict[str, TestClient]
) -> None:
    viewer = browse["viewer"]
    page = viewer.get("/qa?period=2024")
    assert page.status_code == 200
    html = page.text
    assert 'href="/qa"' in html  # in the navigation
    assert "Errors (block the final report) (1)" in html and "Warnings (1)" in html
    assert html.index('id="qa-error"') < html.index('id="qa-warning"')
    assert "<code>20 &gt; 15</code>" in html
    assert f'href="/datapoints/{findings}"' in html
    assert f'href="/datapoints/{findings}#versions"' in html
    assert 'href="/explain/energy.diesel/plant_a/2024"' in html
    assert 'action="/qa/justify"' not in html  # a viewer reads, justifies nothing
    data = viewer.get("/qa.json?period=2024").json()
    assert data["period"] == "2024" and data["review"]["counts"]["errors_open"] == 1
    (error, warning) = data["review"]["findings"]
    assert (error["rule"], error["key"], error["severity"]) == ("diesel.limit", KEY, "error")
    assert error["values"][0]["reference"] == str(findings) and warning["severity"] == "warning"
    moved = viewer.get("/periods/2024/qa", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/qa?period=2024"


def test_the_author_is_refused_and_another_manager_justifies(
    findings: int, browse: dict[str, TestClient]
) -> None:
    author, other = browse["manager"], browse["manager2"]
    form = {"period": "2024", "rule": "diesel.limit", "finding_key": KEY, "text": "Gensets"}
    assert author.post("/qa/justify", data=form).status_code == 403  # no CSRF token
    page = author.get("/qa?period=2024").text
    assert 'action="/qa/justify"' in page and "You entered or changed a value" in page
    refused = author.post("/qa/justify", data={**form, "csrf_token": csrf(author, "/qa")})
    assert refused.status_code == 403
    assert "segregation of duties: this finding rests on a value you entered" in refused.text
    assert 'id="qa-error"' in refused.text  # beside the finding, on the QA page
    author.cookies.set("esgledger_lang", "zh")
    zh = author.post("/qa/justify", data={**form, "csrf_token": csrf(author, "/qa")})
    assert "职责分离：此问题涉及由您录入" in zh.text and "质量检查" in zh.text
    assert author.get("/qa.json?period=2024").json()["review"]["counts"]["justified"] == 0
    done = other.post("/qa/justify", data={**form, "csrf_token": csrf(other, "/qa")})
    assert done.status_code == 303 and done.headers["location"] == "/qa?period=2024&saved=justified"
    shown = other.get("/qa?period=2024&saved=justified").text
    assert "The justification is recorded." in shown and "Justified by manager2" in shown
    assert "Gensets" in shown and "Justified (1)" in shown
    withdrawn = other.post(
        "/qa/withdraw",
        data={
            "period": "2024",
            "rule": "diesel.limit",
            "finding_key": KEY,
            "reason": "Sold",
            "csrf_token": csrf(other, "/qa"),
        },  # fmt: skip
    )
    assert withdrawn.status_code == 303
    assert other.get("/qa.json?period=2024").json()["review"]["counts"]["errors_open"] == 1


def test_the_report_page_refuses_a_final_build_and_offers_admins_the_override(
    world: World, browse: dict[str, TestClient]
) -> None:
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 20, "t"))
    services.datapoints.submit(owner, point.id, 1, "Standby generators ran")  # +100 %
    services.datapoints.approve(manager, point.id, 1)
    services.calculation.run(manager, "2024")
    services.periods.lock(manager, "2024", "published")
    client = browse["manager"]
    page = client.get("/reports/sections?period=2024").text
    assert 'href="/qa?period=2024"' in page and 'name="override_qa"' not in page
    started = client.post("/reports/full/2024", data={"csrf_token": csrf(client)})
    assert started.status_code == 303  # the build runs in the background
    refused = finished_build(client, "2024")
    assert refused["state"] == "failed" and refused["error"]["code"] == "qa_open"
    assert "1 error-level quality finding(s) of 2024 are open" in refused["error"]["message"]
    shown = client.get("/reports/sections?period=2024").text
    assert "1 error-level quality finding(s) of 2024 are open" in shown
    client.cookies.set("esgledger_lang", "zh")
    zh = client.get("/reports/full/2024/progress").text
    assert "未发布：存在未解决的错误级质量问题" in zh and "失败" in zh
    assert 'name="override_qa"' in browse["admin"].get("/reports/sections?period=2024").text
    with services.db.reading() as connection:
        assert repository.override(connection, "2024") is None  # nothing recorded
