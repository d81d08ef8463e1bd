"""Fixtures: every ledger test runs on SQLite and on a real PostgreSQL server.

PostgreSQL is found at ``ESGLEDGER_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/
postgres``); if nothing answers there, the local cluster is started with ``pg_ctlcluster``. If that
fails too, the run stops with an error: PostgreSQL tests are never skipped silently.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.services import Options, Services
from tests.ledger_fixture import Ledger

PG_ADMIN_URL = os.environ.get(
    "ESGLEDGER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
).replace("postgresql://", "postgresql+psycopg://", 1)
BACKENDS = ["sqlite", "postgresql"]
pytest_plugins = ["tests.collab_fixtures", "tests.web_clients"]
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _server_ledger_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL ledger keeps its files where the environment says (default: the working
    folder); tests keep them in a temporary folder, never in the checkout."""
    if "ESGLEDGER_FILES_DIR" not in os.environ:
        monkeypatch.setenv("ESGLEDGER_FILES_DIR", str(tmp_path_factory.mktemp("files")))
    if "ESGLEDGER_DATA_DIR" not in os.environ:
        monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path_factory.mktemp("data")))


def _pg_reachable() -> bool:
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _start_local_postgres() -> None:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    for version in versions:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )


def _admin_url_for(database: str) -> str:
    return sa.make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def _admin_execute(statement: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database with the schema migrated and the factor sets loaded, used as a template."""
    if not _pg_reachable():
        _start_local_postgres()
    if not _pg_reachable():
        pytest.exit(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL}; the PostgreSQL tests must run",
            returncode=3,
        )
    name = f"esgledger_tmpl_{uuid.uuid4().hex[:8]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    url = _admin_url_for(name)
    services = Services.open(url)
    services.init()
    services.dispose()
    yield name
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    services = Services.open(f"sqlite:///{path}", create=True)
    services.init()
    services.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, initialised ledger (catalogue and factor sets loaded) on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "ledger.db"
        shutil.copy(template, target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"esgledger_t_{os.getpid()}_{next(_counter)}"
    _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _admin_url_for(name)
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backend(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def ws(db_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """The fresh ledger of ``db_url``, through the service layer, acting as its first admin (the
    account ``init`` made for the OS login)."""
    services = Services.open(db_url, Options(files_dir=tmp_path / "ledger-files"))
    yield Ledger(services)
    services.dispose()
