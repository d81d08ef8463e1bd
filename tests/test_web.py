"""The web application without a browser (FastAPI TestClient), on SQLite and PostgreSQL: every
page's JSON twin, sessions and CSRF, escaping of free text, scope (404), the entry workflow."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.api.errors import status_of
from esgledger.service_errors import ServiceError
from esgledger.web.i18n import LANGUAGES, Strings, load_table
from esgledger.web.session import SESSION_COOKIE
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from tests.collab_fixtures import PASSWORD, World
from tests.helpers import DATA_HEADER, write_csv
from tests.web_clients import csrf, form_token
from tests.web_seed import EVIDENCE_PDF, LAST_YEAR, YEAR

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "esgledger" / "web" / "templates"
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def enter(world: World, username: str, entity: str, metric: str, value: float, unit: str) -> int:
    point = world.services.datapoints.create(
        world.user(username), Entry(entity, YEAR, metric, value, unit)
    )
    return point.id


# -- every page has a JSON twin --------------------------------------------------------------------
def test_every_page_has_a_json_twin(world: World, browse: dict[str, TestClient]) -> None:
    point = enter(world, "owner_a", "plant_a", "energy.diesel", 11, "t")
    world.services.datapoints.submit(world.user("owner_a"), point, 1, None)
    manager = browse["manager"]
    pages = [
        f"/dashboard?period={YEAR}",
        "/entry",
        f"/entry/plant_a/{YEAR}",
        f"/entry/plant_a/{YEAR}/check?metric=energy.diesel&value.energy.diesel=12",
        f"/review?period={YEAR}",
        f"/datapoints/{point}",
        f"/values?period={LAST_YEAR}",
        f"/explain/ghg.scope1/grp/{LAST_YEAR}",
        "/periods",
        f"/periods/{YEAR}",
        "/reports",
        "/login",
    ]
    for page in pages:
        path, _, query = page.partition("?")
        suffix = f"?{query}" if query else ""
        html = manager.get(page)
        assert html.status_code == 200, (page, html.text[:500])
        assert html.headers["content-type"].startswith("text/html")
        assert "content-security-policy" in html.headers
        twin = manager.get(f"{path}.json{suffix}")
        assert twin.status_code == 200, (page, twin.text[:500])
        assert twin.headers["content-type"] == "application/json"
        negotiated = manager.get(page, headers={"Accept": "application/json"})
        assert negotiated.json() == twin.json() or page == "/login"  # the login token is fresh
    data = manager.get(f"/dashboard.json?period={YEAR}").json()
    assert data["period"] == YEAR
    assert data["progress"]["entities"][0]["entity"] == "plant_a"
    assert [w["task"] for w in data["waiting"]] == ["review"]
    entry = manager.get(f"/entry/plant_a/{YEAR}.json").json()
    diesel = next(r for g in entry["groups"] for r in g["rows"] if r["metric"] == "energy.diesel")
    assert diesel["last_year"]["value"] == 10.0 and diesel["current"]["value"] == 11.0
    assert "kg" in diesel["units"] and diesel["over_threshold"] is False
    review = manager.get(f"/review.json?period={YEAR}").json()
    assert review["total"] == 1 and review["items"][0]["can"]["approve"] is True


def test_pages_answer_in_both_languages(browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    answer = manager.get("/lang/zh?next=/periods")
    assert answer.status_code == 303 and answer.headers["location"] == "/periods"
    page = manager.get("/periods").text
    assert '<html lang="zh-CN">' in page and "报告期管理" in page
    manager.get("/lang/en")
    assert "Reporting periods" in manager.get("/periods").text
    assert manager.get("/lang/en?next=//evil.example/x").headers["location"] == "/dashboard"
    assert manager.get("/lang/fr").status_code == 404


def test_every_string_the_templates_use_is_in_both_languages() -> None:
    table = load_table()
    used = set()
    for template in TEMPLATES.glob("*.j2"):
        text = template.read_text()
        used |= set(re.findall(r"""\bt\(["']([a-z_]+\.[a-z_.]+)["']\s*[,)]""", text))
    assert used, "no string found"
    assert sorted(used - set(table)) == []
    for lang in LANGUAGES:
        strings = Strings(lang)
        for prefix, keys in {
            "status.": ("approved", "submitted", "draft", "rejected", "missing"),
            "role.": ("admin", "esg_manager", "data_owner", "auditor", "viewer"),
            "nav.": ("dashboard", "entry", "review", "values", "periods", "reports"),
            "action.": ("explain", "submit", "approve", "reject"),
            "task.": ("review", "correct", "submit"),
            "reports.lang_": LANGUAGES,
            "kind.": ("input", "formula", "rollup"),
        }.items():
            for key in keys:
                assert strings(prefix + key)


# -- sessions, CSRF --------------------------------------------------------------------------------
def test_session_cookie_is_httponly_samesite_and_secure_under_tls(app: FastAPI) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app, base_url=base, follow_redirects=False) as client:
            token = form_token(client.get("/login").text)
            answer = client.post(
                "/login", data={"username": "owner_a", "password": PASSWORD, "csrf_token": token}
            )
            cookie = answer.headers["set-cookie"].lower()
            assert cookie.startswith(f"{SESSION_COOKIE}=")
            assert "httponly" in cookie and "samesite=lax" in cookie
            assert ("secure" in cookie) is secure


def test_posts_without_the_csrf_token_are_refused(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    form = {"value.energy.diesel": "12", "unit.energy.diesel": "t", "action": "save"}
    for extra in ({}, {"csrf_token": "forged"}):
        answer = owner.post(f"/entry/plant_a/{YEAR}", data={**form, **extra})
        assert answer.status_code == 403
        as_json = owner.post(
            f"/entry/plant_a/{YEAR}",
            data={**form, **extra},
            headers={"Accept": "application/json"},
        ).json()
        assert as_json["error"]["code"] == "csrf_failed"
    assert world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))[1] == 0
    # another session's token does not do either
    other = csrf(browse["owner_b"])
    assert (
        owner.post(f"/entry/plant_a/{YEAR}", data={**form, "csrf_token": other}).status_code == 403
    )
    assert owner.post("/logout").status_code == 403
    # the sign-in form has its own token
    with TestClient(owner.app, follow_redirects=False) as fresh:
        refused = fresh.post("/login", data={"username": "owner_a", "password": PASSWORD})
        assert refused.status_code == 403 and SESSION_COOKIE not in refused.headers.get(
            "set-cookie", ""
        )
    # with the token it works
    token = csrf(owner)
    answer = owner.post(f"/entry/plant_a/{YEAR}", data={**form, "csrf_token": token})
    assert answer.status_code == 303
    assert world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))[1] == 1


