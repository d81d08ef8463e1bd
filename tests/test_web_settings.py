"""The settings page and the error pages, on SQLite and PostgreSQL.

Settings: each with its help in the page language, changed by those the policy allows through the
service (audited), a ratio typed as a percentage, a refused value shown beside its setting with
nothing changed. Error pages: the navigation and the language switch stay, and a refusal that asks
for a step first (a calculation, an activity file) links to the page where it is done."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from esgledger.services import Options
from tests.collab_fixtures import World
from tests.test_web_i18n import chinese, notice, text_of
from tests.web_clients import csrf
from tests.web_seed import LAST_YEAR, YEAR

JSON = {"Accept": "application/json"}


def setting(world: World, key: str) -> object:
    return world.services.settings.get(world.user("viewer"), key)


def change(client: TestClient, key: str, value: str, **headers: str) -> httpx.Response:
    return client.post(
        f"/settings/{key}",
        data={"csrf_token": csrf(client, "/settings"), "value": value},
        headers=headers,
    )


# -- settings --------------------------------------------------------------------------------------
def test_everyone_reads_the_settings_with_their_help(browse: dict[str, TestClient]) -> None:
    settings = browse["viewer"].get("/settings.json").json()["settings"]
    assert [s["key"] for s in settings] == [
        "base_year",
        "restatement_threshold",
        "review.change_threshold",
        "scope3.categories",
        "report.print_reported",
    ]
    threshold = settings[2]
    assert (threshold["value"], threshold["kind"], threshold["minimum"]) == (0.3, "ratio", 0.01)
    page = browse["viewer"].get("/settings").text
    assert "needs an explanation before it is submitted" in page
    assert 'action="/settings/' not in page  # a viewer may not change them
    section = re.search(r'id="setting-review.change_threshold".*?</section>', page, re.S)
    assert section and "30%" in text_of(section.group(0)) and "1% – 1000%" in section.group(0)
    assert "not set" in page  # the base year
    zh = chinese(browse["owner_a"]).get("/settings").text
    assert "数据与上年相比变动超过此比例时，提交前须说明原因" in zh and "变动阈值" in zh
    categories = re.search(r'id="setting-scope3.categories".*?</section>', page, re.S)
    assert categories and "1 – 15" in categories.group(0) and "none" in text_of(categories.group(0))
    assert "报告的范围三类别" in zh


def test_a_manager_sets_the_scope3_categories_as_typed(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    assert change(manager, "scope3.categories", "3, 1").status_code == 303
    assert world.ws.services.settings.get(world.ws.admin, "scope3.categories") == [1, 3]
    refused = change(manager, "scope3.categories", "0")
    assert refused.status_code == 422
    assert "1 to 15" in text_of(refused.text)


def test_a_manager_sets_the_metrics_printed_as_reported_as_typed(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    assert change(manager, "report.print_reported", "energy.total_tce").status_code == 303
    assert world.ws.services.settings.get(world.ws.admin, "report.print_reported") == [
        "energy.total_tce"
    ]
    refused = change(manager, "report.print_reported", "energy.nope")
    assert refused.status_code == 422
    assert "energy.nope" in text_of(refused.text)
    page = manager.get("/settings").text
    section = re.search(r'id="setting-report.print_reported".*?</section>', page, re.S)
    assert section and "energy.total_tce" in text_of(section.group(0))


def test_a_manager_changes_a_setting_as_a_percentage(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    answer = change(manager, "review.change_threshold", "25")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/settings?changed=review.change_threshold")
    assert setting(world, "review.change_threshold") == 0.25
    page = manager.get(answer.headers["location"]).text
    assert "Change threshold: the new value was saved." in page
    assert 'value="25"' in page
    assert change(manager, "restatement_threshold", "7.5", **JSON).json()["value"] == 0.075
    assert change(manager, "base_year", LAST_YEAR, **JSON).json()["value"] == int(LAST_YEAR)
    log = browse["auditor"].get("/audit.json?action=setting.change").json()["entries"]
    assert {(e["actor"], e["object_id"]) for e in log} == {
        ("manager", "review.change_threshold"),
        ("manager", "restatement_threshold"),
        ("manager", "base_year"),
    }
    # the entry form asks for explanations above the new threshold
    period = manager.get(f"/periods/{YEAR}").text
    assert "25%" in period and 'href="/settings#setting-review.change_threshold"' in period


def test_a_refused_value_names_the_setting_and_changes_nothing(
    world: World, browse: dict[str, TestClient]
) -> None:
    manager = browse["manager"]
    for key, value in (
        ("review.change_threshold", "0"),
        ("review.change_threshold", "abc"),
        ("restatement_threshold", "150"),
        ("base_year", "1066"),
        ("base_year", "20x4"),
    ):
        answer = change(manager, key, value)
        assert answer.status_code == 422, (key, value)
        page = answer.text
        shown = re.search(rf'id="setting-{re.escape(key)}".*?</section>', page, re.S)
        assert shown and 'id="setting-error"' in shown.group(0), (key, value)
        assert f'value="{value}"' in shown.group(0)  # what was typed, shown again
    assert setting(world, "review.change_threshold") == 0.3
    assert setting(world, "base_year") is None
    refused = change(manager, "review.change_threshold", "0", **JSON)
    assert refused.json()["error"]["field"] == "review.change_threshold"
    chinese(manager)
    page = change(manager, "review.change_threshold", "0").text
    assert notice(page, "setting-error") == (
        "变动阈值应为所示范围内的百分比",
        "review.change_threshold is a percentage from 1 to 1000, got '0'",
    )
    assert change(manager, "no.such", "1").status_code == 404


def test_only_managers_and_admins_change_settings(
    world: World, browse: dict[str, TestClient]
) -> None:
    for role in ("owner_a", "auditor", "viewer"):
        answer = change(browse[role], "review.change_threshold", "50", **JSON)
        assert answer.status_code == 403, role
    assert setting(world, "review.change_threshold") == 0.3
    assert change(browse["admin"], "review.change_threshold", "50").status_code == 303


# -- error pages -----------------------------------------------------------------------------------
@pytest.fixture
def real_reports(world: World) -> None:
    """Reports built by the report writer, which refuses a year without a calculation."""
    world.services.context.options.report_builder = Options().report_builder


def test_an_error_page_keeps_the_navigation_and_the_language_switch(
    browse: dict[str, TestClient], real_reports: None
) -> None:
    manager = browse["manager"]
    missing = manager.get("/datapoints/999999")
    assert missing.status_code == 404
    assert (
        'href="/review"' in missing.text
        and 'href="/lang/zh?next=/datapoints/999999"' in missing.text
    )
    assert "This page as JSON" not in missing.text  # an error has no JSON twin page
    refused = manager.post(f"/reports/{YEAR}/en", data={"csrf_token": csrf(manager, "/reports")})
    assert 'href="/lang/zh?next=/reports"' in refused.text  # back to the page of the form
    calc = manager.post(f"/periods/{YEAR}-13/calc", data={"csrf_token": csrf(manager)})
    assert calc.status_code == 422 and f'href="/lang/zh?next=/periods/{YEAR}-13"' in calc.text
    upload = manager.post("/imports/data", data={"csrf_token": csrf(manager)})
    assert upload.status_code == 422  # shown on the imports page itself
    password = browse["admin"].post("/users/nobody/password", data={"csrf_token": "x"})
    assert password.status_code == 403 and 'href="/lang/zh?next=/users"' in password.text
    with TestClient(manager.app, follow_redirects=False) as stranger:
        page = stranger.get("/login?next=/x").text
        assert 'href="/review"' not in page  # nobody signed in: no navigation


def test_building_a_report_of_a_year_without_a_calculation_offers_the_calculation(
    browse: dict[str, TestClient], real_reports: None
) -> None:
    manager = browse["manager"]
    refused = manager.post(f"/reports/{YEAR}/en", data={"csrf_token": csrf(manager, "/reports")})
    assert refused.status_code == 422
    shown, detail = notice(refused.text, "error-message")
    assert shown == (
        f"There is no calculation for {YEAR} yet: run the calculation of the period first, "
        "then try again."
    )
    assert detail.startswith(f"no calculation for {YEAR}")  # the service's words, beside
    remedy = re.search(r'<p id="error-remedy">(.*?)</p>', refused.text, re.S)
    assert remedy and f'href="/periods/{YEAR}"' in remedy.group(1)
    assert f"Open period {YEAR} and run its calculation" in remedy.group(1)
    assert 'id="run-calc"' in manager.get(f"/periods/{YEAR}").text  # the button it leads to
    chinese(manager)
    refused = manager.post(f"/reports/{YEAR}/zh", data={"csrf_token": csrf(manager, "/reports")})
    assert notice(refused.text, "error-message")[0] == (
        f"{YEAR} 尚无计算结果：请先运行该报告期的计算，然后重试。"
    )
    assert f"打开报告期 {YEAR} 并运行计算" in refused.text
    as_json = manager.post(
        f"/reports/{YEAR}/en", data={"csrf_token": csrf(manager, "/reports")}, headers=JSON
    )
    assert as_json.status_code == 422 and "esgledger calc" in as_json.json()["error"]["message"]


def test_a_user_who_may_not_calculate_is_told_who_does(browse: dict[str, TestClient]) -> None:
    viewer = browse["viewer"]
    page = viewer.get(f"/explain/ghg.scope1/grp/{YEAR}")
    assert page.status_code == 404
    remedy = re.search(r'<p id="error-remedy">(.*?)</p>', page.text, re.S)
    assert remedy and "An ESG manager or administrator runs the calculation" in remedy.group(1)
    assert "href=" not in remedy.group(1)
    explained = viewer.get(f"/explain/ghg.scope1/grp/{LAST_YEAR}")
    assert explained.status_code == 200
