"""Targets (issue 10, part 1) through the service and its doors, on SQLite and PostgreSQL: the
status follows the ledger; a target shown by the API, the web page's JSON twin, the dashboard and
the CLI is one computation and never differs; bad input is refused naming the field and nothing
is written; versions, withdrawal and audit; restated base years; imports all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import Workbook

from esgledger.errors import InputRejected
from esgledger.ledger import targets as repository
from esgledger.ledger.audit_query import entries_of
from esgledger.service_errors import Conflict, Forbidden, Invalid, NotFound, PeriodLocked
from tests.anchor_helpers import run as cli
from tests.collab_fixtures import API, World
from tests.helpers import DATA_HEADER, write_csv
from tests.ledger_fixture import Ledger

DIESEL = {
    "target_id": "T-DIESEL",
    "name": "Diesel at Plant A down 60 %",
    "name_zh": "甲厂柴油消耗下降60%",
    "kind": "absolute",
    "metric_key": "energy.diesel",
    "entity_id": "plant_a",
    "base_year": 2022,
    "target_year": 2030,
    "target_change": -0.6,
    "milestones": [{"year": 2026, "change": -0.3}],
}


def _data(ws: Ledger, tmp_path: Path, rows: list[list[str]], name: str = "d.csv") -> None:
    ws.import_data(write_csv(tmp_path / name, DATA_HEADER, rows))


def _doors(world: World, client: TestClient, browse: dict[str, TestClient], db_url: str) -> list:
    """The assessment of T-DIESEL as each door shows it."""
    headers = world.headers("viewer")
    one = client.get(f"{API}/assess/targets/T-DIESEL", headers=headers)
    listed = client.get(f"{API}/assess/targets", headers=headers).json()["items"]
    page = browse["manager"].get("/assess/targets.json").json()["targets"]
    dashboard = browse["viewer"].get("/dashboard.json").json()["targets"]
    code, out, err = cli(db_url, "assess", "targets", "show", "T-DIESEL", "--json")
    assert code == 0, err
    code, out_list, err = cli(db_url, "assess", "targets", "list", "--json")
    assert code == 0, err
    found = [
        one.json()["assessment"],
        *[t["assessment"] for t in listed],
        *[t["assessment"] for t in page],
        *[t["assessment"] for t in dashboard],
        json.loads(out)["assessment"],
        *[t["assessment"] for t in json.loads(out_list)],
    ]
    assert len(found) == 6
    return found


def test_one_target_shown_in_every_place_is_one_computation_that_follows_the_ledger(
    world: World, client: TestClient, browse: dict[str, TestClient], db_url: str, tmp_path: Path
) -> None:
    ws = world.ws  # the seed holds 2023: 10 t of diesel at plant_a, calculated
    _data(ws, tmp_path, [["plant_a", "2022", "energy.diesel", "20", "t", "measured", "", ""]])
    ws.calc("2022")
    made = client.post(f"{API}/assess/targets", json=DIESEL, headers=world.headers("manager"))
    assert made.status_code == 201, made.text
    # target 20 x (1 - 0.6) = 8 t; milestone 2026: 20 x 0.7 = 14 t
    # 2023: progress (20 - 10) / (20 - 8) = 0.8333; trajectory 2023 = 20 - 6 x 1/4 = 18.5: on track
    first = _doors(world, client, browse, db_url)
    assert all(a == first[0] for a in first)
    assert first[0]["status"] == "on_track"
    assert first[0]["current"]["year"] == 2023 and first[0]["target_value"] == pytest.approx(8)
    assert first[0]["progress"] == pytest.approx(10 / 12)
    assert first[0]["expected"] == pytest.approx(18.5)
    # the ledger changes: 19 t in 2024; trajectory 2024 = 20 - 6 x 2/4 = 17: off track
    _data(
        ws, tmp_path, [["plant_a", "2024", "energy.diesel", "19", "t", "measured", "", ""]], "b.csv"
    )
    ws.calc("2024")
    second = _doors(world, client, browse, db_url)
    assert all(a == second[0] for a in second)
    assert second[0]["status"] == "off_track" and second[0]["current"]["year"] == 2024
    assert second[0]["progress"] == pytest.approx(1 / 12)
    assert second[0]["expected"] == pytest.approx(17)
    # the web page shows the same badge and bar, in both languages
    manager = browse["manager"]
    html = manager.get("/assess/targets").text
    assert 'data-status="off_track"' in html and "Off track" in html and "8%" in html
    manager.get("/lang/zh")
    assert "偏离计划" in manager.get("/assess/targets").text
    assert "偏离计划" in manager.get("/dashboard").text


def _audit_entries(ws: Ledger) -> int:
    with ws.db.reading() as connection:
        return int(connection.execute(sa.text("select count(*) from audit_log")).scalar_one())


def _refused(ws: Ledger, change: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        ws.services.targets.create(ws.admin, {**DIESEL, **change})
    assert refused.value.field == field, refused.value.message
    assert words in refused.value.message


BAD = [
    ({"base_year": None}, "base_year", "a target needs a base year"),
    ({"target_year": 2022}, "target_year", "must come after the base year (2022)"),
    ({"target_year": 2020}, "target_year", "must come after the base year"),
    ({"net": True}, "gross_target", "a net target needs the gross target"),
    ({"net": True, "gross_target": "T-NONE"}, "gross_target", "no target 'T-NONE' in force"),
    ({"metric_key": "energy.dieselx"}, "metric_key", "unknown metric 'energy.dieselx'"),
    ({"metric_key": "workforce.headcount{gender=robot}"}, "metric_key", "no member 'robot'"),
    ({"entity_id": "plant_z"}, "entity_id", "unknown entity 'plant_z'"),
    ({"milestones": [{"year": 2031, "value": 5}]}, "milestones[1]", "outside the years"),
    ({"milestones": [{"year": 2022, "value": 5}]}, "milestones[1]", "outside the years"),
    ({"base_value": 12.0}, "base_source", "needs its source"),
    ({"kind": "intensity"}, "metric_key", "not a ratio"),
    ({"metric_key": "ghg.scope1"}, "gases", "states the gases it covers"),
    ({"target_change": None}, "target_value", "give either a value"),
    ({"target_value": float("nan")}, "target_value", "finite number"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD, ids=[b[1] for b in BAD])
def test_bad_targets_are_refused_naming_the_field_and_nothing_is_written(
    ws: Ledger, tmp_path: Path, change: dict[str, Any], field: str, words: str
) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    before = _audit_entries(ws)
    _refused(ws, change, field, words)
    assert ws.services.targets.listing(ws.admin) == []
    assert _audit_entries(ws) == before


def test_credits_need_source_and_quantity_and_a_net_target_its_gross_one(
    ws: Ledger, tmp_path: Path
) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    services, admin = ws.services, ws.admin
    gross = {**DIESEL, "target_id": "T-GROSS", "target_change": None, "target_value": 4.0}
    services.targets.create(admin, gross)
    net = {**DIESEL, "target_id": "T-NET", "net": True, "gross_target": "T-GROSS"}
    no_source = {**net, "credits": [{"year": 2030, "quantity": 3, "source": " "}]}
    with pytest.raises(Invalid, match="a credit needs its source"):
        services.targets.create(admin, no_source)
    no_quantity = {**net, "credits": [{"year": 2030, "quantity": 0, "source": "CCER"}]}
    with pytest.raises(Invalid, match="a credit needs a positive quantity"):
        services.targets.create(admin, no_quantity)
    text = {"target_id": "T-NET", "name": "n", "kind": "absolute", "metric_key": "energy.diesel",
            "entity": "plant_a", "base_year": "2022", "target_year": "2030", "target": "0",
            "net": "yes", "gross_target": "T-GROSS", "credits": "2030||CCER"}  # fmt: skip
    with pytest.raises(Invalid, match="expected YEAR\\|QUANTITY\\|SOURCE"):
        services.targets.create(admin, text, text=True)
    with pytest.raises(Invalid) as refused:
        services.targets.create(admin, {**text, "base_value": "twelve"}, text=True)
    assert refused.value.field == "base_value" and "expected a number" in refused.value.message
    with pytest.raises(Invalid, match="is a net target itself"):
        services.targets.create(admin, {**net, "target_id": "T-NET0"})
        services.targets.create(admin, {**net, "target_id": "T-NET1", "gross_target": "T-NET0"})
    assert {t["target_id"] for t in services.targets.listing(admin)} == {"T-GROSS", "T-NET0"}
    done = services.targets.create(
        admin, {**net, "target_id": "T-NET2", "credits": [{"year": 2030, "quantity": 3,
                                                           "source": "CCER forestry"}]}
    )  # fmt: skip
    assert done["credits"] == [{"year": 2030, "quantity": 3.0, "source": "CCER forestry"}]


def test_versions_withdrawal_audit_and_what_materiality_reads(ws: Ledger, tmp_path: Path) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    services, admin = ws.services, ws.admin
    services.targets.create(admin, DIESEL)
    headcount = {**DIESEL, "target_id": "T-WOMEN", "metric_key": "workforce.headcount{gender=female}",
                 "target_change": 0.2, "milestones": []}  # fmt: skip
    services.targets.create(admin, headcount)
    with pytest.raises(Conflict, match="exists already"):
        services.targets.create(admin, DIESEL)
    changed = services.targets.update(admin, "T-DIESEL", {**DIESEL, "target_change": -0.5})
    assert changed["version"] == 2 and changed["target_change"] == -0.5
    with pytest.raises(Invalid, match="say why"):
        services.targets.withdraw(admin, "T-DIESEL", "  ")
    gone = services.targets.withdraw(admin, "T-DIESEL", "superseded by the group target")
    assert gone["state"] == "withdrawn" and gone["assessment"]["status"] == "withdrawn"
    with pytest.raises(Conflict):
        services.targets.update(admin, "T-DIESEL", DIESEL)
    shown = services.targets.show(admin, "T-DIESEL")
    assert [(v["version"], v["state"]) for v in shown["history"]] == [
        (1, "active"),
        (2, "active"),
        (3, "withdrawn"),
    ]
    assert shown["history"][0]["definition"]["target_change"] == -0.6
    with ws.db.reading() as connection:
        actions = [e["action"] for e in entries_of(connection, "target", ["T-DIESEL"])]
        assert repository.target_ids(connection) == {"T-WOMEN"}
        assert repository.metric_ids_with_targets(connection) == {"workforce.headcount"}
    assert actions == ["target.create", "target.update", "target.withdraw"]
    assert ws.verify_audit().ok
    with pytest.raises(NotFound):
        services.targets.show(admin, "T-NOPE")


def test_who_may_see_and_set_targets(world: World) -> None:
    services = world.services
    services.targets.create(world.user("manager"), DIESEL)
    services.targets.create(world.user("manager"), {**DIESEL, "target_id": "T-B",
                                                    "entity_id": "plant_b"})  # fmt: skip
    assert [t["target_id"] for t in services.targets.listing(world.user("viewer_a"))] == [
        "T-DIESEL"
    ]
    with pytest.raises(NotFound):
        services.targets.show(world.user("viewer_a"), "T-B")
    with pytest.raises(Forbidden):
        services.targets.create(world.user("owner_a"), {**DIESEL, "target_id": "T-C"})
    with pytest.raises(Forbidden):
        services.targets.withdraw(world.user("auditor"), "T-B", "no")


def test_a_reported_base_value_of_a_locked_year_cannot_change(ws: Ledger, tmp_path: Path) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    reported = {**DIESEL, "base_value": 20.0, "base_source": "2022 ESG report p. 41",
                "base_method": "estimated"}  # fmt: skip
    shown = ws.services.targets.create(ws.admin, reported)
    assert shown["assessment"]["status"] == "not_assessable"
    assert shown["assessment"]["reason"]["code"] == "base_estimate"
    assert shown["assessment"]["reason"]["text"]["zh"] == "2022年基准值仅为估算值"
    ws.services.periods.lock(ws.admin, "2022", "closed")
    with pytest.raises(PeriodLocked):
        ws.services.targets.update(ws.admin, "T-DIESEL", {**reported, "base_value": 21.0})
    # the rest of the target may still change
    ws.services.targets.update(ws.admin, "T-DIESEL", {**reported, "name": "Diesel, reworded"})


def _diesel_years(ws: Ledger, tmp_path: Path, current: str, base_method: str = "measured") -> None:
    """plant_a's diesel: 20 t in 2022 (``base_method``), ``current`` t in 2024, calculated."""
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    rows = [["plant_a", "2022", "energy.diesel", "20", "t", base_method, "", ""]]
    rows.append(["plant_a", "2024", "energy.diesel", current, "t", "measured", "", ""])
    _data(ws, tmp_path, rows)
    ws.calc("2022")
    ws.calc("2024")


