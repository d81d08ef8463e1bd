"""Migrations keep the data: a ledger created by the first migration, with rows in it, upgrades to
the newest schema with every row intact, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from esgledger.store.database import Database, open_database
from tests.conftest import _admin_execute, _admin_url_for


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'old.db'}")
        yield database
        database.dispose()
        return
    request.getfixturevalue("postgres_template")  # makes sure the server answers
    name = f"esgledger_mig_{uuid.uuid4().hex[:8]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    database = open_database(_admin_url_for(name))
    yield database
    database.dispose()
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_first_schema_keeps_rows(empty_database: Database) -> None:
    with empty_database.engine.begin() as connection:
        command.upgrade(empty_database._alembic_config(connection), "0001")
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into entities (id, name, country, type, ownership, operational_control) "
                "values ('grp', 'Group', 'CN', 'group', 1, true), "
                "('plant', 'Plant', 'CN', 'plant', 1, true)"
            )
        )
        connection.execute(sa.text("update entities set parent_id = 'grp' where id = 'plant'"))
        connection.execute(
            sa.text(
                "insert into datapoints (id, entity_id, period, metric_id, value, unit, "
                "value_normalised, method, status, version, is_current, created_at, created_by) "
                "values (1, 'plant', '2024', 'energy.diesel', 5, 't', 5, 'measured', 'submitted', 1, "
                "true, 'now', 'x')"
            )
        )

    empty_database.migrate()

    assert empty_database.schema_is_current()
    with empty_database.engine.connect() as connection:
        rows = connection.execute(
            sa.text("select id, parent_id, financial_control from entities order by id")
        ).all()
        points = connection.execute(sa.text("select entity_id, value from datapoints")).all()
    assert [(r.id, r.parent_id, bool(r.financial_control)) for r in rows] == [
        ("grp", None, True),
        ("plant", "grp", True),
    ]
    assert [(p.entity_id, p.value) for p in points] == [("plant", 5.0)]
