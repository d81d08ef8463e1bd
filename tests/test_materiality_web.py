"""The materiality pages (issue 10, parts 2 and 3) in English and Chinese with their JSON twins,
their forms, and the public questionnaire: reached by a link without an account, one response per
link, a tampered or reused link refused, requests counted per address, nothing else reachable."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.access.throttle import Throttle
from esgledger.api import create_app
from esgledger.services import stakeholders as stakeholder_service
from esgledger.web.contexts import ASSESS_TEMPLATES
from tests.collab_fixtures import World
from tests.materiality_case import Built, build
from tests.web_clients import csrf, signed_in_clients


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stakeholder_service, "LINK_REQUESTS", Throttle(30, 600))


@pytest.fixture
def built(world: World) -> Built:
    return build(world.services, world.user("manager"))


@pytest.fixture
def web(world: World, built: Built) -> FastAPI:
    return create_app(world.services)


@pytest.fixture
def browse(web: FastAPI) -> Iterator[dict[str, TestClient]]:
    with signed_in_clients(web) as clients:
        yield clients


@pytest.fixture
def public(web: FastAPI) -> Iterator[TestClient]:
    with TestClient(web, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def test_the_pages_in_both_languages_with_their_json_twins(
    browse: dict[str, TestClient], built: Built
) -> None:
    viewer = browse["viewer"]
    for lang, words in (
        ("en", ("Double materiality", "Impact only")),
        ("zh", ("双重重要性评估", "仅影响重要")),
    ):
        assert viewer.get(f"/lang/{lang}").status_code == 303
        page = viewer.get(f"/assess/materiality/{built.assessment}")
        assert page.status_code == 200, page.text
        assert all(w in page.text for w in words)
        assert "<svg" in page.text and 'data-topic="innovation"' in page.text
        assert viewer.get(f"/assess/iros/{built.assessment}").status_code == 200
        assert viewer.get("/assess/stakeholders").status_code == 200
        assert viewer.get("/assess/materiality").status_code == 200
    twin = viewer.get(f"/assess/materiality/{built.assessment}.json").json()
    assert {t["id"]: t["class"] for t in twin["assessment"]["topics"]}[
        "innovation"
    ] == "financial_only"
    assert len(viewer.get(f"/assess/iros/{built.assessment}.json").json()["iros"]) == 8
    assert 'action="/assess' not in viewer.get(f"/assess/materiality/{built.assessment}").text


def test_the_manager_runs_scores_and_the_refusals_show(
    browse: dict[str, TestClient], built: Built
) -> None:
    manager = browse["manager"]
    token = csrf(manager, f"/assess/materiality/{built.assessment}")
    ran = manager.post(f"/assess/materiality/{built.assessment}/run", data={"csrf_token": token})
    assert ran.status_code == 303
    scored = manager.post(
        f"/assess/iro/{built.iros['jobs']}/score",
        data={"csrf_token": token, "scale": "5", "scope": "4", "rationale": "new plant"},
    )
    assert scored.status_code == 303 and scored.headers["location"].endswith(
        f"#iro-{built.iros['jobs']}"
    )
    bad = manager.post(
        f"/assess/iro/{built.iros['jobs']}/score",
        data={"csrf_token": token, "scale": "9", "scope": "4", "rationale": "x"},
    )
    assert bad.status_code == 422 and "out of scale" in bad.text
    refused = manager.post(
        f"/assess/materiality/{built.assessment}/approve",
        data={"csrf_token": token, "body": "Board", "approved_on": "2026-03-20"},
    )
    assert refused.status_code == 422 and "run it" in refused.text
    no_csrf = manager.post(f"/assess/materiality/{built.assessment}/run", data={})
    assert no_csrf.status_code == 403
    viewer = browse["viewer"]
    forbidden = viewer.post(
        f"/assess/materiality/{built.assessment}/run", data={"csrf_token": csrf(viewer)}
    )
    assert forbidden.status_code == 403


def test_a_stakeholder_answers_once_through_the_link(
    browse: dict[str, TestClient], public: TestClient, built: Built, world: World
) -> None:
    manager = browse["manager"]
    page = manager.post(
        "/assess/stakeholders/links",
        data={
            "csrf_token": csrf(manager),
            "assessment": str(built.assessment),
            "group": "community",
            "count": "1",
        },
    )
    (url,) = re.findall(r'class="issued-link">([^<]+)<', page.text)
    path = url[url.index("/q/") :]
    shown = public.get(path + "?lang=zh")
    assert shown.status_code == 200 and "利益相关方问卷" in shown.text
    assert "<nav" not in shown.text and "/dashboard" not in shown.text
    tampered = public.post(path[:-3] + "abc", data={"topic.water": "4"})
    assert tampered.status_code == 404 and 'id="refused"' in tampered.text
    answered = public.post(path, data={"topic.water": "4", "topic.climate": "5", "comment": "dust"})
    assert answered.status_code == 200 and 'id="thanks"' in answered.text
    again = public.post(path, data={"topic.water": "1"})
    assert again.status_code == 409 and "already" in again.text
    spread = world.services.stakeholders.responses(world.user("manager"), built.assessment)
    assert spread["spread"]["water"]["community"]["count"] == 3
    assert public.get("/assess/materiality").status_code in (303, 401)  # no account: nothing else


def test_requests_to_the_questionnaire_are_counted_per_address(
    public: TestClient, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stakeholder_service, "LINK_REQUESTS", Throttle(3, 600))
    answers = [public.get("/q/1.guess.guess").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_each_json_twin_holds_the_keys_of_its_data_type(
    browse: dict[str, TestClient], built: Built
) -> None:
    pages = {
        "materiality_list.html.j2": "/assess/materiality.json",
        "materiality.html.j2": f"/assess/materiality/{built.assessment}.json",
        "iros.html.j2": f"/assess/iros/{built.assessment}.json",
        "stakeholders.html.j2": "/assess/stakeholders.json",
    }
    for template, url in pages.items():
        answer = browse["manager"].get(url)
        assert answer.status_code == 200, url
        assert set(answer.json()) == set(ASSESS_TEMPLATES[template][0].__annotations__), url


def test_the_dashboard_shows_the_matrix_of_the_period(
    browse: dict[str, TestClient], built: Built
) -> None:
    page = browse["viewer"].get("/dashboard?period=2025")
    assert page.status_code == 200
    assert 'id="dashboard-materiality"' in page.text and 'data-topic="climate"' in page.text
    assert 'id="dashboard-materiality"' not in browse["viewer"].get("/dashboard?period=2024").text
