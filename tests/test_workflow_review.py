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
    with world.collab.db.reading() as connection:
        return list(
            connection.execute(sa.text("select action from audit_log order by seq")).scalars()
        )


def test_enter_correct_submit_approve(world: World) -> None:
    collab, owner, manager = world.collab, world.user("owner_a"), world.user("manager")
    point = collab.create_datapoint(owner, entry(100))
    assert (point.status, point.version, point.created_by) == ("draft", 1, "owner_a")
    corrected = collab.correct_datapoint(owner, point.id, 1, {"value": 110, "note": "meter fix"})
    assert (corrected.version, corrected.value, corrected.note) == (2, 110, "meter fix")
    submitted = collab.submit(owner, point.id, 2)  # any version's id addresses the data point
    assert submitted.status == "submitted"
    approved = collab.approve(manager, corrected.id, 2, "checked against invoices")
    assert approved.status == "approved" and approved.version == 2
    history = collab.history(manager, point.id)
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [c["action"] for c in history["comments"]] == ["submit", "approve"]
    assert [e["action"] for e in history["audit"]] == [
        "datapoint.create",
        "datapoint.correct",
        "datapoint.submit",
        "datapoint.approve",
    ]
    assert collab.verify_audit(manager).ok


def test_stale_version_conflicts_with_current_value(world: World) -> None:
    collab, owner = world.collab, world.user("owner_a")
    point = collab.create_datapoint(owner, entry(100))
    collab.correct_datapoint(world.user("manager"), point.id, 1, {"value": 120})
    with pytest.raises(Conflict) as stale:
        collab.correct_datapoint(owner, point.id, 1, {"value": 130})
    assert stale.value.code == "version_conflict"
    assert stale.value.details["version"] == 2
    assert stale.value.details["current"]["value"] == 120
    with pytest.raises(Conflict):
        collab.submit(owner, point.id, 1)
    assert collab.datapoint(owner, point.id).value == 120


def test_second_create_of_the_same_value_conflicts(world: World) -> None:
    collab, owner = world.collab, world.user("owner_a")
    collab.create_datapoint(owner, entry(100))
    with pytest.raises(Conflict) as exists:
        collab.create_datapoint(world.user("manager"), entry(5))
    assert exists.value.code == "exists" and exists.value.details["current"]["value"] == 100


def test_nobody_approves_what_they_entered_or_last_changed(world: World) -> None:
    collab = world.collab
    manager, manager2 = world.user("manager"), world.user("manager2")
    own = collab.create_datapoint(manager, entry(1, entity="plant_b"))
    collab.submit(manager, own.id, 1)
    assert not collab.allowed(manager, "datapoint.approve", own.id)
    assert collab.allowed(manager2, "datapoint.approve", own.id)
    assert not collab.allowed(world.user("owner_b"), "datapoint.approve", own.id)
    with pytest.raises(Forbidden, match="segregation of duties"):
        collab.approve(manager, own.id, 1)
    with pytest.raises(Forbidden, match="segregation of duties"):
        collab.reject(manager, own.id, 1, "no")
    # the owner enters, the manager corrects: the manager last changed it
    point = collab.create_datapoint(world.user("owner_a"), entry(100))
    changed = collab.correct_datapoint(manager, point.id, 1, {"value": 101})
    collab.submit(manager, changed.id, 2)
    with pytest.raises(Forbidden):
        collab.approve(manager, changed.id, 2)
    # a correction by someone else does not clear the one who entered it
    other = collab.create_datapoint(manager, entry(7, metric="energy.coke"))
    fixed = collab.correct_datapoint(manager2, other.id, 1, {"value": 8})
    collab.submit(manager2, fixed.id, 2)
    with pytest.raises(Forbidden):
        collab.approve(manager, fixed.id, 2)
    with pytest.raises(Forbidden):
        collab.approve(manager2, fixed.id, 2)
    assert collab.approve(world.user("admin"), fixed.id, 2).status == "approved"
    assert collab.approve(manager2, changed.id, 2).status == "approved"


def test_reject_needs_comment_and_returns_value_for_correction(world: World) -> None:
    collab, owner, manager = world.collab, world.user("owner_a"), world.user("manager")
    point = collab.create_datapoint(owner, entry(100))
    with pytest.raises(Conflict) as state:
        collab.approve(manager, point.id, 1)  # still a draft
    assert state.value.code == "invalid_state"
    collab.submit(owner, point.id, 1)
    with pytest.raises(Invalid):
        collab.reject(manager, point.id, 1, "  ")
    rejected = collab.reject(manager, point.id, 1, "<b>unit is kg</b>, not t")
    assert rejected.status == "rejected"
    fixed = collab.correct_datapoint(owner, point.id, 1, {"value": 0.1})
    assert fixed.status == "draft"
    collab.submit(owner, fixed.id, 2)
    assert collab.approve(manager, fixed.id, 2).status == "approved"
    comments = collab.history(owner, point.id)["comments"]
    assert comments[1]["comment"] == "<b>unit is kg</b>, not t"  # stored as entered


