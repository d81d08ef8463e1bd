"""Guards that every path (REST API, web forms, CLI services) shares, on SQLite and PostgreSQL: a
locked period takes no calculation and no import; a data owner's explanation of a value withholds
the figures of a supplying entity outside their scope; free text that a database cannot store or
that is too long is refused naming the field, never cut short or answered with a server error."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from esgledger.access.redaction import WITHHELD
from esgledger.i18n import Strings
from esgledger.ledger.change import changing
from esgledger.service_errors import PeriodLocked
from esgledger.workflow import periods
from esgledger.workflow.entries import Entry
from esgledger.workflow.queries import Filters
from tests.collab_fixtures import API, World
from tests.helpers import DATA_HEADER, write_csv
from tests.web_clients import form_token, signed_in_clients

TRANSFER_HEADER = ["from", "to", "period", "carrier", "value", "unit"]


def approved_and_locked(world: World, period: str) -> int:
    """One approved value of plant_a in ``period``, the period calculated and locked."""
    services, owner, manager = world.services, world.user("owner_a"), world.user("manager")
    point = services.datapoints.create(owner, Entry("plant_a", period, "energy.diesel", 10, "t"))
    services.datapoints.submit(owner, point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    services.calculation.run(manager, period)
    services.periods.lock(manager, period, "approved")
    return point.id


def stored_values(world: World, period: str) -> list[tuple[str, str, float]]:
    with world.services.db.reading() as connection:
        return sorted(
            connection.execute(
                sa.text(
                    "select v.entity_id, v.metric_id, v.value from calc_values v"
                    " join calc_runs r on r.id = v.run_id where v.period = :p"
                ),
                {"p": period},
            ).all()
        )


def test_a_locked_period_is_not_recalculated(world: World, client: TestClient) -> None:
    approved_and_locked(world, "2024")
    before = stored_values(world, "2024")
    assert before
    answer = client.post(
        f"{API}/calculations",
        json={"period": "2024", "options": {"gwp": "AR6"}},
        headers=world.headers("manager"),
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "period_locked" and error["details"]["locked"] == "2024"
    assert stored_values(world, "2024") == before
    world.services.periods.reopen(world.user("manager"), "2024", "restate with AR6")
    assert (
        client.post(
            f"{API}/calculations",
            json={"period": "2024", "options": {"gwp": "AR6"}},
            headers=world.headers("manager"),
        ).status_code
        == 201
    )


def test_imports_into_a_locked_period_are_refused_whole(world: World, tmp_path: Path) -> None:
    approved_and_locked(world, "2024")
    ws = world.ws
    data = write_csv(
        tmp_path / "data.csv",
        DATA_HEADER,
        [
            ["plant_b", "2025", "energy.diesel", 4, "t", "measured", "", ""],
            ["plant_b", "2024-03", "energy.diesel", 5, "t", "measured", "", ""],
        ],
    )
    with pytest.raises(PeriodLocked, match=r"2024-03 \(in the locked year 2024\)"):
        ws.import_data(data)
    transfers = write_csv(
        tmp_path / "transfers.csv",
        TRANSFER_HEADER,
        [["plant_b", "plant_a", "2024", "electricity", 100, "MWh"]],
    )
    with pytest.raises(PeriodLocked, match="period 2024 is locked: importing transfers.csv"):
        ws.import_transfers(transfers)
    with pytest.raises(PeriodLocked, match="the calculation"):
        ws.calc("2024")
    with world.services.db.reading() as connection:
        periods = set(connection.execute(sa.text("select period from datapoints")).scalars())
        transfers_stored = connection.execute(sa.text("select count(*) from transfers")).scalar()
    assert periods == {"2024"} and transfers_stored == 0  # nothing of either file was written


@pytest.fixture
def captive_power(world: World, tmp_path: Path) -> World:
    """plant_b is a coal power plant that supplies plant_a (owner_a's) with electricity, as in
    tests/cases_group/captive_power.yaml: rate = 933 268.3052 tCO2e / 1 000 000 MWh (500 000 t of
    raw coal x 20.908 GJ/t x 26.18 tC/TJ x 93 % x 44/12)."""
    ws = world.ws
    rows = [
        ["plant_b", "2024", "energy.raw_coal", 500000, "t", "measured", "", ""],
        [
            "plant_b",
            "2024",
            "production.electricity_generated",
            100000,
            "万千瓦时",
            "measured",
            "",
            "",
        ],
        ["plant_a", "2024", "energy.electricity_purchased", 1000, "MWh", "measured", "", ""],
    ]
    ws.import_data(write_csv(tmp_path / "power.csv", DATA_HEADER, rows))
    ws.import_transfers(
        write_csv(
            tmp_path / "supply.csv",
            TRANSFER_HEADER,
            [["plant_b", "plant_a", "2024", "electricity", 800000, "MWh"]],
        )
    )
    world.services.calculation.run(world.user("manager"), "2024")
    return world


def test_explain_withholds_a_suppliers_figures_outside_the_scope(
    captive_power: World, client: TestClient
) -> None:
    world = captive_power
    url = f"{API}/explain?metric=ghg.scope2_internal&entity=plant_a&period=2024"
    full = client.get(url, headers=world.headers("manager")).json()
    own = "ghg.scope2_internal@plant_a@2024#own"  # plant_a's own activity, before line_a1
    (rate,) = full["records"][own]["factors"]
    assert rate["value"] == pytest.approx(0.9332683052, rel=1e-9)
    assert rate["lineage_key"] == "ghg.scope1@plant_b@2024"
    assert rate["source"]["code"] == "supplier_rate"  # a note, rendered by the reader:
    assert "plant_b: own Scope 1" in Strings("en").note(rate["source"])

    owned = client.get(url, headers=world.headers("owner_a"))
    assert owned.status_code == 200
    record = owned.json()["records"][own]
    assert record["value"] == pytest.approx(746614.64416, rel=1e-9)
    (withheld,) = record["factors"]
    assert withheld["value"] == pytest.approx(0.9332683052, rel=1e-9)  # the factor applied stays
    assert withheld["source"] == WITHHELD and "lineage_key" not in withheld
    text = json.dumps(owned.json())
    assert "own Scope 1" not in text and "@plant_b@" not in text
    assert "1.03575e+06" not in text and "1035754" not in text

    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        html = browse["owner_a"].get("/explain/ghg.scope2_internal/plant_a/2024").text
    assert "Withheld: it rests on figures of an entity outside your scope." in html
    assert "own Scope 1" not in html and "@plant_b@" not in html


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"value.energy.diesel": "3", "unit.energy.diesel": "t\x00"}, "unit"),
        ({"value.energy.diesel": "3", "explanation.energy.diesel": "bad\x00text"}, "explanation"),
        ({"value.energy.diesel": "3", "explanation.energy.diesel": "x" * 4001}, "explanation"),
    ],
)
def test_entry_form_refuses_unstorable_or_too_long_text(
    world: World, client: TestClient, form: dict[str, str], field: str
) -> None:
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        owner = browse["owner_a"]
        token = form_token(owner.get("/entry/plant_a/2024").text)
        answer = owner.post(
            "/entry/plant_a/2024",
            data={**form, "csrf_token": token, "action": "save"},
            headers={"Accept": "application/json"},
        )
    assert answer.status_code in (200, 422), answer.text
    errors = answer.json()["errors"]
    assert errors["energy.diesel"]["field"] == field
    with world.services.db.reading() as connection:
        stored = connection.execute(sa.text("select count(*) from datapoints")).scalar()
    assert stored == 0


def test_review_comment_and_period_reason_are_checked_not_cut(
    world: World, client: TestClient
) -> None:
    services, owner = world.services, world.user("owner_a")
    point = services.datapoints.create(owner, Entry("plant_a", "2024", "energy.diesel", 1, "t"))
    services.datapoints.submit(owner, point.id, 1)
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        manager = browse["manager"]
        token = form_token(manager.get("/review?period=2024").text)
        for comment in ("fix\x00it", "y" * 4001):
            answer = manager.post(
                f"/datapoints/{point.id}/reject",
                data={"csrf_token": token, "version": "1", "comment": comment},
                headers={"Accept": "application/json"},
            )
            assert answer.status_code == 422, answer.text
            assert answer.json()["error"]["field"] == "comment"
        reason = manager.post(
            "/periods/2024/reopen",
            data={"csrf_token": token, "reason": "z" * 2001},
            headers={"Accept": "application/json"},
        )
        assert reason.status_code == 422 and reason.json()["error"]["field"] == "reason"
    assert services.datapoints.get(world.user("manager"), point.id).status == "submitted"


def test_scope_and_role_come_before_the_uploaded_file(world: World, client: TestClient) -> None:
    """An out-of-scope data point is 404 and a role without uploads 403, whatever is sent."""
    point = world.services.datapoints.create(
        world.user("manager"), Entry("plant_b", "2024", "energy.diesel", 1, "t")
    )
    url = f"{API}/datapoints/{point.id}/evidence"
    not_a_pdf = {"file": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    assert client.post(url, files=not_a_pdf, headers=world.headers("owner_a")).status_code == 404
    assert client.post(url, files=not_a_pdf, headers=world.headers("auditor")).status_code == 403
    assert client.post(url, files=not_a_pdf, headers=world.headers("owner_b")).status_code == 415


def test_scoped_users_see_only_the_periods_of_their_entities(
    world: World, client: TestClient
) -> None:
    services = world.services
    services.datapoints.create(
        world.user("owner_b"), Entry("plant_b", "2026", "energy.diesel", 1, "t")
    )
    services.datapoints.create(
        world.user("owner_a"), Entry("line_a1", "2025", "energy.diesel", 1, "t")
    )
    scoped = [
        p["period"]
        for p in client.get(f"{API}/periods", headers=world.headers("owner_a")).json()["items"]
    ]
    assert scoped == ["2025"]
    whole = [
        p["period"]
        for p in client.get(f"{API}/periods", headers=world.headers("auditor")).json()["items"]
    ]
    assert whole == ["2025", "2026"]


def test_unknown_query_parameters_are_named_not_ignored(world: World, client: TestClient) -> None:
    headers = world.headers("auditor")
    misspelt = client.get(f"{API}/datapoints?entitty=plant_a", headers=headers)
    assert misspelt.status_code == 422
    error = misspelt.json()["error"]
    assert error["code"] == "invalid_request" and error["field"] == "entitty"
    assert "entity" in error["message"] and "limit" in error["message"]
    assert client.get(f"{API}/entities?parents=grp", headers=headers).status_code == 422
    assert (
        client.get(f"{API}/datapoints?entity=plant_a&limit=5", headers=headers).status_code == 200
    )
    assert client.get(f"{API}/audit?actor=x&order=asc", headers=headers).status_code == 200


def test_a_calculation_racing_a_lock_waits_for_it_and_is_refused(world: World) -> None:
    """The lock commits while a calculation is under way: the calculation's check waits for the
    lock's transaction (both take the audit chain head) and then refuses, never writing into
    the locked period."""
    services, manager = world.services, world.user("manager")
    point = services.datapoints.create(
        world.user("owner_a"), Entry("plant_a", "2024", "energy.diesel", 10, "t")
    )
    services.datapoints.submit(world.user("owner_a"), point.id, 1)
    services.datapoints.approve(manager, point.id, 1)
    before = stored_values(world, "2024")
    outcome: list[BaseException | None] = []

    def calculate() -> None:
        try:
            world.services.calculation.run(world.user("manager2"), "2024")
            outcome.append(None)
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    with services.db.transaction() as connection, changing(connection, "manager") as change:
        periods.set_lock(change, manager, "2024", True, "year closed")
        racer = threading.Thread(target=calculate)
        racer.start()
        racer.join(timeout=1.0)
        assert racer.is_alive(), "the calculation did not wait for the lock's transaction"
    racer.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], PeriodLocked), outcome
    assert stored_values(world, "2024") == before


def test_a_calculation_is_recorded_under_the_person_who_ran_it(
    world: World, client: TestClient
) -> None:
    answer = client.post(
        f"{API}/calculations", json={"period": "2024"}, headers=world.headers("manager")
    )
    assert answer.status_code == 201
    with world.services.db.reading() as connection:
        actors = connection.execute(
            sa.text("select actor from audit_log where action = 'calc.run'")
        ).scalars()
        assert list(actors) == ["manager"]


def test_the_entry_form_never_overwrites_a_value_entered_since_it_was_opened(
    world: World, client: TestClient
) -> None:
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        first, second = browse["owner_a"], browse["admin"]
        form_one = first.get("/entry/plant_a/2025").text
        form_two = second.get("/entry/plant_a/2025").text  # both see an empty row
        metric = "energy.electricity_purchased"
        saved = first.post(
            "/entry/plant_a/2025",
            data={"csrf_token": form_token(form_one), f"value.{metric}": "100"},
        )
        assert saved.status_code == 303
        late = second.post(
            "/entry/plant_a/2025",
            data={"csrf_token": form_token(form_two), f"value.{metric}": "120"},
            headers={"Accept": "application/json"},
        )
    assert late.status_code == 409
    error = late.json()["errors"][metric]
    assert error["code"] == "exists" and error["details"]["current"]["value"] == 100.0
    points, _total = world.services.datapoints.find(
        world.user("admin"), Filters(period="2025", entity="plant_a"), 10, 0
    )
    assert [(p.value, p.version, p.created_by) for p in points] == [(100.0, 1, "owner_a")]


def test_a_years_list_may_take_its_months_and_page_by_id(world: World, client: TestClient) -> None:
    owner = world.user("owner_a")
    ids = [  # a yearly value of one metric, monthly values of another
        world.services.datapoints.create(owner, Entry("plant_a", period, metric, 1, "t")).id
        for period, metric in (
            ("2024", "energy.diesel"),
            ("2024-01", "energy.coke"),
            ("2024-12", "energy.coke"),
            ("2023-12", "energy.coke"),
        )
    ]
    headers = world.headers("auditor")

    def listed(query: str) -> list[int]:
        answer = client.get(f"{API}/datapoints?{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return [p["id"] for p in answer.json()["items"]]

    assert listed("period=2024") == ids[:1]
    assert listed("period=2024&months=true") == ids[:3]
    assert listed("period=2024-01&months=true") == ids[1:2]
    assert listed(f"period=2024&months=true&after={ids[0]}") == ids[1:3]
