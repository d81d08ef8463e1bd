"""The permission policy as a pure function: roles, scopes (sub-entities included), group-wide
actions and segregation of duties."""

from __future__ import annotations

import pytest

from esgledger.access.policy import ACTIONS, DataPointFacts, authorize, can
from esgledger.access.principal import ROLES, principal
from esgledger.service_errors import Forbidden, NotFound

PARENTS = {"grp": None, "plant_a": "grp", "line_a1": "plant_a", "plant_b": "grp"}


def user(role: str, *entities: str, name: str = "u"):
    return principal(name, role, entities, PARENTS)


def test_scope_includes_sub_entities_only() -> None:
    owner = user("data_owner", "plant_a")
    assert owner.scope == frozenset({"plant_a", "line_a1"})
    assert not owner.sees("grp") and not owner.sees("plant_b")
    assert user("data_owner").scope == frozenset()  # an owner with no entity sees nothing
    assert user("viewer").scope is None  # an unassigned viewer sees the group
    assert user("viewer", "plant_b").scope == frozenset({"plant_b"})
    assert user("admin", "plant_a").scope is None  # assignments do not narrow group roles


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_values_in_scope(role: str) -> None:
    assert can(user(role, "plant_a"), "datapoint.read", "line_a1")


def test_data_owner_writes_only_own_entities() -> None:
    owner = user("data_owner", "plant_a")
    for action in ("datapoint.create", "datapoint.correct", "datapoint.submit", "evidence.upload"):
        assert can(owner, action, "line_a1")
        assert not can(owner, action, "plant_b")
        assert not can(owner, action, "grp")
    for action in (
        "datapoint.approve",
        "datapoint.reject",
        "calc.run",
        "period.lock",
        "report.build",
        "report.read",
        "audit.read",
        "user.admin",
    ):
        assert not can(owner, action, "plant_a" if action.startswith("datapoint") else None)


def test_auditor_reads_everything_and_changes_nothing() -> None:
    auditor = user("auditor")
    for action in ACTIONS:
        # the assurance pack reads (and writes nothing)
        exports = ("calc.recompute", "assurance.export")
        read = action.endswith((".read", ".history")) or action in exports
        entity = None if action in ("audit.read", "report.read", *exports) else "plant_b"
        assert can(auditor, action, entity) is read, action


def test_viewer_sees_no_audit_trail_or_evidence() -> None:
    viewer = user("viewer")
    assert can(viewer, "report.read")
    assert not can(viewer, "datapoint.history", "plant_a")
    assert not can(viewer, "evidence.read", "plant_a")
    assert not can(user("viewer", "plant_a"), "report.read")  # a group report is group-wide


def test_segregation_of_duties() -> None:
    manager = user("esg_manager", name="mia")
    entered = DataPointFacts("plant_a", entered_by="mia", changed_by="olga")
    changed = DataPointFacts("plant_a", entered_by="olga", changed_by="mia")
    vouched = DataPointFacts("plant_a", "olga", "olga", vouched_by=frozenset({"mia"}))
    other = DataPointFacts("plant_a", "olga", "olga", vouched_by=frozenset({"olga", "ivan"}))
    for action in ("datapoint.approve", "datapoint.reject"):
        assert not can(manager, action, datapoint=entered)
        assert not can(manager, action, datapoint=changed)
        assert not can(manager, action, datapoint=vouched)  # submitted or explained it
        assert can(manager, action, datapoint=other)
    assert can(manager, "datapoint.correct", datapoint=entered)  # may still fix it


def test_authorize_hides_out_of_scope_entities_as_not_found() -> None:
    owner = user("data_owner", "plant_a")
    with pytest.raises(NotFound):
        authorize(owner, "datapoint.read", "plant_b")
    with pytest.raises(Forbidden):
        authorize(owner, "datapoint.approve", "plant_a")
    with pytest.raises(Forbidden, match="segregation of duties"):
        authorize(
            user("admin", name="olga"),
            "datapoint.approve",
            datapoint=DataPointFacts("plant_a", "olga", "olga"),
        )


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        can(user("admin"), "datapoint.delete", "plant_a")
