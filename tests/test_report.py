"""The HTML report: self-contained, three-year KPI tables with hand-worked values, footnotes naming
the consolidated and excluded entities, inline SVG charts, an appendix entry with citations for
every figure, English and Chinese, escaping, and speed on a 200-entity group.

Expected values are worked by hand from the inputs and the cited factors:
- GB/T 2589-2020 Appendix A: diesel 1.4571 kgce/kg, raw coal 0.7143 kgce/kg, electricity (calorific
  equivalent) 0.1229 kgce/kWh;
- MEE/NBS national average grid factor for data year 2023: 0.5306 tCO2/MWh (used for 2023 and, as
  the newest data year, for 2024); AR5 GWP of CO2 = 1;
- NDRC 2015 MRV defaults for diesel: NCV 43.33 GJ/t, carbon content 20.2 tC/TJ, oxidation 98 %; for
  raw coal (bituminous): carbon content 26.18 tC/TJ, oxidation 93 %, at the GB/T 2589-2020 reference
  NCV of raw coal, 20.908 GJ/t (one heat content for its energy and its CO2).
"""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from esgledger.calc import CalcOptions
from esgledger.calc.notes import note
from esgledger.catalogue import load_catalogue
from esgledger.errors import EsgLedgerError
from esgledger.i18n import LANGUAGES, REPORT_FILE, Strings, load_table
from esgledger.report.charts import nice_ticks
from esgledger.report.formatting import format_fixed, format_number, row_decimals, unit_label
from esgledger.store.schema import calc_runs, calc_values
from tests.helpers import DATA_HEADER, GROUP_AND_PLANT, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

SMELTER = "Smelter <script>alert(1)</script>"
DIESEL_TCE = 1.4571  # kgce/kg = tce/t
COAL_TCE = 0.7143
ELECTRICITY_TCE = 0.1229  # kgce/kWh = tce/MWh
GRID_2023 = 0.5306  # tCO2/MWh
ETS_2022 = 0.5703  # tCO2/MWh, national ETS grid factor of 2022, the newest for 2023 and 2024
DIESEL_EF = 43.33 * 20.2 * 0.98 * 44 / 12 / 1000  # tCO2/t = GJ/t x tC/TJ x OF x 44/12 / 1000
COAL_EF = 20.908 * 26.18 * 0.93 * 44 / 12 / 1000

# Hand-worked totals of the group (the joint venture has no operational control: left out).
TCE_2023 = 100 * DIESEL_TCE + 1000 * ELECTRICITY_TCE  # 145.71 + 122.9 = 268.61
TCE_2024 = 120 * DIESEL_TCE + 200 * COAL_TCE + 1200 * ELECTRICITY_TCE  # 174.852 + 142.86 + 147.48
SCOPE2_2023 = 1000 * GRID_2023  # 530.6
SCOPE2_2024 = 1200 * GRID_2023  # 636.72


# -- fixtures and helpers --------------------------------------------------------------------------
@pytest.fixture
def group(ws: Ledger, tmp_path: Path) -> Ledger:
    """A group with a smelter (name with markup), a refinery that joins in 2024, and a joint venture
    without operational control; 2023 and 2024 calculated, 2022 not."""
    org = write_csv(
        tmp_path / "org.csv",
        ORG_HEADER,
        [
            ["grp", "Alpha Aluminium Group", "", "CN", "阿尔法铝业集团", "group", "", "", "", ""],
            ["smelter", SMELTER, "grp", "CN", "电解铝厂", "plant", "", "", "", ""],
            ["refinery", "Refinery", "grp", "CN", "氧化铝厂", "plant", "", "", "", ""],
            ["jv", "Joint Venture Co", "grp", "CN", "合营公司", "company", "", "false", "", ""],
        ],
    )
    rows = [
        ["smelter", "2023", "energy.diesel", "100", "t", "measured", "fuel ledger", ""],
        ["smelter", "2023", "energy.electricity_purchased", "1000", "MWh", "measured", "meter", ""],
        ["smelter", "2024", "energy.diesel", "120", "t", "measured", "fuel ledger", ""],
        ["smelter", "2024", "energy.electricity_purchased", "1200", "MWh", "measured", "meter", ""],
        ["smelter", "2024", "finance.revenue", "12000", "wan_RMB", "measured", "accounts", ""],
        ["smelter", "2024", "workforce.headcount", "120", "person", "measured", "HR", ""],
        ["refinery", "2024", "energy.raw_coal", "200", "t", "measured", "weighbridge", ""],
        ["jv", "2024", "energy.diesel", "50", "t", "measured", "", ""],
        ["jv", "2023", "energy.diesel", "40", "t", "measured", "", ""],
    ]
    group_ws = ws
    group_ws.import_organisation(org)
    group_ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    group_ws.calc("2023")
    group_ws.calc("2024")
    return group_ws