def test_a_base_of_estimates_only_is_not_assessable(ws: Ledger, tmp_path: Path) -> None:
    _diesel_years(ws, tmp_path, "12", base_method="estimated")
    shown = ws.services.targets.create(ws.admin, DIESEL)
    assert shown["assessment"]["reason"]["code"] == "base_estimate"


GROUP_ORG = [
    ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
    ["smelter", "Smelter", "grp", "CN", "电解铝厂", "plant", "", "", "", ""],
]


def test_an_intensity_target_on_a_restated_base_year(ws: Ledger, tmp_path: Path) -> None:
    """A method change (the ETS grid series) makes the target not assessable until the base
    year is restated; then the base is the restated run's and the target follows it."""
    from tests.helpers import ORG_HEADER

    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_HEADER, GROUP_ORG))
    rows = [
        ["smelter", year, metric, value, unit, "measured", "", ""]
        for year, diesel, power, revenue in (("2023", 100, 1000, 10000), ("2024", 90, 950, 11000))
        for metric, value, unit in (
            ("energy.diesel", str(diesel), "t"),
            ("energy.electricity_purchased", str(power), "MWh"),
            ("finance.revenue", str(revenue), "wan_RMB"),
        )
    ]
    _data(ws, tmp_path, rows)
    ws.calc("2023")
    intensity = {
        "target_id": "T-INT", "name": "GHG intensity per revenue -20 %", "kind": "intensity",
        "metric_key": "ghg.intensity_revenue", "entity_id": "grp", "base_year": 2023,
        "target_year": 2030, "target_change": -0.2, "gases": ["CO2", "CH4", "N2O"],
        "scopes": ["1", "2"],
    }  # fmt: skip
    from esgledger.calc import CalcOptions

    ws.calc("2024", CalcOptions(grid_series="ets"))
    shown = ws.services.targets.create(ws.admin, intensity)["assessment"]
    assert shown["status"] == "not_assessable"
    assert shown["reason"]["code"] == "method_change"
    assert "grid_series default → ets" in shown["reason"]["text"]["en"]
    ws.set_base_year("2023", 0.01)
    ws.calc("2024", CalcOptions(grid_series="ets"))  # restates 2023 with the ETS series
    restated = ws.restated_value("ghg.intensity_revenue", "grp", "2023")
    assert restated is not None
    shown = ws.services.targets.show(ws.admin, "T-INT")["assessment"]
    assert shown["base"]["source"] == "restated"
    assert shown["base"]["value"] == pytest.approx(restated)
    assert shown["target_value"] == pytest.approx(restated * 0.8)
    current = ws.show("ghg.intensity_revenue", "grp", "2024")
    value = current["value"] if isinstance(current, dict) else current.value
    assert shown["progress"] == pytest.approx((restated - value) / (restated * 0.2))
    assert shown["status"] in {"on_track", "off_track", "achieved"}


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    from esgledger.assess.targets.table import COLUMNS

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _row(target_id: str, target: str = "-30%", entity: str = "plant_a") -> list[str]:
    return [target_id, f"Diesel {target_id}", "", "absolute", "energy.diesel", entity, "",
            "2022", "", "", "", "2030", target, "2026=-10%", "", "", "no", "", "", ""]  # fmt: skip


