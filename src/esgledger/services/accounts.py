"""Users: signing in (password, tokens, web sessions), administering accounts, and who acts on the
command line.

The command line acts as a named account, like every other door:

- with ``--user NAME`` (or ``ESGLEDGER_USER``) it signs in as NAME with that account's password
  (``ESGLEDGER_PASSWORD`` or a prompt), through the same throttling and lockout as the web;
- without it, it acts as the account named after the operating-system login that runs it (peer
  identity, as PostgreSQL's local ``peer`` authentication: the OS has authenticated the person).
  ``esgledger init`` creates that account, as an admin without a password (so that it cannot sign in
  on the web until one is set), when the ledger has no account yet. So the demo and a single-user
  ledger stay one command, and every write records a person.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from esgledger.access import credentials
from esgledger.access import users as accounts
from esgledger.access.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from esgledger.access.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from esgledger.access.passwords import NO_PASSWORD, new_password_hash
from esgledger.access.principal import Principal
from esgledger.ledger import audit
from esgledger.ledger.change import changing
from esgledger.service_errors import Invalid, NotFound, Unauthenticated
from esgledger.services.operation import Call, Capability, Reading, reads, staged
from esgledger.store.schema import users as users_table

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "Accounts",
    "Session",
    "UserInfo",
    "check_csrf",
    "os_login",
]
Session = credentials.Session
UserInfo = accounts.UserInfo
check_csrf = credentials.check_csrf
CLI_CLIENT = "command line"


def os_login() -> str:
    """The operating-system login running this process, as an esgledger user name."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return ""
    return re.sub(r"\s+", "", name.strip().lower())


