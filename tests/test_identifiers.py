"""User names and entity ids follow one documented rule at every door (esgledger.identifiers):
the organisation importer, user creation (service, API) and the API's request models. Entity
names and aliases stay free text (Chinese allowed) but on one line and bounded."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esgledger.identifiers import is_entity_id, is_username
from esgledger.service_errors import Invalid
from tests.collab_fixtures import API, PASSWORD, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_import_errors import ORG_COLUMNS, ORG_ROWS, org_row, reject_org

DEMO_ORGANISATION = Path(__file__).parents[1] / "src/esgledger/demo/data/organisation.csv"


@pytest.mark.parametrize(
    "text",
    ["bob\n", "bob\r\n", " bob", "bob smith", "../etc", "a/b", "a#b", "-bob", "é", "x" * 65, ""],
)
def test_bad_user_names(text: str) -> None:
    assert not is_username(text)


@pytest.mark.parametrize("text", ["bob", "wang.li@example.com", "a_b-c.d", "X" * 64, "7"])
def test_good_user_names(text: str) -> None:
    assert is_username(text)


@pytest.mark.parametrize(
    "text",
    [
        "plant@2",  # the lineage key separator: metric@entity@period
        "plant/2",  # a path separator
        "plant#own",  # marks an entity's own part in lineage
        "plant 2",
        "plant\n",
        "plant\t2",
        "电解铝厂",  # names in Chinese are aliases, not ids
        "_plant",
        "x" * 65,
        "x" * 100_000,
    ],
)
def test_bad_entity_ids(text: str) -> None:
    assert not is_entity_id(text)


def test_the_demo_organisation_and_the_fixtures_follow_the_rule() -> None:
    with DEMO_ORGANISATION.open(encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert ids and all(is_entity_id(i) for i in ids), [i for i in ids if not is_entity_id(i)]
    assert all(is_entity_id(row[0]) for row in ORG_ROWS)


# -- the organisation importer ---------------------------------------------------------------------
BAD_IDS = ["plant@2", "plant/2", "plant#2", "plant 2", "plant\n2", "x" * 100_000]


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda text: repr(text[:12]))
def test_organisation_import_refuses_ids_outside_the_rule(
    ledger: Ledger, tmp_path: Path, bad: str
) -> None:
    issues = reject_org(
        ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, [org_row(), org_row(id=bad)])
    )
    assert [(i.row, i.field) for i in issues] == [(3, "id")]
    assert "letters" in issues[0].expected and "@, / or #" in issues[0].expected
    assert len(issues[0].found) < 300  # a long cell is not echoed whole


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Plant\n2"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"aliases": "P2;bad\x07alias"}, "aliases"),
        ({"aliases": "y" * 201}, "aliases"),
        ({"aliases": "\u202eevil"}, "aliases"),  # a right-to-left override
    ],
)
def test_organisation_import_refuses_names_and_aliases_with_control_characters_or_too_long(
    ledger: Ledger, tmp_path: Path, changes: dict[str, str], field: str
) -> None:
    issues = reject_org(ledger, write_csv(tmp_path / "org2.csv", ORG_COLUMNS, [org_row(**changes)]))
    assert [(i.row, i.field) for i in issues] == [(2, field)]


def test_organisation_import_keeps_chinese_aliases(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_organisation(
        write_csv(tmp_path / "org2.csv", ORG_COLUMNS, [org_row(aliases="二号厂;P-2")])
    )
    assert set(next(e for e in ledger.entities() if e.id == "plant2").aliases) == {"二号厂", "P-2"}


# -- user creation ---------------------------------------------------------------------------------
def test_a_user_name_with_a_trailing_newline_is_refused(world: World) -> None:
    with pytest.raises(Invalid) as refused:
        world.services.accounts.create(world.user("admin"), "newbie\n", PASSWORD, "viewer", [])
    assert refused.value.field == "username"
    with pytest.raises(Invalid):
        world.services.accounts.create(
            world.ws.admin, "newbie\n", PASSWORD, "viewer", []
        )  # the CLI's door
    assert "newbie\n" not in {
        u.username for u in world.services.accounts.users(world.user("admin"))
    }


def test_the_api_refuses_user_names_and_entity_ids_outside_the_rule(
    client: TestClient, world: World
) -> None:
    admin = world.headers("admin")
    for body, field in (
        ({"username": "newbie\n", "password": PASSWORD, "role": "viewer"}, "username"),
        ({"username": "new/bie", "password": PASSWORD, "role": "viewer"}, "username"),
        (
            {"username": "newbie", "password": PASSWORD, "role": "viewer", "entities": ["a@b"]},
            "entities.0",
        ),
    ):
        answer = client.post(f"{API}/users", json=body, headers=admin)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field
    created = client.post(
        f"{API}/users",
        json={"username": "wang.li@example.com", "password": PASSWORD, "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201, created.text


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_COLUMNS, ORG_ROWS))
    return ws
