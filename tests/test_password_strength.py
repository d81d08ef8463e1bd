"""A password that is set (account created, password reset; CLI, API, web) must be hard to guess:
zxcvbn's score 3 or more, besides 10 to 256 characters. A password set before the rule still
signs in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.access.passwords import check_policy, hash_password
from esgledger.service_errors import Invalid
from esgledger.store.schema import users
from tests.collab_fixtures import API, PASSWORD, World
from tests.test_web_i18n import chinese, notice
from tests.web_clients import csrf

WEAK = ["aaaaaaaaaa", "Password123!", "1234567890", "qwertyuiop", "esgledger2024"]


@pytest.mark.parametrize("password", WEAK)
def test_easy_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_policy(password)
    assert refused.value.code == "weak_password" and refused.value.field == "password"
    assert "too easy to guess" in refused.value.message


def test_a_password_made_of_the_user_name_is_refused(world: World) -> None:
    check_policy("zhang.wei.plant7")  # fine for someone else
    with pytest.raises(Invalid) as refused:
        world.services.accounts.create(
            world.ws.admin, "zhang.wei.plant7", "zhang.wei.plant7", "viewer", []
        )
    assert refused.value.code == "weak_password"


@pytest.mark.parametrize(
    "password", [PASSWORD, "a brand new password", "Tr0ub4dor&3x", "7kq!Vz2#pLm9"]
)
def test_strong_passwords_pass(password: str) -> None:
    check_policy(password)


def test_creating_or_resetting_with_a_weak_password_is_refused(world: World) -> None:
    services, admin = world.services, world.user("admin")
    with pytest.raises(Invalid) as refused:
        services.accounts.create(admin, "newbie", "aaaaaaaaaa", "viewer", [])
    assert refused.value.code == "weak_password"
    with pytest.raises(Invalid):
        services.accounts.create(
            world.ws.admin, "newbie", "qwertyuiop", "viewer", []
        )  # the CLI's door
    with pytest.raises(Invalid):
        services.accounts.update(admin, "viewer", password="1234567890")
    assert "newbie" not in {u.username for u in services.accounts.users(admin)}
    assert services.accounts.issue_token(
        "viewer", PASSWORD, "t"
    ).secret  # the old password still works


def test_a_password_set_before_the_rule_still_signs_in(world: World) -> None:
    with world.services.db.transaction() as connection:
        connection.execute(
            users.update()
            .where(users.c.username == "viewer")
            .values(password_hash=hash_password("aaaaaaaaaa"))
        )
    assert world.services.accounts.issue_token("viewer", "aaaaaaaaaa", "t").secret


def test_the_api_refuses_a_weak_password(client: TestClient, world: World) -> None:
    body = {"username": "newbie", "password": "aaaaaaaaaa", "role": "viewer"}
    answer = client.post(f"{API}/users", json=body, headers=world.headers("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "weak_password"
    with world.services.db.reading() as connection:
        assert (
            connection.execute(
                sa.select(users.c.username).where(users.c.username == "newbie")
            ).first()
            is None
        )


def test_the_web_explains_a_weak_password_in_chinese(browse: dict[str, TestClient]) -> None:
    admin = chinese(browse["admin"])
    form = {
        "csrf_token": csrf(admin),
        "username": "newcomer",
        "role": "viewer",
        "password": "aaaaaaaaaa",
    }
    page = admin.post("/users", data=form)
    assert page.status_code == 422
    shown, detail = notice(page.text, "form-error")
    assert "该密码太容易被猜到" in shown and "too easy to guess" in detail
