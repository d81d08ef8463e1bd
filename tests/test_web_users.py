"""The user administration page (``/users``) without a browser, on SQLite and PostgreSQL: admins
list, add and change accounts; refused input writes nothing and names the field; CSRF; every other
role gets the answer of the other admin-only pages; the JSON twin; Chinese; escaping."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.api import create_app
from tests.collab_fixtures import API, PASSWORD, USERS, World
from tests.web_clients import csrf

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
NEW_PASSWORD = "a fresh long password"


@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(world.services)


def accounts(world: World) -> list[dict[str, Any]]:
    return [u.as_dict() for u in world.services.accounts.users(world.user("admin"))]


def account(world: World, username: str) -> dict[str, Any]:
    return world.services.accounts.get(world.user("admin"), username).as_dict()


def api_token(client: TestClient, username: str, password: str) -> Any:
    return client.post(f"{API}/auth/token", json={"username": username, "password": password})


def nav_links(html: str) -> list[str]:
    nav = re.search(r"<nav [^>]*>(.*?)</nav>", html, re.S)
    assert nav
    return re.findall(r'href="([^"]+)"', nav.group(1))


# -- listing and the JSON twin ---------------------------------------------------------------------
def test_admin_lists_the_accounts_and_the_json_twin(
    world: World, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    page = admin.get("/users")
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in page.headers
    html = page.text
    assert "/users" in nav_links(html)
    for name in USERS:
        assert f'id="user-{name}"' in html
        assert f'action="/users/{name}/deactivate"' in html
        assert f'action="/users/{name}/password"' in html
    assert 'action="/users"' in html and 'id="add-user"' in html
    assert html.count('name="csrf_token"') >= 1 + 3 * len(USERS) + 1  # logout, 3 per user, add
    owner_row = re.search(r'<tr id="user-owner_a".*?</tr>', html, re.S)
    assert owner_row and "data owner" in owner_row.group(0) and "Plant A" in owner_row.group(0)
    twin = admin.get("/users.json")
    assert twin.status_code == 200 and twin.headers["content-type"] == "application/json"
    data = twin.json()
    # and the admin init made for the OS login
    assert [u["username"] for u in data["users"]] == sorted([*USERS, world.ws.admin_name])
    owner = next(u for u in data["users"] if u["username"] == "owner_a")
    assert owner["role"] == "data_owner" and owner["entities"] == ["plant_a"]
    assert owner["active"] is True and owner["locked_until"] is None
    assert owner["created_by"] and owner["created_at"]
    assert data["roles"] == ["admin", "esg_manager", "data_owner", "auditor", "viewer"]
    assert set(data["entities"]) == {"grp", "plant_a", "line_a1", "plant_b"}
    assert admin.get("/users", headers={"Accept": "application/json"}).json() == data


# -- adding and changing ---------------------------------------------------------------------------
def test_an_added_user_can_sign_in_with_the_api(
    world: World, app: FastAPI, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    form = {
        "csrf_token": csrf(admin),
        "username": "wang.li@example.com",
        "role": "data_owner",
        "entities": ["plant_a", "plant_b"],
        "password": NEW_PASSWORD,
    }
    answer = admin.post("/users", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/users?done=created&user=wang.li%40example.com")
    shown = admin.get(answer.headers["location"]).text
    assert 'id="flash"' in shown and "The account wang.li@example.com was added." in shown
    created = account(world, "wang.li@example.com")
    assert created["role"] == "data_owner" and created["entities"] == ["plant_a", "plant_b"]
    assert created["active"] is True and created["created_by"] == "admin"
    with TestClient(app) as api:
        issued = api_token(api, "wang.li@example.com", NEW_PASSWORD)
        assert issued.status_code == 200, issued.text
        bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        me = api.get(f"{API}/auth/me", headers=bearer).json()
        assert me["username"] == "wang.li@example.com" and me["role"] == "data_owner"
    # as JSON: the account
    as_json = admin.post(
        "/users",
        data={**form, "username": "zhao", "role": "viewer", "entities": []},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 200
    assert as_json.json()["username"] == "zhao" and as_json.json()["entities"] == []


def test_admin_changes_role_and_entities(world: World, browse: dict[str, TestClient]) -> None:
    admin = browse["admin"]
    token = csrf(admin)
    answer = admin.post(
        "/users/viewer_a",
        data={
            "csrf_token": token,
            "role": "data_owner",
            "entities_sent": "1",
            "entities": "plant_b",
        },
    )
    assert answer.status_code == 303 and "done=updated&user=viewer_a" in answer.headers["location"]
    changed = account(world, "viewer_a")
    assert changed["role"] == "data_owner" and changed["entities"] == ["plant_b"]
    # emptying the multi-select clears the entities
    admin.post(
        "/users/viewer_a", data={"csrf_token": token, "role": "data_owner", "entities_sent": "1"}
    )
    assert account(world, "viewer_a")["entities"] == []
    # a post without the entities field leaves them alone
    admin.post("/users/owner_a", data={"csrf_token": token, "role": "esg_manager"})
    assert account(world, "owner_a")["role"] == "esg_manager"
    assert account(world, "owner_a")["entities"] == ["plant_a"]
    as_json = admin.post(
        "/users/owner_a",
        data={"csrf_token": token, "role": "auditor"},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 200 and as_json.json()["role"] == "auditor"
    # the change shows on the page and is the one the policy sees at the next request
    row = re.search(r'<tr id="user-owner_a".*?</tr>', admin.get("/users").text, re.S)
    assert row and "auditor" in row.group(0)
    assert browse["owner_a"].get("/dashboard.json").status_code == 200


def test_deactivation_refuses_the_users_token_and_session(
    world: World, app: FastAPI, browse: dict[str, TestClient]
) -> None:
    admin, owner = browse["admin"], browse["owner_b"]
    bearer = world.headers("owner_b")
    with TestClient(app) as api:
        assert api.get(f"{API}/auth/me", headers=bearer).status_code == 200
        assert owner.get("/dashboard.json").status_code == 200
        answer = admin.post("/users/owner_b/deactivate", data={"csrf_token": csrf(admin)})
        assert answer.status_code == 303
        assert account(world, "owner_b")["active"] is False
        assert api.get(f"{API}/auth/me", headers=bearer).status_code == 401
        assert api_token(api, "owner_b", PASSWORD).status_code == 401
        assert owner.get("/dashboard.json").status_code == 401
        page = admin.get("/users").text
        assert 'action="/users/owner_b/reactivate"' in page
        assert 'action="/users/owner_b/deactivate"' not in page
        assert (
            admin.post("/users/owner_b/reactivate", data={"csrf_token": csrf(admin)})
            .headers["location"]
            .startswith("/users?done=reactivated&user=owner_b")
        )
        assert account(world, "owner_b")["active"] is True
        assert api_token(api, "owner_b", PASSWORD).status_code == 200


def test_admin_resets_a_password(world: World, app: FastAPI, browse: dict[str, TestClient]) -> None:
    admin = browse["admin"]
    answer = admin.post(
        "/users/auditor/password", data={"csrf_token": csrf(admin), "password": NEW_PASSWORD}
    )
    assert answer.status_code == 303
    with TestClient(app) as api:
        assert api_token(api, "auditor", PASSWORD).status_code == 401
        assert api_token(api, "auditor", NEW_PASSWORD).status_code == 200


# -- refused input writes nothing ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "status", "field", "label"),
    [
        ({"role": "superuser"}, 422, "role", "Role"),
        ({"role": ""}, 422, "role", "Role"),
        ({"password": ""}, 422, "password", "Password"),
        ({"password": "short"}, 422, "password", "Password"),
        ({"username": "manager"}, 409, "username", "User name"),
        ({"username": ""}, 422, "username", "User name"),
        ({"entities": ["nowhere"]}, 422, "entities", "Assigned entities"),
    ],
)
def test_a_refused_new_user_names_the_field_and_writes_nothing(
    world: World,
    browse: dict[str, TestClient],
    change: dict[str, Any],
    status: int,
    field: str,
    label: str,
) -> None:
    admin = browse["admin"]
    before = accounts(world)
    form = {
        "csrf_token": csrf(admin),
        "username": "newcomer",
        "role": "data_owner",
        "entities": ["plant_a"],
        "password": NEW_PASSWORD,
        **change,
    }
    answer = admin.post("/users", data=form)
    assert answer.status_code == status, answer.text[:500]
    error = re.search(
        r'<p class="notice warn" id="form-error" role="alert">(.*?)</p>', answer.text, re.S
    )
    assert error, answer.text[:2000]
    assert "Not saved." in error.group(1) and f"<strong>{label}</strong>" in error.group(1)
    assert f'name="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    assert NEW_PASSWORD not in answer.text  # the password is never sent back
    if field != "username":  # the form keeps what was typed
        assert 'value="newcomer"' in answer.text
    assert accounts(world) == before
    as_json = admin.post("/users", data=form, headers={"Accept": "application/json"})
    assert as_json.status_code == status
    assert as_json.json()["error"]["field"] == field
    assert accounts(world) == before


def test_a_refused_change_names_the_field_and_writes_nothing(
    world: World, app: FastAPI, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    token = csrf(admin)
    before = accounts(world)
    refused = [
        ("/users/owner_a", {"role": "root", "entities_sent": "1", "entities": "plant_b"}, 422),
        ("/users/owner_a", {"role": "viewer", "entities_sent": "1", "entities": "mars"}, 422),
        ("/users/owner_a/password", {"password": ""}, 422),
        ("/users/nobody/deactivate", {}, 404),
        ("/users/nobody", {"role": "viewer"}, 404),
    ]
    for path, data, status in refused:
        answer = admin.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == status, (path, answer.text[:500])
        assert 'id="form-error"' in answer.text
        assert ("Not saved for owner_a." in answer.text) == path.startswith("/users/owner_a")
        assert answer.text.count(" open>") == (1 if "owner_a" in path else 0)  # its form is open
    assert accounts(world) == before
    with TestClient(app) as api:
        assert api_token(api, "owner_a", PASSWORD).status_code == 200


# -- CSRF and permissions --------------------------------------------------------------------------
def test_posts_without_the_csrf_token_are_refused(
    world: World, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    before = accounts(world)
    posts = [
        ("/users", {"username": "sneaky", "role": "admin", "password": NEW_PASSWORD}),
        ("/users/viewer", {"role": "admin"}),
        ("/users/manager/deactivate", {}),
        ("/users/manager/password", {"password": NEW_PASSWORD}),
    ]
    other = csrf(browse["manager"])  # another session's token does not do either
    for path, data in posts:
        for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": other}):
            answer = admin.post(path, data={**data, **extra})
            assert answer.status_code == 403, path
            as_json = admin.post(
                path, data={**data, **extra}, headers={"Accept": "application/json"}
            )
            assert as_json.json()["error"]["code"] == "csrf_failed"
    assert accounts(world) == before


@pytest.mark.parametrize("username", ["manager", "owner_a", "auditor", "viewer"])
def test_other_roles_get_the_admin_only_answer_and_change_nothing(
    world: World, browse: dict[str, TestClient], username: str
) -> None:
    client = browse[username]
    token = csrf(client)
    assert "/users" not in nav_links(client.get("/dashboard").text)
    # the answer the other admin-only pages give: the policy's Forbidden, as a page or JSON
    page = client.get("/users")
    assert page.status_code == 403 and 'id="error-message"' in page.text
    assert "user.admin" in page.text
    twin = client.get("/users.json")
    assert twin.status_code == 403 and twin.json()["error"]["code"] == "forbidden"
    if username != "manager":  # a manager may lock periods
        lock = client.post(
            "/periods/2024/lock", data={"csrf_token": token}, headers={"Accept": "application/json"}
        )
        assert (lock.status_code, lock.json()["error"]["code"]) == (403, "forbidden")
    before = accounts(world)
    posts = [
        ("/users", {"username": "mole", "role": "admin", "password": NEW_PASSWORD}),
        (f"/users/{username}", {"role": "admin", "entities_sent": "1"}),
        ("/users/admin/deactivate", {}),
        ("/users/owner_b/deactivate", {}),
        ("/users/owner_b/reactivate", {}),
        ("/users/admin/password", {"password": NEW_PASSWORD}),
        ("/users", {"username": SCRIPT, "role": "nonsense", "password": ""}),  # refused first
    ]
    for path, data in posts:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, (path, answer.text[:300])
        as_json = client.post(
            path, data={"csrf_token": token, **data}, headers={"Accept": "application/json"}
        )
        assert as_json.status_code == 403 and as_json.json()["error"]["code"] == "forbidden"
    assert accounts(world) == before
    assert browse["admin"].get("/dashboard.json").status_code == 200


# -- languages and escaping ------------------------------------------------------------------------
def test_the_page_in_chinese(browse: dict[str, TestClient]) -> None:
    admin = browse["admin"]
    assert admin.get("/lang/zh?next=/users").headers["location"] == "/users"
    html = admin.get("/users").text
    assert '<html lang="zh-CN">' in html
    for label in (
        "用户管理",
        "用户名",
        "角色",
        "分配的主体",
        "新地址登录须等待至（UTC）",  # after failed sign-ins (no lock)
        "创建人",
        "添加用户",
    ):
        assert label in html, label
    assert "数据填报人" in html and "甲厂" in html and "已启用" in html and "停用" in html
    assert re.search(r'<a href="/users" aria-current="page">用户</a>', html)
    refused = admin.post(
        "/users",
        data={"csrf_token": csrf(admin), "username": "li", "role": "x", "password": NEW_PASSWORD},
    )
    assert refused.status_code == 422 and "未保存。" in refused.text
    assert "<strong>角色</strong>" in refused.text
    admin.get("/lang/en")
    assert "User administration" in admin.get("/users").text


def test_script_in_a_username_is_refused_and_escaped(
    world: World, browse: dict[str, TestClient]
) -> None:
    admin = browse["admin"]
    before = accounts(world)
    form = {
        "csrf_token": csrf(admin),
        "username": SCRIPT,
        "role": "viewer",
        "password": NEW_PASSWORD,
    }
    refused = admin.post("/users", data=form)
    assert refused.status_code == 422
    assert "<strong>User name</strong>" in refused.text
    assert SCRIPT not in refused.text and ESCAPED in refused.text  # shown back in the field
    as_json = admin.post("/users", data=form, headers={"Accept": "application/json"})
    assert as_json.json()["error"]["field"] == "username"
    # a name in the URL of a change is shown escaped in the message
    tag = '<img src=x onerror="alert(1)">'
    unknown = admin.post(
        f"/users/{quote(tag, safe='')}/password",
        data={"csrf_token": csrf(admin), "password": NEW_PASSWORD},
    )
    assert unknown.status_code == 404
    assert tag not in unknown.text and "&lt;img src=x onerror=" in unknown.text
    # and a made-up outcome in the address is not shown at all
    spoofed = admin.get(f"/users?done=created&user={quote(SCRIPT)}").text
    assert 'id="flash"' not in spoofed and SCRIPT not in spoofed
    assert accounts(world) == before
