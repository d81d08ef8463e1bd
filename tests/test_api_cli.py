"""``esgledger user add`` and ``esgledger serve``: a real server on loopback, on both backends."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from esgledger.cli.main import app
from tests.collab_fixtures import API

PASSWORD = "a long enough password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_user_add(db_url: str) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["--db", db_url, "user", "add", "alice", "--role", "admin"],
        env={"ESGLEDGER_PASSWORD": PASSWORD},
    )
    assert added.exit_code == 0, added.output
    assert "user alice created with role admin" in added.output
    again = runner.invoke(
        app,
        ["--db", db_url, "user", "add", "alice", "--role", "admin"],
        env={"ESGLEDGER_PASSWORD": PASSWORD},
    )
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = runner.invoke(
        app,
        ["--db", db_url, "user", "add", "bob", "--role", "root"],
        env={"ESGLEDGER_PASSWORD": PASSWORD},
    )
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    unknown_entity = runner.invoke(
        app,
        ["--db", db_url, "user", "add", "bob", "--role", "data_owner", "--entity", "nowhere"],
        env={"ESGLEDGER_PASSWORD": PASSWORD},
    )
    assert unknown_entity.exit_code == 1 and "no entity" in unknown_entity.output
    prompted = runner.invoke(
        app,
        ["--db", db_url, "user", "add", "carol", "--role", "viewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env={"ESGLEDGER_PASSWORD": ""},
    )
    assert prompted.exit_code == 1  # no terminal and no ESGLEDGER_PASSWORD: refused, not hung


def test_serve_answers_on_loopback(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(
        app,
        ["--db", db_url, "user", "add", "alice", "--role", "auditor"],
        env={"ESGLEDGER_PASSWORD": PASSWORD},
    )
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("esgledger")),
        "--db",
        db_url,
        "serve",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, cwd=tmp_path, env={"ESGLEDGER_FILES_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    )
    base = f"http://127.0.0.1:{port}{API}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = httpx.post(f"{base}/auth/token", json={"username": "alice", "password": PASSWORD})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(f"{base}/audit/verify", headers=headers).json()["ok"] is True
        assert httpx.get(f"{base}/datapoints").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)
