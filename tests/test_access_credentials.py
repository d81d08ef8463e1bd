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
    with world.collab.db.reading() as connection:
        stored = connection.execute(
            sa.select(users.c.password_hash).where(users.c.username == "admin")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_token_stored_as_digest_only(world: World) -> None:
    secret = world.tokens["admin"]
    with world.collab.db.reading() as connection:
        hashes = set(connection.execute(sa.select(api_tokens.c.token_hash)).scalars())
    assert digest(secret) in hashes and secret not in hashes


def test_forged_expired_and_revoked_tokens(world: World) -> None:
    collab = world.collab
    with pytest.raises(Unauthenticated):
        collab.principal_for_token("esgl_forged-token")
    secret = collab.issue_token("viewer", PASSWORD, "t").secret
    assert collab.principal_for_token(secret).username == "viewer"
    later = dt.datetime.now(dt.UTC) + collab.settings.token_ttl + dt.timedelta(seconds=1)
    collab.clock = lambda: later
    with pytest.raises(Unauthenticated) as expired:
        collab.principal_for_token(secret)
    assert expired.value.code == "token_expired"
    collab.clock = lambda: dt.datetime.now(dt.UTC)
    collab.revoke_token(secret)
    with pytest.raises(Unauthenticated):
        collab.principal_for_token(secret)


def test_deactivated_user_loses_access(world: World) -> None:
    collab = world.collab
    collab.update_user(world.user("admin"), "viewer", active=False)
    with pytest.raises(Unauthenticated):
        collab.principal_for_token(world.tokens["viewer"])
    with pytest.raises(Unauthenticated):
        collab.issue_token("viewer", PASSWORD, "t")


def test_the_last_active_admin_stays(world: World) -> None:
    """Demoting or deactivating the only active admin is refused (nobody could manage users
    any more); with a second admin it is allowed."""
    collab, admin = world.collab, world.user("admin")
    for change, field in (({"role": "viewer"}, "role"), ({"active": False}, "active")):
        with pytest.raises(Conflict) as refused:
            collab.update_user(admin, "admin", **change)
        assert refused.value.code == "last_admin" and refused.value.field == field
    assert collab.user(admin, "admin").role == "admin" and collab.user(admin, "admin").active
    collab.update_user(admin, "admin", entities=[])  # other changes of the last admin are fine
    collab.update_user(admin, "manager", role="admin")
    collab.update_user(admin, "admin", active=False)
    promoted = collab.principal_for_token(world.tokens["manager"])
    assert promoted.role == "admin"
    assert not collab.user(promoted, "admin").active
    with pytest.raises(Conflict):  # now the former manager is the last one
        collab.update_user(promoted, "manager", role="esg_manager")


def test_session_and_csrf(world: World) -> None:
    collab = world.collab
    session = collab.open_session("owner_a", PASSWORD, "t")
    user, found = collab.principal_for_session(session.session_id)
    assert user.username == "owner_a" and user.scope == {"plant_a", "line_a1"}
    assert check_csrf(found, session.csrf_token)
    assert not check_csrf(found, "forged")
    assert not check_csrf(found, None)
    other = collab.open_session("owner_b", PASSWORD, "t")
    assert not check_csrf(found, other.csrf_token)  # a token is bound to its session
    with collab.db.reading() as connection:
        stored = set(connection.execute(sa.select(web_sessions.c.id_hash)).scalars())
    assert session.session_id not in stored
    with pytest.raises(Unauthenticated):
        collab.principal_for_session("forged-session-id")
    collab.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    with pytest.raises(Unauthenticated) as expired:
        collab.principal_for_session(session.session_id)
    assert expired.value.code == "session_expired"
    collab.clock = lambda: dt.datetime.now(dt.UTC)
    collab.close_session(session.session_id)
    with pytest.raises(Unauthenticated):
        collab.principal_for_session(session.session_id)


def test_failures_from_many_addresses_slow_down_new_addresses_and_are_audited(
    world: World,
) -> None:
    """A stranger guessing from many addresses makes addresses new to the account wait; the
    address the owner signed in from is not slowed (tests/test_sign_in_backoff.py has more)."""
    collab = world.collab
    policy = collab.settings.lockout
    assert collab.issue_token("auditor", PASSWORD, "192.0.2.10").secret  # the owner's address
    for n in range(policy.account_free_failures):
        with pytest.raises(Unauthenticated):
            collab.issue_token("auditor", "wrong password!", f"10.0.0.{n}")
    with pytest.raises(TooManyAttempts) as slowed:  # even the right password, from elsewhere
        collab.issue_token("auditor", PASSWORD, "10.0.1.1")
    assert 0 < slowed.value.retry_after <= policy.first_delay.total_seconds()
    assert collab.issue_token("auditor", PASSWORD, "192.0.2.10").secret
    later = dt.datetime.now(dt.UTC) + policy.first_delay + dt.timedelta(seconds=1)
    collab.clock = lambda: later
    assert collab.issue_token("auditor", PASSWORD, "10.0.1.2").secret
    with collab.db.reading() as connection:
        actions = (
            connection.execute(sa.text("select action from audit_log where object_id = 'auditor'"))
            .scalars()
            .all()
        )
    assert "user.lockout" in actions
    assert collab.verify_audit(world.user("auditor")).ok


def test_unknown_user_names_answer_like_accounts(world: World) -> None:
    """A name without an account fails and waits exactly as an account does, from one address
    and from many, so the answers never tell which names exist."""
    collab = world.collab
    policy = collab.settings.lockout
    answers: dict[str, list[tuple[str, str]]] = {}
    for index, name in enumerate(("auditor", "nobody")):
        seen = []
        for attempt in range(policy.account_free_failures + 1):  # many addresses
            with pytest.raises((Unauthenticated, TooManyAttempts)) as refused:
                collab.issue_token(name, "wrong password!", f"10.{index}.0.{attempt}")
            seen.append((type(refused.value).__name__, refused.value.message.split(" in ")[0]))
        for _attempt in range(policy.free_failures + 1):  # one address
            with pytest.raises((Unauthenticated, TooManyAttempts)) as refused:
                collab.issue_token(name, "wrong password!", f"10.{index}.0.0")
            seen.append((type(refused.value).__name__, refused.value.message.split(" in ")[0]))
        answers[name] = seen
    assert answers["nobody"] == answers["auditor"]
    assert answers["auditor"][-1][0] == "TooManyAttempts"
    assert "too many failed sign-ins for this user name" in answers["auditor"][-1][1]
    later = dt.datetime.now(dt.UTC) + policy.max_delay + dt.timedelta(seconds=1)
    collab.clock = lambda: later
    with pytest.raises(Unauthenticated):  # the wait is over: an ordinary refusal again
        collab.issue_token("nobody", "wrong password!", "10.9.0.1")


def test_one_address_is_throttled_across_names(world: World) -> None:
    collab = world.collab
    for index in range(collab.settings.failures_per_address):
        with pytest.raises(Unauthenticated):
            collab.issue_token(f"guess{index}", "whatever password", "192.0.2.7")
    with pytest.raises(TooManyAttempts):
        collab.issue_token("admin", PASSWORD, "192.0.2.7")
    assert collab.issue_token("admin", PASSWORD, "192.0.2.8").secret  # other clients unaffected


def test_throttle_window_slides() -> None:
    throttle = Throttle(limit=2, window_seconds=10)
    throttle.failed("k", 0.0)
    throttle.failed("k", 1.0)
    with pytest.raises(TooManyAttempts) as error:
        throttle.check("k", 5.0)
    assert error.value.retry_after == 5
    throttle.check("k", 10.5)  # the first failure left the window


def test_user_administration_rules(world: World) -> None:
    collab = world.collab
    admin = world.user("admin")
    with pytest.raises(Invalid):
        collab.create_user(admin, "x", "short", "viewer", [])
    with pytest.raises(Invalid):
        collab.create_user(admin, "../etc", PASSWORD, "viewer", [])
    with pytest.raises(Invalid):
        collab.create_user(admin, "newbie", PASSWORD, "superuser", [])
    with pytest.raises(Invalid):
        collab.create_user(admin, "newbie", PASSWORD, "data_owner", ["atlantis"])
    with pytest.raises(Conflict):
        collab.create_user(admin, "viewer", PASSWORD, "viewer", [])
    info = collab.update_user(admin, "owner_b", entities=["plant_a", "plant_b"])
    assert info.entities == ("plant_a", "plant_b")
    assert collab.principal_for_token(world.tokens["owner_b"]).sees("line_a1")


def test_a_password_reset_or_deactivation_signs_the_user_out_everywhere(world: World) -> None:
    collab, admin = world.collab, world.user("admin")
    token = world.tokens["owner_a"]
    session = collab.open_session("owner_a", PASSWORD, "t")
    untouched = world.tokens["owner_b"]
    collab.update_user(admin, "owner_a", password="a brand new password")
    with pytest.raises(Unauthenticated):
        collab.principal_for_token(token)
    with pytest.raises(Unauthenticated):
        collab.principal_for_session(session.session_id)
    assert collab.principal_for_token(untouched).username == "owner_b"
    fresh = collab.issue_token("owner_a", "a brand new password", "t").secret
    assert collab.principal_for_token(fresh).username == "owner_a"

    collab.update_user(admin, "owner_a", active=False)
    collab.update_user(admin, "owner_a", active=True)
    with pytest.raises(Unauthenticated):  # reactivation does not revive the old token
        collab.principal_for_token(fresh)
    collab.update_user(admin, "owner_b", role="viewer")  # a role change keeps the sign-in
    assert collab.principal_for_token(untouched).role == "viewer"
