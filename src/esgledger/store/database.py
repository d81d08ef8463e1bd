"""Open a database by path or URL, apply pragmas, and bring its schema to the latest migration.

SQLite is the embedded default (one file, WAL journal, foreign keys on, every write transaction
begun IMMEDIATE so that writers queue instead of failing mid-way; readers begin DEFERRED and read a
snapshot without waiting for writers). Writers to a SQLite file also queue on a lock (a thread lock
within a process, ``flock`` on ``FILE-writer.lock`` across processes), so that the write lock is
handed on as soon as it is free instead of each waiter polling SQLite's busy handler, which sleeps
up to 100 ms between tries. PostgreSQL is reached by URL
(``postgresql://...``; the psycopg 3 driver is used).

Durability on SQLite: ``synchronous=NORMAL`` by default (in WAL mode a commit survives a crash of
the process, but the last commits may be lost when the machine loses power or the OS crashes);
``ESGLEDGER_SQLITE_SYNCHRONOUS=FULL`` syncs the WAL at every commit, durable against power loss at
the cost of one fsync per commit (SQLite documentation, "PRAGMA synchronous").
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

DEFAULT_DB = "./esgledger.db"
URL_ENV = "ESGLEDGER_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_READ_ONLY = "esgledger_read_only"
SYNCHRONOUS_ENV = "ESGLEDGER_SQLITE_SYNCHRONOUS"
SYNCHRONOUS_LEVELS = ("NORMAL", "FULL")
# A server runs up to 40 request threads: keep enough connections open that they are reused
# rather than opened and closed per request (each SQLite connect also runs the pragmas below).
POOL = {"pool_size": 20, "max_overflow": 30}


def resolve_url(db: str | None) -> str:
    """``ESGLEDGER_DATABASE_URL`` wins; otherwise ``db`` as a URL, or as a SQLite file path."""
    chosen = os.environ.get(URL_ENV) or db or DEFAULT_DB
    if "://" in chosen:
        if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
            return "postgresql+psycopg://" + chosen.split("://", 1)[1]
        return chosen
    return f"sqlite:///{Path(chosen).expanduser()}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


@dataclass
class Database:
    """An engine plus the operations every layer needs: transactions and migrations."""

    engine: sa.Engine
    # PostgreSQL: a second pool whose connections are in autocommit mode, for ``reading``
    # (switching a pooled connection's isolation level on every checkout costs a round trip).
    reader: sa.Engine | None = None
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _lock_file: int | None = field(default=None, repr=False)
    _reader: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One all-or-nothing unit of work."""
        if not self.is_sqlite:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._write_lock, self._writer_lock(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        """Exclusive ``flock`` on the file beside the ledger, held by one writing process at a
        time (the caller holds ``_write_lock``, so one thread of this process)."""
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield
            return
        if self._lock_file is None:
            self._lock_file = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection for reads (on SQLite a deferred transaction: a snapshot, no write lock).
        Inside another ``reading`` block of the same thread, that block's connection: a request
        that checks its token and then reads takes one connection from the pool, not two."""
        shared: sa.Connection | None = getattr(self._reader, "connection", None)
        if shared is not None:
            yield shared
            return
        engine = self.reader or self.engine
        with engine.connect().execution_options(**{_READ_ONLY: True}) as connection:
            self._reader.connection = connection
            try:
                yield connection
            finally:
                self._reader.connection = None

    def _alembic_config(self, connection: sa.Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        return config

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (idempotent), in one transaction. When a
        migration applied changes what the tracked tables' digests cover (``rebaseline = True``
        in its module), every row is stamped afresh in a baseline audit entry afterwards
        (:mod:`esgledger.ledger.baseline`).

        On SQLite, altering a table means copying it (Alembic batch mode), which foreign keys would
        refuse while rows refer to it; the migration runs on a connection opened with foreign keys
        off (the pragma cannot change inside a transaction) and checks them all before committing.
        """
        if not self.is_sqlite:
            with self.engine.begin() as connection:
                self._upgrade(connection)
            return
        engine = sa.create_engine(
            self.engine.url, poolclass=sa.pool.NullPool, connect_args={"timeout": 60}
        )
        _configure_sqlite(engine, foreign_keys=False)
        try:
            with self._write_lock, self._writer_lock(), engine.begin() as connection:
                self._upgrade(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")
        finally:
            engine.dispose()

    def migrate_within(self, connection: sa.Connection) -> None:
        """PostgreSQL: upgrade the schema inside the caller's transaction (its DDL is
        transactional, so a restore creates the tables and fills them in one transaction)."""
        if self.is_sqlite:
            raise RuntimeError("SQLite migrations run on their own connection: call migrate()")
        self._upgrade(connection)

    def _upgrade(self, connection: sa.Connection) -> None:
        config = self._alembic_config(connection)
        before = MigrationContext.configure(connection).get_current_revision()
        scripts = ScriptDirectory.from_config(config)
        applied = list(scripts.iterate_revisions("heads", before)) if before else []
        command.upgrade(config, "head")
        reasons = [s.revision for s in applied if getattr(s.module, "rebaseline", False)]
        if reasons:
            from esgledger.ledger.baseline import fill_child_digests, record_baseline

            fill_child_digests(connection)
            record_baseline(connection, f"schema upgraded ({', '.join(sorted(reasons))})")

    def schema_is_current(self) -> bool:
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(self._alembic_config(connection)).get_current_head()
        return current is not None and current == head

    def dispose(self) -> None:
        self.engine.dispose()
        if self.reader is not None:
            self.reader.dispose()
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None


def sqlite_synchronous() -> str:
    """The ``synchronous`` level chosen by ``ESGLEDGER_SQLITE_SYNCHRONOUS`` (default NORMAL)."""
    chosen = os.environ.get(SYNCHRONOUS_ENV, "").strip().upper() or "NORMAL"
    if chosen not in SYNCHRONOUS_LEVELS:
        raise ValueError(
            f"{SYNCHRONOUS_ENV} is {os.environ.get(SYNCHRONOUS_ENV)!r}; expected "
            f"{' or '.join(SYNCHRONOUS_LEVELS)}"
        )
    return chosen


def open_database(url: str) -> Database:
    """Create an engine for ``url`` with the pragmas and transaction mode esgledger relies on."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60}, **POOL)
        _configure_sqlite(engine)
    else:
        # No ping before each checkout (a round trip per request): when a connection turns out
        # dead, SQLAlchemy discards every pooled connection, so after a server restart one
        # request fails (the API answers 503, retry) and the next ones get fresh connections.
        engine = sa.create_engine(url, pool_pre_ping=False, **POOL)
        # Under READ COMMITTED each statement reads its own snapshot, in a transaction or not:
        # reading outside one saves the BEGIN and ROLLBACK round trips.
        reader = sa.create_engine(url, isolation_level="AUTOCOMMIT", **POOL)
        return Database(engine=engine, reader=reader)
    return Database(engine=engine)


def _configure_sqlite(engine: sa.Engine, foreign_keys: bool = True) -> None:
    synchronous = sqlite_synchronous()  # checked once, when the ledger is opened

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
