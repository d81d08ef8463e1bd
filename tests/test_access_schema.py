"""The migrated schema (every migration, 0003 adds the collaboration tables) equals the table
metadata, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from esgledger.store.schema import metadata
from tests.ledger_fixture import Ledger

COLLABORATION_TABLES = {
    "users",
    "user_entities",
    "api_tokens",
    "web_sessions",
    "evidence",
    "period_locks",
    "review_comments",
}


def test_migrated_schema_matches_metadata(ws: Ledger) -> None:
    assert ws.db.schema_is_current()
    with ws.db.reading() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
        present = set(connection.dialect.get_table_names(connection))
    assert present >= COLLABORATION_TABLES


def test_migrate_is_idempotent(ws: Ledger) -> None:
    ws.db.migrate()
    assert ws.db.schema_is_current()
