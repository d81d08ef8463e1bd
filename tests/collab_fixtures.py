"""Fixtures for the collaboration tests (access, workflow, API), on both backends.

A small group: ``grp`` with plants ``plant_a`` (which has a sub-entity ``line_a1``) and ``plant_b``;
one user per role, the data owner and a scoped viewer assigned to ``plant_a``. Passwords are hashed
with cheap argon2 parameters so that the tests stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from esgledger.access import passwords
from esgledger.api import create_app
from esgledger.catalogue import Catalogue
from esgledger.services import Options, Principal, Services
from tests.helpers import ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

PASSWORD = "correct horse battery"
# username -> (role, assigned entities)
USERS: dict[str, tuple[str, list[str]]] = {
    "admin": ("admin", []),
    "manager": ("esg_manager", []),
    "manager2": ("esg_manager", []),
    "owner_a": ("data_owner", ["plant_a"]),
    "owner_b": ("data_owner", ["plant_b"]),
    "auditor": ("auditor", []),
    "viewer": ("viewer", []),
    "viewer_a": ("viewer", ["plant_a"]),
}
API = "/api/v1"


def fake_report(
    _connection: sa.Connection, _catalogue: Catalogue, period: str, out: Path, lang: str
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"esg-report-{period}-{lang}.html"
    path.write_text(f"<html><body>report {period} {lang}</body></html>", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def cheap_password_hashing() -> None:
    passwords.configure(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def make_org(ws: Ledger, directory: Path) -> None:
    org = write_csv(
        directory / "org.csv",
        ORG_HEADER,
        [
            ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
            ["plant_a", "Plant A", "grp", "CN", "甲厂", "plant", "", "", "", ""],
            ["line_a1", "Line A1", "plant_a", "CN", "甲一线", "branch", "", "", "", ""],
            ["plant_b", "Plant B", "grp", "CN", "乙厂", "plant", "", "", "", ""],
        ],
    )
    ws.import_organisation(org)


@dataclass
class World:
    """The services, the users' principals and bearer tokens; ``ws`` acts as the ledger's first
    admin for set-up."""

    services: Services
    ws: Ledger
    principals: dict[str, Principal]
    tokens: dict[str, str]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def user(self, username: str) -> Principal:
        return self.principals[username]


@pytest.fixture
def world(db_url: str, tmp_path: Path, cheap_password_hashing: None) -> Iterator[World]:
    services = Services.open(
        db_url, Options(files_dir=tmp_path / "files", report_builder=fake_report)
    )
    ws = Ledger(services)
    make_org(ws, tmp_path)
    tokens: dict[str, str] = {}
    principals: dict[str, Principal] = {}
    for name, (role, entities) in USERS.items():
        services.accounts.create(ws.admin, name, PASSWORD, role, entities)
        tokens[name] = services.accounts.issue_token(name, PASSWORD, "setup").secret
        principals[name] = services.accounts.principal_for_token(tokens[name])
    yield World(services, ws, principals, tokens)
    services.dispose()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.services), raise_server_exceptions=False) as test_client:
        yield test_client