class _Page(HTMLParser):
    """Collects what the tests look at: KPI cells, anchors, ids, svg texts, footnotes."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.cell_links: dict[tuple[str, str], str] = {}
        self.ids: set[str] = set()
        self.svg_texts: list[list[str]] = []
        self._metric: str | None = None
        self._year: str | None = None
        self._in_svg_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "tr":
            self._metric = found.get("data-metric")
        elif tag == "td" and self._metric and found.get("data-year"):
            self._year = found["data-year"]
            self.cells[(self._metric, self._year)] = ""
        elif tag == "a" and self._year and self._metric:
            self.cell_links[(self._metric, self._year)] = str(found.get("href"))
        elif tag == "svg":
            self.svg_texts.append([])
        elif tag == "text":
            self._in_svg_text = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._year = None
        elif tag == "tr":
            self._metric = None
        elif tag == "text":
            self._in_svg_text = False

    def handle_data(self, data: str) -> None:
        if self._year and self._metric:
            self.cells[(self._metric, self._year)] += data.strip()
        if self._in_svg_text:
            self.svg_texts[-1].append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def entry(html: str, metric: str, year: str) -> str:
    """The HTML of one appendix entry."""
    start = html.index(f'id="a-{metric}-{year}"')
    return html[start : html.index("</details>", start)]


def footnote(html: str, group: str) -> str:
    start = html.index(f'id="t-{group}"')
    block = html[
        start : html.index('class="kpi-block"', start + 1)
        if 'class="kpi-block"' in html[start + 1 :]
        else len(html)
    ]
    return block[block.index('class="footnote"') :]


@pytest.fixture
def reports(group: Ledger, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "out"
    paths = {lang: group.report_file("2024", out, lang) for lang in LANGUAGES}
    assert paths["en"].name == "esgledger-report-2024-en.html"
    assert paths["zh"].name == "esgledger-report-2024-zh.html"
    return {lang: path.read_text(encoding="utf-8") for lang, path in paths.items()}


# -- the report ------------------------------------------------------------------------------------
def test_report_is_self_contained(reports: dict[str, str]) -> None:
    for html in reports.values():
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
        assert "http://" not in html and "https://" not in html
        assert not re.search(r"<link\b", html, re.I)
        assert not re.search(r"<script\b", html, re.I)  # no script at all: the name is escaped
        assert not re.search(r"@import|url\(", html)
        assert "<style>" in html and "<svg" in html


def test_kpi_tables_show_hand_worked_values_for_each_year(reports: dict[str, str]) -> None:
    cells = parse(reports["en"]).cells
    assert cells[("energy.total_tce", "2022")] == "–"  # no calculation run for 2022
    assert cells[("energy.total_tce", "2023")] == "268.61"
    assert cells[("energy.total_tce", "2024")] == f"{TCE_2024:,.2f}" == "465.19"
    assert cells[("energy.diesel", "2023")] == "100"  # the joint venture's 40 t are left out
    assert cells[("energy.diesel", "2024")] == "120"
    assert cells[("energy.raw_coal", "2023")] == "–"
    assert cells[("energy.raw_coal", "2024")] == "200"
    assert cells[("ghg.scope2_location", "2023")] == "530.60"
    assert cells[("ghg.scope2_location", "2024")] == "636.72"
    assert cells[("ghg.scope1_mobile", "2023")] == f"{100 * DIESEL_EF:,.2f}"
    assert cells[("ghg.scope1_mobile", "2024")] == f"{120 * DIESEL_EF:,.2f}"
    assert cells[("ghg.scope1_stationary", "2024")] == f"{200 * COAL_EF:,.2f}" == "373.31"
    scope12 = 120 * DIESEL_EF + 200 * COAL_EF + SCOPE2_2024
    # five significant figures (report.formatting): 1,387.4, not 1,387.44
    assert cells[("ghg.scope12_location", "2024")] == f"{scope12:,.1f}"
    # a ratio, recomputed from the group totals: 465.192 tce / 12 000 RMB 10k = 0.038766
    assert cells[("energy.intensity_revenue", "2024")] == "0.0388"
    # rows only for metrics with a value at the group; site parameters never
    assert not any(metric.startswith("site.") for metric, _year in cells)
    assert ("water.withdrawal", "2024") not in cells
    # units and framework codes
    html = reports["en"]
    row = html[html.index('data-metric="ghg.scope2_location"') :]
    row = row[: row.index("</tr>")]
    assert "tCO₂e" in row and "A1.2" in row and "305-2" in row


def test_footnotes_name_covered_and_excluded_entities(reports: dict[str, str]) -> None:
    energy = footnote(reports["en"], "energy")
    assert "Entities covered:" in energy
    assert "Smelter &lt;script&gt;alert(1)&lt;/script&gt;" in energy
    assert "Refinery (2024 only)" in energy  # it reported in 2024 only
    assert "Not consolidated: Joint Venture Co: no operational control." in energy
    social = footnote(reports["en"], "social")
    assert "Refinery" not in social  # only the smelter reported a headcount
    energy_zh = footnote(reports["zh"], "energy")
    assert "涵盖主体：" in energy_zh and "电解铝厂" in energy_zh
    assert "氧化铝厂（仅2024年度）" in energy_zh
    assert "未纳入合并范围：合营公司（无运营控制权）" in energy_zh


def test_charts_are_inline_svg_with_labels(reports: dict[str, str]) -> None:
    scopes, mix = parse(reports["en"]).svg_texts
    assert {
        "Scope 1",
        "Scope 2 (location-based)",
        "2022",
        "2023",
        "2024",
        "no data",
        "tCO₂e",
        "Year",
    } <= set(scopes)
    assert f"{100 * DIESEL_EF + SCOPE2_2023:,.2f}" in scopes  # stacked total for 2023
    assert "636.72" in scopes
    # energy mix of 2024 from the lineage terms: shares of 465.192 tce
    assert {"Diesel", "Raw coal", "Purchased electricity"} <= set(mix)
    assert f"{120 * DIESEL_TCE / TCE_2024:.1%}" in mix  # 37.6%
    assert f"{200 * COAL_TCE / TCE_2024:.1%}" in mix  # 30.7%
    assert f"{1200 * ELECTRICITY_TCE / TCE_2024:.1%}" in mix  # 31.7%
    assert "147.48 tce" in mix
    scopes_zh, mix_zh = parse(reports["zh"]).svg_texts
    assert {"范围一", "范围二（基于位置）", "年份", "无数据"} <= set(scopes_zh)
    assert {"柴油", "原煤", "外购电力"} <= set(mix_zh)


def test_every_table_value_links_to_an_appendix_entry_with_citations(
    reports: dict[str, str],
) -> None:
    for html in reports.values():
        page = parse(html)
        shown = {k for k, text in page.cells.items() if text != "–"}
        assert shown and set(page.cell_links) == shown
        for (metric, year), href in page.cell_links.items():
            assert href == f"#a-{metric}-{year}"
            assert href[1:] in page.ids
    html = reports["en"]
    tce = entry(html, "energy.total_tce", "2024")
    assert "energy.total_tce@grp@2024" in tce
    assert "gbt2589.coal_equivalent.diesel" in tce and "1.4571 kgce/kg" in tce
    assert "GB/T 2589-2020, Appendix A (diesel" in tce
    assert "gbt2589.coal_equivalent.raw_coal" in tce and "0.7143" in tce
    # the terms, at five significant figures (174.852 tce printed 174.85)
    assert "174.85 tce" in tce and "142.86 tce" in tce and "147.48 tce" in tce
    assert "Refinery" in tce and SMELTER not in tce  # roll-up children, escaped
    assert "Joint Venture Co" in tce  # not consolidated
    scope2 = entry(html, "ghg.scope2_location", "2024")
    assert "cn_grid_mee.national_average" in scope2 and "0.5306" in scope2
    assert "MEE/NBS" in scope2
    diesel = entry(html, "energy.diesel", "2024")
    assert "data points: 1" in diesel and "fuel ledger" in diesel
    ratio = entry(html, "energy.intensity_revenue", "2024")
    assert 'href="#a-energy.total_tce-2024"' in ratio  # its inputs link to their own entries


def test_title_page_states_options_and_no_unverified_factor(reports: dict[str, str]) -> None:
    html = reports["en"]
    assert "<h1>Alpha Aluminium Group</h1>" in html
    assert "1 January – 31 December 2024" in html
    assert "IPCC AR5, 100-year" in html and "Calorific equivalent" in html
    assert "Operational control (GHG Protocol)" in html and "Default series of each country" in html
    assert "no calculation run" in html  # 2022
    # every factor the appendix flags as unverified is listed in the statement, and only those
    statement = html[html.index('id="unverified"') : html.index('id="kpi"')]
    appendix = html[html.index('id="appendix"') :]
    flagged = set(re.findall(r'class="is-unverified">\s*<td><code>([^<]+)</code>', appendix))
    listed = set(re.findall(r"<td><code>([^<]+)</code> <span class=\"flag\">", statement))
    assert flagged == listed


def test_statement_when_no_unverified_factor_is_used(ws: Ledger, tmp_path: Path) -> None:
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ORG_HEADER,
            GROUP_AND_PLANT,
        )
    )
    ws.import_data(
        write_csv(
            tmp_path / "data.csv",
            DATA_HEADER,
            [["plant", "2024", "workforce.headcount", "120", "person", "measured", "HR", ""]],
        )
    )
    ws.calc("2024")
    html = ws.report_file("2024", tmp_path, "en").read_text(encoding="utf-8")
    statement = html[html.index('id="unverified"') : html.index('id="kpi"')]
    assert "No factor tagged as unverified was used" in statement
    assert parse(html).cells[("workforce.headcount", "2024")] == "120"


def test_equity_share_and_part_year_members(ws: Ledger, tmp_path: Path) -> None:
    header = [
        "id",
        "name",
        "parent",
        "country",
        "name_zh",
        "type",
        "ownership",
        "valid_from",
        "valid_to",
    ]
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            header,
            [
                ["grp", "Group", "", "CN", "集团", "group", "", "", ""],
                ["a", "Plant A", "grp", "CN", "甲厂", "plant", "100%", "", ""],
                ["jv", "JV", "grp", "CN", "合营", "company", "50%", "", ""],
                ["new", "Acquired Co", "grp", "CN", "新购", "company", "100%", "2024-07-01", ""],
                ["old", "Sold Co", "grp", "CN", "已售", "company", "100%", "", "2023-12-31"],
            ],
        )
    )
    ws.import_data(
        write_csv(
            tmp_path / "data.csv",
            DATA_HEADER,
            [
                [entity, "2024", "energy.diesel", "100", "t", "measured", "", ""]
                for entity in ("a", "jv", "new")
            ],
        )
    )
    ws.calc("2024", CalcOptions(consolidation="equity"))
    html = ws.report_file("2024", tmp_path, "en").read_text(encoding="utf-8")
    # 100 + 50 % x 100 + 184/366 days x 100 = 200.27 t
    assert parse(html).cells[("energy.diesel", "2024")] == f"{150 + 100 * 184 / 366:,.2f}"
    note = footnote(html, "energy")
    assert "Plant A, JV (included at 50%), Acquired Co (included at 50.27%)" in note
    assert "Sold Co: not in the group during 2024" in note
    assert "Equity share (GHG Protocol)" in html
    diesel = entry(html, "energy.diesel", "2024")
    assert "× 0.5 (equity share 0.5)" in diesel
    zh = ws.report_file("2024", tmp_path, "zh").read_text(encoding="utf-8")
    assert "合营（按50%计入）" in footnote(zh, "energy") and "已售（2024年不在集团范围内）" in zh


def test_restated_base_year_is_stated_from_its_restated_run(group: Ledger, tmp_path: Path) -> None:
    """Moving to the ETS grid series moves the 2023 base year by more than 1 %: the base year is
    restated, its figures are kept on the restated run, and the report states them."""
    group.set_base_year("2023", 0.01)
    group.calc("2024", CalcOptions(grid_series="ets"))
    # Scope 1 and 2 (location-based) of 2023: the smelter's diesel and electricity (the joint
    # venture has no operational control); restated with the ETS factor instead of 0.5306
    original = 100 * DIESEL_EF + 1000 * GRID_2023  # 314.49 + 530.6 = 845.09
    restated = 100 * DIESEL_EF + 1000 * ETS_2022  # 314.49 + 570.3 = 884.79
    with group.db.reading() as connection:
        stored = json.loads(
            connection.execute(
                sa.select(calc_runs.c.restatement).where(
                    calc_runs.c.kind == "restated", calc_runs.c.is_current.is_(True)
                )
            ).scalar_one()
        )
    assert stored["base_year"] == "2023" and stored["threshold"] == 0.01
    assert stored["original"] == pytest.approx(original)
    assert stored["restated"] == pytest.approx(restated)
    assert stored["reasons"] == ["method change: grid_series default -> ets"]
    english = group.report_file("2024", tmp_path, "en").read_text(encoding="utf-8")
    assert (
        html_text.escape(
            f"Base year 2023 restated (GHG Protocol Corporate Standard, ch. 5): Scope 1 and 2 GHG "
            f"emissions (location-based) {original:,.0f} tCO₂e as first reported, {restated:,.0f} "
            "tCO₂e with today"
        )
        in english
    )
    assert "(+4.7%, above the 1% threshold)" in english
    assert "Reasons: method change: grid_series default -&gt; ets." in english
    assert parse(english).cells[("ghg.scope2_location", "2023")].startswith("570.3")
    chinese = group.report_file("2024", tmp_path, "zh").read_text(encoding="utf-8")
    assert (
        f"范围一和范围二温室气体排放总量由首次报告的{original:,.0f}吨二氧化碳当量调整为按当前"
        f"边界和方法计算的{restated:,.0f}吨二氧化碳当量（变化+4.7%，超过1%的阈值）" in chinese
    )


def _as_stored_before_codes(text: Any) -> Any:
    """A record part as lineage stored before notes had codes held it: the engine's English."""
    if isinstance(text, dict) and set(text) == {"code", "args"}:
        return Strings("en").note(text)
    if isinstance(text, dict):
        return {k: _as_stored_before_codes(v) for k, v in text.items() if k != "how"}
    if isinstance(text, list):
        return [_as_stored_before_codes(item) for item in text]
    return text