def test_forged_and_expired_sessions_are_refused(
    world: World, app: FastAPI, browse: dict[str, TestClient]
) -> None:
    with TestClient(app, follow_redirects=False) as client:
        for forged in ("forged", "x" * 43, "y" * 5000):
            client.cookies.set(SESSION_COOKIE, forged)
            answer = client.get("/dashboard.json")
            assert answer.status_code == 401
            assert answer.json()["error"]["code"] == "session_invalid"
            page = client.get("/dashboard")
            assert page.status_code == 303 and page.headers["location"].startswith("/login")
            assert client.post("/periods/2024/lock", data={"csrf_token": "x"}).status_code in (
                303,
                401,
            )
    owner = browse["owner_a"]
    assert owner.get("/dashboard.json").status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    world.services.context.clock = lambda: later
    answer = owner.get("/dashboard.json")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "session_expired"


def test_sign_out_ends_the_session(browse: dict[str, TestClient]) -> None:
    owner = browse["owner_a"]
    session = owner.cookies.get(SESSION_COOKIE)
    assert owner.post("/logout", data={"csrf_token": csrf(owner)}).status_code == 303
    owner.cookies.set(SESSION_COOKIE, session or "")
    assert owner.get("/dashboard.json").status_code == 401


def test_brute_force_sign_in_is_throttled(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as client:
        token = form_token(client.get("/login").text)
        statuses = []
        for _ in range(7):
            answer = client.post(
                "/login",
                data={"username": "owner_a", "password": "wrong guess!", "csrf_token": token},
            )
            statuses.append(answer.status_code)
        assert statuses[0] == 401 and statuses[-1] == 429
        assert "retry-after" in answer.headers
        as_json = client.post(
            "/login",
            data={"username": "owner_a", "password": PASSWORD, "csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert as_json.status_code == 429
        assert as_json.json()["error"]["code"] == "too_many_attempts"


# -- free text is escaped --------------------------------------------------------------------------
def test_script_in_free_text_is_escaped_on_every_page(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner, manager = browse["owner_a"], browse["manager"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",
        "unit.energy.diesel": "t",
        "explanation.energy.diesel": SCRIPT,
        "action": "submit",
    }
    assert owner.post(f"/entry/plant_a/{YEAR}", data=form).status_code == 303
    (point,), _ = world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))
    assert point.status == "submitted"
    queue = manager.get(f"/review?period={YEAR}").text
    assert SCRIPT not in queue and ESCAPED in queue
    rejected = manager.post(
        f"/datapoints/{point.id}/reject",
        data={"csrf_token": csrf(manager), "version": "1", "comment": SCRIPT},
    )
    assert rejected.status_code == 303
    pages = [
        (owner, f"/entry/plant_a/{YEAR}"),
        (owner, f"/datapoints/{point.id}"),
        (manager, f"/datapoints/{point.id}"),
        (owner, f"/datapoints/{point.id}.json"),  # JSON: exact text, no HTML
    ]
    for client, page in pages[:3]:
        text = client.get(page).text
        assert SCRIPT not in text, page
        assert ESCAPED in text, page
    # the JSON twin carries the text as entered (JSON, not HTML)
    history = manager.get(f"/datapoints/{point.id}.json").json()
    assert SCRIPT in [c["comment"] for c in history["comments"]]


# -- scope: outside the user's entities is 404 -----------------------------------------------------
def test_entities_outside_the_users_scope_are_404(
    world: World, browse: dict[str, TestClient]
) -> None:
    other = enter(world, "owner_b", "plant_b", "energy.diesel", 5, "t")
    world.services.datapoints.submit(world.user("owner_b"), other, 1, None)
    evidence = world.services.evidence.upload(world.user("owner_b"), other, "b.pdf", EVIDENCE_PDF)
    owner = browse["owner_a"]
    token = csrf(owner)
    gets = [
        f"/entry/plant_b/{YEAR}",
        f"/entry/plant_b/{YEAR}.json",
        f"/entry/plant_b/{YEAR}/check?metric=energy.diesel",
        f"/datapoints/{other}",
        f"/datapoints/{other}.json",
        f"/evidence/{evidence['id']}",
        f"/explain/ghg.scope1/plant_b/{LAST_YEAR}",
        f"/review?period={YEAR}&entity=plant_b",
    ]
    for path in gets:
        answer = owner.get(path)
        assert answer.status_code == 404, path
        assert "plant_b" not in answer.text.replace(path, "") or "no entity" in answer.text
    unknown = owner.get(f"/entry/nowhere/{YEAR}.json").json()
    hidden = owner.get(f"/entry/plant_b/{YEAR}.json").json()
    assert unknown["error"]["code"] == hidden["error"]["code"] == "not_found"
    posts = [
        (f"/entry/plant_b/{YEAR}", {"value.energy.coke": "1", "unit.energy.coke": "t"}),
        (f"/datapoints/{other}/approve", {"version": "1"}),
        (f"/datapoints/{other}/evidence", {}),
    ]
    for path, data in posts:
        answer = owner.post(path, data={**data, "csrf_token": token})
        assert answer.status_code == 404, (path, answer.text[:300])
    points, _total = world.services.datapoints.find(world.user("owner_b"), Filters(period=YEAR))
    assert [(p.metric_id, p.status) for p in points] == [("energy.diesel", "submitted")]
    listed = owner.get(f"/dashboard.json?period={YEAR}").json()
    assert "plant_b" not in str(listed)


def test_waiting_for_me_lists_open_values_of_my_entities_whoever_entered_them(
    world: World, browse: dict[str, TestClient], tmp_path: Path
) -> None:
    rows = [
        ["plant_a", YEAR, "water.withdrawal", 5100, "m3", "measured", "", ""],
        ["plant_b", YEAR, "energy.diesel", 3, "t", "measured", "", ""],
    ]
    imported = world.ws.import_data(write_csv(tmp_path / "year.csv", DATA_HEADER, rows))
    water = next(p for p in imported.points if p.metric_id == "water.withdrawal")
    world.services.datapoints.reject(
        world.user("manager"), water.id, 1, "December meter reading missing"
    )
    enter(world, "manager", "line_a1", "energy.coke", 2, "t")  # a colleague, in a sub-entity
    enter(world, "owner_b", "plant_b", "energy.coke", 1, "t")

    def waiting(username: str) -> list[tuple[str, str, str, str, str]]:
        data = browse[username].get(f"/dashboard.json?period={YEAR}").json()
        return [
            (w["task"], w["entity"], w["metric"], w["status"], w["created_by"])
            for w in data["waiting"]
        ]

    assert waiting("owner_a") == [
        ("correct", "plant_a", "water.withdrawal", "rejected", world.ws.admin_name),
        ("submit", "line_a1", "energy.coke", "draft", "manager"),
    ]
    assert waiting("owner_b") == [("submit", "plant_b", "energy.coke", "draft", "owner_b")]
    assert waiting("manager") == [  # reviews, and only the manager's own open values
        ("review", "plant_b", "energy.diesel", "submitted", world.ws.admin_name),
        ("submit", "line_a1", "energy.coke", "draft", "manager"),
    ]
    assert waiting("viewer_a") == []
    assert waiting("auditor") == []
    page = browse["owner_a"].get(f"/dashboard?period={YEAR}").text
    assert f'href="/entry/plant_a/{YEAR}"' in page and f'href="/entry/line_a1/{YEAR}"' in page


# -- entry, review, periods, evidence, reports -----------------------------------------------------
def test_a_large_change_needs_an_explanation_before_submit(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",
        "unit.energy.diesel": "t",
        "value.energy.electricity_purchased": "1.02",
        "unit.energy.electricity_purchased": "GWh",
        "action": "submit",
    }
    answer = owner.post(f"/entry/plant_a/{YEAR}", data=form)
    assert answer.status_code == 422
    assert "explain the change" in answer.text
    statuses = {
        p.metric_id: p.status
        for p in world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))[0]
    }
    assert statuses == {"energy.diesel": "draft", "energy.electricity_purchased": "submitted"}
    check = owner.get(
        f"/entry/plant_a/{YEAR}/check.json?metric=energy.diesel&value.energy.diesel=20"
    ).json()
    assert check["change"] == pytest.approx(1.0) and check["over_threshold"] is True
    form = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",
        "unit.energy.diesel": "t",
        "version.energy.diesel": "1",
        "explanation.energy.diesel": "new quarry fleet",
        "action": "submit",
    }
    answer = owner.post(f"/entry/plant_a/{YEAR}", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    assert [w["status"] for w in answer.json()["written"]] == ["submitted"]


def test_a_stale_version_is_a_conflict_showing_the_current_value(
    world: World, browse: dict[str, TestClient]
) -> None:
    point = enter(world, "owner_a", "plant_a", "energy.coke", 7, "t")
    world.services.datapoints.correct(world.user("manager"), point, 1, {"value": 8.0})
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "9",
        "unit.energy.coke": "t",
        "version.energy.coke": "1",
        "action": "save",
    }
    answer = owner.post(f"/entry/plant_a/{YEAR}", data=form)
    assert answer.status_code == 409
    assert "the data point changed" in answer.text
    assert world.services.datapoints.get(world.user("owner_a"), point).value == 8.0


