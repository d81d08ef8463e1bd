"""Persistence: SQLAlchemy 2 tables, the database connection, Alembic migrations."""

from esgledger.store.database import Database, open_database, resolve_url, sqlite_file

__all__ = ["Database", "open_database", "resolve_url", "sqlite_file"]
