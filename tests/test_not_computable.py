"""Calculate what can be calculated (issue 9, part 7): a missing factor or input makes that value,
and every value that depends on it, not computable with the reason; the rest of the inventory is
produced. Scope 3 categories are computed only for the categories the organisation reports.

Hand-worked figures: 1 000 t of raw coal x 0.7143 kgce/kg (GB/T 2589-2020 Appendix A) = 714.3 tce;
purchased electricity 5 000 MWh x 0.1229 kgce/kWh (calorific equivalent, GB/T 2589-2020) = 614.5
tce; comprehensive energy 714.3 + 614.5 = 1 328.8 tce.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.ledger.runs import load_period_run
from esgledger.service_errors import Invalid, NotFound
from esgledger.store.database import URL_ENV
from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_i18n import text_of
from tests.web_clients import signed_in_clients

HEADER = ["entity", "period", "metric", "value", "unit"]
GRID_2010 = "ghg.scope2_electricity@plant@2010"  # no Chinese grid factor before 2015


def _group(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type"]]
    org += [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))


def _data(ws: Ledger, tmp_path: Path, rows: list[list[str]], name: str = "data.csv") -> None:
    ws.import_data(write_csv(tmp_path / name, HEADER, rows))


def _supplier_without_factor(ws: Ledger, tmp_path: Path) -> None:
    """2024: the plant buys 5 000 MWh, 2 000 of them under a supplier contract whose factor it
    did not report: market-based Scope 2 cannot be computed, location-based can."""
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "energy.raw_coal", "1000", "t"],
        ["plant", "2024", "energy.electricity_purchased", "5000", "MWh"],
        ["plant", "2024", "energy.electricity_supplier_specific", "2000", "MWh"],
    ]
    _data(ws, tmp_path, rows)


def test_an_input_that_is_missing_stops_only_what_depends_on_it(ws: Ledger, tmp_path: Path) -> None:
    _supplier_without_factor(ws, tmp_path)
    done = ws.calc("2024")
    gaps = {gap.key: gap for gap in done.gaps}
    first = gaps["ghg.scope2_market_electricity@plant@2024"]
    assert first.first_hand and first.kind == "not_computable"
    assert first.reason["code"] == "calc_failed"
    assert "energy.electricity_supplier_factor" in str(first.reason["args"]["detail"])
    # what reads it: the plant's market-based Scope 2, then the group's, then Scope 1+2 market
    for dependent in (
        "ghg.scope2_market@plant@2024",
        "ghg.scope2_market@grp@2024",
        "ghg.scope12_market@grp@2024",
    ):
        assert gaps[dependent].cause == first.key, dependent
    assert gaps["ghg.scope2_market@grp@2024"].reason == {
        "code": "part_not_computable",
        "args": {"metric": "ghg.scope2_market", "entity": "plant"},
    }
    # the rest of the inventory is there: energy, Scope 1, location-based Scope 2
    assert ws.show("energy.total_tce", "grp", "2024").value == pytest.approx(1328.8)
    assert ws.show("ghg.scope1", "grp", "2024").value > 0
    assert ws.show("ghg.scope2_location", "grp", "2024").value > 0
    assert not any(
        key.startswith(("energy.", "ghg.scope1@", "ghg.scope2_location")) for key in gaps
    )


def test_a_value_none_of_whose_inputs_was_reported_says_so_after_the_calculation(
    ws: Ledger, tmp_path: Path
) -> None:
    """The plant reports no water and no revenue: before a calculation, show says to calculate;
    after it, that the run formed no intensity because its inputs have no values."""
    _supplier_without_factor(ws, tmp_path)
    with pytest.raises(NotFound, match="calculate 2024 first"):
        ws.show("water.intensity_revenue", "plant", "2024")
    ws.calc("2024")
    with pytest.raises(NotFound) as none:
        ws.show("water.intensity_revenue", "plant", "2024")
    said = str(none.value)
    assert "formed none: its inputs (water.withdrawal, finance.revenue) have no values" in said
    assert "calculate 2024 first" not in said


def test_a_missing_factor_names_the_factor_and_when_its_series_starts(
    ws: Ledger, tmp_path: Path
) -> None:
    _group(ws, tmp_path)
    rows = [
        ["plant", "2010", "energy.raw_coal", "1000", "t"],
        ["plant", "2010", "energy.electricity_purchased", "5000", "MWh"],
    ]
    _data(ws, tmp_path, rows)
    done = ws.calc("2010")
    by_key = {gap.key: gap for gap in done.gaps}
    assert by_key[GRID_2010].reason["code"] in ("factor_starts_later", "factor_unknown")
    assert "cn_grid" in str(by_key[GRID_2010].reason["args"]["factor"])
    assert ws.show("energy.total_tce", "grp", "2010").value == pytest.approx(1328.8)
    shown = ws.show("ghg.scope2_location", "grp", "2010")
    assert shown.value is None and shown.status == "not_computable"
    assert shown.gap is not None and shown.gap["cause"] == GRID_2010
    assert shown.gap["caused_by"]["reason"] == by_key[GRID_2010].reason
    explained = ws.explain("ghg.scope2_location", "grp", "2010")
    assert explained["records"] == {} and explained["gap"]["cause"] == GRID_2010


def test_the_gaps_are_stored_with_the_run_and_the_ledger_still_verifies(
    ws: Ledger, tmp_path: Path
) -> None:
    _supplier_without_factor(ws, tmp_path)
    done = ws.calc("2024")
    with ws.db.engine.connect() as connection:
        run = load_period_run(connection, "2024")
    assert run is not None
    assert set(run.gaps) == {gap.key for gap in done.gaps}
    assert ws.verify_audit().ok


def test_scope3_categories_are_computed_only_when_the_organisation_reports_them(
    ws: Ledger, tmp_path: Path
) -> None:
    """Category 1: 1 000 t of alumina x 1.2 tCO2e/t (scope3_indicative, [M]) = 1 200 tCO2e."""
    _group(ws, tmp_path)
    rows = [
        ["plant", "2024", "energy.raw_coal", "1000", "t"],
        ["plant", "2024", "scope3.purchased_alumina", "1000", "t"],
    ]
    _data(ws, tmp_path, rows)
    nothing = {gap.key: gap for gap in ws.calc("2024").gaps}  # default: no category reported
    for category in ("ghg.scope3_cat1", "ghg.scope3_cat3", "ghg.scope3"):
        gap = nothing[f"{category}@grp@2024"]
        assert gap.kind == "not_reported", category
    assert nothing["ghg.scope3_cat3@plant@2024"].reason == {
        "code": "scope3_not_reported",
        "args": {"category": 3},
    }
    ws.services.settings.set(ws.admin, "scope3.categories", "1")
    chosen = ws.calc("2024")
    assert ws.show("ghg.scope3_cat1", "grp", "2024").value == pytest.approx(1200.0)
    assert ws.show("ghg.scope3", "grp", "2024").value == pytest.approx(1200.0)  # no category 3
    assert ws.show("ghg.scope3_cat3", "grp", "2024").status == "not_reported"
    assert chosen.options["scope3_categories"] == "1"
    assert not chosen.not_computable  # a category not reported is no failure


@pytest.mark.parametrize("typed", ["0", "16", "x", "1,,3", "2.5"])
def test_a_scope3_category_outside_1_to_15_is_refused(ws: Ledger, typed: str) -> None:
    with pytest.raises(Invalid, match="scope3.categories") as refused:
        ws.services.settings.set(ws.admin, "scope3.categories", typed)
    assert refused.value.field == "scope3.categories"


def test_scope3_categories_are_read_as_written(ws: Ledger) -> None:
    assert ws.services.settings.set(ws.admin, "scope3.categories", "4; 1, 3 ,1")["value"] == [
        1,
        3,
        4,
    ]
    assert ws.services.settings.set(ws.admin, "scope3.categories", "none")["value"] == []


def test_calc_lists_what_it_could_not_compute_and_strict_exits_1(
    ws: Ledger, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    _supplier_without_factor(ws, tmp_path)
    calc = ["--db", db_url, "calc", "--period", "2024"]
    printed = CliRunner().invoke(app, calc)
    assert printed.exit_code == 0, printed.output
    assert "value(s) not computable: 1 failed" in printed.output
    assert "ghg.scope2_market_electricity@plant@2024: energy.electricity_supplier_specific" in (
        printed.output
    )
    strict = CliRunner().invoke(app, [*calc, "--strict"])
    assert strict.exit_code == 1
    assert "--strict:" in strict.output
    show = ["--db", db_url, "show", "ghg.scope2_market", "--entity", "grp", "--period", "2024"]
    shown = CliRunner().invoke(app, show)
    assert shown.exit_code == 0
    assert "ghg.scope2_market@grp@2024: not computable" in shown.output
    assert "caused by ghg.scope2_market_electricity@plant@2024" in shown.output
    as_json = json.loads(CliRunner().invoke(app, [*show, "--json"]).output)
    assert as_json["value"] is None and as_json["status"] == "not_computable"


def test_the_web_lists_the_gaps_and_explains_one_in_both_languages(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    rows = [
        ["plant_b", "2024", "energy.electricity_purchased", "5000", "MWh"],
        ["plant_b", "2024", "energy.electricity_supplier_specific", "2000", "MWh"],
        ["plant_a", "2024", "energy.electricity_purchased", "1000", "MWh"],
    ]
    _data(world.ws, tmp_path, rows)
    world.ws.calc("2024")
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        manager = browse["manager"]
        listing = text_of(manager.get("/values?period=2024").text)
        assert "Not computed" in listing
        assert "Not computable : energy.electricity_supplier_specific is reported" in listing
        assert (
            "Not reported : Scope 3 category 3 - fuel- and energy-related activities — Scope 3 "
            "category 3 is not among the categories the organisation reports (setting "
            "scope3.categories) (2 entities with data)" in listing
        )
        page = text_of(manager.get("/explain/ghg.scope2_market/grp/2024").text)
        assert "Not computable" in page
        assert "Caused by Scope 2 - purchased electricity (market-based) of Plant B" in page
        assert manager.get("/lang/zh").status_code == 303
        chinese = text_of(manager.get("/explain/ghg.scope2_market/grp/2024").text)
        assert "无法计算" in chinese and "起因：乙厂的“范围二：外购电力排放（基于市场）”" in chinese
        # a viewer of plant A sees that the group total is not computable, not why at plant B
        scoped = browse["viewer_a"]
        assert scoped.get("/explain/ghg.scope2_market/grp/2024").status_code == 404
        twin = manager.get("/explain/ghg.scope2_market/grp/2024.json").json()
        assert twin["gap"]["cause"] == "ghg.scope2_market_electricity@plant_b@2024"


def test_the_report_marks_the_cell_and_says_why(ws: Ledger, tmp_path: Path) -> None:
    _supplier_without_factor(ws, tmp_path)
    ws.calc("2024")
    html = ws.report_file("2024", tmp_path / "out").read_text(encoding="utf-8")
    row = html.split('data-metric="ghg.scope2_market"', 1)[1].split("</tr>", 1)[0]
    assert 'href="#g-ghg.scope2_market-2024">n/c</a>' in row
    section = html.split('id="not-computed"', 1)[1].split("</section>", 1)[0]
    assert 'id="g-ghg.scope2_market-2024"' in section
    assert "caused by Scope 2 - purchased electricity (market-based) of Plant" in section
