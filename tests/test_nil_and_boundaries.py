"""Nil values and figures of a stated boundary (issue 9, parts 5 and 6).

A table cell printed ``-``, ``—`` or ``不适用`` means nothing to report: it is kept, distinct from zero,
and never counts as a number. A figure that covers only part of its entity's subtree ("excluding the
power plant", "five subsidiaries") is kept under its own key, never added to a roll-up of the
whole subtree; a ``covers`` naming an entity outside the subtree is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.errors import EsgLedgerError, InputRejected
from esgledger.store.database import URL_ENV
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

HEADER = ["entity", "period", "metric", "value", "unit", "method", "covers"]


def _group(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type"]]
    org += [
        ["grp", "Group", "", "CN", "group"],
        ["mill", "Mill", "grp", "CN", "plant"],
        ["foil", "Foil", "grp", "CN", "plant"],
        ["power", "Power", "grp", "CN", "plant"],
        ["other", "Other group", "", "CN", "group"],
    ]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))


def _import(ws: Ledger, tmp_path: Path, rows: list[list[str]]) -> None:
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))


@pytest.mark.parametrize("printed", ["-", "—", "不适用", "N/A"])
def test_a_nil_cell_is_kept_as_nil_not_zero(ws: Ledger, tmp_path: Path, printed: str) -> None:
    """Waste: mill 100 t, foil nil: the group's total is 100 t, and foil has no number."""
    _group(ws, tmp_path)
    rows = [
        ["mill", "2024", "waste.hazardous", "100", "t", "", ""],
        ["foil", "2024", "waste.hazardous", printed, "", "", ""],
    ]
    _import(ws, tmp_path, rows)
    (nil,) = [p for p in ws.datapoints(["2024"]) if p.entity_id == "foil"]
    assert nil.method == "nil"
    ws.calc("2024")
    assert ws.show("waste.hazardous", "grp", "2024").value == pytest.approx(100.0)
    shown = ws.show("waste.hazardous", "foil", "2024")
    assert (shown.value, shown.kind) == (None, "nil")