def test_lineage_stored_before_note_codes_still_renders(group: Ledger, tmp_path: Path) -> None:
    """Runs stored with the engine's English text (no codes) render: English as before, and a
    Chinese report shows that text as written."""
    day = dt.date(2025, 3, 1)
    coded = group.report_file("2024", tmp_path / "coded", "en", generated=day)
    with group.db.transaction() as connection:
        rows = connection.execute(sa.select(calc_values)).all()
        assert any('"code"' in row.lineage for row in rows)
        for row in rows:
            record = json.loads(row.lineage)
            old = _as_stored_before_codes(record)
            if "how" in record:
                old["formula"] = Strings("en").note(record["how"])
            connection.execute(
                calc_values.update()
                .where(
                    calc_values.c.run_id == row.run_id,
                    calc_values.c.entity_id == row.entity_id,
                    calc_values.c.period == row.period,
                    calc_values.c.metric_id == row.metric_id,
                )
                .values(lineage=json.dumps(old, ensure_ascii=False))
            )
    old_en = group.report_file("2024", tmp_path / "old", "en", generated=day)
    assert old_en.read_text(encoding="utf-8") == coded.read_text(encoding="utf-8")
    chinese = group.report_file("2024", tmp_path / "old", "zh").read_text(encoding="utf-8")
    assert "grid factor series: national (cn_grid_mee.national_average)" in chinese
    assert "合营公司（no operational control）" in footnote(chinese, "energy")


