"""Many writers editing the same data points at once: every write either lands as a new version
or gets a version conflict; none is lost. On SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from esgledger.api import create_app
from esgledger.service_errors import Conflict
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World

WRITERS = 8
ATTEMPTS = 12
METRICS = ("energy.diesel", "energy.coke", "energy.gasoline")


def _check_no_lost_update(world: World, ids: dict[str, int], landed: list[tuple[str, float]]):
    manager = world.user("manager")
    for metric, point_id in ids.items():
        versions = world.services.datapoints.history(manager, point_id)["versions"]
        written = sorted(value for m, value in landed if m == metric)
        # version 1 is the seed; every landed write is exactly one later version, in order
        assert [v["version"] for v in versions] == list(range(1, len(written) + 2))
        assert sorted(v["value"] for v in versions[1:]) == written
        assert world.services.datapoints.get(manager, point_id).version == len(written) + 1
    assert world.services.audit.verify(manager).ok


def test_service_writers_lose_no_update(world: World) -> None:
    services, owner = world.services, world.user("owner_a")
    ids = {
        m: services.datapoints.create(owner, Entry("plant_a", "2024", m, 1.0, "t")).id
        for m in METRICS
    }
    landed: list[tuple[str, float]] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    writers = [world.user(name) for name in ("owner_a", "manager", "manager2", "admin")]

    def writer(number: int) -> None:
        user = writers[number % len(writers)]
        for attempt in range(ATTEMPTS):
            metric = METRICS[(number + attempt) % len(METRICS)]
            base = services.datapoints.get(user, ids[metric]).version
            value = 1000.0 * number + attempt + 2  # unique per write
            try:
                services.datapoints.correct(user, ids[metric], base, {"value": value})
            except Conflict as conflict:
                assert conflict.details["version"] > base
                with lock:
                    outcomes["conflict"] += 1
            else:
                with lock:
                    outcomes["landed"] += 1
                    landed.append((metric, value))

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    assert outcomes["landed"] + outcomes["conflict"] == WRITERS * ATTEMPTS
    assert outcomes["landed"] >= len(METRICS)
    _check_no_lost_update(world, ids, landed)


def test_http_clients_lose_no_update(world: World) -> None:
    app = create_app(world.services)
    owner = world.user("owner_a")
    ids = {
        m: world.services.datapoints.create(owner, Entry("plant_a", "2024", m, 1.0, "t")).id
        for m in METRICS
    }
    landed: list[tuple[str, float]] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    names = ("owner_a", "manager", "manager2", "admin")

    def client(number: int) -> None:
        headers = world.headers(names[number % len(names)])
        with TestClient(app) as http:
            for attempt in range(ATTEMPTS):
                metric = METRICS[(number + attempt) % len(METRICS)]
                url = f"{API}/datapoints/{ids[metric]}"
                version = http.get(url, headers=headers).json()["version"]
                value = 1000.0 * number + attempt + 2
                answer = http.patch(url, json={"version": version, "value": value}, headers=headers)
                with lock:
                    statuses[answer.status_code] += 1
                    if answer.status_code == 200:
                        landed.append((metric, value))
                    else:
                        body = answer.json()["error"]
                        assert body["code"] == "version_conflict"
                        assert body["details"]["current"]["version"] > version

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(client, range(WRITERS)))
    assert set(statuses) <= {200, 409} and sum(statuses.values()) == WRITERS * ATTEMPTS
    _check_no_lost_update(world, ids, landed)