def test_large_change_needs_explanation_before_submit(world: World) -> None:
    collab, owner = world.collab, world.user("owner_a")
    collab.create_datapoint(owner, entry(100, period="2023"))
    small = collab.create_datapoint(owner, entry(125, period="2024"))
    assert collab.submit(owner, small.id, 1).status == "submitted"  # 25 % <= 30 %
    collab.create_datapoint(owner, entry(2, period="2023", metric="energy.coke"))
    big = collab.create_datapoint(
        owner, entry(3000, period="2024", metric="energy.coke", unit="kg")
    )  # 3 t against 2 t: +50 %
    with pytest.raises(Invalid) as missing:
        collab.submit(owner, big.id, 1)
    assert missing.value.code == "explanation_required"
    assert missing.value.field == "explanation"
    assert missing.value.details["change"] == pytest.approx(0.5)
    assert collab.submit(owner, big.id, 1, "new kiln line started in May").status == "submitted"
    # an explanation given when the value was entered counts too
    collab.create_datapoint(owner, entry(10, period="2023", metric="energy.gasoline"))
    explained = collab.create_datapoint(
        owner, entry(1, period="2024", metric="energy.gasoline"), explanation="fleet electrified"
    )
    assert collab.submit(owner, explained.id, 1).status == "submitted"


def test_threshold_is_a_setting(world: World) -> None:
    collab, owner = world.collab, world.user("owner_a")
    with pytest.raises(Forbidden):
        collab.set_change_threshold(owner, 0.1)
    collab.set_change_threshold(world.user("manager"), 0.1)
    collab.create_datapoint(owner, entry(100, period="2023"))
    point = collab.create_datapoint(owner, entry(115, period="2024"))
    with pytest.raises(Invalid):
        collab.submit(owner, point.id, 1)


def test_locked_period_refuses_edits_until_reopened(world: World) -> None:
    collab, owner, manager = world.collab, world.user("owner_a"), world.user("manager")
    point = collab.create_datapoint(owner, entry(100))
    with pytest.raises(Conflict) as pending:
        collab.lock_period(manager, "2024", "final")
    assert pending.value.code == "not_approved"
    collab.submit(owner, point.id, 1)
    collab.approve(manager, point.id, 1)
    with pytest.raises(Forbidden):
        collab.lock_period(owner, "2024", "mine now")
    assert collab.lock_period(manager, "2024", "signed off by the board")["locked"]
    with pytest.raises(PeriodLocked):
        collab.correct_datapoint(owner, point.id, 1, {"value": 1})
    with pytest.raises(PeriodLocked):
        collab.create_datapoint(owner, entry(5, metric="energy.coke"))
    with pytest.raises(PeriodLocked):
        collab.create_datapoint(owner, entry(5, period="2024-03"))  # a month of a locked year
    with pytest.raises(Invalid):
        collab.reopen_period(manager, "2024", "")
    state = collab.reopen_period(manager, "2024", "auditor found a typo in plant A diesel")
    assert not state["locked"]
    assert collab.correct_datapoint(owner, point.id, 1, {"value": 99}).version == 2
    actions = audit_actions(world)
    assert "period.lock" in actions and "period.reopen" in actions
    assert collab.verify_audit(manager).ok


def test_out_of_scope_is_not_found_for_every_operation(world: World) -> None:
    collab = world.collab
    point = collab.create_datapoint(world.user("owner_b"), entry(1, entity="plant_b"))
    owner_a = world.user("owner_a")
    for call in (
        lambda: collab.datapoint(owner_a, point.id),
        lambda: collab.history(owner_a, point.id),
        lambda: collab.correct_datapoint(owner_a, point.id, 1, {"value": 2}),
        lambda: collab.submit(owner_a, point.id, 1),
        lambda: collab.evidence(owner_a, point.id),
        lambda: collab.create_datapoint(owner_a, entry(1, entity="plant_b", metric="energy.coke")),
        lambda: collab.create_datapoint(owner_a, entry(1, entity="no_such_entity")),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(NotFound):
        collab.datapoint(owner_a, 999_999)