def test_a_nil_cell_with_a_method_that_measures_is_refused(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [["foil", "2024", "waste.hazardous", "-", "t", "measured", ""]]
    with pytest.raises(InputRejected) as refused:
        _import(ws, tmp_path, rows)
    (problem,) = refused.value.issues
    assert (problem.row, problem.field) == (2, "method")
    assert ws.datapoints(["2024"]) == []


def test_show_prints_nil(
    ws: Ledger, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    _group(ws, tmp_path)
    _import(ws, tmp_path, [["foil", "2024", "waste.hazardous", "—", "t", "", ""]])
    show = ["--db", db_url, "show", "waste.hazardous", "--entity", "foil", "--period", "2024"]
    printed = CliRunner().invoke(app, show)
    assert printed.exit_code == 0, printed.output
    assert "waste.hazardous@foil@2024 = nil: nothing to report" in printed.output
    assert json.loads(CliRunner().invoke(app, [*show, "--json"]).output)["value"] is None


def test_a_figure_of_a_stated_boundary_is_kept_apart_from_the_roll_up(
    ws: Ledger, tmp_path: Path
) -> None:
    """The group publishes water withdrawal 900 m3 "excluding the power plant" while its plants
    report mill 500, foil 300, power 2 000: the group's roll-up is 2 800 m3, and the published
    900 m3 stays a figure of its own boundary, never added to it."""
    _group(ws, tmp_path)
    rows = [
        ["mill", "2024", "water.withdrawal", "500", "m3", "", ""],
        ["foil", "2024", "water.withdrawal", "300", "m3", "", ""],
        ["power", "2024", "water.withdrawal", "2000", "m3", "", ""],
        ["grp", "2024", "water.withdrawal", "900", "m3", "", "-power"],
    ]
    _import(ws, tmp_path, rows)
    keys = sorted(p.metric_id for p in ws.datapoints(["2024"]) if p.entity_id == "grp")
    assert keys == ["water.withdrawal{covers=-power}"]
    ws.calc("2024")
    assert ws.show("water.withdrawal", "grp", "2024").value == pytest.approx(2800.0)
    stated = ws.show("water.withdrawal", "grp", "2024", "covers=-power")
    assert stated.value == pytest.approx(900.0)


def test_listed_entities_and_the_whole_subtree(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [
        ["grp", "2024", "water.withdrawal", "800", "m3", "", "foil; mill"],
        ["grp", "2024", "waste.hazardous", "5", "t", "", "grp;mill;foil;power"],
    ]
    _import(ws, tmp_path, rows)
    keys = sorted(p.metric_id for p in ws.datapoints(["2024"]))
    # the whole subtree needs no boundary of its own
    assert keys == ["waste.hazardous", "water.withdrawal{covers=foil,mill}"]


def test_a_total_of_a_stated_boundary_needs_every_part_of_that_boundary(
    ws: Ledger, tmp_path: Path
) -> None:
    """Non-hazardous waste 20,000 t "excluding the power plant" and hazardous waste of another
    boundary: waste generated for the first boundary is not 20,000 t (its hazardous part is
    unknown), so none is formed; with both parts of one boundary it is their sum."""
    _group(ws, tmp_path)
    rows = [
        ["grp", "2024", "waste.non_hazardous", "20000", "t", "", "-power"],
        ["grp", "2024", "waste.hazardous", "1500", "t", "", "mill"],
    ]
    _import(ws, tmp_path, rows)
    ws.calc("2024")
    assert ws.show("waste.non_hazardous", "grp", "2024", "covers=-power").value == 20000
    with pytest.raises(EsgLedgerError):
        ws.show("waste.total", "grp", "2024", "covers=-power")
    _import(ws, tmp_path, [["grp", "2024", "waste.hazardous", "700", "t", "", "-power"]])
    ws.calc("2024")
    assert ws.show("waste.total", "grp", "2024", "covers=-power").value == pytest.approx(20700)


def test_a_whole_import_states_its_boundary(ws: Ledger, tmp_path: Path) -> None:
    """A table printed "excluding the power plant": every row of the file takes the boundary
    given once for the import, unless its own covers cell says otherwise; a row whose entity
    does not contain the excluded one is refused, naming it, and nothing is written."""
    _group(ws, tmp_path)
    rows = [
        ["grp", "2024", "water.withdrawal", "900", "m3", "", ""],
        ["grp", "2024", "waste.hazardous", "5", "t", "", "mill"],
    ]
    path = write_csv(tmp_path / "table.csv", HEADER, rows)
    ws.services.imports.data(ws.admin, path, covers="-power")
    keys = sorted(p.metric_id for p in ws.datapoints(["2024"]))
    assert keys == ["waste.hazardous{covers=mill}", "water.withdrawal{covers=-power}"]
    other = write_csv(
        tmp_path / "other.csv", HEADER, [["mill", "2024", "waste.hazardous", "7", "t", "", ""]]
    )
    with pytest.raises(InputRejected) as refused:
        ws.services.imports.data(ws.admin, other, covers="-power")
    (problem,) = refused.value.issues
    assert (problem.row, problem.field) == (2, "covers")
    assert "the boundary given for the whole import" in problem.expected
    assert len(ws.datapoints(["2024"])) == 2


@pytest.mark.parametrize(
    ("covers", "said"),
    [
        ("other", "'other' is not grp or one of its sub-entities"),
        ("mill;-power", "not both"),
        ("-grp", "cannot leave itself out"),
    ],
)
def test_a_boundary_outside_the_subtree_is_refused(
    ws: Ledger, tmp_path: Path, covers: str, said: str
) -> None:
    _group(ws, tmp_path)
    rows = [["grp", "2024", "water.withdrawal", "900", "m3", "", covers]]
    with pytest.raises(InputRejected) as refused:
        _import(ws, tmp_path, rows)
    (problem,) = refused.value.issues
    assert (problem.row, problem.field) == (2, "covers")
    assert said in problem.expected
    assert ws.datapoints(["2024"]) == []
