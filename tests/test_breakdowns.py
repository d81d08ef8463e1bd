"""Breakdowns (issue 9, part 1): a figure broken down by the members of its metric's axes is kept,
rolled up and explained like a total; bad breakdowns are refused naming the row and field, with
nothing written; a breakdown that does not add up to its total is flagged with the arithmetic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.catalogue.breakdowns import BreakdownError, load_axes, parse_dimensions
from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.errors import InputRejected
from esgledger.service_errors import Invalid
from esgledger.store.database import URL_ENV
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_i18n import text_of
from tests.web_clients import csrf, signed_in_clients

HEADER = ["entity", "period", "metric", "value", "unit", "dimensions"]
# five axes: longer than the 100 characters a metric id had (PostgreSQL enforces the width)
LONG = (
    "age_band=30_to_50;employee_category=middle_management;employment_type=full_time;"
    "gender=female;region=hong_kong_macao_taiwan"
)


def _group(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type"]]
    org += [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))


def _import(ws: Ledger, tmp_path: Path, rows: list[list[str]], name: str = "data.csv") -> None:
    ws.import_data(write_csv(tmp_path / name, HEADER, rows))


@pytest.mark.parametrize(
    ("metric", "dimensions", "said"),
    [
        ("workforce.headcount", "colour=red", "unknown axis 'colour'"),
        ("workforce.headcount", "gender=unknown", "gender has no member 'unknown'"),
        ("energy.raw_coal", "gender=female", "energy.raw_coal has no breakdown by 'gender'"),
        ("workforce.headcount", "gender=female;gender=male", "axis 'gender' is given twice"),
        ("workforce.headcount", "female", "'female' is not axis=member"),
    ],
)
def test_a_breakdown_the_metric_has_not_is_refused_naming_row_and_field(
    ws: Ledger, tmp_path: Path, metric: str, dimensions: str, said: str
) -> None:
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "workforce.headcount", "100", "person", ""],
        ["plant", "2024", metric, "40", "person" if "workforce" in metric else "t", dimensions],
    ]
    with pytest.raises(InputRejected) as refused:
        _import(ws, tmp_path, rows)
    (problem,) = refused.value.issues
    assert (problem.row, problem.field) == (3, "dimensions")
    assert said in problem.expected
    assert ws.datapoints(["2024"]) == []  # nothing written


def test_members_are_kept_beside_the_total_and_read_back(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "workforce.headcount", "100", "person", ""],
        ["plant", "2024", "workforce.headcount", "40", "person", "gender = female"],
        ["plant", "2024", "workforce.headcount{gender=male}", "60", "person", ""],
        ["plant", "2024", "workforce.headcount", "7", "person", LONG],
    ]
    _import(ws, tmp_path, rows)
    keys = sorted(p.metric_id for p in ws.datapoints(["2024"]))
    assert keys == [
        "workforce.headcount",
        "workforce.headcount{" + LONG + "}",
        "workforce.headcount{gender=female}",
        "workforce.headcount{gender=male}",
    ]
    shown = ws.services.explain.show(
        ws.admin, "workforce.headcount", "plant", "2024", "gender=female"
    )
    assert shown.value == 40
    with pytest.raises(Invalid, match="no member 'woman'"):
        ws.services.explain.show(ws.admin, "workforce.headcount", "plant", "2024", "gender=woman")


def test_the_same_member_twice_in_one_file_is_refused(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "workforce.headcount", "40", "person", "gender=female"],
        ["plant", "2024", "workforce.headcount", "41", "person", "gender=female"],
    ]
    with pytest.raises(InputRejected, match="same as row 2"):
        _import(ws, tmp_path, rows)


def test_a_breakdown_that_does_not_add_up_is_flagged_with_the_arithmetic(
    ws: Ledger, tmp_path: Path
) -> None:
    """Women 40 + men 50 = 90 employees, against a total of 100: a difference of -10."""
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "workforce.headcount", "100", "person", ""],
        ["plant", "2024", "workforce.headcount", "40", "person", "gender=female"],
        ["plant", "2024", "workforce.headcount", "50", "person", "gender=male"],
    ]
    _import(ws, tmp_path, rows)
    ws.calc("2024")
    record = ws.explain("workforce.headcount", "grp", "2024")["records"][
        "workforce.headcount@grp@2024"
    ]
    assert {
        "code": "breakdown_sum",
        "args": {
            "axis": "gender",
            "sum": 90.0,
            "total": 100.0,
            "unit": "person",
            "difference": -10.0,
        },
    } in record["notes"]
    women = ws.explain("workforce.headcount", "grp", "2024", "gender=female")
    assert women["records"][women["root"]]["value"] == 40


def test_two_ways_of_dividing_the_staff_are_each_checked_against_the_total(
    ws: Ledger, tmp_path: Path
) -> None:
    """100 employees: by level 10 + 20 + 70 = 100 and by function 50 + 30 + 20 = 100 (two tables of
    the same staff, as Chinese reports print them): nothing is flagged, although all six members
    add up to 200. Full-time 90 + part-time 10 = 100, but permanent 80 + temporary 15 = 95: the
    second partition is flagged, -5."""
    _group(ws, tmp_path)
    rows = [["plant", "2024", "workforce.headcount", "100", "person", ""]]
    rows += [
        ["plant", "2024", "workforce.headcount", str(count), "person", f"{axis}={member}"]
        for axis, member, count in [
            ("employee_category", "senior_management", 10),
            ("employee_category", "middle_management", 20),
            ("employee_category", "general_staff", 70),
            ("employee_category", "production", 50),
            ("employee_category", "technical", 30),
            ("employee_category", "administrative", 20),
            ("employment_type", "full_time", 90),
            ("employment_type", "part_time", 10),
            ("employment_type", "permanent", 80),
            ("employment_type", "temporary", 15),
        ]
    ]
    _import(ws, tmp_path, rows)
    ws.calc("2024")
    record = ws.explain("workforce.headcount", "grp", "2024")["records"][
        "workforce.headcount@grp@2024"
    ]
    flagged = [n["args"] for n in record.get("notes", []) if n["code"] == "breakdown_sum"]
    assert flagged == [
        {
            "axis": "employment_type",
            "sum": 95.0,
            "total": 100.0,
            "unit": "person",
            "difference": -5.0,
        }
    ]


def test_show_and_explain_take_the_members_on_the_command_line(
    ws: Ledger, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "workforce.headcount", "200", "person", "gender=female"],
        ["plant", "2024", "workforce.leavers", "30", "person", "gender=female"],
    ]
    _import(ws, tmp_path, rows)
    ws.calc("2024")
    show = ["--db", db_url, "show", "workforce.turnover_rate", "--entity", "grp", "--period"]
    printed = CliRunner().invoke(app, [*show, "2024", "--dimensions", "gender=female", "--json"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output)["value"] == pytest.approx(15.0)  # 30 / 200 x 100
    refused = CliRunner().invoke(app, [*show, "2024", "--dimensions", "age_band=young"])
    assert refused.exit_code == 1
    assert "age_band has no member 'young'" in refused.output


def test_the_api_takes_a_member_and_gives_it_back(world: World, client: TestClient) -> None:
    body = {
        "entity": "plant_a",
        "period": "2024",
        "metric": "workforce.headcount",
        "dimensions": "gender=female",
        "value": 12,
        "unit": "person",
    }
    made = client.post(f"{API}/datapoints", json=body, headers=world.headers("manager"))
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["metric"] == "workforce.headcount{gender=female}"
    assert answer["dimensions"] == {"gender": "female"}
    bad = client.post(
        f"{API}/datapoints",
        json=body | {"dimensions": "gender=robot"},
        headers=world.headers("manager"),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "dimensions"


def test_every_axis_has_labels_in_both_languages_and_a_citation() -> None:
    for axis in load_axes().values():
        assert axis.name["en"] and axis.name["zh"] and axis.citation
        for member in axis.members:
            assert axis.member_label(member, "zh") != axis.member_label(member, "en")


def test_members_are_parsed_in_either_order_into_one_key() -> None:
    allowed = ("gender", "age_band")
    one = parse_dimensions("gender=female;age_band=under_30", "m", allowed)
    other = parse_dimensions("age_band=under_30；gender=female", "m", allowed)
    assert one == other == {"gender": "female", "age_band": "under_30"}
    with pytest.raises(BreakdownError):
        parse_dimensions("region=europe", "m", allowed)


def test_an_unknown_axis_is_answered_with_the_metrics_own_axes() -> None:
    """性别=女 typed for headcount: the message lists headcount's axes, not every axis (water
    source, waste treatment) of the catalogue."""
    with pytest.raises(BreakdownError) as refused:
        parse_dimensions("性别=女", "workforce.headcount", ("gender", "age_band"))
    assert str(refused.value) == "unknown axis '性别'; workforce.headcount's axes: gender, age_band"
    with pytest.raises(BreakdownError, match="m's axes: none"):
        parse_dimensions("shift=day", "m", ())


def test_the_collection_workbook_has_a_breakdown_grid_that_imports_back(
    ws: Ledger, tmp_path: Path
) -> None:
    """Employees 100: women 40, men 60 (the gender grid under the total), and the age grid left
    blank: the three filled rows come back as the total and two members."""
    _group(ws, tmp_path)
    _name, content = ws.services.imports.template(ws.admin, "plant", "2024")
    path = tmp_path / "plant-2024.xlsx"
    path.write_bytes(content)
    book = openpyxl.load_workbook(path)
    sheet = book["Data"]
    header = [cell.value for cell in sheet[1]]
    metric_at, value_at, dims_at = (header.index(n) for n in ("metric", "value", "dimensions"))
    rows = [
        row for row in sheet.iter_rows(min_row=2) if row[metric_at].value == "workforce.headcount"
    ]
    grid = {row[dims_at].value: row for row in rows}
    assert {"gender=female", "gender=male", "age_band=under_30", None} <= set(grid)
    assert "Employees at year end (Female) / 年末员工总数（女性）" in [
        row[header.index("metric_name")].value for row in rows
    ]
    for dimensions, value in ((None, 100), ("gender=female", 40), ("gender=male", 60)):
        grid[dimensions][value_at].value = value
    grid[None][header.index("note")].value = "Chinese employees only"
    assert header[12] == "publish_note"  # column M: the note becomes a footnote of the report
    grid[None][12].value = "是"
    book.save(path)
    ws.import_data(path)
    held = {p.metric_id: (p.value, p.note_public) for p in ws.datapoints(["2024"])}
    assert held == {
        "workforce.headcount": (100, True),
        "workforce.headcount{gender=female}": (40, False),
        "workforce.headcount{gender=male}": (60, False),
    }


def test_the_web_entry_form_has_the_members_under_their_total(
    world: World, client: TestClient
) -> None:
    """An owner types women 40 under employees 100 on the entry form; both are kept, the member
    under its own key, and the form shows it labelled in both languages."""
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        owner = browse["owner_a"]
        page = owner.get("/entry/plant_a/2024").text
        assert 'data-metric="workforce.headcount{gender=female}"' in page
        assert re.search(
            r'data-metric="workforce\.headcount\{gender=male\}" class=" ?member"', page
        )
        form = {
            "csrf_token": csrf(owner, "/entry/plant_a/2024"),
            "value.workforce.headcount": "100",
            "unit.workforce.headcount": "person",
            "value.workforce.headcount{gender=female}": "40",
            "unit.workforce.headcount{gender=female}": "person",
            "action": "save",
        }
        assert owner.post("/entry/plant_a/2024", data=form).status_code == 303
        held = {p.metric_id: p.value for p in world.ws.datapoints(["2024"])}
        assert held == {"workforce.headcount": 100, "workforce.headcount{gender=female}": 40}
        assert owner.get("/lang/zh").status_code == 303
        chinese = text_of(owner.get("/entry/plant_a/2024").text)
        assert "年末员工总数（女性）" in chinese
