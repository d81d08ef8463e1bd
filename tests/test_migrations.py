"""Migrations keep the data: a ledger created by the first migration, with rows in it, upgrades to
the newest schema with every row intact, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
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


def test_upgrade_keeps_a_restatement_recorded_in_the_audit_log(empty_database: Database) -> None:
    """Restatements made before 0007 were only in the ``calc.restate`` audit entry: the upgrade
    copies its figures onto the restated run."""
    with empty_database.engine.begin() as connection:
        command.upgrade(empty_database._alembic_config(connection), "0005")
    payload = {
        "base_year": "2022",
        "original": 845.09,
        "restated": 884.79,
        "change": 0.047,
        "threshold": 0.01,
        "reasons": ["method change: grid_series default -> ets"],
        "triggered_by": "2024",
    }
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into calc_runs (id, period, at, options, catalogue_sha256, result_sha256, "
                "values_count, is_current, kind) values (1, '2022', 'now', '{}', 'x', 'y', 0, true, "
                "'inventory'), (2, '2022', 'now', '{}', 'x', 'z', 0, true, 'restated')"
            )
        )
        connection.execute(
            sa.text(
                "insert into audit_log (seq, at, actor, action, object_type, object_id, payload, "
                "prev_hash, hash) values (1, 'now', 'x', 'calc.restate', 'calc_run', '2', "
                ":payload, '0', '1')"
            ),
            {"payload": json.dumps(payload)},
        )
        # the head anchors that entry, as every writer leaves it (the upgrade appends after it)
        connection.execute(sa.text("update audit_head set seq = 1, hash = '1' where id = 1"))

    empty_database.migrate()

    with empty_database.engine.connect() as connection:
        rows = dict(
            connection.execute(sa.text("select id, restatement from calc_runs order by id")).all()
        )
    assert rows[1] is None
    assert json.loads(rows[2]) == {k: v for k, v in payload.items() if k != "triggered_by"}