def test_chinese_report(reports: dict[str, str]) -> None:
    html = reports["zh"]
    assert '<html lang="zh-CN">' in html
    assert '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei"' in html
    catalogue = load_catalogue()
    for metric in ("energy.total_tce", "ghg.scope1", "ghg.scope2_location", "energy.diesel"):
        assert catalogue[metric].name["zh"] in html
    assert "<h1>阿尔法铝业集团</h1>" in html and "2024年1月1日至12月31日" in html
    assert "关键绩效指标" in html and "附录" in html and "吨标准煤" in html
    assert "Comprehensive energy consumption" not in html


def test_unverified_factor_is_stated_and_flagged(group: Ledger, tmp_path: Path) -> None:
    # The equivalent value of electricity (cec_power, tagged M) is unverified.
    group.calc("2024", CalcOptions(electricity_tce="equivalent"))
    html = group.report_file("2024", tmp_path, "en").read_text(encoding="utf-8")
    statement = html[html.index('id="unverified"') : html.index('id="kpi"')]
    assert "cec_power.electricity_equivalent" in statement and "0.3055 kgce/kWh" in statement
    assert "UNVERIFIED [M]" in statement and "2024" in statement
    assert "The comparative years were calculated with different options" in html
    assert "Equivalent value (等价值)" in html
    tce = entry(html, "energy.total_tce", "2024")
    assert "is-unverified" in tce and "UNVERIFIED" in tce
    assert (
        parse(html).cells[("energy.total_tce", "2024")]
        == f"{120 * DIESEL_TCE + 200 * COAL_TCE + 1200 * 0.3055:,.2f}"
    )


