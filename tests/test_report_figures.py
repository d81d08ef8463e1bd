"""What a new user found in the report (issue 11 part 6), each with the test that would have caught
it: the energy-mix chart and the table are one set of figures (electricity received from a group
entity is eliminated in both); published precision by significant figures; factor sources and
formula lines in the report language; SSE and IFRS S2 codes in force printed; the unverified factors
listed under the basis of preparation's limitations, not ahead of the figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from esgledger.report.formatting import format_precise
from esgledger.report.trace import trace_value
from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

COAL_TCE = 0.7143  # GB/T 2589-2020 Appendix A, kgce/kg
ELECTRICITY_TCE = 0.1229  # calorific equivalent, kgce/kWh


@pytest.fixture
def reports(ws: Ledger, tmp_path: Path) -> dict[str, str]:
    """A group whose power plant burns 1000 t of coal and supplies 1000 MWh to its smelter,
    which also buys 500 MWh."""
    org = write_csv(
        tmp_path / "org.csv",
        ORG_HEADER,
        [
            ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
            ["plant_a", "Smelter", "grp", "CN", "电解铝厂", "plant", "", "", "", ""],
            ["plant_b", "Power plant", "grp", "CN", "自备电厂", "plant", "", "", "", ""],
        ],
    )
    ws.import_organisation(org)
    rows = [
        ["plant_b", "2024", "energy.raw_coal", "1000", "t", "measured", "weighbridge", ""],
        ["plant_b", "2024", "production.electricity_generated", "2000", "MWh", "measured", "", ""],
        ["plant_a", "2024", "energy.electricity_purchased", "500", "MWh", "measured", "", ""],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    ws.import_transfers(
        write_csv(
            tmp_path / "transfers.csv",
            ["from", "to", "period", "carrier", "value", "unit"],
            [["plant_b", "plant_a", "2024", "electricity", "1000", "MWh"]],
        )
    )
    ws.calc("2024")
    out = tmp_path / "out"
    return {
        lang: ws.report_file("2024", out, lang).read_text(encoding="utf-8") for lang in ("en", "zh")
    }


def _figure(html: str, figure_id: str) -> str:
    start = html.index(f'id="{figure_id}"')
    return html[start : html.index("</figure>", start)]


def test_energy_mix_bars_add_up_to_the_table_total(reports: dict[str, str]) -> None:
    coal, bought = 1000 * COAL_TCE, 500 * ELECTRICITY_TCE  # 714.3 + 61.45 = 775.75 tce
    total = coal + bought  # the 1000 MWh received inside the group is counted at the plant
    mix = _figure(reports["en"], "chart-energy-mix")
    assert "Electricity received from group entities" not in mix
    assert f"{coal / total:.1%}" in mix and f"{bought / total:.1%}" in mix  # 92.1%, 7.9%
    assert "775.75 tce" in mix  # the caption's total, the table's figure
    shares = [float(s) for s in re.findall(r">(\d+\.\d)%<", mix)]
    assert abs(sum(shares) - 100) <= 0.2
    assert "集团内部供电量" not in _figure(reports["zh"], "chart-energy-mix")


def test_published_precision_is_significant_figures_by_magnitude() -> None:
    assert format_precise(5_077_212.760355) == "5,077,213"
    assert format_precise(443.5632) == "443.56"
    assert format_precise(0.122912) == "0.12291"
    assert format_precise(0.0) == "0" and format_precise(None) == "–"


def test_no_appendix_value_runs_to_six_decimals(reports: dict[str, str]) -> None:
    for html in reports.values():
        appendix = html[html.index('id="appendix"') :]
        assert not re.search(r"\d\.\d{6}\b", appendix)


def test_chinese_report_prints_sources_and_formula_lines_in_chinese(
    reports: dict[str, str],
) -> None:
    zh = reports["zh"]
    appendix = zh[zh.index('id="appendix"') :]
    assert "own activity + sum of consolidated children" not in appendix
    assert "General principles for calculation" not in appendix
    assert "综合能耗计算通则" in appendix  # GB/T 2589's title as the factor data carries it
    en = reports["en"]
    assert "GB/T 2589-2020, Appendix A" in en[en.index('id="appendix"') :]


def test_sse_codes_in_force_appear_beside_hkex_and_gri(reports: dict[str, str]) -> None:
    en, zh = reports["en"], reports["zh"]
    assert '<th scope="col" class="code">SSE</th>' in en
    assert '<th scope="col" class="code">上交所</th>' in zh
    coal_row = en[en.index('data-metric="energy.raw_coal"') :]
    coal_row = coal_row[: coal_row.index("</tr>")]
    assert '<td class="code sse">35(1)</td>' in coal_row


def test_basis_of_preparation_comes_first_and_holds_the_limitations(
    reports: dict[str, str],
) -> None:
    for lang, html in reports.items():
        basis = html[html.index('<section id="basis"') : html.index('<section id="kpi"')]
        assert 'id="unverified"' in basis and 'id="basis-limitations"' in basis
        assert basis.index('id="basis-limitations"') < basis.index('id="unverified"')
        assert '<section id="unverified"' not in html
        assert "audit verify --head" in basis
        if lang == "en":
            assert "Consolidation approach: Operational control" in basis
            assert "SSE Guideline No. 14" in basis and "General principles for calculation" in basis
        else:
            assert "合并方法：运营控制权法" in basis and "综合能耗计算通则" in basis


def _lineage(tagged: bool) -> dict[str, Any]:
    """A group total over one smelter that burns coal and receives 100 tce of electricity from
    the group's own plant (the roll-up eliminates it)."""
    electricity: dict[str, Any] = {
        "input": "energy.electricity_internal@smelter@2024",
        "value": 100.0,
        "unit": "tce",
        "detail": "",
        "carrier": "energy.electricity_internal",
    }
    if tagged:
        electricity["internal"] = {"plant>smelter": 100.0}
    coal = {"input": "energy.raw_coal@smelter@2024", "value": 700.0, "unit": "tce", "detail": ""}
    coal["carrier"] = "energy.raw_coal"
    base = {"metric": "energy.total_tce", "period": "2024", "unit": "tce"}
    return {
        "energy.total_tce@grp@2024": {
            **base,
            "key": "energy.total_tce@grp@2024",
            "entity": "grp",
            "value": 700.0,
            "kind": "rollup",
            "children": [
                {"key": "energy.total_tce@smelter@2024", "entity": "smelter", "value": 800.0}
            ],
            "eliminations": [
                {"supplier": "plant", "receiver": "smelter", "value": 100.0, "share": 1.0}
            ],
        },
        "energy.total_tce@smelter@2024": {
            **base,
            "key": "energy.total_tce@smelter@2024",
            "entity": "smelter",
            "value": 800.0,
            "kind": "formula",
            "terms": [coal, electricity],
            "internal": {"plant>smelter": 100.0},
        },
    }


@pytest.mark.parametrize("tagged", [True, False])
def test_breakdown_nets_out_eliminations_also_for_runs_stored_before_tags(tagged: bool) -> None:
    found = trace_value(_lineage(tagged), "energy.total_tce@grp@2024")
    assert found is not None
    assert {line.metric: line.contribution for line in found.breakdown} == {"energy.raw_coal": 700}
    assert found.breakdown_complete
