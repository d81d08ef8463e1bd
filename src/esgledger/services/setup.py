"""Creating or upgrading a ledger: the schema, the bundled factor sets and catalogue, and the
first account (an admin named after the OS login, without a password: see
:mod:`esgledger.services.accounts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from esgledger.access import users as accounts
from esgledger.access.passwords import NO_PASSWORD
from esgledger.factors import load_library
from esgledger.factors.persist import store_library
from esgledger.ledger.change import changing
from esgledger.services.accounts import os_login
from esgledger.services.context import Context
from esgledger.store.schema import users as users_table


@dataclass
class Initialised:
    factor_sets_added: list[str]
    metrics: int
    factors: int
    first_admin: str | None = None  # the account created for the OS login, if one was
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def initialise(context: Context, admin: str | None = None) -> Initialised:
    """Create or upgrade the schema, store the bundled factor sets not stored yet, and, when the
    ledger has no account, create an admin for ``admin`` (default: the OS login). Idempotent."""
    context.db.migrate()
    library = load_library()
    catalogue = context.catalogue
    name = (admin or os_login()).strip()
    with context.db.transaction() as connection:
        has_accounts = connection.execute(sa.select(users_table.c.username).limit(1)).first()
    actor = name or "setup"
    with context.db.transaction() as connection, changing(connection, actor) as change:
        added = store_library(change, library)
        created = None
        notes = []
        if not has_accounts:
            try:
                accounts.create_user(change, name, NO_PASSWORD, "admin", [])
                created = name
            except Exception as exc:  # an OS login that is no valid user name
                notes.append(
                    f"no account was created for your OS login ({exc}); create the first admin "
                    "with 'esgledger user add NAME --role admin'"
                )
        if added or created:
            change.record(
                "catalogue.load", "catalogue", catalogue.sha256, {"metrics": len(catalogue.metrics)}
            )
    context._initialised = False
    return Initialised(added, len(catalogue.metrics), len(library.factor_ids()), created, notes)
