"""What every request reads and seldom changes, cached per configuration generation.

The entity tree, the locked periods, the review threshold and the principals of users change
only through audited actions, and each of those moves the audit head's configuration generation
(:data:`esgledger.ledger.audit.CONFIGURATION_ACTIONS`). A server reads that number with the data
it needs anyway (the token row, the locked head) and reloads the rest only when it moved, so the
cache can never be staler than one committed transaction, in any number of worker processes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import sqlalchemy as sa

from esgledger.access.principal import Principal, principal
from esgledger.domain import Entity
from esgledger.ingest.datapoints import EntityIndex
from esgledger.ledger import settings
from esgledger.ledger.reads import load_entities
from esgledger.store.schema import period_locks, user_entities, users
from esgledger.workflow.periods import covering_periods


@dataclass(frozen=True)
class Configuration:
    generation: int
    entities: list[Entity]
    index: EntityIndex
    locked_periods: frozenset[str]
    change_threshold: float
    parents: dict[str, str | None] = field(repr=False)

    def locked_by(self, period: str) -> str | None:
        """The locked period that covers ``period`` (itself or its year), or None."""
        for candidate in covering_periods(period):
            if candidate in self.locked_periods:
                return candidate
        return None


def load_configuration(connection: sa.Connection, generation: int) -> Configuration:
    entities = load_entities(connection)
    locked = frozenset(
        row.period
        for row in connection.execute(
            sa.select(period_locks.c.period).where(period_locks.c.locked.is_(True))
        )
    )
    return Configuration(
        generation=generation,
        entities=entities,
        index=EntityIndex(entities),
        locked_periods=locked,
        change_threshold=float(settings.read(connection, "review.change_threshold")),
        parents={e.id: e.parent_id for e in entities},
    )


_ASSIGNED = sa.select(user_entities.c.entity_id).where(
    user_entities.c.username == sa.bindparam("username")
)
_ROLE = sa.select(users.c.role).where(users.c.username == sa.bindparam("username"))


class ConfigurationCache:
    """One process's copy of the configuration and of the principals built from it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Configuration | None = None
        self._principals: dict[str, Principal] = {}

    def get(self, connection: sa.Connection, generation: int) -> Configuration:
        """The configuration of ``generation``, read through ``connection`` if not cached."""
        current = self._current
        if current is not None and current.generation == generation:
            return current
        loaded = load_configuration(connection, generation)
        with self._lock:
            if self._current is None or self._current.generation <= generation:
                if self._current is None or self._current.generation != generation:
                    self._principals = {}
                self._current = loaded
        return loaded

    def principal(self, connection: sa.Connection, username: str, generation: int) -> Principal:
        """The principal of an active user (the caller checked that it is active)."""
        configuration = self.get(connection, generation)
        with self._lock:
            cached = self._principals.get(username)
            fresh = self._current is configuration
        if cached is not None and fresh:
            return cached
        role = connection.execute(_ROLE, {"username": username}).scalar_one()
        assigned = connection.execute(_ASSIGNED, {"username": username}).scalars().all()
        built = principal(username, role, assigned, configuration.parents)
        with self._lock:
            if self._current is configuration:
                self._principals[username] = built
        return built
