"""The findings of the quality checks in the reader's language (a new user's rough edges, issue 12):
on SQLite and PostgreSQL, a Chinese run names where a ledger figure stands (数据点 N 第 V 版) and its
unit (人) in Chinese, never "data point N vN" or "person"; an English one says "persons" and
"1 person"; entities by name; the sums of the year before the run's period are that year's run;
``esgledger check`` prints each finding's key and how to resolve it, in the run's language; the QA
page's values say what they are and where they stand, in the page's language."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.cli.assurance import pack_notes
from esgledger.cli.main import app
from esgledger.i18n import Strings
from esgledger.qa.facts import Fact, location, placed
from esgledger.qa.findings import Finding
from esgledger.qa.messages import singular_ones, unit_text
from esgledger.qa.rules import Rule
from esgledger.qa.summary import QaSummary
from esgledger.report.full.qa_block import qa_html
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import World


def _trained(world: World, year: str, trained: float, safety: float) -> None:
    manager = world.user("manager")
    for metric, value in (
        ("training.participants", trained),
        ("safety.training_participants", safety),
    ):
        world.services.datapoints.create(manager, Entry("plant_a", year, metric, value, "persons"))


def _part_findings(world: World, lang: str) -> list:
    result = world.services.qa.check(world.user("manager"), "2024", lang=lang)
    return [f for f in result.findings if f.rule == "sum.part_within_whole"]


def test_a_chinese_finding_names_the_data_point_and_the_unit_in_chinese(world: World) -> None:
    _trained(world, "2024", 300, 320)
    (chinese,) = _part_findings(world, "zh")
    assert "甲厂" in chinese.message and "320 人" in chinese.message
    assert re.search(r"数据点 \d+ 第 1 版", chinese.message)
    assert "data point" not in chinese.message and "person" not in chinese.message
    assert chinese.arithmetic == "320 > 300 人（差额 20，6.7%）"
    (english,) = _part_findings(world, "en")
    assert "(Plant A, 2024) 320 persons" in english.message
    assert re.search(r"data point \d+ v1", english.message)
    assert english.arithmetic == "320 > 300 persons (difference 20, 6.7%)"
    # the JSON and the assurance pack keep the English location, stable for machines
    assert all(re.fullmatch(r"data point \d+ v1", f.location) for f in chinese.facts)


def test_the_sums_of_the_year_before_are_not_the_runs_findings(world: World) -> None:
    _trained(world, "2023", 300, 320)  # the year before: read by the change checks only
    _trained(world, "2024", 300, 290)
    assert _part_findings(world, "en") == []
    check_2023 = world.services.qa.check(world.user("manager"), "2023")
    (found,) = [f for f in check_2023.findings if f.rule == "sum.part_within_whole"]
    assert {fact.period for fact in found.facts} == {"2023"}


def test_the_qa_page_says_what_a_value_is_and_where_in_its_language(world: World) -> None:
    _trained(world, "2024", 300, 320)
    review = world.services.qa_review.review(world.user("manager2"), "2024", "zh")
    (found,) = [f for f in review["findings"] if f["rule"] == "sum.part_within_whole"]
    figures = {v["figure"] for v in found["values"]}
    assert figures == {"受训员工人数 · 甲厂 · 2024", "安全培训员工人数 · 甲厂 · 2024"}
    assert all(re.fullmatch(r"数据点 \d+ 第 1 版", v["where"]) for v in found["values"])
    english = world.services.qa_review.review(world.user("manager2"), "2024")
    (found,) = [f for f in english["findings"] if f["rule"] == "sum.part_within_whole"]
    assert {v["figure"] for v in found["values"]} == {
        "Employees trained · Plant A · 2024",
        "Employees given safety training · Plant A · 2024",
    }


def test_check_prints_the_reference_and_how_to_resolve_a_finding(world: World, db_url: str) -> None:
    _trained(world, "2024", 300, 320)
    runner = CliRunner()
    common = ["--db", db_url, "check", "--period", "2024"]
    env = {"ESGLEDGER_PASSWORD": "", "COLUMNS": "400"}
    english = runner.invoke(app, common, env=env)
    assert english.exit_code == 0, english.output
    (found,) = _part_findings(world, "en")
    said = " ".join(english.output.split())  # the console may wrap lines at its own width
    reference = world.services.qa.check(world.user("manager"), "2024").reference(found)
    assert re.fullmatch(r"sum\.part_within_whole#[0-9a-f]{6}", reference)
    assert f"{reference} A part of" in said
    # the exact command for this finding, ready to copy
    shown_db = "DATABASE-URL" if "@" in db_url else db_url  # a URL's password is not repeated
    assert f"esgledger --db {shown_db} justify --period 2024 --key {reference} --text" in said
    chinese = runner.invoke(app, [*common, "--lang", "zh"], env=env)
    assert chinese.exit_code == 0, chinese.output
    said_zh = "".join(chinese.output.split())
    assert re.search(r"2024：\d+个数字，\d+条规则：0项错误，\d+项警告", said_zh)
    assert reference in said_zh and "figure(s)" not in said_zh
    assert f"--key{reference}--text" in said_zh and "按其引用号记录说明" in said_zh
    assert "/qa?period=2024上操作" in said_zh


def test_units_in_the_message_language() -> None:
    said = {u: (unit_text(u, "en"), unit_text(u, "zh")) for u in ("person", "day", "wan_m3")}
    assert said == {
        "person": ("persons", "人"),
        "day": ("days", "天"),
        "wan_m3": ("10^4 m3", "万立方米"),
    }
    assert unit_text("tCO2e", "en") == "tCO2e" and unit_text("tCO2e", "zh") == "吨二氧化碳当量"
    assert unit_text("kWh/t", "zh") == "千瓦时/吨" and unit_text("h/person", "en") == "h/person"
    assert unit_text("1/million_hours", "en") == "per million hours worked"
    assert unit_text("1/million_hours", "zh") == "每百万工时"
    assert singular_ones("from 1 persons to 11 persons, 2,001 days, 1 days") == (
        "from 1 person to 11 persons, 2,001 days, 1 day"
    )


def test_every_place_is_said_in_both_languages() -> None:
    places = [
        (
            "qa.place.datapoint",
            {"id": 938, "version": 2},
            "data point 938 v2",
            "数据点 938 第 2 版",
        ),
        (
            "qa.place.computed",
            {"run": 3, "metric": "ghg.scope1", "entity": "grp"},
            "calculation run 3, ghg.scope1 of grp",
            "计算批次 3，grp 的 ghg.scope1",
        ),
        (
            "qa.place.target_base",
            {"target": "T1", "version": 1, "year": 2020},
            "target T1 v1 (base 2020)",
            "目标 T1 第 1 版（基准年 2020）",
        ),
        (
            "qa.place.report_row",
            {"table": "GHG", "row": "Scope 1", "file": "t.csv", "line": 7},
            "report table 'GHG', row 'Scope 1' (t.csv row 7)",
            "报告表格“GHG”第“Scope 1”行（t.csv 第 7 行）",
        ),
    ]
    for key, values, english, chinese in places:
        fact = Fact("datapoint", "m", "e", "2024", 1.0, "t", **placed(key, **values))
        assert (fact.location, location(fact, "en"), location(fact, "zh")) == (
            english,
            english,
            chinese,
        )
    bare = Fact("datapoint", "m", "e", "2024", 1.0, "t", location="somewhere")
    assert location(bare, "zh") == "somewhere"  # no place: as written


def test_the_qa_and_coverage_pages_open_on_the_newest_year_with_data(
    world: World, browse: dict[str, TestClient]
) -> None:
    _trained(world, "2023", 300, 290)
    _trained(world, "2024", 300, 320)
    manager = browse["manager"]
    shown = manager.get("/qa.json").json()
    assert shown["period"] == "2024"
    assert "sum.part_within_whole" in {f["rule"] for f in shown["review"]["findings"]}
    assert manager.get("/qa.json?period=2023").json()["period"] == "2023"
    coverage = manager.get("/disclose/coverage.json")
    assert coverage.status_code == 200 and coverage.json()["period"] == "2024"
    page = manager.get("/qa", cookies={"esgledger_lang": "zh"})
    assert re.search(r"数据点 \d+ 第 1 版", page.text) and "data point" not in page.text
    assert "安全培训员工人数 · 甲厂 · 2024" in page.text


def test_the_report_s_qa_section_gives_the_arithmetic_once() -> None:
    rule = Rule(
        id="sum.part_within_whole",
        check="sums",
        severity="warning",
        description={"en": "A part never exceeds its whole", "zh": "部分不超过整体"},
        source="GRI 404-1",
        params={},
    )
    inside = Finding(rule.id, "warning", "320 > 300 persons: a part exceeds it", (), "320 > 300")
    beside = Finding(rule.id, "warning", "A part exceeds its whole", (), "12 > 10 persons")
    html = str(qa_html(QaSummary([rule], open_warnings=[inside, beside]), Strings("en")))
    assert html.count("320 &gt; 300") == 1  # in the message already
    assert '<span class="qa-arithmetic">(12 &gt; 10 persons)</span>' in html
    chinese = str(qa_html(QaSummary([rule], open_warnings=[beside]), Strings("zh")))
    assert '<span class="qa-arithmetic">（12 &gt; 10 persons）</span>' in chinese


def test_a_year_without_figures_is_not_said_to_pass(
    world: World, browse: dict[str, TestClient]
) -> None:
    _trained(world, "2024", 300, 290)  # consistent: every check passes
    manager = browse["manager"]
    empty = manager.get("/qa?period=2031")
    assert 'id="qa-no-figures"' in empty.text and 'id="qa-none"' not in empty.text
    assert "2031 has no figures yet, so nothing was checked" in empty.text
    assert manager.get("/qa.json?period=2031").json()["review"]["figures"] == 0
    chinese = manager.get("/qa?period=2031", cookies={"esgledger_lang": "zh"}).text
    assert "2031 年尚无数据，因此未作任何检查" in chinese
    checked = manager.get("/qa.json?period=2024").json()["review"]
    assert checked["figures"] > 0


def test_the_assurance_command_says_what_a_draft_pack_is_and_how_to_check_it() -> None:
    final = {"datapoint_versions": 3, "approvals": 3, "qa_errors_open": 0}
    assert pack_notes(final, Path("p.zip")) == [
        "check it: unzip p.zip -d pack && cd pack && python3 verify.py"
    ]
    draft = pack_notes({**final, "approvals": 1, "qa_errors_open": 2}, Path("p.zip"))
    assert draft[0].startswith("note: 1 approval(s) on record for the 3 data point versions")
    assert draft[1] == "note: 2 error-level quality finding(s) are open (esgledger check)"


def test_a_finding_on_the_qa_page_says_what_its_rule_checks(
    world: World, browse: dict[str, TestClient]
) -> None:
    _trained(world, "2024", 300, 320)
    manager = browse["manager"]
    english = manager.get("/qa?period=2024").text
    assert re.search(
        r'<code class="qa-ref" title="[^"]+">sum\.part_within_whole#[0-9a-f]{6}</code> '
        r'<span class="muted qa-rule-text">A part never exceeds its whole',
        english,
    )
    chinese = manager.get("/qa?period=2024", cookies={"esgledger_lang": "zh"}).text
    assert '<span class="muted qa-rule-text">部分不超过整体' in chinese