def test_import_is_all_or_nothing_naming_row_and_cell_and_export_reads_back(
    ws: Ledger, tmp_path: Path
) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    services, admin = ws.services, ws.admin
    bad = _xlsx(tmp_path / "bad.xlsx", [_row("T1"), _row("T2", "lots"), _row("T3", entity="x")])
    with pytest.raises(InputRejected) as refused:
        services.targets.import_file(admin, bad)
    issues = [(i.row, i.cell, i.field) for i in refused.value.issues]
    assert issues == [(3, "M3", "target"), (4, "F4", "entity")]
    assert services.targets.listing(admin) == []
    good = _xlsx(tmp_path / "good.xlsx", [_row("T1"), _row("T2", "12.5"), _row("T3")])
    assert services.targets.import_file(admin, good) == {
        "file": "good.xlsx", "created": 3, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"targets.{fmt}"
        path.write_bytes(services.targets.export(admin, fmt))
        again = services.targets.import_file(admin, path)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3), fmt
    changed = _xlsx(tmp_path / "changed.xlsx", [_row("T1", "-40%")])
    assert services.targets.import_file(admin, changed)["updated"] == 1
    with ws.db.reading() as connection:
        assert connection.execute(sa.text("select count(*) from targets")).scalar() == 4


def test_the_api_and_the_web_form_refuse_bad_targets(
    world: World, client: TestClient, browse: dict[str, TestClient]
) -> None:
    headers = world.headers("manager")
    answer = client.post(f"{API}/assess/targets", json={**DIESEL, "base_year": None},
                         headers=headers)  # fmt: skip
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "base_year"
    answer = client.post(f"{API}/assess/targets", json={**DIESEL, "extra": 1}, headers=headers)
    assert answer.status_code == 422
    manager = browse["manager"]
    from tests.web_clients import csrf

    token = csrf(manager, "/assess/targets")
    form = {"csrf_token": token, "target_id": "T-W", "name": "Water", "kind": "absolute",
            "metric_key": "water.withdrawal", "entity": "plant_a", "base_year": "2023",
            "target_year": "2023", "target": "-10%"}  # fmt: skip
    refused = manager.post("/assess/targets", data=form)
    assert refused.status_code == 422
    assert 'id="target-error"' in refused.text and "must come after the base year" in refused.text
    assert 'value="Water"' in refused.text  # what was typed is kept
    saved = manager.post("/assess/targets", data={**form, "target_year": "2030"})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/assess/targets?created=T-W#target-T-W"
    assert client.get(f"{API}/assess/targets/T-W", headers=headers).json()["state"] == "active"
    exported = client.get(f"{API}/assess/targets/export?format=csv", headers=headers)
    assert exported.status_code == 200 and "T-W" in exported.text


