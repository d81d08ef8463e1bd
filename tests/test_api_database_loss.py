"""A lost database connection answers 503 with ``Retry-After``, never 500, and the next request
works: SQLAlchemy renews the pool after the first dead connection it meets (the pool does not ping
before each checkout). PostgreSQL only (an embedded SQLite file has no connection to lose); the
backends of the test database are really terminated on the server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _terminate_backends(world: World) -> int:
    """Terminate every server process connected to the test's database; return how many."""
    database = world.services.db.engine.url.database
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                ).all()
            )
    finally:
        admin.dispose()


def _assert_unavailable(answer: Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert answer.headers["retry-after"] == "1"


def _until_served(send: Callable[[], Response], tries: int = 3) -> list[Response]:
    """Send until an answer is not 503; each 503 must have the documented shape."""
    answers = [send()]
    while answers[-1].status_code == 503 and len(answers) < tries:
        _assert_unavailable(answers[-1])
        answers.append(send())
    return answers


def test_read_after_the_server_dropped_the_connections(world: World, client: TestClient) -> None:
    point = world.services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "energy.diesel", 5.0, "t")
    )
    headers = world.headers("owner_a")
    url = f"{API}/datapoints/{point.id}"
    assert client.get(url, headers=headers).status_code == 200
    assert _terminate_backends(world) >= 1
    answers = _until_served(lambda: client.get(url, headers=headers))
    assert answers[-1].status_code == 200, answers[-1].text
    assert answers[-1].json()["value"] == 5.0


def test_write_after_the_server_dropped_the_connections(world: World, client: TestClient) -> None:
    headers = world.headers("owner_a")
    body = {"entity": "plant_a", "period": "2024", "metric": "energy.coke", "unit": "t"}
    assert client.post(f"{API}/datapoints", json={**body, "value": 1.0}, headers=headers).is_success
    assert _terminate_backends(world) >= 1
    # A request that meets a dead connection (the token check's or the writer's) writes nothing;
    # the value is created exactly once.
    answers = _until_served(
        lambda: client.post(
            f"{API}/datapoints",
            json={**body, "metric": "energy.gasoline", "value": 2.0},
            headers=headers,
        )
    )
    assert answers[-1].status_code == 201, answers[-1].text
    again = client.post(
        f"{API}/datapoints",
        json={**body, "metric": "energy.gasoline", "value": 2.0},
        headers=headers,
    )
    assert again.status_code == 409  # it exists now: created once, not twice
    manager = world.user("manager")
    assert world.services.datapoints.get(manager, answers[-1].json()["id"]).value == 2.0
    assert world.services.audit.verify(manager).ok


def test_a_dropped_connection_is_503_not_500(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the API answers when the driver reports a lost connection mid-request."""
    lost = sa.exc.OperationalError(
        "SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True
    )

    def dropped(*_args: object, **_kwargs: object) -> None:
        raise lost

    monkeypatch.setattr(world.services.datapoints, "get", dropped)
    _assert_unavailable(client.get(f"{API}/datapoints/1", headers=world.headers("owner_a")))
    broken = sa.exc.OperationalError("SELECT 1", {}, Exception("disk full"))

    def failed(*_args: object, **_kwargs: object) -> None:
        raise broken

    monkeypatch.setattr(world.services.datapoints, "get", failed)
    answer = client.get(f"{API}/datapoints/1", headers=world.headers("owner_a"))
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "disk full" not in answer.text
