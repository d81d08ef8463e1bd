"""PostgreSQL: the grants a server role needs, and no more.

A server should not run as the role that owns the tables: an owner may grant itself back what
migration 0008 revoked (UPDATE, DELETE, TRUNCATE of the audit log) and switch off its triggers.
The owner runs ``esgledger init`` (and upgrades); the server runs as another role with

- SELECT and INSERT on ``audit_log`` (entries are only ever appended);
- SELECT, INSERT, UPDATE and DELETE on every other ledger table;
- SELECT on ``alembic_version`` (the server checks the schema is current);
- USAGE and SELECT on the schema's sequences (ids the database assigns).

Run :func:`grant_server_role` as the owner after ``init`` and again after an upgrade that adds a
table (``esgledger grant-server-role ROLE``).
"""

from __future__ import annotations

import sqlalchemy as sa

from esgledger.service_errors import Invalid
from esgledger.store.schema import audit_log, metadata

APPEND_ONLY = audit_log.name


def grant_server_role(connection: sa.Connection, role: str) -> list[str]:
    """Grant ``role`` what a server needs (inside the caller's transaction); the statements run.
    Refuses a superuser and the tables' owner, which the grants could not hold back."""
    if connection.dialect.name != "postgresql":
        raise Invalid(
            "a SQLite ledger has no database roles: the server runs as the OS user that owns "
            "the file",
            field="role",
        )
    found = connection.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise Invalid(
            f"no PostgreSQL role {role!r}: create it first (CREATE ROLE ... LOGIN PASSWORD ...)",
            field="role",
        )
    if found.rolsuper:
        raise Invalid(
            f"{role} is a superuser: it may switch the audit log's triggers off; run the server "
            "as an ordinary role",
            field="role",
        )
    owner = connection.execute(
        sa.text(
            "SELECT tableowner FROM pg_tables WHERE tablename = :table AND schemaname = "
            "current_schema()"
        ),
        {"table": APPEND_ONLY},
    ).scalar_one_or_none()
    if owner is None:
        raise Invalid("no ledger here: run 'esgledger init' first", field="role")
    if owner == role:
        raise Invalid(
            f"{role} owns the ledger's tables, so it could grant itself the right to change the "
            "audit log again: run the server as another role",
            field="role",
        )
    quote = connection.dialect.identifier_preparer.quote
    grantee = quote(role)
    others = ", ".join(quote(t.name) for t in metadata.sorted_tables if t.name != APPEND_ONLY)
    schema = quote(connection.execute(sa.text("SELECT current_schema()")).scalar_one())
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT ON {quote(APPEND_ONLY)} TO {grantee}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(APPEND_ONLY)} FROM {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {others} TO {grantee}",
        f"GRANT SELECT ON alembic_version TO {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
    ]
    for statement in statements:
        connection.execute(sa.text(statement))
    return statements
