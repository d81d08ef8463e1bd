"""The review workflow on the service layer: versions, review states, segregation of duties,
explanations for large changes, period locks; each step audited in the hash chain."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from esgledger.service_errors import Conflict, Forbidden, Invalid, NotFound, PeriodLocked
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World

DIESEL = "energy.diesel"


def entry(
    value: float,
    period: str = "2024",
    entity: str = "plant_a",
    metric: str = DIESEL,
    unit: str = "t",
) -> Entry:
    return Entry(entity, period, metric, value, unit)


def audit_actions(world: World) -> list[str]:
    with world.services.db.reading() as connection:
        return list(
            connection.execute(sa.text("select action from audit_log order by seq")).scalars()
        )


def test_enter_correct_submit_approve(world: World) -> None:
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, entry(100))
    assert (point.status, point.version, point.created_by) == ("draft", 1, "owner_a")
    corrected = services.datapoints.correct(owner, point.id, 1, {"value": 110, "note": "meter fix"})
    assert (corrected.version, corrected.value, corrected.note) == (2, 110, "meter fix")
    submitted = services.datapoints.submit(
        owner, point.id, 2
    )  # any version's id addresses the data point
    assert submitted.status == "submitted"
    approved = services.datapoints.approve(manager, corrected.id, 2, "checked against invoices")
    assert approved.status == "approved" and approved.version == 2
    history = services.datapoints.history(manager, point.id)
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [c["action"] for c in history["comments"]] == ["submit", "approve"]
    assert [e["action"] for e in history["audit"]] == [
        "datapoint.create",
        "datapoint.correct",
        "datapoint.submit",
        "datapoint.approve",
    ]
    assert services.audit.verify(manager).ok


def test_stale_version_conflicts_with_current_value(world: World) -> None:
    services, owner = world.services, world.user("owner_a")
    point = services.datapoints.create(owner, entry(100))
    services.datapoints.correct(world.user("manager"), point.id, 1, {"value": 120})
    with pytest.raises(Conflict) as stale:
        services.datapoints.correct(owner, point.id, 1, {"value": 130})
    assert stale.value.code == "version_conflict"
    assert stale.value.details["version"] == 2
    assert stale.value.details["current"]["value"] == 120
    with pytest.raises(Conflict):
        services.datapoints.submit(owner, point.id, 1)
    assert services.datapoints.get(owner, point.id).value == 120


def test_second_create_of_the_same_value_conflicts(world: World) -> None:
    services, owner = world.services, world.user("owner_a")
    services.datapoints.create(owner, entry(100))
    with pytest.raises(Conflict) as exists:
        services.datapoints.create(world.user("manager"), entry(5))
    assert exists.value.code == "exists" and exists.value.details["current"]["value"] == 100


def test_nobody_approves_what_they_entered_or_last_changed(world: World) -> None:
    services = world.services
    manager, manager2 = world.user("manager"), world.user("manager2")
    own = services.datapoints.create(manager, entry(1, entity="plant_b"))
    services.datapoints.submit(manager, own.id, 1)
    assert not services.datapoints.allowed(manager, "datapoint.approve", own.id)
    assert services.datapoints.allowed(manager2, "datapoint.approve", own.id)
    assert not services.datapoints.allowed(world.user("owner_b"), "datapoint.approve", own.id)
    with pytest.raises(Forbidden, match="segregation of duties"):
        services.datapoints.approve(manager, own.id, 1)
    with pytest.raises(Forbidden, match="segregation of duties"):
        services.datapoints.reject(manager, own.id, 1, "no")
    # the owner enters, the manager corrects: the manager last changed it
    point = services.datapoints.create(world.user("owner_a"), entry(100))
    changed = services.datapoints.correct(manager, point.id, 1, {"value": 101})
    services.datapoints.submit(manager, changed.id, 2)
    with pytest.raises(Forbidden):
        services.datapoints.approve(manager, changed.id, 2)
    # a correction by someone else does not clear the one who entered it
    other = services.datapoints.create(manager, entry(7, metric="energy.coke"))
    fixed = services.datapoints.correct(manager2, other.id, 1, {"value": 8})
    services.datapoints.submit(manager2, fixed.id, 2)
    with pytest.raises(Forbidden):
        services.datapoints.approve(manager, fixed.id, 2)
    with pytest.raises(Forbidden):
        services.datapoints.approve(manager2, fixed.id, 2)
    assert services.datapoints.approve(world.user("admin"), fixed.id, 2).status == "approved"
    assert services.datapoints.approve(manager2, changed.id, 2).status == "approved"


def test_reject_needs_comment_and_returns_value_for_correction(world: World) -> None:
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, entry(100))
    with pytest.raises(Conflict) as state:
        services.datapoints.approve(manager, point.id, 1)  # still a draft
    assert state.value.code == "invalid_state"
    services.datapoints.submit(owner, point.id, 1)
    with pytest.raises(Invalid):
        services.datapoints.reject(manager, point.id, 1, "  ")
    rejected = services.datapoints.reject(manager, point.id, 1, "<b>unit is kg</b>, not t")
    assert rejected.status == "rejected"
    fixed = services.datapoints.correct(owner, point.id, 1, {"value": 0.1})
    assert fixed.status == "draft"
    services.datapoints.submit(owner, fixed.id, 2)
    assert services.datapoints.approve(manager, fixed.id, 2).status == "approved"
    comments = services.datapoints.history(owner, point.id)["comments"]
    assert comments[1]["comment"] == "<b>unit is kg</b>, not t"  # stored as entered


def test_large_change_needs_explanation_before_submit(world: World) -> None:
    services, owner = world.services, world.user("owner_a")
    services.datapoints.create(owner, entry(100, period="2023"))
    small = services.datapoints.create(owner, entry(125, period="2024"))
    assert services.datapoints.submit(owner, small.id, 1).status == "submitted"  # 25 % <= 30 %
    services.datapoints.create(owner, entry(2, period="2023", metric="energy.coke"))
    big = services.datapoints.create(
        owner, entry(3000, period="2024", metric="energy.coke", unit="kg")
    )  # 3 t against 2 t: +50 %
    with pytest.raises(Invalid) as missing:
        services.datapoints.submit(owner, big.id, 1)
    assert missing.value.code == "explanation_required"
    assert missing.value.field == "explanation"
    assert missing.value.details["change"] == pytest.approx(0.5)
    assert (
        services.datapoints.submit(owner, big.id, 1, "new kiln line started in May").status
        == "submitted"
    )
    # an explanation given when the value was entered counts too
    services.datapoints.create(owner, entry(10, period="2023", metric="energy.gasoline"))
    explained = services.datapoints.create(
        owner, entry(1, period="2024", metric="energy.gasoline"), explanation="fleet electrified"
    )
    assert services.datapoints.submit(owner, explained.id, 1).status == "submitted"


def test_threshold_is_a_setting(world: World) -> None:
    services, owner = world.services, world.user("owner_a")
    with pytest.raises(Forbidden):
        services.settings.set(owner, "review.change_threshold", 0.1)
    services.settings.set(world.user("manager"), "review.change_threshold", 0.1)
    services.datapoints.create(owner, entry(100, period="2023"))
    point = services.datapoints.create(owner, entry(115, period="2024"))
    with pytest.raises(Invalid):
        services.datapoints.submit(owner, point.id, 1)


def test_locked_period_refuses_edits_until_reopened(world: World) -> None:
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, entry(100))
    with pytest.raises(Conflict) as pending:
        services.periods.lock(manager, "2024", "final")
    assert pending.value.code == "not_approved"
    services.datapoints.submit(owner, point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    with pytest.raises(Forbidden):
        services.periods.lock(owner, "2024", "mine now")
    assert services.periods.lock(manager, "2024", "signed off by the board")["locked"]
    with pytest.raises(PeriodLocked):
        services.datapoints.correct(owner, point.id, 1, {"value": 1})
    with pytest.raises(PeriodLocked):
        services.datapoints.create(owner, entry(5, metric="energy.coke"))
    with pytest.raises(PeriodLocked):
        services.datapoints.create(owner, entry(5, period="2024-03"))  # a month of a locked year
    with pytest.raises(Invalid):
        services.periods.reopen(manager, "2024", "")
    state = services.periods.reopen(manager, "2024", "auditor found a typo in plant A diesel")
    assert not state["locked"]
    assert services.datapoints.correct(owner, point.id, 1, {"value": 99}).version == 2
    actions = audit_actions(world)
    assert "period.lock" in actions and "period.reopen" in actions
    assert services.audit.verify(manager).ok


def test_out_of_scope_is_not_found_for_every_operation(world: World) -> None:
    services = world.services
    point = services.datapoints.create(world.user("owner_b"), entry(1, entity="plant_b"))
    owner_a = world.user("owner_a")
    for call in (
        lambda: services.datapoints.get(owner_a, point.id),
        lambda: services.datapoints.history(owner_a, point.id),
        lambda: services.datapoints.correct(owner_a, point.id, 1, {"value": 2}),
        lambda: services.datapoints.submit(owner_a, point.id, 1),
        lambda: services.evidence.list_for(owner_a, point.id),
        lambda: services.datapoints.create(
            owner_a, entry(1, entity="plant_b", metric="energy.coke")
        ),
        lambda: services.datapoints.create(owner_a, entry(1, entity="no_such_entity")),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        services.datapoints.get(owner_a, 999_999)
