"""The full report's chart catalogue (issue 11 part 4): every chart has a title in both languages,
draws nothing from no data, and draws a self-contained, accessible SVG (title and desc, labels in
the report language, legend, unit) whose labels do not overlap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from esgledger.catalogue import load_catalogue
from esgledger.demo.materiality import seed_materiality
from esgledger.i18n import Strings
from esgledger.report.build import report_context
from esgledger.report.chart_catalogue import CHARTS, MaterialityData, ReportData, report_data
from esgledger.report.svg import text_width
from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

SVG = "{http://www.w3.org/2000/svg}"
CATALOGUE = load_catalogue()


def _data() -> ReportData:
    data = ReportData(CATALOGUE, "2024", ["2022", "2023", "2024"])
    data.members["workforce.headcount"] = {
        "gender": {"female": 310.0, "male": 1190.0},
        "region": {"mainland_china": 1400.0},
    }
    data.members["water.withdrawal"] = {
        "water_source": {"surface_water": 8_000_000.0, "third_party": 2_600_000.0}
    }
    data.values[("water.consumption", "2024")] = 3_100_000.0
    data.members["waste.hazardous"] = {"waste_treatment": {"landfill": 12.0, "recycling": 30.0}}
    data.members["waste.non_hazardous"] = {"waste_treatment": {"landfill": 900.0}}
    for year, injuries, rate in (("2022", 32, 0.94), ("2023", 25, 0.74), ("2024", 20, 0.6)):
        data.values[("safety.lost_time_injuries", year)] = injuries
        data.values[("safety.ltifr", year)] = rate
        data.values[("energy.intensity_revenue", year)] = 0.7 - 0.03 * (int(year) - 2022)
    data.targets = [
        {
            "metric_key": "energy.intensity_revenue",
            "assessment": {
                "base": {"year": 2020, "value": 0.75},
                "trajectory": [
                    {"year": 2020, "value": 0.75},
                    {"year": 2025, "value": 0.6},
                    {"year": 2030, "value": 0.5},
                ],
            },
        }
    ]
    data.materiality = MaterialityData(
        "2024",
        {"climate": {"impact": 4.5, "financial": 4.0, "class": "double"}},
        {"climate": {"en": "Climate change", "zh": "应对气候变化"}},
        {"impact": 3.0, "financial": 3.0},
        {"min": 1, "max": 5},
    )
    return data


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def test_every_chart_has_both_titles_and_draws_nothing_from_no_data() -> None:
    empty = ReportData(CATALOGUE, "2024", ["2022", "2023", "2024"])
    assert {"emissions_by_scope", "energy_mix", "materiality_matrix", "safety_trend"} <= set(CHARTS)
    for name, spec in CHARTS.items():
        assert spec.name == name and spec.title["en"] and spec.title["zh"]
        for lang in ("en", "zh"):
            assert spec.render(empty, Strings(lang)) is None, name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_are_accessible_svg_in_the_report_language(lang: str) -> None:
    strings, data = Strings(lang), _data()
    drawn = {name: spec.render(data, strings) for name, spec in CHARTS.items()}
    expected = {"workforce_gender", "workforce_region", "waste", "safety_trend", "water"}
    expected |= {"intensity_trajectory", "materiality_matrix"}
    assert expected <= {name for name, svg in drawn.items() if svg}
    for name in expected - {"materiality_matrix"}:
        svg = drawn[name]
        assert svg is not None
        root = ET.fromstring(svg)
        assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
        assert root.get("role") == "img"
    gender = " ".join(t.text or "" for t in _texts(str(drawn["workforce_gender"])))
    waste = " ".join(t.text or "" for t in _texts(str(drawn["waste"])))
    safety = " ".join(t.text or "" for t in _texts(str(drawn["safety_trend"])))
    water = str(drawn["water"])
    assert "8,000,000" in water and "3,100,000" in water  # by source, then the consumption
    if lang == "en":
        assert "Surface water" in water and "Water consumption" in water
        assert "Surface water: 8,000,000" in water  # the desc reads each bar
        assert "Female" in gender and "1,190" in gender
        assert "Landfill" in waste and "Recycling" in waste  # categories, in file order
        assert "LTIFR" in safety and "0.6" in safety
    else:
        assert "女性" in gender and "男性" in gender
        assert "危险废物产生量" in waste and "填埋" in waste
        assert "损工率" in safety
    trajectory = str(drawn["intensity_trajectory"])
    assert 'stroke-dasharray="6 4"' in trajectory  # the planned path, dashed
    assert ">2030<" in trajectory and ">2020<" in trajectory
    assert ("Climate change" if lang == "en" else "应对气候变化") in str(
        drawn["materiality_matrix"]
    )


def test_labels_do_not_overlap() -> None:
    """Texts on one baseline (tick labels, category labels) never share horizontal space."""
    strings, data = Strings("en"), _data()
    data.members["workforce.headcount"]["age_band"] = {
        "under_30": 123456.0,
        "30_to_50": 9876543.0,
        "over_50": 4567.0,
    }
    svg = CHARTS["workforce_age"].render(data, strings)
    assert svg is not None
    by_line: dict[float, list[tuple[float, float]]] = {}
    for text in _texts(svg):
        size, x, width = float(text.get("font-size", 11)), float(text.get("x", 0)), 0.0
        width = text_width(text.text or "", size)
        anchor = text.get("text-anchor")
        start = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        by_line.setdefault(float(text.get("y", 0)), []).append((start, start + width))
    for spans in by_line.values():
        spans.sort()
        for (_a, end), (start, _b) in zip(spans, spans[1:], strict=False):
            assert start >= end - 0.5


def test_energy_mix_from_the_report_adds_up_to_the_table(ws: Ledger, tmp_path: Path) -> None:
    org = write_csv(
        tmp_path / "org.csv",
        ORG_HEADER,
        [
            ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
            ["plant", "Plant", "grp", "CN", "工厂", "plant", "", "", "", ""],
        ],
    )
    ws.import_organisation(org)
    rows = [
        ["plant", "2024", "energy.raw_coal", "1000", "t", "measured", "", ""],
        ["plant", "2024", "energy.electricity_purchased", "500", "MWh", "measured", "", ""],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    ws.calc("2024")
    with ws.db.reading() as connection:
        context, strings = report_context(connection, ws.catalogue, "2024", "zh")
    data = report_data(context, ws.catalogue)
    total = data.value("energy.total_tce", "2024")
    assert total == pytest.approx(1000 * 0.7143 + 500 * 0.1229)
    assert sum(v for _m, v in data.energy_mix) == pytest.approx(total)
    svg = CHARTS["energy_mix"].render(data, strings)
    assert svg is not None and "原煤" in svg and re.search(r"\(92\.1%\)", svg)
    assert data.entity_names == {"plant": "工厂"} or "plant" in data.entity_names


def test_the_materiality_chart_draws_the_periods_assessment(ws: Ledger, tmp_path: Path) -> None:
    seed_materiality(ws.services, ws.admin, tmp_path)
    found = ws.services.materiality.matrix_data(ws.admin, "2024")
    assert found is not None and found.results["climate"]["class"] == "double"
    assert ws.services.materiality.matrix_data(ws.admin, "2019") is None
    data = ReportData(CATALOGUE, "2024", ["2022", "2023", "2024"], materiality=found)
    for lang, climate in (("en", "Climate"), ("zh", "应对气候变化")):
        svg = CHARTS["materiality_matrix"].render(data, Strings(lang))
        assert svg is not None and climate in svg and "<title>" in svg


def _group_of_two(group_scope2: float) -> ReportData:
    data = ReportData(CATALOGUE, "2024", ["2024"])
    data.values[("ghg.scope1", "2024")] = 1000.0
    data.values[("ghg.scope2_location", "2024")] = group_scope2
    data.by_entity["ghg.scope1"] = {"power": 1000.0}
    data.by_entity["ghg.scope2_location"] = {"power": 0.0, "refinery": 300.0}
    return data


def test_bars_that_add_up_to_more_than_the_group_say_why() -> None:
    """The refinery's Scope 2 of 300 t is electricity of the group's own power plant, whose Scope 1
    counts it already: the group eliminates it, the bars (one per entity) do not."""
    english = CHARTS["emissions_by_entity"].render(_group_of_two(0.0), Strings("en"))
    assert english is not None
    assert "bars add up to 1,300 tCO2e and the group's Scope 1 and 2 to 1,000 tCO2e" in (
        english.replace("&#39;", "'")
    )
    assert "the 300 tCO2e between them" in english
    chinese = CHARTS["emissions_by_entity"].render(_group_of_two(0.0), Strings("zh"))
    assert chinese is not None and "两者之差 300 吨二氧化碳当量" in chinese


def test_bars_that_add_up_to_the_group_need_no_note() -> None:
    svg = CHARTS["emissions_by_entity"].render(_group_of_two(300.0), Strings("en"))
    assert svg is not None and 'class="caption"' not in svg
