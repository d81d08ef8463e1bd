"""Every year since 2015 and every country (issue 9, part 8): a Chinese entity computes Scope 2 by
both methods for every year 2015-2024 (the newest official MEE/NBS series where it has a value, the
nearest official vintage before it, which lineage notes); a province-selected entity; Hong Kong by
its utility or the territory default; any other country by its IFI factor.

Hand-worked figures (1 000 MWh purchased in each case; 1 MWh x 1 tCO2/MWh = 1 tCO2):
- China, national average (cn_grid_mee / cn_grid_history): data year 2021 0.5568 (used for 2015-2021),
  2022 0.5366, 2023 0.5306 (used for 2023 and 2024) -> 556.8, 536.6, 530.6 tCO2.
- China, excluding market-traded non-fossil (the residual of market-based Scope 2): 2021 0.5942 (used
  for 2015-2021), 2022 0.5856, 2023 0.6096 -> 594.2, 585.6, 609.6 tCO2.
- Guangdong provincial, data year 2023 0.4419 (nearest vintage for 2019) -> 441.9 tCO2; Shandong has
  no provincial value: its regional grid (North China) 2023 0.6361 -> 636.1 tCO2.
- Hong Kong 2019: CLP Power 0.49 kgCO2/kWh -> 490 t; HK Electric 2017 0.79 -> 790 t; no utility:
  territory default 0.7 -> 700 t.
- IFI 2021 v3.1 operating margin: India 951, Malaysia 551, Venezuela 711 gCO2/kWh -> 951, 551, 711 t.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from esgledger.calc import CalcOptions
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

HEADER = ["entity", "period", "metric", "value", "unit"]
ORG_HEADER = ["id", "name", "parent", "country", "type", "grid_region"]

# year: (location-based tCO2 for 1 000 MWh, market-based, the factors' data year when it differs)
CN_BY_YEAR = {
    2015: (556.8, 594.2, 2021),
    2016: (556.8, 594.2, 2021),
    2017: (556.8, 594.2, 2021),
    2018: (556.8, 594.2, 2021),
    2019: (556.8, 594.2, 2021),
    2020: (556.8, 594.2, 2021),
    2021: (556.8, 594.2, None),
    2022: (536.6, 585.6, None),
    2023: (530.6, 609.6, None),
    2024: (530.6, 609.6, None),
}


def _organisation(ws: Ledger, tmp_path: Path, rows: list[list[str]]) -> None:
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_HEADER, rows))


def _electricity(ws: Ledger, tmp_path: Path, entities: list[str], years: list[int]) -> None:
    rows = [
        [entity, str(year), "energy.electricity_purchased", "1000", "MWh"]
        for entity in entities
        for year in years
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))


def _grid_factor(ws: Ledger, metric: str, entity: str, period: str) -> dict:
    record = ws.explain(metric, entity, period)["records"][f"{metric}@{entity}@{period}"]
    (factor,) = [
        f for f in record["factors"] if f["role"] in ("grid emission factor", "residual mix")
    ]
    return {"factor": factor, "notes": record["notes"]}


def test_a_chinese_entity_computes_scope2_for_every_year_from_2015(
    ws: Ledger, tmp_path: Path
) -> None:
    _organisation(
        ws,
        tmp_path,
        [["grp", "Group", "", "CN", "group", ""], ["plant", "Plant", "grp", "CN", "plant", ""]],
    )
    _electricity(ws, tmp_path, ["plant"], list(CN_BY_YEAR))
    for year, (location, market, vintage) in CN_BY_YEAR.items():
        period = str(year)
        done = ws.calc(period)
        assert not [g.key for g in done.gaps if "scope2" in g.key or "scope12" in g.key], year
        assert ws.show("ghg.scope2_location", "grp", period).value == pytest.approx(location)
        assert ws.show("ghg.scope2_market", "grp", period).value == pytest.approx(market)
        for metric in ("ghg.scope2_electricity", "ghg.scope2_market_electricity"):
            used = _grid_factor(ws, metric, "plant", period)
            factor = used["factor"]
            # the MEE/NBS announcement of the data year is cited
            assert any(w in factor["source"] for w in ("公告", "announcement")), (year, factor)
            vintages = [n for n in used["notes"] if n["code"] == "nearest_vintage"]
            if vintage is None:
                assert factor["factor"].startswith("cn_grid_mee."), (year, factor)
                assert not vintages
            else:  # before the first official data year: the nearest vintage, said so
                assert factor["factor"].startswith("cn_grid_history."), (year, factor)
                assert factor["vintage"] == vintage
                assert vintages == [
                    {
                        "code": "nearest_vintage",
                        "args": {"factor": factor["factor"], "vintage": vintage, "year": year},
                    }
                ]


def test_before_2015_the_gap_names_the_series_that_starts_first(ws: Ledger, tmp_path: Path) -> None:
    _organisation(ws, tmp_path, [["plant", "Plant", "", "CN", "plant", ""]])
    _electricity(ws, tmp_path, ["plant"], [2014])
    gaps = {gap.key: gap for gap in ws.calc("2014").gaps}
    reason = gaps["ghg.scope2_electricity@plant@2014"].reason
    assert reason["code"] == "factor_starts_later"
    assert reason["args"]["factor"] == "cn_grid_history.national_average"
    assert reason["args"]["first"] == "2015-01-01"


def test_a_province_takes_its_provincial_factor_then_its_regional_grid(
    ws: Ledger, tmp_path: Path
) -> None:
    _organisation(
        ws,
        tmp_path,
        [
            ["grp", "Group", "", "CN", "group", ""],
            ["gd", "Guangdong plant", "grp", "CN", "plant", "广东"],  # accepted spelling
            ["sd", "Shandong plant", "grp", "CN", "plant", "shandong"],
        ],
    )
    assert {e.id: e.grid_region for e in ws.entities()} == {
        "grp": None,
        "gd": "guangdong",
        "sd": "shandong",
    }
    _electricity(ws, tmp_path, ["gd", "sd"], [2019, 2024])
    provincial = CalcOptions(grid_series="provincial")
    ws.calc("2019", provincial)
    assert ws.show("ghg.scope2_electricity", "gd", "2019").value == pytest.approx(441.9)
    used = _grid_factor(ws, "ghg.scope2_electricity", "gd", "2019")
    assert used["factor"]["factor"] == "cn_grid_history.province.guangdong"
    assert {
        "code": "grid_series",
        "args": {"series": "provincial", "factor": "cn_grid_history.province.guangdong"},
    } in used["notes"]
    ws.calc("2024", provincial)
    assert ws.show("ghg.scope2_electricity", "gd", "2024").value == pytest.approx(441.9)
    assert ws.show("ghg.scope2_electricity", "sd", "2024").value == pytest.approx(636.1)
    used = _grid_factor(ws, "ghg.scope2_electricity", "sd", "2024")
    assert used["factor"]["factor"] == "cn_grid_mee.region.north"
    assert {
        "code": "grid_series",
        "args": {"series": "regional", "factor": "cn_grid_mee.region.north"},
    } in used["notes"]
    # the regional series stays selectable: a province uses its regional grid
    ws.calc("2024", CalcOptions(grid_series="regional"))
    assert ws.show("ghg.scope2_electricity", "gd", "2024").value == pytest.approx(
        404.2
    )  # south 0.4042


def test_hong_kong_by_utility_or_the_territory_default(ws: Ledger, tmp_path: Path) -> None:
    _organisation(
        ws,
        tmp_path,
        [
            ["grp", "Group", "", "HK", "group", ""],
            ["kln", "Kowloon office", "grp", "HK", "branch", "CLP Power"],
            ["isl", "Island office", "grp", "HK", "branch", "港灯"],
            ["any", "Office", "grp", "HK", "branch", ""],
        ],
    )
    assert {e.id: e.grid_region for e in ws.entities()}["isl"] == "hke"
    _electricity(ws, tmp_path, ["kln", "isl", "any"], [2017, 2019])
    ws.calc("2019")
    assert ws.show("ghg.scope2_electricity", "kln", "2019").value == pytest.approx(490)
    assert ws.show("ghg.scope2_electricity", "isl", "2019").value == pytest.approx(810)
    assert ws.show("ghg.scope2_electricity", "any", "2019").value == pytest.approx(700)
    assert ws.show("ghg.scope2_market_electricity", "kln", "2019").value == pytest.approx(490)
    default = _grid_factor(ws, "ghg.scope2_electricity", "any", "2019")["factor"]
    assert default["factor"] == "hk_utilities.territory_default"
    assert "EMSD and EPD" in default["source"]
    ws.calc("2017")
    assert ws.show("ghg.scope2_electricity", "isl", "2017").value == pytest.approx(790)
    clp = _grid_factor(ws, "ghg.scope2_electricity", "kln", "2017")
    assert clp["factor"]["vintage"] == 2019 and clp["factor"]["unverified"]
    assert {
        "code": "nearest_vintage",
        "args": {"factor": "hk_utilities.utility.clp", "vintage": 2019, "year": 2017},
    } in clp["notes"]


@pytest.mark.parametrize(("country", "tonnes"), [("IN", 951), ("MY", 551), ("VE", 711)])
def test_any_country_computes_with_its_ifi_factor(
    ws: Ledger, tmp_path: Path, country: str, tonnes: float
) -> None:
    _organisation(ws, tmp_path, [["site", "Site", "", country, "plant", ""]])
    _electricity(ws, tmp_path, ["site"], [2019])
    done = ws.calc("2019")
    assert not [g.key for g in done.gaps if "scope2" in g.key]
    assert ws.show("ghg.scope2_location", "site", "2019").value == pytest.approx(tonnes)
    assert ws.show("ghg.scope2_market", "site", "2019").value == pytest.approx(tonnes)
    used = _grid_factor(ws, "ghg.scope2_electricity", "site", "2019")["factor"]
    assert used["factor"] == f"ifi_grid.country.{country}"
    assert used["source"].startswith("Harmonized IFI Default Grid Factors 2021 v3.1 (UNFCCC)")
    assert used["unverified"]
