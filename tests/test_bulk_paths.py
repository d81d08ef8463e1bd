"""The bulk path and the data-point path give the same numbers on the same data (issue 3, item 8).

One ledger holds two copies of the same organisation. The ``dp_`` copy gets the activity records
summed per entity, month and metric as ordinary data points; the ``bk_`` copy gets the raw records
through ``activity import`` and ``activity calc``. Both copies share a factor edition that changes
the Chinese grid factors on 2024-07-01, a measured natural-gas NCV for April to September, and a
plant in the United States (IPCC Tier 1 with CH4 and N2O for stationary combustion). Every month is
then computed by the engine and the totals compared, plant by plant and at group level.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from esgledger.calc.bulk.metrics import activity_metrics
from esgledger.ingest.activity_files import sha256_of
from tests import bulk_data
from tests.bulk_data import YEAR
from tests.ledger_fixture import Ledger

TOTALS = ["energy.total_tce", "ghg.scope1", "ghg.scope2_location", "ghg.scope2_market"]
ENTITIES = ["grp", "smelter", "power", "us"]


@pytest.fixture
def both(ws: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("ESGLEDGER_DATA_DIR", str(tmp_path / "data"))
    bulk_data.add_midyear_edition(ws)
    for prefix in ("dp_", "bk_"):
        ws.import_organisation(bulk_data.organisation(tmp_path / f"org_{prefix}.csv", prefix))
        ws.import_data(bulk_data.site_parameters(tmp_path / f"site_{prefix}.csv", prefix))
    units = {m: ws.catalogue[m].unit for m in activity_metrics(ws.catalogue)}
    ws.import_data(
        bulk_data.monthly_datapoints(tmp_path / "dp.csv", bulk_data.records("dp_"), units)
    )
    path = bulk_data.write_parquet(tmp_path / "bk.parquet", bulk_data.records("bk_"))
    imported = ws.import_activity(path, str(YEAR))
    done = ws.calc_activity(str(YEAR))
    return {"ws": ws, "imported": imported, "done": done, "path": path}


def _note(ws: Ledger, entity: str, month: int, metric: str) -> tuple[Any, dict[str, Any]]:
    period = f"{YEAR}-{month:02d}"
    [point] = [
        p for p in ws.datapoints([period]) if p.entity_id == entity and p.metric_id == metric
    ]
    return point, json.loads(point.note or "{}")


def test_every_month_agrees_at_plant_and_group_level(both: dict[str, Any]) -> None:
    ws: Ledger = both["ws"]
    compared = 0
    for month in range(1, 13):
        inventory = ws.compute(f"{YEAR}-{month:02d}")
        for entity in ENTITIES:
            for metric in TOTALS:
                expected = inventory.value(metric, f"dp_{entity}")
                got = inventory.value(metric, f"bk_{entity}")
                assert expected is not None and expected > 0, (metric, entity, month)
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), (metric, entity, month)
                compared += 1
    assert compared == 12 * len(ENTITIES) * len(TOTALS)


def test_a_plant_without_factor_changes_agrees_for_the_year(both: dict[str, Any]) -> None:
    inventory = both["ws"].compute(str(YEAR))
    for metric in TOTALS:
        expected = inventory.value(metric, "dp_us")
        assert inventory.value(metric, "bk_us") == pytest.approx(expected, rel=1e-9)


def test_the_grid_factor_changes_on_the_first_of_july(both: dict[str, Any]) -> None:
    ws: Ledger = both["ws"]
    _point, june = _note(ws, "bk_smelter", 6, "activity.scope2_location_co2e")
    _point, july = _note(ws, "bk_smelter", 7, "activity.scope2_location_co2e")
    grid = "cn_grid_mee.national_average"
    [before] = [f for f in june["factors"] if f["factor"] == grid]
    [after] = [f for f in july["factors"] if f["factor"] == grid]
    assert before["version"] != "test-2024.7" and before["valid_from"] < "2024-01-02"
    assert after == {
        **after,
        "version": "test-2024.7",
        "valid_from": "2024-07-01",
        "value": bulk_data.GRID["national_average"],
        "edition": "test edition: mid-2024 update",
    }
    # the location-based value of July is the July electricity times the new factor (+ steam)
    july_mwh = sum(
        q["sum"] * (1 if q["unit"] == "MWh" else 0.001)
        for q in july["quantities"]
        if q["metric"] == "energy.electricity_purchased"
    )
    point, _ = _note(ws, "bk_smelter", 7, "activity.scope2_location_co2e")
    heat = ws.compute(f"{YEAR}-07").value("ghg.scope2_heat", "dp_smelter") or 0.0
    assert point.value == pytest.approx(
        july_mwh * bulk_data.GRID["national_average"] + heat, rel=1e-9
    )


def test_measured_parameters_are_honoured_like_the_engine(both: dict[str, Any]) -> None:
    ws: Ledger = both["ws"]
    _point, march = _note(ws, "bk_power", 3, "activity.scope1_co2e")
    _point, april = _note(ws, "bk_power", 4, "activity.scope1_co2e")
    assert not any(f.get("measured") for f in march["factors"])
    [measured] = [f for f in april["factors"] if f.get("measured")]
    assert measured["factor"] == "site.natural_gas.ncv"
    assert measured["value"] == bulk_data.MEASURED_NCV[4]
    assert measured["lineage_key"].startswith("site.natural_gas.ncv@bk_power@2024-04")


def test_abroad_the_ipcc_path_counts_ch4_and_n2o(both: dict[str, Any]) -> None:
    _point, note = _note(both["ws"], "bk_us", 5, "activity.scope1_co2e")
    factors = {f["factor"] for f in note["factors"]}
    assert {
        "gbt2589.calorific_value.raw_coal",  # raw coal: one NCV for its energy and its CO2
        "ipcc2006.co2.bituminous",
        "ipcc2006.ch4_stationary.coal",
        "ipcc2006.n2o_stationary.coal",
        "gwp_ar5.ch4",
        "gwp_ar5.n2o",
    } <= factors
    assert not any(f.startswith("mrv2015.") for f in factors)


def test_lineage_summary_counts_the_records_and_names_the_file(both: dict[str, Any]) -> None:
    ws: Ledger = both["ws"]
    imported, path = both["imported"], both["path"]
    records = [r for r in bulk_data.records("bk_") if r[0] == "bk_smelter" and r[1].month == 7]
    point, note = _note(ws, "bk_smelter", 7, "activity.energy_tce")
    assert (point.method, point.source, point.unit) == ("calculated", "bulk activity", "tce")
    assert note["records"] == len(records)
    counts = Counter((r[2], r[4]) for r in records)
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in records:
        sums[(r[2], r[4])] += r[3]
    assert {(q["metric"], q["unit"]): q["records"] for q in note["quantities"]} == counts
    for q in note["quantities"]:
        assert q["sum"] == pytest.approx(sums[(q["metric"], q["unit"])], rel=1e-12)
    assert note["files"] == [
        {"batch": imported.batch_id, "name": "bk.parquet", "sha256": sha256_of(path)}
    ]
    assert all(
        {"factor", "value", "unit", "valid_from", "edition", "version"} <= set(f)
        for f in note["factors"]
        if not f.get("measured")
    )
    assert note["options"]["gwp"] == "AR5"


def test_a_rerun_leaves_identical_results_unchanged(both: dict[str, Any]) -> None:
    ws: Ledger = both["ws"]
    first = both["done"]
    assert first.written.created == first.results > 0
    again = ws.calc_activity(str(YEAR))
    assert (again.written.created, again.written.corrected) == (0, 0)
    assert again.written.unchanged == first.results


def test_a_new_file_replaces_only_the_results_it_changes(
    both: dict[str, Any], tmp_path: Path
) -> None:
    ws: Ledger = both["ws"]
    before, _ = _note(ws, "bk_us", 3, "activity.scope1_co2e")
    extra = [("bk_us", dt.datetime(YEAR, 3, 15, 12), "energy.raw_coal", 10.0, "t")]
    ws.import_activity(bulk_data.write_parquet(tmp_path / "late.parquet", extra), str(YEAR))
    done = ws.calc_activity(str(YEAR))
    after, note = _note(ws, "bk_us", 3, "activity.scope1_co2e")
    assert done.written.corrected == 2  # March energy and Scope 1 of the US plant
    assert after.version == before.version + 1 and after.value > before.value
    assert [f["name"] for f in note["files"]] == ["bk.parquet", "late.parquet"]
