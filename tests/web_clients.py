"""Signed-in web clients for the page tests: one TestClient (own cookie jar) per user name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.collab_fixtures import PASSWORD


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


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
