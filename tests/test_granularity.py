"""A metric of an entity is reported for a year either as one yearly value or month by month:
every door refuses a value that would mix the two (issue 8: a yearly figure typed over twelve
months silently replaced them in the calculation). A ledger that holds both from before the rule
is still calculated with its yearly value."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esgledger.errors import InputRejected
from esgledger.ledger.change import changing
from esgledger.ledger.writes import NewValue, write_values
from esgledger.service_errors import Conflict
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API, World
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger
from tests.web_clients import csrf, signed_in_clients

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def months_of_diesel(world: World) -> None:
    owner = world.user("owner_a")
    for month in MONTHS:
        world.services.datapoints.create(owner, Entry("plant_a", month, "energy.diesel", 9, "t"))


def test_the_api_refuses_a_yearly_value_over_months(world: World, client: TestClient) -> None:
    months_of_diesel(world)
    body = {
        "entity": "plant_a",
        "period": "2024",
        "metric": "energy.diesel",
        "value": 120,
        "unit": "t",
    }
    answer = client.post(f"{API}/datapoints", json=body, headers=world.headers("owner_a"))
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "mixed_granularity" and error["field"] == "period"
    assert "reported month by month for 2024" in error["message"]


def test_the_service_refuses_months_under_a_yearly_value(world: World) -> None:
    owner = world.user("owner_a")
    world.services.datapoints.create(owner, Entry("plant_a", "2024", "energy.coke", 120, "t"))
    with pytest.raises(Conflict, match="has a yearly value for 2024") as refused:
        world.services.datapoints.create(owner, Entry("plant_a", "2024-03", "energy.coke", 9, "t"))
    assert refused.value.code == "mixed_granularity"
    # another year, or another metric, is not concerned
    world.services.datapoints.create(owner, Entry("plant_a", "2025-03", "energy.coke", 9, "t"))
    world.services.datapoints.create(owner, Entry("plant_a", "2024-03", "energy.lpg", 9, "t"))


def test_an_import_names_each_row_that_would_mix(world: World, tmp_path: Path) -> None:
    months_of_diesel(world)
    rows = [
        ["plant_a", "2024", "energy.diesel", 120, "t", "", "", ""],  # over the months
        ["plant_a", "2025", "energy.coke", 50, "t", "", "", ""],
        ["plant_a", "2025-01", "energy.coke", 5, "t", "", "", ""],  # beside the year, same file
    ]
    path = write_csv(tmp_path / "mixed.csv", DATA_HEADER, rows)
    with pytest.raises(InputRejected) as caught:
        world.ws.import_data(path)
    assert [(i.row, i.field, i.found) for i in caught.value.issues] == [
        (2, "period", "2024"),
        (3, "period", "2025"),
        (4, "period", "2025-01"),
    ]
    assert "month by month" in caught.value.issues[0].expected
    assert not world.ws.datapoints(["2025", "2025-01"])  # nothing written


def test_the_entry_form_shows_the_months_and_refuses_a_yearly_value(world: World) -> None:
    from esgledger.api import create_app

    months_of_diesel(world)
    with signed_in_clients(create_app(world.services)) as clients:
        owner = clients["owner_a"]
        page = owner.get("/entry/plant_a/2024")
        assert "12 months entered" in page.text
        answer = owner.post(
            "/entry/plant_a/2024",
            data={"csrf_token": csrf(owner), "value.energy.diesel": "120", "action": "save"},
        )
        assert answer.status_code == 409
        assert "reported month by month for 2024" in answer.text


def test_an_old_ledger_holding_both_is_calculated_with_its_yearly_value(ws: Ledger) -> None:
    """What the calculation does with a yearly value beside months, written before the rule:
    the annual data point is used, the months are not added to it."""
    write_csv_org(ws)
    values = [NewValue("plant", "2024", "energy.diesel", 120.0, "t", 120.0, "measured")]
    values += [NewValue("plant", m, "energy.diesel", 9.0, "t", 9.0, "measured") for m in MONTHS]
    with ws.db.transaction() as connection, changing(connection, ws.admin_name) as change:
        write_values(change, values)
    ws.calc("2024")
    assert ws.show("energy.diesel", "plant", "2024").value == pytest.approx(120, abs=1e-9)
    # 120 t x 1.4571 kgce/kg (GB/T 2589-2020, standards.md 5(b)) = 174.852 tce
    assert ws.show("energy.total_tce", "grp", "2024").value == pytest.approx(174.852, abs=1e-6)


def write_csv_org(ws: Ledger) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        ws.import_organisation(
            write_csv(
                Path(directory) / "org.csv",
                ["id", "name", "parent", "country", "type"],
                [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]],
            )
        )
