"""Local user accounts and their entity assignments. Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from esgledger.access.credentials import revoke_all
from esgledger.access.principal import ROLES, SCOPED_ROLES, Principal, principal
from esgledger.identifiers import USERNAME_RULE, is_username
from esgledger.ledger.change import Change
from esgledger.ledger.reads import load_entities
from esgledger.ledger.rows import merged
from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.store.schema import entities as entity_table
from esgledger.store.schema import user_entities, users


@dataclass(frozen=True)
class UserInfo:
    username: str
    role: str
    active: bool
    entities: tuple[str, ...]
    locked_until: str | None
    created_at: str
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, entities=list(self.entities))


def _check(connection: sa.Connection, role: str | None, entities: Iterable[str] | None) -> None:
    if role is not None and role not in ROLES:
        raise Invalid(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
    if entities:
        known = {e.id for e in load_entities(connection)}
        for entity_id in entities:
            if entity_id not in known:
                raise Invalid(f"no entity {entity_id!r} in the organisation", field="entities")


def create_user(
    change: Change,
    username: str,
    password_hash: str,
    role: str,
    entities: Iterable[str],
) -> UserInfo:
    """Create an account (the password already hashed, :func:`new_password_hash`: hashing is
    slow and runs before the change takes the head)."""
    if not is_username(username):
        raise Invalid(f"a username has {USERNAME_RULE}", field="username")
    connection = change.connection
    entity_ids = sorted(set(entities))
    _check(connection, role, entity_ids)
    if connection.execute(sa.select(users.c.username).where(users.c.username == username)).first():
        raise Conflict(f"user {username!r} already exists", field="username", code="exists")
    stamps = change.insert(
        users,
        [
            {
                "username": username,
                "password_hash": password_hash,
                "role": role,
                "active": True,
                "failed_attempts": 0,
                "locked_until": None,
                "created_at": change.at,
                "created_by": change.actor,
            }
        ],
    )
    stamps += change.insert(
        user_entities, [{"username": username, "entity_id": e} for e in entity_ids]
    )
    change.record("user.create", "user", username, {"role": role, "entities": entity_ids}, stamps)
    return get_user(connection, username)


def update_user(
    change: Change,
    username: str,
    *,
    role: str | None = None,
    entities: Iterable[str] | None = None,
    active: bool | None = None,
    password_hash: str | None = None,
) -> UserInfo:
    connection = change.connection
    entity_ids = None if entities is None else sorted(set(entities))
    _check(connection, role, entity_ids)
    before = get_user(connection, username)
    values: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    if role is not None and role != before.role:
        values["role"] = summary["role"] = role
    if active is not None and active != before.active:
        values["active"] = summary["active"] = active
    if password_hash is not None:
        values.update(password_hash=password_hash, failed_attempts=0, locked_until=None)
        summary["password"] = "changed"
    if (
        before.role == "admin"
        and before.active
        and (values.get("role", "admin") != "admin" or values.get("active", True) is False)
    ):
        _refuse_last_admin(connection, username, "role" if "role" in values else "active")
    stamps = change.update(users, users.c.username == username, values) if values else []
    if password_hash is not None or values.get("active") is False:
        # A reset password is how a compromised account is recovered: the old credentials go;
        # a deactivated user's tokens must not come back with a reactivation.
        revoke_all(connection, username)
        summary["signed_out"] = True
    if entity_ids is not None and tuple(entity_ids) != before.entities:
        stamps += change.delete(user_entities, user_entities.c.username == username)
        added = change.insert(
            user_entities, [{"username": username, "entity_id": e} for e in entity_ids]
        )
        stamps = merged(stamps, added)
        summary["entities"] = entity_ids
    if summary:
        change.record("user.update", "user", username, summary, stamps)
    return get_user(connection, username)


def _refuse_last_admin(connection: sa.Connection, username: str, field: str) -> None:
    """Nobody could administer users any more: keep at least one active admin."""
    others = connection.execute(
        sa.select(sa.func.count()).where(
            users.c.role == "admin", users.c.active.is_(True), users.c.username != username
        )
    ).scalar_one()
    if not others:
        raise Conflict(
            f"{username} is the last active admin: make another user admin first",
            field=field,
            code="last_admin",
        )


def get_user(connection: sa.Connection, username: str) -> UserInfo:
    row = connection.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}")
    return _info(row, _assigned(connection, [username]).get(username, ()))


def list_users(connection: sa.Connection) -> list[UserInfo]:
    assigned = _assigned(connection, None)
    rows = connection.execute(sa.select(users).order_by(users.c.username))
    return [_info(row, assigned.get(row.username, ())) for row in rows]


def load_principal(connection: sa.Connection, username: str) -> Principal:
    """The principal of an active user (NotFound for an unknown or deactivated one)."""
    row = connection.execute(
        sa.select(users.c.role, users.c.active).where(users.c.username == username)
    ).first()
    if row is None or not row.active:
        raise NotFound(f"no active user {username!r}")
    assigned = _assigned(connection, [username]).get(username, ())
    parents: dict[str, str | None] = {}
    if row.role in SCOPED_ROLES and assigned:
        parents = dict(
            connection.execute(sa.select(entity_table.c.id, entity_table.c.parent_id)).all()
        )
    return principal(username, row.role, assigned, parents)


def _assigned(connection: sa.Connection, names: list[str] | None) -> dict[str, tuple[str, ...]]:
    query = sa.select(user_entities.c.username, user_entities.c.entity_id).order_by(
        user_entities.c.entity_id
    )
    if names is not None:
        query = query.where(user_entities.c.username.in_(names))
    found: dict[str, list[str]] = {}
    for name, entity_id in connection.execute(query):
        found.setdefault(name, []).append(entity_id)
    return {name: tuple(ids) for name, ids in found.items()}


def _info(row: sa.Row, entities: tuple[str, ...]) -> UserInfo:
    return UserInfo(
        row.username,
        row.role,
        row.active,
        entities,
        row.locked_until,
        row.created_at,
        row.created_by,
    )