def row_html(page: str, slug: str) -> str:
    match = re.search(rf'<tr id="row-{slug}".*?</tr>', page, re.S)
    assert match, f"no row {slug}"
    return match.group(0)


def test_a_value_saved_before_a_refused_submit_is_reported_as_saved(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    new_value = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",  # last year 10 t: +100 %, no explanation
        "unit.energy.diesel": "t",
        "action": "submit",
    }
    answer = owner.post(
        f"/entry/plant_a/{YEAR}", data=new_value, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 422
    body = answer.json()
    assert [(w["metric"], w["value"], w["status"], w["version"]) for w in body["written"]] == [
        ("energy.diesel", 20.0, "draft", 1)
    ]
    assert body["errors"]["energy.diesel"]["code"] == "explanation_required"
    assert body["errors"]["energy.diesel"]["field"] == "explanation"
    (diesel,), _total = world.services.datapoints.find(
        world.user("owner_a"), Filters(YEAR, "plant_a", "energy.diesel")
    )
    assert (diesel.value, diesel.status, diesel.version) == (20.0, "draft", 1)

    water = enter(world, "owner_a", "plant_a", "water.withdrawal", 5100, "m3")  # +2 %
    correction = {
        "csrf_token": csrf(owner),
        "value.water.withdrawal": "9000",  # last year 5000 m3: +80 %
        "unit.water.withdrawal": "m3",
        "version.water.withdrawal": "1",
        "action": "submit",
    }
    page = owner.post(f"/entry/plant_a/{YEAR}", data=correction)
    assert page.status_code == 422
    assert re.search(r'id="flash-saved"[^>]*>Saved 1 values, 0 of them submitted', page.text)
    row = row_html(page.text, "water-withdrawal")
    assert "Saved as a draft, not submitted:" in row and "explain the change" in row
    assert ">draft<" in row
    corrected = world.services.datapoints.get(world.user("owner_a"), water)
    assert (corrected.value, corrected.status, corrected.version) == (9000.0, "draft", 2)


def test_an_explanation_of_an_unchanged_open_value_is_recorded(
    world: World, browse: dict[str, TestClient]
) -> None:
    point = enter(world, "owner_a", "plant_a", "energy.diesel", 20, "t")  # +100 %
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",
        "unit.energy.diesel": "t",
        "version.energy.diesel": "1",
        "explanation.energy.diesel": "new quarry fleet",
        "action": "save",
    }
    json_headers = {"Accept": "application/json"}
    answer = owner.post(f"/entry/plant_a/{YEAR}", data=form, headers=json_headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["errors"] == {}
    assert [(w["id"], w["status"], w["version"]) for w in answer.json()["written"]] == [
        (point, "draft", 1)
    ]

    def explained() -> list[tuple[str, str | None, str]]:
        trail = world.services.datapoints.history(world.user("owner_a"), point)["comments"]
        return [(c["action"], c["comment"], c["by"]) for c in trail]

    assert explained() == [("explain", "new quarry fleet", "owner_a")]
    audit = world.services.datapoints.history(world.user("owner_a"), point)["audit"]
    assert "datapoint.explain" in [entry["action"] for entry in audit]
    again = owner.post(f"/entry/plant_a/{YEAR}", data=form, headers=json_headers)
    assert again.json() == {"written": [], "errors": {}}  # the same text is not recorded twice
    assert explained() == [("explain", "new quarry fleet", "owner_a")]

    submitted = world.services.datapoints.submit(
        world.user("owner_a"), point, 1, None
    )  # explained already
    assert submitted.status == "submitted"
    world.services.datapoints.reject(world.user("manager"), point, 1, "which fleet?")
    rejected = {**form, "csrf_token": csrf(owner), "explanation.energy.diesel": "two new trucks"}
    assert owner.post(f"/entry/plant_a/{YEAR}", data=rejected).status_code == 303
    assert explained() == [
        ("explain", "new quarry fleet", "owner_a"),
        ("submit", None, "owner_a"),
        ("reject", "which fleet?", "manager"),
        ("explain", "two new trucks", "owner_a"),
    ]


def test_explain_change_checks_scope_permission_version_state_text_and_lock(
    world: World,
) -> None:
    services = world.services
    point = enter(world, "owner_a", "plant_a", "energy.coke", 4, "t")

    def refusal(username: str, version: int, text: str) -> tuple[int, str]:
        with pytest.raises(ServiceError) as refused:
            services.datapoints.explain_change(world.user(username), point, version, text)
        return status_of(refused.value), refused.value.code

    assert refusal("owner_b", 1, "x") == (404, "not_found")
    assert refusal("viewer_a", 1, "x") == (403, "forbidden")
    assert refusal("auditor", 1, "x") == (403, "forbidden")
    assert refusal("owner_a", 1, "   ") == (422, "invalid")
    services.datapoints.correct(world.user("manager"), point, 1, {"value": 5.0})
    assert refusal("owner_a", 1, "x") == (409, "version_conflict")
    services.datapoints.submit(world.user("owner_a"), point, 2, None)
    assert refusal("owner_a", 2, "x") == (409, "invalid_state")
    services.datapoints.approve(world.user("manager2"), point, 2, None)
    services.periods.lock(world.user("manager"), YEAR, None)
    assert refusal("owner_a", 2, "x") == (409, "period_locked")
    comments = services.datapoints.history(world.user("owner_a"), point)["comments"]
    assert [c["action"] for c in comments] == ["submit", "approve"]


def test_review_decisions_follow_the_policy(world: World, browse: dict[str, TestClient]) -> None:
    mine = enter(world, "manager", "plant_a", "energy.coke", 3, "t")
    world.services.datapoints.submit(world.user("manager"), mine, 1, None)
    manager = browse["manager"]
    card = manager.get(f"/review.json?period={YEAR}").json()["items"][0]
    assert card["can"]["approve"] is False  # segregation of duties, decided by the policy
    assert f"/datapoints/{mine}/approve" not in manager.get(f"/review?period={YEAR}").text
    refused = manager.post(
        f"/datapoints/{mine}/approve",
        data={"csrf_token": csrf(manager), "version": "1"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    other = browse["manager2"]
    needs_comment = other.post(
        f"/datapoints/{mine}/reject", data={"csrf_token": csrf(other), "version": "1"}
    )
    assert needs_comment.status_code == 422
    fragment = other.post(
        f"/datapoints/{mine}/approve",
        data={"csrf_token": csrf(other), "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and 'data-status="approved"' in fragment.text
    assert "<html" not in fragment.text
    stale = other.post(
        f"/datapoints/{mine}/approve",
        data={"csrf_token": csrf(other), "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 409 and 'role="alert"' in stale.text
    viewer = browse["viewer"]
    assert "/entry" not in re.findall(r'href="(/[a-z]+)"', viewer.get("/dashboard").text)
    # with or without the version the form showed, the viewer's answer is that they may not
    for typed in (
        {"value.energy.coke": "1", "unit.energy.coke": "t", "version.energy.coke": "1"},
        {"value.energy.coke": "1", "unit.energy.coke": "t"},
    ):
        assert (
            viewer.post(
                f"/entry/plant_a/{YEAR}",
                data={"csrf_token": csrf(viewer), **typed},
                headers={"Accept": "application/json"},
            ).json()["errors"]["energy.coke"]["code"]
            == "forbidden"
        )
    auditor = browse["auditor"]
    assert auditor.get(f"/datapoints/{mine}.json").json()["audit"]


def submitted_months(world: World, entity: str, plan: dict[str, int]) -> list[int]:
    """Submit values of ``entity`` for the first months of YEAR (metric -> number of months), by
    its data owner, in order; returns their ids."""
    owner = world.user("owner_a" if entity == "plant_a" else "owner_b")
    ids = []
    for metric, months in plan.items():
        unit = "MWh" if metric == "energy.electricity_purchased" else "t"
        for month in range(1, months + 1):
            entry = Entry(entity, f"{YEAR}-{month:02d}", metric, 10 + month, unit)
            point = world.services.datapoints.create(owner, entry)
            world.services.datapoints.submit(owner, point.id, point.version, None)
            ids.append(point.id)
    return ids


def test_the_review_queue_of_a_year_holds_its_months_and_pages_by_id(
    world: World, browse: dict[str, TestClient]
) -> None:
    plan = {"energy.electricity_purchased": 12, "energy.diesel": 12, "energy.coke": 6}
    ids = submitted_months(world, "plant_a", plan)  # 30 monthly values
    other = submitted_months(world, "plant_b", {"energy.diesel": 1})
    assert len(ids) == 30 and other[0] > ids[-1]
    manager = browse["manager"]
    first = manager.get(f"/review.json?period={YEAR}&entity=plant_a").json()
    assert [i["point"]["id"] for i in first["items"]] == ids[:25]
    assert first["items"][0]["point"]["period"] == f"{YEAR}-01"
    assert (first["total"], first["after"], first["next_after"]) == (30, None, ids[24])
    assert first["entity"] == "plant_a" and first["limit"] == 25
    page = manager.get(f"/review?period={YEAR}&entity=plant_a").text
    assert f'<span class="muted">· Plant A · {YEAR}-03</span>' in page  # the card's own month
    next_link = f"/review?period={YEAR}&amp;entity=plant_a&amp;after={ids[24]}"
    assert f'<a href="{next_link}" id="pager-next">Next</a>' in page
    assert 'id="pager-start"' not in page and "Previous" not in page
    assert f'name="next" value="/review?period={YEAR}&amp;entity=plant_a"' in page
    # the whole group's queue holds plant_b's value too, and the dashboard lists every month
    assert manager.get(f"/review.json?period={YEAR}").json()["total"] == 31
    waiting = manager.get(f"/dashboard.json?period={YEAR}").json()["waiting"]
    assert [w["id"] for w in waiting if w["task"] == "review"] == [*ids, *other]

    token = csrf(manager)
    for point_id in ids[:25]:  # approved in place, as on the page (HTMX)
        card = manager.post(
            f"/datapoints/{point_id}/approve",
            data={"csrf_token": token, "version": "1"},
            headers={"HX-Request": "true"},
        )
        assert card.status_code == 200 and 'data-status="approved"' in card.text
    second = manager.get(f"/review.json?period={YEAR}&entity=plant_a&after={ids[24]}").json()
    assert [i["point"]["id"] for i in second["items"]] == ids[25:]  # none skipped
    assert (second["total"], second["after"], second["next_after"]) == (5, ids[24], None)
    page = manager.get(f"/review?period={YEAR}&entity=plant_a&after={ids[24]}").text
    start = f"/review?period={YEAR}&amp;entity=plant_a"
    assert f'<a href="{start}" id="pager-start">Back to the start</a>' in page
    assert 'id="pager-next"' not in page
    again = manager.get(f"/review.json?period={YEAR}&entity=plant_a").json()
    assert [i["point"]["id"] for i in again["items"]] == ids[25:]
    assert again["next_after"] is None
    # a month's queue is that month only
    march = manager.get(f"/review.json?period={YEAR}-03").json()["items"]
    assert [(i["point"]["metric"], i["point"]["period"]) for i in march] == [
        ("energy.coke", f"{YEAR}-03")
    ]
    for bad in ("-1", "99999999999999999999", "x"):
        refused = manager.get(f"/review?period={YEAR}&after={bad}")
        assert refused.status_code == 422, bad
        assert manager.get(f"/review.json?after={bad}").json()["error"]["field"] == "after"
    manager.get("/lang/zh")
    chinese = manager.get(f"/review?period={YEAR}&after={ids[24]}").text
    assert '<a href="/review?period=2024" id="pager-start">返回第一页</a>' in chinese


def test_evidence_upload_and_download(world: World, browse: dict[str, TestClient]) -> None:
    point = enter(world, "owner_a", "plant_a", "energy.diesel", 12, "t")
    owner = browse["owner_a"]
    token = csrf(owner)
    answer = owner.post(
        f"/datapoints/{point}/evidence",
        data={"csrf_token": token},
        files={"file": ("../../etc/invoice.pdf", EVIDENCE_PDF, "application/pdf")},
    )
    assert answer.status_code == 303
    (record,) = world.services.evidence.list_for(world.user("owner_a"), point)
    assert record["file_name"] == "invoice.pdf" and len(record["sha256"]) == 64
    download = browse["auditor"].get(f"/evidence/{record['id']}")
    assert download.status_code == 200 and download.content == EVIDENCE_PDF
    assert download.headers["content-disposition"].startswith("attachment")
    refused = owner.post(
        f"/datapoints/{point}/evidence",
        data={"csrf_token": token},
        files={"file": ("run.exe", b"MZ\x90\x00binary", "application/octet-stream")},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 415
    assert refused.json()["error"]["code"] == "unsupported_media_type"
    assert browse["viewer"].get(f"/evidence/{record['id']}").status_code == 403


def test_period_lock_refuses_edits_and_reopen_needs_a_reason(
    world: World, browse: dict[str, TestClient]
) -> None:
    point = enter(world, "owner_a", "plant_a", "energy.coke", 4, "t")
    owner, manager = browse["owner_a"], browse["manager"]
    token = csrf(manager)
    not_approved = manager.post(f"/periods/{YEAR}/lock", data={"csrf_token": token})
    assert not_approved.status_code == 409
    world.services.datapoints.submit(world.user("owner_a"), point, 1, None)
    world.services.datapoints.approve(world.user("manager"), point, 1, None)
    assert manager.post(f"/periods/{YEAR}/lock", data={"csrf_token": token}).status_code == 303
    assert manager.get(f"/periods/{YEAR}.json").json()["period"]["locked"] is True
    edit = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "5",
        "unit.energy.coke": "t",
        "version.energy.coke": "1",
    }
    refused = owner.post(f"/entry/plant_a/{YEAR}", data=edit)
    assert refused.status_code == 409 and "is locked" in refused.text
    assert (
        owner.post(
            f"/periods/{YEAR}/reopen", data={"csrf_token": csrf(owner), "reason": "x"}
        ).status_code
        == 403
    )
    no_reason = manager.post(f"/periods/{YEAR}/reopen", data={"csrf_token": token})
    assert no_reason.status_code == 422
    reopened = manager.post(
        f"/periods/{YEAR}/reopen", data={"csrf_token": token, "reason": f"restated {SCRIPT}"}
    )
    assert reopened.status_code == 303
    page = manager.get(f"/periods/{YEAR}").text
    assert SCRIPT not in page and ESCAPED in page


def test_reports_build_and_download(browse: dict[str, TestClient]) -> None:
    manager = browse["manager"]
    token = csrf(manager)
    assert manager.post(f"/reports/{LAST_YEAR}/zh", data={"csrf_token": token}).status_code == 303
    listing = manager.get("/reports.json").json()["reports"]
    built = next(r for r in listing if r["period"] == LAST_YEAR)["built"]
    assert built["zh"]["file_name"].endswith(".html") and built["en"] is None
    download = manager.get(f"/reports/{LAST_YEAR}/zh")
    assert download.status_code == 200 and download.headers["content-disposition"].startswith(
        "attachment"
    )
    assert (
        browse["owner_a"]
        .post(f"/reports/{LAST_YEAR}/en", data={"csrf_token": csrf(browse["owner_a"])})
        .status_code
        == 403
    )
    assert manager.get("/reports/abcd/en.json").status_code in (404, 422)


def test_a_years_progress_counts_its_monthly_values(
    world: World, browse: dict[str, TestClient]
) -> None:
    """A metric reported monthly last year is expected month by month; the year is complete
    only when every month's value is approved, as locking it requires."""
    services, owner, manager = world.services, world.user("owner_b"), world.user("manager")
    for month in ("01", "02"):
        services.datapoints.create(
            owner, Entry("plant_b", f"{LAST_YEAR}-{month}", "energy.diesel", 1, "t")
        )
    january = services.datapoints.create(
        owner, Entry("plant_b", f"{YEAR}-01", "energy.diesel", 1, "t")
    )
    services.datapoints.submit(owner, january.id, 1)

    def plant_b() -> dict[str, Any]:
        progress = browse["manager"].get(f"/dashboard.json?period={YEAR}").json()["progress"]
        return next(row for row in progress["entities"] if row["entity"] == "plant_b")

    row = plant_b()
    assert [(m["metric"], m["period"], m["status"]) for m in row["metrics"]] == [
        ("energy.diesel", f"{YEAR}-01", "submitted"),
        ("energy.diesel", f"{YEAR}-02", "missing"),
    ]
    assert (row["expected"], row["approved"], row["complete"]) == (2, 0, False)
    services.datapoints.approve(manager, january.id, 1)
    february = services.datapoints.create(
        owner, Entry("plant_b", f"{YEAR}-02", "energy.diesel", 1, "t")
    )
    services.datapoints.submit(owner, february.id, 1)
    services.datapoints.approve(manager, february.id, 1)
    row = plant_b()
    assert (row["expected"], row["approved"], row["complete"]) == (2, 2, True)
    assert "02" in browse["manager"].get(f"/dashboard?period={YEAR}").text


# -- source and note typed with a value ------------------------------------------------------------
def test_the_entry_form_records_a_source_and_a_note_and_corrects_only_the_note(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.diesel": "20",
        "unit.energy.diesel": "t",
        "source.energy.diesel": "fuel invoices 2024, ledger p. 12",
        "note.energy.diesel": "excludes the canteen generator",
        "note_public.energy.diesel": "1",
        "action": "save",
    }
    assert owner.post(f"/entry/plant_a/{YEAR}", data=form).status_code == 303
    (point,), _ = world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))
    assert (point.value, point.version) == (20.0, 1)
    assert point.source == "fuel invoices 2024, ledger p. 12"
    assert (point.note, point.note_public) == ("excludes the canteen generator", True)
    page = owner.get(f"/entry/plant_a/{YEAR}").text
    assert 'value="fuel invoices 2024, ledger p. 12"' in page
    assert ">excludes the canteen generator</textarea>" in page

    # the same value with a new note and the footnote box cleared: one correction, value kept
    changed = {
        **form,
        "version.energy.diesel": "1",
        "note.energy.diesel": "includes the canteen generator since March",
    }
    del changed["note_public.energy.diesel"]
    assert owner.post(f"/entry/plant_a/{YEAR}", data=changed).status_code == 303
    (point,), _ = world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))
    assert (point.value, point.version, point.note_public) == (20.0, 2, False)
    assert point.note == "includes the canteen generator since March"
    assert point.source == "fuel invoices 2024, ledger p. 12"

    # a form without the fields (an older page) keeps them as they are
    bare = {k: v for k, v in changed.items() if not k.startswith(("source.", "note."))}
    bare["version.energy.diesel"] = "2"
    bare["value.energy.diesel"] = "21"
    assert owner.post(f"/entry/plant_a/{YEAR}", data=bare).status_code == 303
    (point,), _ = world.services.datapoints.find(world.user("owner_a"), Filters(period=YEAR))
    assert (point.value, point.version) == (21.0, 3)
    assert point.note == "includes the canteen generator since March"
    assert point.source == "fuel invoices 2024, ledger p. 12"
