"""Alembic environment: runs migrations on the connection that esgledger hands in."""

from __future__ import annotations

from alembic import context

from esgledger.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - esgledger always passes its own connection
    raise RuntimeError("run migrations through esgledger.store.Database.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
