"""Open a database by path or URL, apply pragmas, and bring its schema to the latest migration.

SQLite is the embedded default (one file, WAL journal, foreign keys on, every transaction begun
IMMEDIATE so that writers queue instead of failing mid-way). PostgreSQL is reached by URL
(``postgresql://...``; the psycopg 3 driver is used).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

DEFAULT_DB = "./esgledger.db"
URL_ENV = "ESGLEDGER_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def resolve_url(db: str | None) -> str:
    """``ESGLEDGER_DATABASE_URL`` wins; otherwise ``db`` as a URL, or as a SQLite file path."""
    chosen = os.environ.get(URL_ENV) or db or DEFAULT_DB
    if "://" in chosen:
        if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
            return "postgresql+psycopg://" + chosen.split("://", 1)[1]
        return chosen
    return f"sqlite:///{Path(chosen).expanduser()}"


@dataclass
class Database:
    """An engine plus the operations every layer needs: transactions and migrations."""

    engine: sa.Engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One all-or-nothing unit of work."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            yield connection

    def _alembic_config(self, connection: sa.Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        return config

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (idempotent)."""
        with self.engine.begin() as connection:
            command.upgrade(self._alembic_config(connection), "head")

    def schema_is_current(self) -> bool:
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(self._alembic_config(connection)).get_current_head()
        return current is not None and current == head

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Create an engine for ``url`` with the pragmas and transaction mode esgledger relies on."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60})
        _configure_sqlite(engine)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    return Database(engine=engine)


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