class Accounts(Capability):
    # -- sign-in -----------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str) -> str:
        """Check credentials, slowed down after failures (:mod:`esgledger.access.login`);
        return the user name."""
        context = self.context
        return context.sign_in.authenticate(context.db, username, password, client, context.clock())

    def issue_token(self, username: str, password: str, client: str) -> credentials.Issued:
        """A bearer token for an API client, after checking the password."""
        name = self.authenticate(username, password, client)
        with self.context.db.transaction() as connection, changing(connection, name) as change:
            return credentials.issue_token(
                change, name, self.context.clock(), self.context.options.token_ttl
            )

    def open_session(self, username: str, password: str, client: str) -> credentials.Session:
        """A web session, after checking the password."""
        name = self.authenticate(username, password, client)
        with self.context.db.transaction() as connection, changing(connection, name) as change:
            return credentials.open_session(
                change, name, self.context.clock(), self.context.options.session_ttl
            )

    def principal_for_token(self, token: str) -> Principal:
        context = self.context
        with context.db.reading() as connection:
            username, generation = credentials.token_holder(connection, token, context.clock())
            return context.configuration.principal(connection, username, generation)

    @contextmanager
    def signed_in(self, token: str) -> Iterator[Principal]:
        """The token's user, for a request that only reads: its reads share the connection of
        the token check (see :meth:`Database.reading`)."""
        with self.context.db.reading():
            yield self.principal_for_token(token)

    def principal_for_session(self, session_id: str) -> tuple[Principal, credentials.Session]:
        context = self.context
        with context.db.reading() as connection:
            session = credentials.find_session(connection, session_id, context.clock())
            generation = audit.configuration_generation(connection)
            principal = context.configuration.principal(connection, session.username, generation)
            return principal, session

    def revoke_token(self, token: str) -> None:
        with self.context.db.transaction() as connection:
            credentials.revoke_token(connection, token)

    def close_session(self, session_id: str) -> None:
        with self.context.db.transaction() as connection:
            credentials.close_session(connection, session_id)

    # -- the command line --------------------------------------------------------------------
    def command_line_actor(self, name: str | None, ask_password: Callable[[str], str]) -> Principal:
        """Who a command acts as: ``name`` signed in with its password (``ask_password(name)``),
        or without a name the account of the OS login (see the module docstring)."""
        self.context.require_initialised()
        peer = os_login()
        wanted = (name or peer).strip()
        with self.context.db.reading() as connection:
            anybody = connection.execute(sa.select(users_table.c.username).limit(1)).first()
        if anybody is None:
            raise Unauthenticated(
                "this ledger has no user account yet: create the first admin with "
                "'esgledger user add NAME --role admin' (or run 'esgledger init', which creates "
                "one for your OS login)",
                code="no_accounts",
            )
        if not wanted:
            raise Unauthenticated(
                "your OS login has no name: say who acts with --user NAME (or ESGLEDGER_USER)"
            )
        if wanted != peer:
            self.authenticate(wanted, ask_password(wanted), CLI_CLIENT)
        try:
            return self.principal(wanted)
        except NotFound:
            raise Unauthenticated(
                f"no active account {wanted!r} for your OS login in this ledger: name one with "
                "--user NAME (it asks for that account's password; ESGLEDGER_PASSWORD gives it), "
                f"or ask an admin to run 'esgledger user add {wanted} --role ...'",
                code="no_account",
            ) from None

    def principal(self, username: str) -> Principal:
        """The principal of an active account (NotFound otherwise), without credentials: for the
        command line after :meth:`command_line_actor`, and for set-up code."""
        context = self.context
        with context.db.reading() as connection:
            generation = audit.configuration_generation(connection)
            row = connection.execute(
                sa.select(users_table.c.active).where(users_table.c.username == username)
            ).first()
            if row is None or not row.active:
                raise NotFound(f"no active user {username!r}")
            return context.configuration.principal(connection, username, generation)

    def create_first_admin(self, username: str, password: str | None) -> accounts.UserInfo:
        """The first account of a ledger that has none, an admin (a ledger whose only accounts
        cannot administer users could never get another). ``password`` None: a command-line
        account without a password."""
        password_hash = NO_PASSWORD if password is None else new_password_hash(password, username)
        with (
            self.context.db.transaction() as connection,
            changing(connection, username) as change,
        ):
            if connection.execute(sa.select(users_table.c.username).limit(1)).first():
                raise Invalid(
                    "the ledger has accounts already: an admin adds users (--user NAME)",
                    field="username",
                )
            return accounts.create_user(change, username, password_hash, "admin", [])

    def has_accounts(self) -> bool:
        with self.context.db.reading() as connection:
            return (
                connection.execute(sa.select(users_table.c.username).limit(1)).first() is not None
            )

    # -- administration ----------------------------------------------------------------------
    @staged("user.admin")
    def create(
        self, call: Call, username: str, password: str, role: str, entities: list[str]
    ) -> accounts.UserInfo:
        """Add an account (the password is checked for strength and hashed before the write
        lock is taken)."""
        password_hash = new_password_hash(password, username)
        with call.writing() as change:
            return accounts.create_user(change, username, password_hash, role, entities)

    @staged("user.admin")
    def create_without_password(
        self, call: Call, username: str, role: str, entities: list[str]
    ) -> accounts.UserInfo:
        """Add an account without a password: it acts on the command line only, for the OS
        login of the same name (see the module docstring)."""
        with call.writing() as change:
            return accounts.create_user(change, username, NO_PASSWORD, role, entities)

    @staged("entity.read")
    def change_password(self, call: Call, username: str, password: str) -> accounts.UserInfo:
        """Set one's own password, or (an admin) anyone's; the account is signed out
        everywhere."""
        if username != call.actor.username:
            call.authorize("user.admin")
        password_hash = new_password_hash(password, username)
        with call.writing() as change:
            return accounts.update_user(change, username, password_hash=password_hash)

    @staged("user.admin")
    def update(self, call: Call, username: str, **changes: Any) -> accounts.UserInfo:
        """Change an account's role, entities or state, or reset its password."""
        password = changes.pop("password", None)
        if password is not None:
            changes["password_hash"] = new_password_hash(password, username)
        with call.writing() as change:
            return accounts.update_user(change, username, **changes)

    @reads("user.admin")
    def users(
        self, call: Reading, role: str | None = None, active: bool | None = None
    ) -> list[accounts.UserInfo]:
        """Accounts by user name, of ``role`` and in the ``active`` state when given."""
        found = accounts.list_users(call.connection)
        return [u for u in found if role in (None, u.role) and active in (None, u.active)]

    @reads("entity.read")
    def get(self, call: Reading, username: str) -> accounts.UserInfo:
        """One account: one's own, or any for an admin."""
        if username != call.actor.username:
            call.authorize("user.admin")
        return accounts.get_user(call.connection, username)
