"""The configuration cache: entities, locked periods, the review threshold and principals are
cached per configuration generation, which every audited configuration change moves. A second
server (another Services over the same database, as another worker process would be) sees
each change made through the first on its very next request. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.access.principal import Principal
from esgledger.ledger import audit
from esgledger.ledger.audit import AuditEvent
from esgledger.service_errors import Invalid, NotFound, PeriodLocked, Unauthenticated
from esgledger.services import Options, Services
from esgledger.store.schema import audit_log, datapoints, period_locks, users
from esgledger.workflow.configuration import ConfigurationCache
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import PASSWORD, World, fake_report
from tests.helpers import ORG_HEADER, write_csv


@pytest.fixture
def other(world: World, db_url: str, tmp_path: Path) -> Iterator[Services]:
    """A second server over the same database, with a cache of its own."""
    services = Services.open(
        db_url, Options(files_dir=tmp_path / "files-other", report_builder=fake_report)
    )
    yield services
    services.dispose()


def generation(services: Services) -> int:
    with services.db.reading() as connection:
        return audit.configuration_generation(connection)


def configuration_entries(services: Services) -> int:
    """How many audit entries record a configuration change."""
    with services.db.reading() as connection:
        actions = connection.execute(sa.select(audit_log.c.action)).scalars().all()
    return sum(action.startswith(audit.CONFIGURATION_ACTIONS) for action in actions)


def import_org(world: World, directory: Path, extra: list[list[str]]) -> dict[str, int]:
    rows = [
        ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
        ["plant_a", "Plant A", "grp", "CN", "甲厂", "plant", "", "", "", ""],
        ["line_a1", "Line A1", "plant_a", "CN", "甲一线", "branch", "", "", "", ""],
        ["plant_b", "Plant B", "grp", "CN", "乙厂", "plant", "", "", "", ""],
        *extra,
    ]
    return world.ws.import_organisation(write_csv(directory / "org-more.csv", ORG_HEADER, rows))


def count_points(services: Services, period: str) -> int:
    with services.db.reading() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(datapoints).where(datapoints.c.period == period)
        ).scalar_one()


# -- a second server sees every change at once -------------------------------------------------
def test_user_changes_reach_another_server_at_once(world: World, other: Services) -> None:
    admin, token = world.user("admin"), world.tokens["owner_a"]
    before = other.accounts.principal_for_token(token)  # cached by the other server now
    assert (before.role, before.scope) == ("data_owner", frozenset({"plant_a", "line_a1"}))
    assert other.accounts.principal_for_token(token) is before  # served from its cache

    world.services.accounts.update(admin, "owner_a", entities=["plant_b"])
    moved = other.accounts.principal_for_token(token)
    assert (moved.role, moved.scope) == ("data_owner", frozenset({"plant_b"}))

    world.services.accounts.update(admin, "owner_a", role="esg_manager")
    promoted = other.accounts.principal_for_token(token)
    assert promoted.role == "esg_manager" and promoted.group_wide

    world.services.accounts.update(admin, "owner_a", active=False)
    with pytest.raises(Unauthenticated):
        other.accounts.principal_for_token(token)

    world.services.accounts.update(
        admin, "owner_a", active=True, role="viewer", entities=["plant_a"]
    )
    with pytest.raises(Unauthenticated):  # deactivation revoked the token for good
        other.accounts.principal_for_token(token)
    fresh = world.services.accounts.issue_token("owner_a", PASSWORD, "test").secret
    back = other.accounts.principal_for_token(fresh)
    assert (back.role, back.scope) == ("viewer", frozenset({"plant_a", "line_a1"}))


def test_user_changes_reach_another_servers_sessions(world: World, other: Services) -> None:
    session = other.accounts.open_session("viewer_a", PASSWORD, "test")
    principal, _ = other.accounts.principal_for_session(session.session_id)
    assert principal.scope == frozenset({"plant_a", "line_a1"})
    world.services.accounts.update(world.user("admin"), "viewer_a", entities=[])
    principal, _ = other.accounts.principal_for_session(session.session_id)
    assert principal.group_wide
    world.services.accounts.update(world.user("admin"), "viewer_a", active=False)
    with pytest.raises(Unauthenticated):
        other.accounts.principal_for_session(session.session_id)


def test_revoked_token_is_refused_by_another_server(world: World, other: Services) -> None:
    token = world.tokens["viewer"]
    assert other.accounts.principal_for_token(token).username == "viewer"
    world.services.accounts.revoke_token(token)
    with pytest.raises(Unauthenticated):
        other.accounts.principal_for_token(token)
    # the other users' tokens still work
    assert other.accounts.principal_for_token(world.tokens["auditor"]).username == "auditor"


def test_period_lock_reaches_another_servers_writes(world: World, other: Services) -> None:
    manager = world.user("manager")
    owner = other.accounts.principal_for_token(world.tokens["owner_a"])
    # the other server's writer has the configuration of this generation cached
    other.datapoints.create(owner, Entry("plant_a", "2029", "energy.diesel", 1.0, "t"))

    world.services.periods.lock(manager, "2030", "closed")
    with pytest.raises(PeriodLocked) as locked:
        other.datapoints.create(owner, Entry("plant_a", "2030", "energy.diesel", 2.0, "t"))
    assert locked.value.details == {"locked": "2030"}
    with pytest.raises(PeriodLocked):  # a month of a locked year is locked too
        other.datapoints.create(owner, Entry("plant_a", "2030-04", "energy.diesel", 2.0, "t"))
    assert count_points(world.services, "2030") == 0

    world.services.periods.reopen(manager, "2030", "more data came in")
    point = other.datapoints.create(owner, Entry("plant_a", "2030", "energy.diesel", 2.0, "t"))
    assert point.period == "2030"
    assert world.services.audit.verify(manager).ok


def test_review_threshold_reaches_another_server(world: World, other: Services) -> None:
    manager = world.user("manager")
    owner = other.accounts.principal_for_token(world.tokens["owner_a"])

    def pair(metric: str, before: float, after: float) -> int:
        other.datapoints.create(owner, Entry("plant_a", "2023", metric, before, "t"))
        return other.datapoints.create(owner, Entry("plant_a", "2024", metric, after, "t")).id

    up_half = pair("energy.diesel", 100.0, 150.0)  # +50 %
    up_forty = pair("energy.coke", 100.0, 140.0)  # +40 %
    with pytest.raises(Invalid) as refused:  # the default threshold is 30 %
        other.datapoints.submit(owner, up_half, 1)
    assert refused.value.code == "explanation_required"
    assert refused.value.details["threshold"] == pytest.approx(0.3)

    world.services.settings.set(manager, "review.change_threshold", 0.6)
    assert other.datapoints.submit(owner, up_half, 1).status == "submitted"
    assert other.datapoints.submit(owner, up_forty, 1).status == "submitted"

    up_forty_gas = pair("energy.gasoline", 100.0, 140.0)
    world.services.settings.set(manager, "review.change_threshold", 0.35)
    with pytest.raises(Invalid) as tightened:
        other.datapoints.submit(owner, up_forty_gas, 1)
    assert tightened.value.details["threshold"] == pytest.approx(0.35)
    assert other.datapoints.get(owner, up_forty_gas).status == "draft"


def test_new_sub_entity_reaches_another_server(
    world: World, other: Services, tmp_path: Path
) -> None:
    token = world.tokens["owner_a"]
    owner = other.accounts.principal_for_token(token)
    assert not owner.sees("line_a2")
    with pytest.raises(NotFound):  # the other server's writer knows no line_a2 yet
        other.datapoints.create(owner, Entry("line_a2", "2024", "energy.diesel", 1.0, "t"))

    imported = import_org(
        world, tmp_path, [["line_a2", "Line A2", "plant_a", "CN", "甲二线", "branch"] + [""] * 4]
    )
    assert imported["created"] == 1

    owner = other.accounts.principal_for_token(token)
    assert owner.scope == frozenset({"plant_a", "line_a1", "line_a2"})
    assert "line_a2" in {e.id for e in other.organisation.entities(owner)}
    point = other.datapoints.create(owner, Entry("line_a2", "2024", "energy.diesel", 1.0, "t"))
    assert point.entity_id == "line_a2"
    assert not other.accounts.principal_for_token(world.tokens["owner_b"]).sees("line_a2")


# -- the generation ----------------------------------------------------------------------------
def test_generation_moves_only_on_configuration_actions(world: World, tmp_path: Path) -> None:
    services = world.services
    admin, manager, owner = world.user("admin"), world.user("manager"), world.user("owner_a")

    def moved_by(action: Callable[[], object]) -> int:
        before = generation(services)
        action()
        after = generation(services)
        # the generation counts exactly the configuration entries in the chain
        assert after == configuration_entries(services)
        return after - before

    assert generation(services) == configuration_entries(services) > 0
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 1.0, "t"))
    steps = {
        "create": lambda: services.datapoints.create(
            owner, Entry("plant_a", "2024", "energy.coke", 1.0, "t")
        ),
        "correct": lambda: services.datapoints.correct(owner, point.id, 1, {"value": 2.0}),
        "submit": lambda: services.datapoints.submit(owner, point.id, 2),
        "approve": lambda: services.datapoints.approve(manager, point.id, 2),
        "token": lambda: services.accounts.issue_token("viewer", PASSWORD, "test"),
        "revoke": lambda: services.accounts.revoke_token(world.tokens["viewer"]),
        "user unchanged": lambda: services.accounts.update(admin, "owner_b", role="data_owner"),
    }
    for name, action in steps.items():
        assert moved_by(action) == 0, name
    assert moved_by(lambda: services.accounts.update(admin, "owner_b", entities=["plant_a"])) == 1
    assert moved_by(lambda: services.accounts.update(admin, "owner_b", role="viewer")) == 1
    assert moved_by(lambda: services.accounts.create(admin, "newbie", PASSWORD, "viewer", [])) == 1
    assert moved_by(lambda: services.settings.set(manager, "review.change_threshold", 0.5)) == 1
    assert moved_by(lambda: services.periods.lock(manager, "2031", None)) == 1
    assert moved_by(lambda: services.periods.reopen(manager, "2031", "why not")) == 1
    extra = [["plant_c", "Plant C", "grp", "CN", "丙厂", "plant"] + [""] * 4]
    assert moved_by(lambda: import_org(world, tmp_path, extra)) == 1
    assert moved_by(lambda: import_org(world, tmp_path, extra)) == 0  # nothing changed
    assert services.audit.verify(manager).ok


def test_append_counts_configuration_events(world: World) -> None:
    db = world.services.db
    start = generation(world.services)
    events = [
        AuditEvent("entity.update", "entity", "x", {}),
        AuditEvent("datapoint.create", "datapoint", "1", {}),
        AuditEvent("user.update", "user", "x", {}),
        AuditEvent("period.lock", "period", "2030", {}),
        AuditEvent("setting.change", "setting", "x", {}),
        AuditEvent("settings.update", "setting", "y", {}),
        AuditEvent("report.build", "report", "2024.en", {}),
        AuditEvent("entityish", "entity", "x", {}),  # no dot: not a configuration action
    ]
    with db.transaction() as connection:
        head = audit.lock_head(connection)
        audit.append(connection, head, "tester", events)
        assert head.configuration_generation == start + 5
        audit.save_head(connection, head)
    assert generation(world.services) == start + 5

    class Undo(Exception):
        pass

    with pytest.raises(Undo), db.transaction() as connection:
        head = audit.lock_head(connection)
        audit.append(connection, head, "tester", events[:1])
        audit.save_head(connection, head)
        raise Undo
    assert generation(world.services) == start + 5


# -- the cache itself --------------------------------------------------------------------------
def test_cache_serves_from_memory_until_the_generation_moves(world: World, other: Services) -> None:
    """A change behind the audit's back is not seen (so the tests above see invalidation, not
    an absent cache); the next audited configuration change brings it in."""
    token = world.tokens["viewer_a"]
    assert other.accounts.principal_for_token(token).role == "viewer"
    with world.services.db.transaction() as connection:
        connection.execute(
            users.update().where(users.c.username == "viewer_a").values(role="auditor")
        )
        connection.execute(
            period_locks.insert(),
            [
                {
                    "period": "2032",
                    "locked": True,
                    "reason": None,
                    "changed_by": "x",
                    "changed_at": "",
                }
            ],
        )
    assert other.accounts.principal_for_token(token).role == "viewer"
    owner = other.accounts.principal_for_token(world.tokens["owner_a"])
    other.datapoints.create(owner, Entry("plant_a", "2032", "energy.diesel", 1.0, "t"))

    world.services.settings.set(world.user("manager"), "review.change_threshold", 0.4)
    assert other.accounts.principal_for_token(token).role == "auditor"
    with pytest.raises(PeriodLocked):
        other.datapoints.create(owner, Entry("plant_a", "2032", "energy.coke", 1.0, "t"))


def test_cache_reloads_per_generation(world: World) -> None:
    cache = ConfigurationCache()
    db = world.services.db
    with db.reading() as connection:
        current = audit.configuration_generation(connection)
        first = cache.get(connection, current)
        assert cache.get(connection, current) is first
        assert first.generation == current
        assert first.change_threshold == pytest.approx(0.3)
        assert {e.id for e in first.entities} == {"grp", "plant_a", "line_a1", "plant_b"}
        owner: Principal = cache.principal(connection, "owner_a", current)
        assert cache.principal(connection, "owner_a", current) is owner
        assert owner.scope == frozenset({"plant_a", "line_a1"})

    world.services.settings.set(world.user("manager"), "review.change_threshold", 0.5)
    world.services.periods.lock(world.user("manager"), "2033", None)
    with db.reading() as connection:
        newer = audit.configuration_generation(connection)
        assert newer == current + 2
        second = cache.get(connection, newer)
        assert second is not first
        assert second.change_threshold == pytest.approx(0.5)
        assert second.locked_by("2033-07") == "2033" and first.locked_by("2033") is None
        again = cache.principal(connection, "owner_a", newer)
        assert again is not owner and again == owner
        # an older generation asked for late (a slow request) does not replace the newer one
        cache.get(connection, current)
        assert cache.get(connection, newer) is second
