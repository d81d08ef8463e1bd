"""Signed-in web clients for the page tests: one TestClient (own cookie jar) per user name.

A pytest plugin (``tests/conftest.py``): the fixture ``app`` is the application over the
``world`` with last year's values of ``plant_a`` imported (a test module may override it), and
``browse["auditor"]`` a client signed in as ``auditor`` on it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from esgledger.api import create_app
from tests.collab_fixtures import PASSWORD, World
from tests.web_seed import seed_last_year


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def csrf(client: TestClient, path: str = "/dashboard") -> str:
    """The CSRF token of the signed-in client's session, read from a page's form."""
    return form_token(client.get(path).text)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    token = form_token(client.get("/login").text)
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    return form_token(client.get("/dashboard").text)


@contextmanager
def signed_in_clients(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    """``clients["auditor"]`` is a client signed in as ``auditor``, made on first use."""

    class Clients(dict[str, TestClient]):
        def __missing__(self, username: str) -> TestClient:
            client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
            client.__enter__()
            sign_in(client, username)
            self[username] = client
            return client

    found = Clients()
    try:
        yield found
    finally:
        for client in found.values():
            client.__exit__(None, None, None)


@pytest.fixture
def app(world: World, tmp_path: Path) -> FastAPI:
    seed_last_year(world.ws, tmp_path)
    return create_app(world.services)


@pytest.fixture
def browse(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    with signed_in_clients(app) as clients:
        yield clients


def finished_build(client: TestClient, year: str, timeout: float = 120) -> dict[str, Any]:
    """The year's full report build job once it is done or failed (polled as the page does)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/reports/full/{year}/progress.json").json()["job"]
        if job is not None and job["state"] in ("done", "failed"):
            return dict(job)
        assert time.monotonic() < deadline, f"the build of {year} did not finish: {job}"
        time.sleep(0.2)