def test_report_of_a_sub_entity(group: Ledger, tmp_path: Path) -> None:
    path = group.report_file("2024", tmp_path, "en", entity="smelter")
    assert path.name == "esgledger-report-smelter-2024-en.html"
    html = path.read_text(encoding="utf-8")
    assert "<h1>Smelter &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    cells = parse(html).cells
    smelter_tce = 120 * DIESEL_TCE + 1200 * ELECTRICITY_TCE  # 174.852 + 147.48 = 322.332
    assert cells[("energy.total_tce", "2024")] == f"{smelter_tce:,.2f}" == "322.33"
    assert ("energy.raw_coal", "2024") not in cells  # the refinery's coal is not the smelter's


def test_errors_name_the_fix(group: Ledger, tmp_path: Path) -> None:
    with pytest.raises(EsgLedgerError, match="no calculation for 2025"):
        group.report_file("2025", tmp_path)
    with pytest.raises(EsgLedgerError, match="unknown report language 'fr'"):
        group.report_file("2024", tmp_path, "fr")
    with pytest.raises(EsgLedgerError, match="is a month"):
        group.report_file("2024-03", tmp_path)
    with pytest.raises(EsgLedgerError, match="unknown entity 'nowhere'"):
        group.report_file("2024", tmp_path, entity="nowhere")


