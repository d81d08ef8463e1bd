"""One service layer behind every door (issue 8, part 1): the command line acts as a named account
with that account's role and scope, a write always records a person, imports go through the same
controls as the entry form, and segregation of duties holds across doors."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.service_errors import Forbidden, Invalid
from esgledger.services import Services, os_login
from esgledger.services.datapoints import Filters
from esgledger.services.operation import OPERATIONS, Capability
from esgledger.store.database import URL_ENV
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, PASSWORD, World
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv("ESGLEDGER_USER", raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    monkeypatch.setattr(cli_common.errors, "width", 10_000)


def cli(db_url: str, *args: str, password: str | None = None) -> Result:
    env = {"ESGLEDGER_PASSWORD": password or ""}
    return CliRunner().invoke(app, ["--db", db_url, *args], env=env)


def actors(services: Services, action: str) -> list[str]:
    with services.db.reading() as connection:
        return list(
            connection.execute(
                sa.text("select actor from audit_log where action = :a order by seq"), {"a": action}
            ).scalars()
        )


def data_file(tmp_path: Path, rows: list[list[object]], name: str = "data.csv") -> Path:
    return write_csv(tmp_path / name, DATA_HEADER, rows)


# -- who acts on the command line --------------------------------------------------------------
def test_init_makes_an_admin_for_the_os_login_who_acts_without_a_password(
    world: World, db_url: str, tmp_path: Path
) -> None:
    login = os_login()
    assert world.services.accounts.get(world.user("admin"), login).role == "admin"
    rows = [["plant_a", "2024", "energy.diesel", 10, "t", "measured", "", ""]]
    result = cli(db_url, "data", "import", str(data_file(tmp_path, rows)))
    assert result.exit_code == 0, result.output
    assert actors(world.services, "import.batch")[-1] == login


def test_a_named_account_acts_with_its_password_role_and_scope(
    world: World, db_url: str, tmp_path: Path
) -> None:
    mine = data_file(tmp_path, [["plant_a", "2024", "energy.diesel", 10, "t", "", "", ""]])
    theirs = data_file(
        tmp_path, [["plant_b", "2024", "energy.diesel", 10, "t", "", "", ""]], "b.csv"
    )
    refused = cli(db_url, "--user", "owner_a", "data", "import", str(mine), password="wrong one")
    assert refused.exit_code == 1 and "wrong user name or password" in refused.output
    done = cli(db_url, "--user", "owner_a", "data", "import", str(mine), password=PASSWORD)
    assert done.exit_code == 0, done.output
    assert actors(world.services, "import.batch")[-1] == "owner_a"
    outside = cli(db_url, "--user", "owner_a", "data", "import", str(theirs), password=PASSWORD)
    assert outside.exit_code == 1
    said = " ".join(outside.output.split())  # outside the scope, an entity is unknown
    assert "found 'plant_b'" in said and "did you mean 'plant_a'" in said, said
    viewer = cli(db_url, "--user", "viewer", "calc", "--period", "2024", password=PASSWORD)
    assert viewer.exit_code == 1 and "the viewer role may not do calc.run" in viewer.output


def test_without_an_account_for_the_os_login_the_command_line_says_what_to_do(
    world: World, db_url: str
) -> None:
    world.services.accounts.update(world.user("admin"), os_login(), active=False)
    result = cli(db_url, "org", "list")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert f"no active account '{os_login()}'" in text and "--user NAME" in text


def test_the_first_user_add_works_on_a_ledger_without_accounts(tmp_path: Path) -> None:
    """A ledger whose OS login could not have an account: the first account is an admin, made
    without an acting user."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    services = Services.open(url, create=True)
    services.context.db.migrate()
    services.dispose()
    refused = cli(url, "user", "add", "alice", "--role", "viewer", password=PASSWORD)
    assert refused.exit_code == 1 and "the first one must be an admin" in refused.output
    added = cli(url, "user", "add", "alice", "--role", "admin", password=PASSWORD)
    assert added.exit_code == 0, added.output
    listed = cli(url, "--user", "alice", "user", "list", password=PASSWORD)
    assert listed.exit_code == 0 and "alice  admin" in listed.output


def test_a_missing_ledger_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(
        app, ["--db", str(missing), "show", "ghg.scope1", "--entity", "g", "--period", "2024"]
    )
    assert result.exit_code == 1 and "no ledger at" in result.output
    assert not missing.exists()


def test_show_names_an_unknown_entity_and_prints_every_digit(
    ws: Ledger, db_url: str, tmp_path: Path
) -> None:
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ["id", "name", "parent", "country", "type"],
            [["grp", "Group", "", "CN", "group"]],
        )
    )
    ws.import_data(
        data_file(tmp_path, [["grp", "2024", "energy.electricity_purchased", 5147970.25, "MWh"]])
    )
    shown = cli(
        db_url, "show", "energy.electricity_purchased", "--entity", "grp", "--period", "2024"
    )
    assert "= 5,147,970.25 MWh" in shown.output, shown.output
    unknown = cli(db_url, "show", "ghg.scope1", "--entity", "nowhere", "--period", "2024")
    assert unknown.exit_code == 1 and "no entity 'nowhere'" in unknown.output
    assert "calc" not in unknown.output.split("no entity")[1].split("(")[0]
    typo = cli(db_url, "show", "ghg.scope1", "--entity", "gpr", "--period", "2024")
    assert "no entity 'gpr' (did you mean 'grp'?)" in typo.output
    metric = cli(
        db_url, "show", "energy.electricity_purchase", "--entity", "grp", "--period", "2024"
    )
    assert "did you mean 'energy.electricity_purchased'" in metric.output


