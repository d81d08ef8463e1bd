"""Justifications of quality findings (issue 12, part 3) on SQLite and PostgreSQL: only someone
other than the author of the values a finding rests on may justify it (the segregation of duties
of approval); justifications are versioned, audited, withdrawable, refused in a locked period,
and kept by backup and restore; fixed data leave nothing to justify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from esgledger.cli.main import app
from esgledger.ledger import qa as repository
from esgledger.qa.facts import Fact
from esgledger.service_errors import Forbidden, Invalid, NotFound, PeriodLocked
from esgledger.services import Options, Services
from esgledger.services.qa_authors import authors
from esgledger.store.schema import audit_log, qa_justifications
from esgledger.workflow.entries import Entry
from tests.backup_helpers import empty_target
from tests.collab_fixtures import API, World
from tests.qa_test_rules import qa_rules  # noqa: F401  (fixture)

KEY = "energy.diesel@plant_a@2024"


def _diesel(world: World, value: float = 20, by: str = "owner_a") -> int:
    user = world.user(by)
    point = world.services.datapoints.create(
        user, Entry("plant_a", "2024", "energy.diesel", value, "t")
    )
    return point.id


def _finding(world: World, username: str) -> dict:
    review = world.services.qa_review.review(world.user(username), "2024")
    (found,) = [f for f in review["findings"] if f["key"] == KEY]
    return found


@pytest.mark.usefixtures("qa_rules")
def test_only_someone_who_did_not_enter_the_value_justifies_it(world: World) -> None:
    services = world.services
    _diesel(world, by="manager")  # a manager entered the value: another must justify
    seen = _finding(world, "manager")
    assert seen["severity"] == "error" and seen["arithmetic"] == "20 > 15"
    assert not seen["may_justify"] and seen["refusal"].startswith("segregation of duties")
    assert seen["values"][0]["reference"].isdigit()  # links to the data point
    assert _finding(world, "manager2")["may_justify"]
    qa = services.qa_review
    with pytest.raises(Forbidden, match="segregation of duties: this finding rests on"):
        qa.justify(world.user("manager"), "2024", "diesel.limit", KEY, "Diesel for a test run")
    for role in ("owner_a", "viewer", "auditor"):
        with pytest.raises(Forbidden):
            qa.justify(world.user(role), "2024", "diesel.limit", KEY, "Not mine to say")
    with pytest.raises(Invalid, match="needs a text"):
        qa.justify(world.user("manager2"), "2024", "diesel.limit", KEY, "   ")
    with pytest.raises(NotFound, match="no open finding"):
        qa.justify(world.user("manager2"), "2024", "diesel.limit", "nothing@x@2024", "Why")
    first = qa.justify(world.user("manager2"), "2024", "diesel.limit", KEY, "Backup generators")
    assert (first["version"], first["recorded_by"], first["severity"]) == (1, "manager2", "error")
    review = qa.review(world.user("viewer"), "2024")  # every reader of the period sees it
    assert review["counts"] == {"errors_open": 0, "warnings_open": 0, "justified": 1}
    (shown,) = review["findings"]
    assert shown["justification"]["text"] == "Backup generators"
    second = qa.justify(world.user("manager2"), "2024", "diesel.limit", KEY, "Backup gensets")
    assert second["version"] == 2
    assert [j["text"] for j in qa.justifications(world.user("auditor"), "2024")] == [
        "Backup gensets"
    ]
    with pytest.raises(Invalid, match="needs a reason"):
        qa.withdraw(world.user("manager2"), "2024", "diesel.limit", KEY, "")
    gone = qa.withdraw(world.user("admin"), "2024", "diesel.limit", KEY, "Generators were sold")
    assert gone["withdrawn"] and gone["version"] == 3 and gone["reason"] == "Generators were sold"
    assert qa.review(world.user("manager"), "2024")["counts"]["errors_open"] == 1
    with pytest.raises(NotFound):
        qa.withdraw(world.user("admin"), "2024", "diesel.limit", KEY, "again")
    with services.db.reading() as connection:
        versions = connection.execute(sa.select(sa.func.count()).select_from(qa_justifications))
        actions = connection.execute(
            sa.select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.action.like("qa.justification.%"))
            .order_by(audit_log.c.seq)
        ).all()
    assert versions.scalar() == 3
    assert [tuple(a) for a in actions] == [
        ("qa.justification.create", "manager2"),
        ("qa.justification.update", "manager2"),
        ("qa.justification.withdraw", "admin"),
    ]
    assert services.audit.verify(world.user("admin")).ok  # the rows are in the hash chain


@pytest.mark.usefixtures("qa_rules")
def test_submitters_and_importers_count_as_authors_too(world: World) -> None:
    services = world.services
    point = _diesel(world, by="owner_a")
    services.datapoints.submit(world.user("manager"), point, 1)  # the manager vouched for it
    with pytest.raises(Forbidden, match="segregation of duties"):
        services.qa_review.justify(world.user("manager"), "2024", "diesel.limit", KEY, "ok")
    stored = services.qa_review.justify(world.user("manager2"), "2024", "diesel.limit", KEY, "ok")
    assert stored["recorded_by"] == "manager2"


@pytest.mark.usefixtures("qa_rules")
def test_fixed_data_leave_nothing_to_justify_and_a_locked_period_refuses(world: World) -> None:
    services, manager, manager2 = world.services, world.user("manager"), world.user("manager2")
    point = _diesel(world)
    services.qa_review.justify(manager, "2024", "diesel.limit", KEY, "Reviewed with the plant")
    services.datapoints.correct(world.user("owner_a"), point, 1, {"value": 30})
    # the same finding (same key) on changed figures: the justification still names it
    assert services.qa_review.review(manager, "2024")["counts"]["justified"] == 1
    services.datapoints.correct(world.user("owner_a"), point, 2, {"value": 12})
    assert services.qa_review.review(manager, "2024")["findings"] == []
    with pytest.raises(NotFound, match="fixed data leaves nothing to justify"):
        services.qa_review.justify(manager2, "2024", "diesel.limit", KEY, "Too late")
    services.datapoints.correct(world.user("owner_a"), point, 3, {"value": 25})
    services.datapoints.submit(world.user("owner_a"), point, 4)
    services.datapoints.approve(manager2, point, 4)
    services.periods.lock(manager2, "2024", "closed")
    review = services.qa_review.review(manager, "2024")
    assert review["locked"] and review["findings"][0]["refusal"] == "period 2024 is locked"
    with pytest.raises(PeriodLocked, match="2024 is locked"):
        services.qa_review.justify(manager, "2024", "diesel.limit", KEY, "After the lock")
    with pytest.raises(PeriodLocked):
        services.qa_review.withdraw(manager, "2024", "diesel.limit", KEY, "After the lock")


@pytest.mark.usefixtures("qa_rules")
def test_justifications_survive_backup_and_restore(
    world: World, backend: str, tmp_path: Path
) -> None:
    _diesel(world)
    admin = world.user("admin")
    world.services.qa_review.justify(admin, "2024", "diesel.limit", KEY, "Emergency generators")
    archive = tmp_path / "backup.tar.gz"
    world.services.backups.take(admin, archive)
    with empty_target(backend, tmp_path / "target") as target:
        restored = Services.open(
            target, Options(files_dir=tmp_path / "restored-files"), create=True
        )
        try:
            restored.restore(archive)
            with restored.db.reading() as connection:
                (found,) = repository.justifications(connection, "2024")
            assert (found["text"], found["recorded_by"]) == ("Emergency generators", "admin")
            assert restored.audit.verify(restored.accounts.principal("admin")).ok
        finally:
            restored.dispose()


@pytest.mark.usefixtures("qa_rules")
def test_the_rest_api(world: World, client: TestClient) -> None:
    _diesel(world, by="manager")
    manager, other = world.headers("manager"), world.headers("manager2")
    shown = client.get(f"{API}/qa/2024/review", headers=world.headers("viewer"))
    assert shown.status_code == 200 and shown.json()["counts"]["errors_open"] == 1
    body = {"rule": "diesel.limit", "finding_key": KEY, "text": "Generators"}
    refused = client.post(f"{API}/qa/2024/justifications", headers=manager, json=body)
    assert refused.status_code == 403 and "segregation of duties" in refused.text
    extra = client.post(
        f"{API}/qa/2024/justifications", headers=other, json={**body, "colour": "red"}
    )
    assert extra.status_code == 422
    done = client.post(f"{API}/qa/2024/justifications", headers=other, json=body)
    assert done.status_code == 201 and done.json()["recorded_by"] == "manager2"
    listed = client.get(f"{API}/qa/2024/justifications", headers=world.headers("auditor"))
    assert [j["text"] for j in listed.json()] == ["Generators"]
    gone = client.post(
        f"{API}/qa/2024/justifications/withdraw",
        headers=other,
        json={"rule": "diesel.limit", "finding_key": KEY, "reason": "Sold"},
    )
    assert gone.status_code == 200 and gone.json()["withdrawn"]
    assert client.get(f"{API}/qa/2024/justifications", headers=other).json() == []


@pytest.mark.usefixtures("qa_rules")
def test_the_command_line(world: World, db_url: str) -> None:
    services = world.services
    services.datapoints.create(  # the CLI acts as this admin (the OS login): its own value
        world.ws.admin, Entry("plant_a", "2024", "energy.diesel", 20, "t")
    )
    services.datapoints.create(
        world.user("manager"), Entry("plant_a", "2024", "water.withdrawal", 7000, "m3")
    )

    def cli(*args: str) -> Result:
        return CliRunner().invoke(
            app, ["--db", db_url, *args], env={"ESGLEDGER_PASSWORD": "", "COLUMNS": "200"}
        )

    found = json.loads(cli("check", "--period", "2024", "--json").stdout)["findings"]
    keys = {f["rule"]: f["key"] for f in found}
    refs = {f["rule"]: f["reference"] for f in found}
    refused = cli("justify", "--period", "2024", "--rule", "diesel.limit", "--key",
                  keys["diesel.limit"], "--text", "Mine")  # fmt: skip
    assert refused.exit_code == 1 and "segregation of duties" in refused.stderr
    # the short reference alone (the rule is in it), as `check` prints it
    done = cli("justify", "--period", "2024", "--key", refs["water.limit"], "--text",
               "Dry year: more pumping")  # fmt: skip
    assert done.exit_code == 0 and "justified by" in done.stdout and "(v1)" in done.stdout
    assert f"{refs['water.limit']}: justified by" in done.stdout
    listed = cli("justify", "list", "--period", "2024", "--json")
    (record,) = json.loads(listed.stdout)
    assert (record["text"], record["finding_key"]) == (
        "Dry year: more pumping",
        keys["water.limit"],
    )
    assert record["reference"] == refs["water.limit"]
    gone = cli("justify", "withdraw", "--period", "2024", "--rule", "water.limit", "--key",
               keys["water.limit"], "--reason", "Wrong year")  # fmt: skip
    assert gone.exit_code == 0 and "withdrawn (v2)" in gone.stdout


def test_a_computed_value_s_authors_are_those_of_its_inputs(world: World) -> None:
    services = world.services
    point = _diesel(world, by="owner_a")
    services.datapoints.submit(world.user("manager"), point, 1)
    services.datapoints.approve(world.user("manager2"), point, 1)
    services.calculation.run(world.user("manager2"), "2024")
    group_scope1 = Fact("computed", "ghg.scope1", "grp", "2024", 60.0, "t", "ghg.scope1 of grp")
    reported = Fact("reported_table", None, None, "2024", 1.0, "t", "table 'GHG' row 2")
    with services.db.reading() as connection:
        assert authors(connection, [group_scope1]) == {"owner_a", "manager"}  # not the approver
        assert authors(connection, [reported]) == set()
