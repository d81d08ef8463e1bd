"""The audit log is append-only on PostgreSQL (migration 0008), for real roles on the real server.

An ordinary role owns a new database and runs ``esgledger init`` in it: it may then not UPDATE,
DELETE or TRUNCATE the audit log (the migration revoked it), and neither may a superuser, whom the
trigger stops. A server role that does not own the tables gets what it needs from
``esgledger grant-server-role``, writes the ledger, and may only append to the log. The owner can
still restore a backup into an empty database (nothing deletes audit entries). SQLite has no
roles: the migration changes nothing there, and the grant command says so.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from esgledger.services import Services
from esgledger.store import open_database
from esgledger.store.database import URL_ENV
from tests.backup_helpers import cli, said, use_folders
from tests.conftest import PG_ADMIN_URL, _admin_execute
from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

CHANGES = {
    "UPDATE": "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
    "DELETE": "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
    "TRUNCATE": "TRUNCATE audit_log",
}


@dataclass
class Cluster:
    """A database owned by an ordinary role, a server role, and how each connects to it."""

    database: str
    owner: str
    server: str

    def url(self, role: str | None = None, database: str | None = None) -> str:
        """The database as ``role`` (default: the superuser of the test server)."""
        found = sa.make_url(PG_ADMIN_URL).set(database=database or self.database)
        if role is not None:
            found = found.set(username=role, password=None)
        return found.render_as_string(hide_password=False)


@pytest.fixture
def cluster(
    postgres_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cluster]:
    suffix = uuid.uuid4().hex[:8]
    found = Cluster(f"esgledger_owned_{suffix}", f"esg_owner_{suffix}", f"esg_server_{suffix}")
    for role in (found.owner, found.server):
        _admin_execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    _admin_execute(f'CREATE DATABASE "{found.database}" OWNER "{found.owner}"')
    monkeypatch.delenv(URL_ENV, raising=False)
    use_folders(monkeypatch, tmp_path / "files")
    try:
        init = cli(found.url(found.owner), "init")
        assert init.exit_code == 0, init.output
        yield found
    finally:
        for database in (found.database, f"{found.database}_restored"):
            _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in (found.server, found.owner):
            _admin_execute(f'DROP ROLE IF EXISTS "{role}"')


def refusal(url: str, statement: str) -> str:
    """The error ``statement`` raises, run on its own as the role of ``url``."""
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.DBAPIError) as raised, engine.begin() as connection:
            connection.execute(sa.text(statement))
        return str(raised.value.orig)
    finally:
        engine.dispose()


def audit_log_rows(url: str) -> list[tuple[int, str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT seq, actor, hash FROM audit_log ORDER BY seq")
            return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_the_owner_and_a_superuser_cannot_change_the_audit_log(cluster: Cluster) -> None:
    owner, superuser = cluster.url(cluster.owner), cluster.url()
    before = audit_log_rows(superuser)
    assert len(before) > 1

    for kind, statement in CHANGES.items():
        assert "permission denied for table audit_log" in refusal(owner, statement), kind
        said_by_trigger = refusal(superuser, statement)
        assert f"audit_log is append-only: {kind} is not allowed" in said_by_trigger, kind

    assert audit_log_rows(superuser) == before
    assert cli(owner, "audit", "verify").exit_code == 0


def test_the_migration_goes_back_and_forth(cluster: Cluster) -> None:
    owner = cluster.url(cluster.owner)
    database = open_database(owner)
    try:
        with database.engine.begin() as connection:
            command.downgrade(database._alembic_config(connection), "0007")
        engine = sa.create_engine(owner)
        with engine.begin() as connection:  # the owner may again: nothing stops it
            connection.execute(sa.text("UPDATE audit_log SET actor = actor WHERE seq = 1"))
        engine.dispose()
        database.migrate()
    finally:
        database.dispose()
    assert "permission denied" in refusal(owner, CHANGES["UPDATE"])
    assert "append-only" in refusal(cluster.url(), CHANGES["UPDATE"])


def test_a_server_role_writes_the_ledger_and_may_only_append_to_the_log(
    cluster: Cluster, tmp_path: Path
) -> None:
    owner, server = cluster.url(cluster.owner), cluster.url(cluster.server)
    refused = cli(owner, "grant-server-role", cluster.owner)
    assert refused.exit_code == 1 and said("owns the ledger's tables", refused.stderr)
    refused = cli(owner, "grant-server-role", "postgres")
    assert refused.exit_code == 1 and said("is a superuser", refused.stderr)
    refused = cli(owner, "grant-server-role", "nobody_at_all")
    assert refused.exit_code == 1 and said("no PostgreSQL role 'nobody_at_all'", refused.stderr)
    assert "permission denied" in refusal(server, "SELECT * FROM audit_log")

    granted = cli(owner, "grant-server-role", cluster.server)

    assert granted.exit_code == 0, granted.output
    services = Services.open(server)
    ws = Ledger(services)
    try:
        ws.import_organisation(
            write_csv(
                tmp_path / "org.csv",
                ORG_HEADER,
                [["grp", "Group", "", "CN", "", "group", "", "", "", ""]],
            )
        )
        ws.import_data(
            write_csv(
                tmp_path / "data.csv",
                DATA_HEADER,
                [["grp", "2024", "energy.diesel", "5", "t", "", "", ""]],
            )
        )
        ws.calc("2024")
        assert services.audit.verify(ws.admin).ok
        anchor = services.audit.anchor(ws.admin)
    finally:
        services.dispose()
    for kind, statement in CHANGES.items():
        assert "permission denied for table audit_log" in refusal(server, statement), kind
    refused_trigger = refusal(server, "ALTER TABLE audit_log DISABLE TRIGGER ALL")
    assert "must be owner of table audit_log" in refused_trigger
    assert audit_log_rows(cluster.url())[-1][0] == anchor.seq


def test_the_owner_restores_into_an_empty_database_it_owns(
    cluster: Cluster, tmp_path: Path
) -> None:
    owner = cluster.url(cluster.owner)
    archive = tmp_path / "ledger.tar.gz"
    assert cli(owner, "backup", str(archive)).exit_code == 0
    target_name = f"{cluster.database}_restored"
    _admin_execute(f'CREATE DATABASE "{target_name}" OWNER "{cluster.owner}"')
    target = cluster.url(cluster.owner, target_name)

    restored = cli(target, "restore", str(archive))

    assert restored.exit_code == 0, restored.output
    assert audit_log_rows(cluster.url(database=target_name)) == audit_log_rows(cluster.url())
    assert "permission denied" in refusal(target, CHANGES["DELETE"])


def test_sqlite_has_no_roles(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "ledger.db"
    shutil.copy(sqlite_template, path)
    refused = cli(str(path), "grant-server-role", "server")
    assert refused.exit_code == 1 and said("a SQLite ledger has no database roles", refused.stderr)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # the migration left SQLite as it was
        connection.execute(sa.text(CHANGES["UPDATE"]))
    engine.dispose()