def test_the_command_line_adds_lists_exports_imports_and_withdraws(
    ws: Ledger, db_url: str, tmp_path: Path
) -> None:
    _diesel_years(ws, tmp_path, "14")
    base = ["assess", "targets"]
    add = [*base, "add", "--id", "T-CLI", "--name", "Diesel -50 %", "--metric", "energy.diesel",
           "--entity", "plant_a", "--target-year", "2030", "--target", "-50%"]  # fmt: skip
    code, _out, err = cli(db_url, *add)
    assert code == 1 and "base_year: a target needs a base year" in err
    code, _out, err = cli(db_url, *add, "--base-year", "2022", "--milestones", "2040=5")
    assert code == 1 and "milestones[1]" in err and "outside the years" in err
    code, out, err = cli(db_url, *add, "--base-year", "2022")
    assert code == 0, err
    # target 10 t; progress (20 - 14) / (20 - 10) = 60 %; trajectory 2024 = 20 - 10 x 2/8 = 17.5
    assert "On track" in out
    code, out, err = cli(db_url, *base, "list")
    assert code == 0 and "T-CLI" in out and "60%" in out and "On track" in out
    code, out, _err = cli(db_url, *base, "list", "--lang", "zh")
    assert "按计划推进" in out
    exported = tmp_path / "targets.xlsx"
    assert cli(db_url, *base, "export", str(exported))[0] == 0
    code, out, err = cli(db_url, *base, "import", str(exported))
    assert code == 0 and "0 targets created, 0 changed, 1 unchanged" in out, err
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "target_id,name,kind,metric_key,entity,base_year,target_year,target\n"
        "T-2,Diesel,absolute,energy.diesel,plant_a,2022,2030,-50%\n"
        "T-2,Diesel,absolute,energy.diesel,plant_a,2022,2030,-40%\n",
        encoding="utf-8",
    )
    code, _out, err = cli(db_url, *base, "import", str(bad))
    assert code == 1 and "row 3" in err and "each target once" in " ".join(err.split())
    code, out, err = cli(db_url, *base, "withdraw", "T-CLI", "--reason", "replaced")
    assert code == 0 and "withdrawn (version 2)" in out, err
    code, out, _err = cli(db_url, *base, "show", "T-CLI")
    assert "v2" in out and "withdrawn (replaced)" in out