def test_large_group_renders_quickly(ws: Ledger, tmp_path: Path) -> None:
    """200 entities x 3 years: lineage is read in bulk (one query per period)."""
    org = [["grp", "Big Group", "", "CN", "大集团", "group", "", "", "", ""]]
    data = []
    for c in range(10):
        org.append(
            [
                f"co{c}",
                f"Company {c}",
                "grp",
                "CN",
                f"公司{c}",
                "company",
                "",
                "false" if c == 0 else "",
                "",
                "",
            ]
        )
        for p in range(19 if c else 18):
            plant = f"co{c}p{p}"
            org.append(
                [plant, f"Plant {c}-{p}", f"co{c}", "CN", f"工厂{c}-{p}", "plant", "", "", "", ""]
            )
            for year in ("2022", "2023", "2024"):
                for metric, value, unit in (
                    ("energy.diesel", 10 + p, "t"),
                    ("energy.raw_coal", 100 + p, "t"),
                    ("energy.electricity_purchased", 1000 + p, "MWh"),
                    ("production.primary_aluminium", 500 + p, "t"),
                    ("finance.revenue", 10000 + p, "wan_RMB"),
                    ("water.withdrawal", 2e4, "m3"),
                    ("workforce.headcount", 100 + p, "person"),
                ):
                    data.append([plant, year, metric, value, unit, "measured", "ledger", ""])
    assert len(org) == 200
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_HEADER, org))
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, data))
    for year in ("2022", "2023", "2024"):
        ws.calc(year)
    started, cpu_started = time.perf_counter(), time.process_time()
    html = ws.report_file("2024", tmp_path / "out", "zh").read_text(encoding="utf-8")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU time is the measure (about 1.5 s here); wall time only guards against a runaway, since
    # a shared test machine under load stretches it
    assert cpu < 5, f"report took {cpu:.1f} s of CPU"
    assert elapsed < 15, f"report took {elapsed:.1f} s"
    cells = parse(html).cells
    # 9 consolidated companies x (10 + 11 + ... + 28 t of diesel) = 9 x 361 t
    assert cells[("energy.diesel", "2022")] == cells[("energy.diesel", "2024")] == "3,249"
    assert "公司0及其18个下属主体（无运营控制权）" in footnote(html, "energy")
    assert "共171个" in footnote(html, "energy")


