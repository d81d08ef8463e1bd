"""Who is asking: a user's name, role and the entities they may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLES = ("admin", "esg_manager", "data_owner", "auditor", "viewer")
# Roles whose view is limited to their assigned entities and the sub-entities of those. A viewer
# with no assigned entity sees the whole group; a data owner with none sees nothing.
SCOPED_ROLES = ("data_owner", "viewer")


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    assigned: frozenset[str]
    scope: frozenset[str] | None  # the entity ids visible to this user; None means all of them

    @property
    def group_wide(self) -> bool:
        return self.scope is None

    def sees(self, entity_id: str) -> bool:
        return self.scope is None or entity_id in self.scope


def principal(
    username: str, role: str, assigned: Iterable[str], parents: Mapping[str, str | None]
) -> Principal:
    """Build a principal; ``parents`` maps every entity id to its parent's, for expanding the
    assigned entities to their sub-entities."""
    assigned_set = frozenset(assigned)
    if role not in SCOPED_ROLES or (role == "viewer" and not assigned_set):
        return Principal(username, role, assigned_set, None)
    children: dict[str | None, list[str]] = {}
    for entity_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(entity_id)
    visible: set[str] = set()
    stack = [e for e in assigned_set if e in parents]
    while stack:
        current = stack.pop()
        if current not in visible:
            visible.add(current)
            stack.extend(children.get(current, []))
    return Principal(username, role, assigned_set, frozenset(visible))