def test_a_target_for_a_stated_boundary_reads_the_figures_of_that_boundary(
    ws: Ledger, tmp_path: Path
) -> None:
    from tests.collab_fixtures import make_org

    make_org(ws, tmp_path)
    rows = [
        ["plant_a", year, "water.withdrawal", value, "m3", "measured", "", "", "-line_a1"]
        for year, value in (("2022", "100"), ("2024", "85"))
    ]
    ws.import_data(write_csv(tmp_path / "c.csv", [*DATA_HEADER, "covers"], rows))
    ws.calc("2022")
    ws.calc("2024")
    water = {**DIESEL, "metric_key": "water.withdrawal", "milestones": [], "target_change": -0.3}
    # progress (100 - 85) / (100 - 70) = 0.5
    shown = ws.services.targets.create(ws.admin, {**water, "covers": "-line_a1"})
    assert shown["covers"] == "-line_a1"
    assert shown["assessment"]["progress"] == pytest.approx(0.5)
    whole = ws.services.targets.create(ws.admin, {**water, "target_id": "T-WHOLE"})
    assert whole["assessment"]["reason"]["code"] == "no_base"  # no figure of the whole subtree
    with pytest.raises(Invalid, match="covers"):
        ws.services.targets.create(ws.admin, {**water, "target_id": "T-X", "covers": "plant_b"})