# -- building blocks -------------------------------------------------------------------------------
def test_i18n_table_has_both_languages_and_every_key_used() -> None:
    table = load_table()
    assert all(set(texts) == {"en", "zh"} for texts in table.values())
    source = "".join(
        p.read_text(encoding="utf-8")
        for p in [*REPORT_FILE.parent.glob("*.py"), *REPORT_FILE.parent.glob("templates/*")]
    )
    used = set(re.findall(r"""\b(?:t|strings)\(\s*["']([a-z0-9_.]+)["']""", source))
    missing = used - set(table)
    assert not missing, f"keys used but missing from {REPORT_FILE}: {sorted(missing)}"


def test_number_and_unit_formatting() -> None:
    assert format_number(None) == "–"
    assert format_number(0) == "0"
    assert format_number(1234567.0) == "1,234,567"
    assert format_number(268.61) == "268.61"
    assert format_number(123456.7) == "123,457"
    assert format_number(0.034289) == "0.0343"
    assert row_decimals([3249.0, 3411.45, None]) == 1  # five significant figures
    assert row_decimals([37000.11, 38216.2]) == 0
    assert row_decimals([2.71, 2.48]) == 2
    assert format_number(38216.2) == "38,216"
    assert format_number(1740.5) == "1,740.5"
    assert row_decimals([100.0, 120.0]) == 0
    assert row_decimals([0.0409, 0.00120]) == 4  # 3 significant digits of the largest
    assert format_fixed(3249.0, 2) == "3,249.00"
    en, zh = Strings("en"), Strings("zh")
    catalogue = load_catalogue()
    assert unit_label("m**3", en) == "m³" and unit_label("wan_RMB", en) == "RMB 10k"
    assert unit_label("wan_RMB", zh) == "万元" and unit_label("tce/wan_RMB", zh) == "吨标准煤/万元"
    assert unit_label("tCO2e/t", en) == "tCO₂e/t" and unit_label("h/person", en) == "h/person"
    assert unit_label(catalogue["safety.ltifr"].unit, en) == "per million hours worked"
    assert unit_label(catalogue["safety.ltifr"].unit, zh) == "每百万工时"
    assert unit_label("1/h", en) == "1/h"
    assert unit_label("GJ/wan_Nm3", en) == "GJ/10⁴ Nm³"


def test_reasons_are_translated() -> None:
    zh = Strings("zh")
    assert zh.note(note("no_operational_control")) == "无运营控制权"
    assert zh.note(note("not_in_group", period="2024")) == "2024年不在集团范围内"
    assert (
        zh.note(note("pro_rata", basis=note("equity_share", share=0.6), fraction=0.5))
        == "股权比例 0.6；报告期内50.0%时间属于集团（按时间比例计入）"
    )
    assert zh.note("something new") == "something new"  # plain text of old lineage: as written


def test_engine_notes_are_translated_with_their_options() -> None:
    zh = Strings("zh")
    assert zh.note(note("electricity_tce", method="calorific")) == (
        "电力折标准煤采用当量值（GB/T 2589-2020）"
    )
    assert zh.note(note("months_missing", count=9)) == "12 个月中仅报送了 9 个月"
    assert zh.note("a note the table does not know") == "a note the table does not know"


def test_nice_ticks() -> None:
    assert nice_ticks(1259.41) == [0, 500, 1000, 1500]
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(9.5)[-1] >= 9.5
