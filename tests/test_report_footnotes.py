"""The report's footnotes, figures printed as reported, and breakdown tables (issue 9).

Hand-worked figures. Water withdrawal: mill 500, foil 300, power 2 000 m3, so the group's roll-up
is 2 800 m3; the group also reports 900 m3 "excluding the power plant" (``covers=-power``), kept
on its own row. Comprehensive energy: raw coal 1 000 t x 0.7143 tce/t = 714.3 tce and diesel
10 t x 1.4571 tce/t = 14.571 tce, 728.871 tce computed; 800 tce reported (p. 41): the computation
differs by (728.871 - 800) / 800 = -8.89 %. Employees: mill 100 (male 60, female 30), foil 50
(male 20, female 30): the group has 150, male 80, female 60; 80 + 60 = 140, 10 short of 150.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.api.models import DataPointIn, DataPointPatch
from esgledger.errors import InputRejected
from esgledger.service_errors import Invalid
from esgledger.services.datapoints import Entry
from esgledger.store.schema import audit_log
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_i18n import text_of

HEADER = ["entity", "period", "metric", "value", "unit", "method", "source", "note", "covers"]
HEADER += ["dimensions", "publish_note"]


def _group(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type", "name_zh"]]
    org += [
        ["grp", "Group", "", "CN", "group", "集团"],
        ["mill", "Mill", "grp", "CN", "plant", "轧制厂"],
        ["foil", "Foil", "grp", "CN", "plant", "铝箔厂"],
        ["power", "Power plant", "grp", "CN", "plant", "自备电厂"],
    ]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))


def _row(entity: str, metric: str, value: str, unit: str, **more: str) -> list[str]:
    cells = {"method": "", "source": "", "note": "", "covers": "", "dimensions": ""}
    cells["publish_note"] = ""
    cells.update(more)
    return [entity, "2024", metric, value, unit, *cells.values()]


WATER = [
    _row("mill", "water.withdrawal", "500", "m3", note="Includes rainwater", publish_note="是"),
    _row("foil", "water.withdrawal", "300", "m3", note="internal remark", publish_note="no"),
    _row("power", "water.withdrawal", "2000", "m3", note="unmarked remark"),
    _row("grp", "water.withdrawal", "900", "m3", covers="-power", note="Metered", publish_note="1"),
]
ENERGY = [
    _row("mill", "energy.raw_coal", "1000", "t", source="weighbridge"),
    _row("mill", "energy.diesel", "10", "t", source="fuel cards"),
    _row("grp", "energy.total_tce", "800", "tce", method="reported", source="report p. 41"),
]
PEOPLE = [
    _row("mill", "workforce.headcount", "100", "person"),
    _row("mill", "workforce.headcount", "60", "person", dimensions="gender=male"),
    _row("mill", "workforce.headcount", "30", "person", dimensions="gender=female"),
    _row("foil", "workforce.headcount", "50", "person"),
    _row("foil", "workforce.headcount", "20", "person", dimensions="gender=male"),
    _row("foil", "workforce.headcount", "30", "person", dimensions="gender=female"),
]


def _report(ws: Ledger, tmp_path: Path, rows: list[list[str]], lang: str = "en") -> str:
    _group(ws, tmp_path)
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    ws.calc("2024")
    return ws.report_file("2024", tmp_path / "out", lang).read_text(encoding="utf-8")


def _again(ws: Ledger, tmp_path: Path, lang: str) -> str:
    return ws.report_file("2024", tmp_path / f"again-{lang}", lang).read_text(encoding="utf-8")


def _row_html(html: str, key: str) -> str:
    return html.split(f'data-metric="{key}"', 1)[1].split("</tr>", 1)[0]


def _footnotes(html: str, group: str) -> list[str]:
    block = html.split(f'id="t-{group}"', 1)[1].split('<ol class="notes"', 1)[1]
    block = block.split("</ol>", 1)[0]
    return [text_of(item) for item in re.findall(r"<li [^>]*>(.*?)</li>", block)]


# -- figures of a stated boundary ------------------------------------------------------------------
def test_a_stated_boundary_figure_is_printed_with_a_footnote_naming_what_it_leaves_out(
    ws: Ledger, tmp_path: Path
) -> None:
    html = _report(ws, tmp_path, WATER)
    assert re.search(r">2,800<", _row_html(html, "water.withdrawal"))
    stated = _row_html(html, "water.withdrawal{covers=-power}")
    assert "Water withdrawal, stated boundary" in text_of(stated)
    assert re.search(r">900<", stated)
    covers = (
        "Covers Group excluding Power plant; kept as reported, never added to the roll-up of "
        "another boundary."
    )
    number = _footnotes(html, "environment").index(covers) + 1  # numbered in reading order
    assert f'href="#fn-environment-{number}">{number}<' in stated.split("</th>", 1)[0]
    zh = _again(ws, tmp_path, "zh")
    assert "涵盖集团，不含自备电厂；按填报数值列示，不与其他范围的合并数据相加。" in _footnotes(
        zh, "environment"
    )
    assert "取水量（列明范围）" in text_of(_row_html(zh, "water.withdrawal{covers=-power}"))


def test_a_figure_of_listed_entities_names_them(ws: Ledger, tmp_path: Path) -> None:
    rows = [
        _row("mill", "water.withdrawal", "500", "m3"),
        _row("grp", "water.withdrawal", "800", "m3", covers="foil;mill"),
    ]
    html = _report(ws, tmp_path, rows)
    assert _footnotes(html, "environment")[0].startswith("Covers Foil, Mill only;")
    assert _footnotes(_again(ws, tmp_path, "zh"), "environment")[0].startswith(
        "仅涵盖铝箔厂、轧制厂；"
    )


# -- notes marked for publication ------------------------------------------------------------------
def test_only_notes_marked_for_publication_reach_the_footnotes(ws: Ledger, tmp_path: Path) -> None:
    html = _report(ws, tmp_path, WATER)
    notes = _footnotes(html, "environment")
    assert "Mill: Includes rainwater" in notes  # a plant's note, under the group's roll-up
    assert "Metered" in notes  # the group's own note, under its stated figure
    assert "internal remark" not in html and "unmarked remark" not in html
    mill = notes.index("Mill: Includes rainwater") + 1
    assert f'href="#fn-environment-{mill}">{mill}<' in _row_html(html, "water.withdrawal")
    assert "轧制厂：Includes rainwater" in _footnotes(_again(ws, tmp_path, "zh"), "environment")


@pytest.mark.parametrize("flag", ["maybe", "2"])
def test_a_publish_note_that_is_not_yes_or_no_is_refused(
    ws: Ledger, tmp_path: Path, flag: str
) -> None:
    _group(ws, tmp_path)
    rows = [_row("mill", "water.withdrawal", "500", "m3", note="n", publish_note=flag)]
    with pytest.raises(InputRejected) as refused:
        ws.import_data(write_csv(tmp_path / "bad.csv", HEADER, rows))
    (problem,) = refused.value.issues
    assert (problem.row, problem.field, problem.found) == (2, "publish_note", flag)
    assert "yes or no" in problem.expected
    assert ws.datapoints(["2024"]) == []


def test_publishing_an_empty_note_is_refused(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [_row("mill", "water.withdrawal", "500", "m3", publish_note="yes")]
    with pytest.raises(InputRejected) as refused:
        ws.import_data(write_csv(tmp_path / "bad.csv", HEADER, rows))
    assert [(p.row, p.field) for p in refused.value.issues] == [(2, "publish_note")]


def test_the_api_marks_a_note_for_publication(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    body = DataPointIn.model_validate(
        {
            "entity": "mill",
            "period": "2024",
            "metric": "water.withdrawal",
            "value": 500,
            "unit": "m3",
            "note": "Includes rainwater",
            "note_public": True,
        }
    )
    assert body.note_public is True
    entry = Entry("mill", "2024", "water.withdrawal", 500, "m3", note=body.note, note_public=True)
    point = ws.services.datapoints.create(ws.admin, entry)
    assert point.note_public is True
    assert ws.services.datapoints.get(ws.admin, point.id).note_public is True
    patch = DataPointPatch.model_validate({"version": point.version, "note_public": False})
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "explanation"})
    corrected = ws.services.datapoints.correct(ws.admin, point.id, point.version, changes)
    assert corrected.note_public is False and corrected.note == "Includes rainwater"


# -- figures printed as reported -------------------------------------------------------------------
def test_by_default_the_report_prints_the_computation(ws: Ledger, tmp_path: Path) -> None:
    html = _report(ws, tmp_path, ENERGY)
    assert re.search(r">728\.87<", _row_html(html, "energy.total_tce"))


def test_a_metric_chosen_in_the_setting_prints_the_reported_figure_with_its_source(
    ws: Ledger, tmp_path: Path
) -> None:
    _report(ws, tmp_path, ENERGY)
    ws.services.settings.set(ws.admin, "report.print_reported", "energy.total_tce")
    html = _again(ws, tmp_path, "en")
    row = _row_html(html, "energy.total_tce")
    assert re.search(r">800<", row) and "728.87" not in row
    assert _footnotes(html, "energy") == [
        "Printed as reported by the organisation (source: report p. 41); esgledger computes "
        "728.87 tce from the same inputs (-8.89%)."
    ]
    published = text_of(html.split('id="published"', 1)[1].split("</section>", 1)[0])
    assert "800 728.87 -8.89% report p. 41" in published  # the difference is still listed
    zh = _footnotes(_again(ws, tmp_path, "zh"), "energy")
    assert zh == [
        "按本组织填报数据列示（来源：report p. 41）；esgledger 依据相同输入的计算值为 "
        "728.87 吨标准煤（差异 -8.89%）。"
    ]


def test_the_setting_accepts_only_metrics_of_the_catalogue(ws: Ledger) -> None:
    with pytest.raises(Invalid) as refused:
        ws.services.settings.set(ws.admin, "report.print_reported", "energy.total_tce, energy.totl")
    assert refused.value.field == "report.print_reported"
    assert "'energy.totl' is not a metric of the catalogue" in str(refused.value)
    assert ws.services.settings.get(ws.admin, "report.print_reported") == []
    ws.services.settings.set(ws.admin, "report.print_reported", ["ghg.scope1", "energy.total_tce"])
    assert ws.services.settings.get(ws.admin, "report.print_reported") == [
        "energy.total_tce",
        "ghg.scope1",
    ]
    with ws.db.reading() as connection:
        payloads = connection.execute(
            sa.select(audit_log.c.payload)
            .where(audit_log.c.action == "setting.change")
            .order_by(audit_log.c.seq)
        ).scalars()
        changes = [json.loads(p) for p in payloads]
    assert changes == [{"before": [], "after": ["energy.total_tce", "ghg.scope1"]}]


# -- breakdown tables ------------------------------------------------------------------------------
def _breakdown(html: str, anchor: str) -> str:
    return text_of(html.split(f'id="{anchor}">', 1)[1].split("</div>", 1)[0])


def test_a_breakdown_table_lists_members_and_notes_that_they_fall_short(
    ws: Ledger, tmp_path: Path
) -> None:
    html = _report(ws, tmp_path, PEOPLE)
    table = _breakdown(html, "b-workforce.headcount-gender")
    assert table.startswith("Employees at year end by Gender, 2024 (persons)")
    assert "Female 60 40.0% Male 80 53.3% Total 150" in table
    assert (
        "The figures by Gender (Female, Male) add up to 140, not to the total of 150 "
        "(difference 10)."
    ) in table
    zh = _breakdown(_again(ws, tmp_path, "zh"), "b-workforce.headcount-gender")
    assert "女性 60 40.0% 男性 80 53.3% 合计 150" in zh
    assert "按性别分列的数据（女性、男性）合计为 140，与总数 150 不一致（差额 10）。" in zh


def test_a_breakdown_that_adds_up_has_no_note(ws: Ledger, tmp_path: Path) -> None:
    rows = [
        _row("mill", "workforce.headcount", "100", "person"),
        _row("mill", "workforce.headcount", "70", "person", dimensions="gender=male"),
        _row("mill", "workforce.headcount", "30", "person", dimensions="gender=female"),
    ]
    table = _breakdown(_report(ws, tmp_path, rows), "b-workforce.headcount-gender")
    assert "Female 30 30.0% Male 70 70.0% Total 100" in table
    assert "add up" not in table


def test_staff_divided_by_level_and_by_function_get_a_table_each(
    ws: Ledger, tmp_path: Path
) -> None:
    """100 employees by level (10 + 20 + 70) and by function (50 + 30 + 20): two tables whose
    shares each add up to 100 %, and no note that the members fall short."""
    level = [("senior_management", 10), ("middle_management", 20), ("general_staff", 70)]
    function = [("production", 50), ("technical", 30), ("administrative", 20)]
    rows = [_row("mill", "workforce.headcount", "100", "person")]
    rows += [
        _row("mill", "workforce.headcount", str(n), "person", dimensions=f"employee_category={m}")
        for m, n in level + function
    ]
    html = _report(ws, tmp_path, rows)
    by_level = _breakdown(html, "b-workforce.headcount-employee_category")
    by_function = _breakdown(html, "b-workforce.headcount-employee_category-2")
    assert (
        "Senior management 10 10.0% Middle management 20 20.0% General staff 70 70.0%" in by_level
    )
    assert "Production" not in by_level
    assert "Production staff 50 50.0% Technical staff 30 30.0%" in by_function
    assert "add up to" not in by_level + by_function
