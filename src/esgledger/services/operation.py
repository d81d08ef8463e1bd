"""How an operation is declared: once, with its permission action and how it touches the ledger.

Every operation of the service layer is a method of a capability (:class:`Capability`) decorated
with one of

- :func:`reads`: a read on one connection (a snapshot on SQLite);
- :func:`writes`: one write transaction, in a :class:`~esgledger.ledger.change.Change` that holds
  the audit chain head and appends the audit entries when the operation returns;
- :func:`queued`: a write run by the group committer (many small writes of many request threads
  committed together, see :mod:`esgledger.ledger.group_commit`), also offered to coroutines;
- :func:`staged`: an operation that reads and writes in steps of its own (an import that parses a
  file before it takes the write lock; a calculation that computes, then stores).

The decorated method takes a call object (:class:`Reading`, :class:`Writing` or :class:`Call`) in
place of the acting person; callers pass the person (a :class:`Principal`). The one wrapper checks
the policy for the declared action first (:mod:`esgledger.access.policy`; for a user limited to
some entities, whether an entity is theirs comes first, so checks on a particular entity or data
point follow inside, through :meth:`Call.authorize`), opens the connection or transaction, and
returns the operation's typed result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, overload

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from esgledger.access.policy import GROUP_WIDE, DataPointFacts, authorize
from esgledger.access.principal import Principal
from esgledger.ledger.change import Change, changing
from esgledger.services.context import Context

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound="Call")
Mode = Literal["read", "write", "queued", "staged"]


@dataclass
class Call:
    """One operation on behalf of ``actor``."""

    actor: Principal
    context: Context

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        with self.context.db.reading() as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Change]:
        """A write transaction on behalf of the actor; its audit entries are appended and the
        transaction committed when the block ends without an error."""
        with (
            self.context.db.transaction() as connection,
            changing(connection, self.actor.username) as change,
        ):
            yield change

    def authorize(
        self,
        action: str,
        entity_id: str | None = None,
        datapoint: DataPointFacts | None = None,
        what: str = "object",
    ) -> None:
        authorize(self.actor, action, entity_id, datapoint, what)


@dataclass
class Reading(Call):
    connection: sa.Connection


@dataclass
class Writing(Call):
    change: Change

    @property
    def connection(self) -> sa.Connection:
        return self.change.connection


@dataclass(frozen=True)
class Declared:
    """An operation as declared: for the documentation and the authorization tests."""

    name: str
    action: str
    mode: Mode


OPERATIONS: dict[str, Declared] = {}


class Capability:
    """A group of operations (data points, imports, reports, ...) over one :class:`Context`."""

    def __init__(self, context: Context):
        self.context = context


S = TypeVar("S", bound=Capability)


class Operation(Generic[S, C, P, R]):
    """The descriptor a decorator turns a method into; bound to a capability it is called with
    the acting person first."""

    def __init__(
        self,
        function: Callable[Concatenate[S, C, P], R],
        action: str,
        mode: Mode,
        entity_first: bool | None = None,
    ) -> None:
        self.function = function
        self.action = action
        self.mode = mode
        # whether, for a user with a scope, the operation decides (the entity it is about comes
        # first: NotFound outside the scope); by default for every action on an entity
        self.entity_first = action not in GROUP_WIDE if entity_first is None else entity_first
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        qualified = f"{owner.__name__}.{name}"
        OPERATIONS[qualified] = Declared(qualified, self.action, self.mode)

    @overload
    def __get__(self, instance: None, owner: type) -> Operation[S, C, P, R]: ...
    @overload
    def __get__(self, instance: S, owner: type) -> Bound[P, R]: ...
    def __get__(self, instance: S | None, owner: type) -> Operation[S, C, P, R] | Bound[P, R]:
        if instance is None:
            return self
        return Bound(self, instance)


class Bound(Generic[P, R]):
    """An operation of one capability: ``op(actor, ...)``, or ``await op.run_async(actor, ...)``
    from a coroutine (a queued write then waits for its commit without holding a thread)."""

    def __init__(self, operation: Operation[Any, Any, P, R], instance: Capability):
        self.operation = operation
        self.instance = instance

    def __call__(self, actor: Principal, *args: P.args, **kwargs: P.kwargs) -> R:
        operation, context = self.operation, self.instance.context
        _authorize_up_front(actor, operation)
        if operation.mode == "read":
            with context.db.reading() as connection:
                return operation.function(
                    self.instance, Reading(actor, context, connection), *args, **kwargs
                )
        if operation.mode == "write":
            call = Call(actor, context)
            with call.writing() as change:
                return operation.function(
                    self.instance, Writing(actor, context, change), *args, **kwargs
                )
        if operation.mode == "queued":
            return context.writes.run(self._work(actor, *args, **kwargs))
        return operation.function(self.instance, Call(actor, context), *args, **kwargs)

    async def run_async(self, actor: Principal, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.operation.mode == "queued":
            _authorize_up_front(actor, self.operation)
            work = self._work(actor, *args, **kwargs)
            return await self.instance.context.writes.run_async(work)
        return await run_in_threadpool(partial(self.__call__, actor, *args, **kwargs))

    def _work(
        self, actor: Principal, *args: P.args, **kwargs: P.kwargs
    ) -> Callable[[sa.Connection], R]:
        operation, instance = self.operation, self.instance

        def work(connection: sa.Connection) -> R:
            with changing(connection, actor.username) as change:
                call = Writing(actor, instance.context, change)
                return operation.function(instance, call, *args, **kwargs)

        return work


def _authorize_up_front(actor: Principal, operation: Operation[Any, Any, Any, Any]) -> None:
    """The policy's answer for the operation's action before it looks at any object. A user with
    a scope asking about an entity learns first whether it is theirs (NotFound otherwise, so that
    its existence is never revealed): for them an operation about an entity decides, on the
    object (and the authorization tests hold every operation of the API to that)."""
    if actor.group_wide or not operation.entity_first:
        authorize(actor, operation.action)


def _declare(
    action: str, mode: Mode, entity_first: bool | None = None
) -> Callable[[Callable[Concatenate[S, Any, P], R]], Operation[S, Any, P, R]]:
    def decorate(function: Callable[Concatenate[S, Any, P], R]) -> Operation[S, Any, P, R]:
        return Operation(function, action, mode, entity_first)

    return decorate


def reads(
    action: str, entity_first: bool | None = None
) -> Callable[[Callable[Concatenate[S, Reading, P], R]], Operation[S, Reading, P, R]]:
    """A read: the method gets a :class:`Reading` (the actor and one connection)."""
    return _declare(action, "read", entity_first)


def writes(
    action: str,
) -> Callable[[Callable[Concatenate[S, Writing, P], R]], Operation[S, Writing, P, R]]:
    """One write transaction: the method gets a :class:`Writing` (the actor and the change)."""
    return _declare(action, "write")


def queued(
    action: str,
) -> Callable[[Callable[Concatenate[S, Writing, P], R]], Operation[S, Writing, P, R]]:
    """A small write committed by the group committer, with other requests' writes."""
    return _declare(action, "queued")


def staged(
    action: str, entity_first: bool | None = None
) -> Callable[[Callable[Concatenate[S, Call, P], R]], Operation[S, Call, P, R]]:
    """An operation that opens its own reads and writes (:meth:`Call.reading`,
    :meth:`Call.writing`), so that slow work runs before the write lock is taken."""
    return _declare(action, "staged", entity_first)
