"""Passwords, bearer tokens, web sessions with CSRF, throttling and lockout."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from esgledger.access.credentials import check_csrf, digest
from esgledger.access.throttle import Throttle
from esgledger.service_errors import Conflict, Invalid, TooManyAttempts, Unauthenticated
from esgledger.store.schema import api_tokens, users, web_sessions
from tests.collab_fixtures import PASSWORD, World


def test_password_stored_as_argon2_hash_only(world: World) -> None:
    with world.services.db.reading() as connection:
        stored = connection.execute(
            sa.select(users.c.password_hash).where(users.c.username == "admin")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_token_stored_as_digest_only(world: World) -> None:
    secret = world.tokens["admin"]
    with world.services.db.reading() as connection:
        hashes = set(connection.execute(sa.select(api_tokens.c.token_hash)).scalars())
    assert digest(secret) in hashes and secret not in hashes


def test_forged_expired_and_revoked_tokens(world: World) -> None:
    services = world.services
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_token("esgl_forged-token")
    secret = services.accounts.issue_token("viewer", PASSWORD, "t").secret
    assert services.accounts.principal_for_token(secret).username == "viewer"
    later = dt.datetime.now(dt.UTC) + services.context.options.token_ttl + dt.timedelta(seconds=1)
    services.context.clock = lambda: later
    with pytest.raises(Unauthenticated) as expired:
        services.accounts.principal_for_token(secret)
    assert expired.value.code == "token_expired"
    services.context.clock = lambda: dt.datetime.now(dt.UTC)
    services.accounts.revoke_token(secret)
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_token(secret)


def test_deactivated_user_loses_access(world: World) -> None:
    services = world.services
    services.accounts.update(world.user("admin"), "viewer", active=False)
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_token(world.tokens["viewer"])
    with pytest.raises(Unauthenticated):
        services.accounts.issue_token("viewer", PASSWORD, "t")


def test_the_last_active_admin_stays(world: World) -> None:
    """Demoting or deactivating the only active admin is refused (nobody could manage users
    any more); with a second admin it is allowed."""
    services, admin = world.services, world.user("admin")
    # the account init made for the OS login is an admin too: without it, "admin" is the last
    services.accounts.update(admin, world.ws.admin_name, role="viewer")
    for change, field in (({"role": "viewer"}, "role"), ({"active": False}, "active")):
        with pytest.raises(Conflict) as refused:
            services.accounts.update(admin, "admin", **change)
        assert refused.value.code == "last_admin" and refused.value.field == field
    assert (
        services.accounts.get(admin, "admin").role == "admin"
        and services.accounts.get(admin, "admin").active
    )
    services.accounts.update(
        admin, "admin", entities=[]
    )  # other changes of the last admin are fine
    services.accounts.update(admin, "manager", role="admin")
    services.accounts.update(admin, "admin", active=False)
    promoted = services.accounts.principal_for_token(world.tokens["manager"])
    assert promoted.role == "admin"
    assert not services.accounts.get(promoted, "admin").active
    with pytest.raises(Conflict):  # now the former manager is the last one
        services.accounts.update(promoted, "manager", role="esg_manager")


def test_session_and_csrf(world: World) -> None:
    services = world.services
    session = services.accounts.open_session("owner_a", PASSWORD, "t")
    user, found = services.accounts.principal_for_session(session.session_id)
    assert user.username == "owner_a" and user.scope == {"plant_a", "line_a1"}
    assert check_csrf(found, session.csrf_token)
    assert not check_csrf(found, "forged")
    assert not check_csrf(found, None)
    other = services.accounts.open_session("owner_b", PASSWORD, "t")
    assert not check_csrf(found, other.csrf_token)  # a token is bound to its session
    with services.db.reading() as connection:
        stored = set(connection.execute(sa.select(web_sessions.c.id_hash)).scalars())
    assert session.session_id not in stored
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_session("forged-session-id")
    services.context.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    with pytest.raises(Unauthenticated) as expired:
        services.accounts.principal_for_session(session.session_id)
    assert expired.value.code == "session_expired"
    services.context.clock = lambda: dt.datetime.now(dt.UTC)
    services.accounts.close_session(session.session_id)
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_session(session.session_id)


def test_failures_from_many_addresses_slow_down_new_addresses_and_are_audited(
    world: World,
) -> None:
    """A stranger guessing from many addresses makes addresses new to the account wait; the
    address the owner signed in from is not slowed (tests/test_sign_in_backoff.py has more)."""
    services = world.services
    policy = services.context.options.lockout
    assert services.accounts.issue_token(
        "auditor", PASSWORD, "192.0.2.10"
    ).secret  # the owner's address
    for n in range(policy.account_free_failures):
        with pytest.raises(Unauthenticated):
            services.accounts.issue_token("auditor", "wrong password!", f"10.0.0.{n}")
    with pytest.raises(TooManyAttempts) as slowed:  # even the right password, from elsewhere
        services.accounts.issue_token("auditor", PASSWORD, "10.0.1.1")
    assert 0 < slowed.value.retry_after <= policy.first_delay.total_seconds()
    assert services.accounts.issue_token("auditor", PASSWORD, "192.0.2.10").secret
    later = dt.datetime.now(dt.UTC) + policy.first_delay + dt.timedelta(seconds=1)
    services.context.clock = lambda: later
    assert services.accounts.issue_token("auditor", PASSWORD, "10.0.1.2").secret
    with services.db.reading() as connection:
        actions = (
            connection.execute(sa.text("select action from audit_log where object_id = 'auditor'"))
            .scalars()
            .all()
        )
    assert "user.lockout" in actions
    assert services.audit.verify(world.user("auditor")).ok


def test_unknown_user_names_answer_like_accounts(world: World) -> None:
    """A name without an account fails and waits exactly as an account does, from one address
    and from many, so the answers never tell which names exist."""
    services = world.services
    policy = services.context.options.lockout
    answers: dict[str, list[tuple[str, str]]] = {}
    for index, name in enumerate(("auditor", "nobody")):
        seen = []
        for attempt in range(policy.account_free_failures + 1):  # many addresses
            with pytest.raises((Unauthenticated, TooManyAttempts)) as refused:
                services.accounts.issue_token(name, "wrong password!", f"10.{index}.0.{attempt}")
            seen.append((type(refused.value).__name__, refused.value.message.split(" in ")[0]))
        for _attempt in range(policy.free_failures + 1):  # one address
            with pytest.raises((Unauthenticated, TooManyAttempts)) as refused:
                services.accounts.issue_token(name, "wrong password!", f"10.{index}.0.0")
            seen.append((type(refused.value).__name__, refused.value.message.split(" in ")[0]))
        answers[name] = seen
    assert answers["nobody"] == answers["auditor"]
    assert answers["auditor"][-1][0] == "TooManyAttempts"
    assert "too many failed sign-ins for this user name" in answers["auditor"][-1][1]
    later = dt.datetime.now(dt.UTC) + policy.max_delay + dt.timedelta(seconds=1)
    services.context.clock = lambda: later
    with pytest.raises(Unauthenticated):  # the wait is over: an ordinary refusal again
        services.accounts.issue_token("nobody", "wrong password!", "10.9.0.1")


def test_one_address_is_throttled_across_names(world: World) -> None:
    services = world.services
    for index in range(services.context.options.failures_per_address):
        with pytest.raises(Unauthenticated):
            services.accounts.issue_token(f"guess{index}", "whatever password", "192.0.2.7")
    with pytest.raises(TooManyAttempts):
        services.accounts.issue_token("admin", PASSWORD, "192.0.2.7")
    assert services.accounts.issue_token(
        "admin", PASSWORD, "192.0.2.8"
    ).secret  # other clients unaffected


def test_throttle_window_slides() -> None:
    throttle = Throttle(limit=2, window_seconds=10)
    throttle.failed("k", 0.0)
    throttle.failed("k", 1.0)
    with pytest.raises(TooManyAttempts) as error:
        throttle.check("k", 5.0)
    assert error.value.retry_after == 5
    throttle.check("k", 10.5)  # the first failure left the window


def test_user_administration_rules(world: World) -> None:
    services = world.services
    admin = world.user("admin")
    with pytest.raises(Invalid):
        services.accounts.create(admin, "x", "short", "viewer", [])
    with pytest.raises(Invalid):
        services.accounts.create(admin, "../etc", PASSWORD, "viewer", [])
    with pytest.raises(Invalid):
        services.accounts.create(admin, "newbie", PASSWORD, "superuser", [])
    with pytest.raises(Invalid):
        services.accounts.create(admin, "newbie", PASSWORD, "data_owner", ["atlantis"])
    with pytest.raises(Conflict):
        services.accounts.create(admin, "viewer", PASSWORD, "viewer", [])
    info = services.accounts.update(admin, "owner_b", entities=["plant_a", "plant_b"])
    assert info.entities == ("plant_a", "plant_b")
    assert services.accounts.principal_for_token(world.tokens["owner_b"]).sees("line_a1")


def test_a_password_reset_or_deactivation_signs_the_user_out_everywhere(world: World) -> None:
    services, admin = world.services, world.user("admin")
    token = world.tokens["owner_a"]
    session = services.accounts.open_session("owner_a", PASSWORD, "t")
    untouched = world.tokens["owner_b"]
    services.accounts.update(admin, "owner_a", password="a brand new password")
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_token(token)
    with pytest.raises(Unauthenticated):
        services.accounts.principal_for_session(session.session_id)
    assert services.accounts.principal_for_token(untouched).username == "owner_b"
    fresh = services.accounts.issue_token("owner_a", "a brand new password", "t").secret
    assert services.accounts.principal_for_token(fresh).username == "owner_a"

    services.accounts.update(admin, "owner_a", active=False)
    services.accounts.update(admin, "owner_a", active=True)
    with pytest.raises(Unauthenticated):  # reactivation does not revive the old token
        services.accounts.principal_for_token(fresh)
    services.accounts.update(admin, "owner_b", role="viewer")  # a role change keeps the sign-in
    assert services.accounts.principal_for_token(untouched).role == "viewer"