# -- the same controls whichever door ----------------------------------------------------------
def test_a_manager_who_imported_a_value_cannot_approve_it_through_the_api(
    world: World, client: TestClient, db_url: str, tmp_path: Path
) -> None:
    """The issue's case: imports arrived already submitted and the importer could approve them."""
    rows = [["plant_a", "2024", "energy.diesel", 10, "t", "", "", ""]]
    done = cli(
        db_url,
        "--user",
        "manager",
        "data",
        "import",
        str(data_file(tmp_path, rows)),
        password=PASSWORD,
    )
    assert done.exit_code == 0, done.output
    (point,) = world.services.datapoints.find(world.user("auditor"), _filters("plant_a"), 5, 0)[0]
    assert point.status == "submitted" and point.created_by == "manager"
    answer = client.post(
        f"{API}/datapoints/{point.id}/approve",
        json={"version": point.version},
        headers=world.headers("manager"),
    )
    assert answer.status_code == 403, answer.text
    assert "segregation of duties" in answer.json()["error"]["message"]
    other = client.post(
        f"{API}/datapoints/{point.id}/approve",
        json={"version": point.version},
        headers=world.headers("manager2"),
    )
    assert other.status_code == 200, other.text


def test_a_reviewer_who_changed_any_version_since_the_last_approval_cannot_approve(
    world: World,
) -> None:
    """The issue's case: owner creates, manager M corrects, owner edits the note only and submits:
    M had changed the value, so M may not approve it."""
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 10, "t"))
    point = services.datapoints.correct(manager, point.id, 1, {"value": 12})
    point = services.datapoints.correct(owner, point.id, 2, {"note": "meter 7"})
    point = services.datapoints.submit(owner, point.id, 3)
    with pytest.raises(Forbidden, match="segregation of duties"):
        services.datapoints.approve(manager, point.id, 3)
    approved = services.datapoints.approve(world.user("manager2"), point.id, 3)
    # after the approval, a new cycle starts: the manager's earlier change no longer counts
    later = services.datapoints.correct(owner, approved.id, 3, {"value": 13})
    services.datapoints.submit(owner, later.id, 4)
    assert services.datapoints.approve(manager, later.id, 4).status == "approved"


def test_an_import_submits_except_unexplained_large_changes(world: World, tmp_path: Path) -> None:
    """As on the entry form: a value that moved more than the threshold against last year needs
    an explanation before it is submitted; the import keeps it as a draft and says so."""
    ws = world.ws
    last = [
        ["plant_a", "2023", "energy.diesel", 100, "t", "", "", ""],
        ["plant_a", "2023", "energy.coke", 100, "t", "", "", ""],
    ]
    ws.import_data(data_file(tmp_path, last, "2023.csv"))
    this = [
        ["plant_a", "2024", "energy.diesel", 110, "t", "", "", ""],  # +10 %
        ["plant_a", "2024", "energy.coke", 200, "t", "", "", ""],  # +100 %: needs explaining
        ["plant_a", "2024", "energy.lpg", 5, "t", "", "", ""],  # nothing last year
    ]
    result = world.services.imports.data(ws.admin, data_file(tmp_path, this, "2024.csv"))
    assert result.written.created == 3
    assert result.held == [{"entity": "plant_a", "period": "2024", "metric": "energy.coke"}]
    found = world.services.datapoints.find(
        world.user("auditor"), _filters("plant_a", "2024"), 10, 0
    )
    assert {p.metric_id: p.status for p in found[0]} == {
        "energy.diesel": "submitted",
        "energy.coke": "draft",
        "energy.lpg": "submitted",
    }


# -- every operation declared once -------------------------------------------------------------
SIGN_IN = {
    "authenticate",
    "issue_token",
    "open_session",
    "principal_for_token",
    "signed_in",
    "principal_for_session",
    "revoke_token",
    "close_session",
    "command_line_actor",
    "principal",
    "create_first_admin",
    "has_accounts",
}


def test_every_operation_of_every_capability_is_declared_with_its_action() -> None:
    """A public method of a capability is a declared operation (a plain function there would
    skip the wrapper: no policy, no transaction, no audit entry), sign-in aside."""
    capabilities = Capability.__subclasses__()
    assert len(capabilities) >= 12
    undeclared = [
        f"{capability.__name__}.{name}"
        for capability in capabilities
        for name, member in inspect.getmembers(capability)
        if not name.startswith("_") and name not in SIGN_IN and inspect.isfunction(member)
    ]
    assert undeclared == []
    declared = {d.name.split(".")[0] for d in OPERATIONS.values()}
    assert {c.__name__ for c in capabilities} <= declared


def _filters(entity: str, period: str | None = None) -> Filters:
    return Filters(period=period, entity=entity)


@pytest.mark.parametrize("text", ["2024-13", "last year", "1800"])
def test_a_period_that_is_not_one_is_refused_naming_the_field(
    world: World, tmp_path: Path, text: str
) -> None:
    """Every operation taking a period refuses text that is not one as invalid input (a 422 on
    the API, a message on the command line), never as an internal error."""
    services, manager = world.services, world.user("manager")
    activity = tmp_path / "activity.csv"
    activity.write_text("entity,timestamp,metric,value,unit\n", encoding="utf-8")
    refusals = [
        lambda: services.imports.template(manager, "plant_a", text),
        lambda: services.imports.activity(manager, activity, text),
        lambda: services.calculation.trends(manager, text, ["base_year_total"]),
        lambda: services.calculation.recompute(manager, text),
    ]
    for refusal in refusals:
        with pytest.raises(Invalid) as refused:
            refusal()
        assert refused.value.field == "period"
