"""The engine's notes as codes: every code the engine writes is declared in ``calc/notes.yaml`` and
renders in English and Chinese from that one table (the report, the web explain page and the CLI
all call ``Strings.note``); plain text of lineage stored before codes renders as written."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from esgledger.calc.notes import NOTES_FILE, note, note_table, placeholders
from esgledger.cli.render import print_explain
from esgledger.errors import RuleFileError
from esgledger.i18n import Strings, load_table
from esgledger.lineage import Note, Record

CALC = Path(__file__).resolve().parents[1] / "src" / "esgledger" / "calc"
# A value for each placeholder the table uses, of the type the engine writes.
SAMPLE_ARGS: dict[str, Any] = {
    "count": 9,
    "metric": "production.primary_aluminium",
    "unit": "MWh",
    "sum": 1.2e6,
    "value": 1e6,
    "factor": "ipcc2006.ncv.natural_gas",
    "confidence": "M",
    "citation": "IPCC 2006 Guidelines Vol. 2 Ch. 2 Eq. 2.1",
    "method": "calorific",
    "series": "national",
    "label": "per 200,000 hours worked",
    "slope": 0.143,
    "minutes": 0.5,
    "ratio": 0.1,
    "record": "site.raw_coal.ncv@plant@2024",
    "supplier": "power",
    "scope1": 800000.0,
    "scope1_unit": "tCO2e",
    "generated": 1000000.0,
    "generated_unit": "MWh",
    "share": 0.6,
    "period": "2024",
    "basis": note("equity_share", share=0.6),
    "fraction": 0.5,
    "entity": "power",
    "date": "2019-01-01",
    "first": "2021-01-01",
    "country": "AQ",
    "detail": "certificates claim more than the electricity consumed",
    "category": 3,
    "vintage": 2021,
    "year": 2019,
    "axis": "gender",
    "total": 1e6,
    "difference": 2e5,
}


class _Labels:
    """Labels a page would give: distinct markers, to see which arguments get them."""

    def metric(self, metric_id: str) -> str:
        return f"<metric {metric_id}>"

    def unit(self, unit: str) -> str:
        return f"<unit {unit}>"

    def entity(self, entity_id: str) -> str:
        return f"<entity {entity_id}>"


def codes_written_by_the_engine() -> set[str]:
    """Every code passed to ``note(...)`` in the calc package's source."""
    found = set()
    for path in CALC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "note"
            ):
                for argument in node.args[:1]:
                    if isinstance(argument, ast.Constant):
                        found.add(str(argument.value))
                    elif isinstance(argument, ast.IfExp):  # note("a" if x else "b")
                        found |= {
                            str(branch.value)
                            for branch in (argument.body, argument.orelse)
                            if isinstance(branch, ast.Constant)
                        }
    return found


def test_every_code_the_engine_writes_is_declared_and_every_declared_code_is_written() -> None:
    written = codes_written_by_the_engine()
    declared = {key.removeprefix("note.") for key in note_table()}
    assert len(written) > 30, written
    assert written == declared


@pytest.mark.parametrize("code", sorted(key.removeprefix("note.") for key in note_table()))
def test_every_code_renders_in_both_languages(code: str) -> None:
    args = {name: SAMPLE_ARGS[name] for name in placeholders(note_table()[f"note.{code}"]["en"])}
    written = note(code, **args)
    english, chinese = Strings("en").note(written), Strings("zh").note(written)
    assert english and chinese and english != chinese
    assert "{" not in english + chinese
    assert not re.search(r"[\u4e00-\u9fff]{2}", english.replace("当量值", "").replace("等价值", ""))
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese


def test_english_shows_ids_as_written_and_chinese_shows_labels() -> None:
    labels = _Labels()
    counted = note("counted_product", metric="production.primary_aluminium")
    assert Strings("en").note(counted, labels) == (
        "counted because the entity reports production.primary_aluminium"
    )
    assert Strings("zh").note(counted, labels) == (
        "因该主体报送“<metric production.primary_aluminium>”而计入"
    )
    mismatch = note("monthly_mismatch", count=12, sum=1.2e6, value=1e6, unit="MWh")
    assert Strings("en").note(mismatch) == (
        "the 12 monthly values add up to 1,200,000 MWh, not the annual 1,000,000 MWh; "
        "the annual value is used"
    )
    assert Strings("zh").note(mismatch, labels) == (
        "12 个月度数值合计 1,200,000 <unit MWh>，与年度值 1,000,000 <unit MWh> 不符；采用年度值"
    )
    rate = note(
        "supplier_rate",
        supplier="power",
        scope1=800000.0,
        scope1_unit="tCO2e",
        generated=1000000.0,
        generated_unit="MWh",
    )
    assert "<entity power>：" in Strings("zh").note(rate, labels)
    # option values are named by the options' own labels (calc/rules/options.yaml)
    series = note("grid_series", series="regional", factor="cn_grid_mee.region.north")
    assert Strings("zh").note(series) == "电网排放因子系列：区域电网（cn_grid_mee.region.north）"
    assert Strings("en").note(series) == ("grid factor series: regional (cn_grid_mee.region.north)")


def test_a_note_can_name_another_note() -> None:
    part_year = note("pro_rata", basis=note("operational_control"), fraction=0.25)
    assert Strings("en").note(part_year) == (
        "operational control; 25.0% of the period in the group (pro rata by validity dates)"
    )
    assert (
        Strings("zh").note(part_year) == "运营控制权；报告期内25.0%时间属于集团（按时间比例计入）"
    )


def test_plain_text_of_old_lineage_renders_as_written() -> None:
    for lang in ("en", "zh"):
        assert Strings(lang).note("only 9 of 12 months reported") == "only 9 of 12 months reported"
        assert Strings(lang).note("") == ""


def test_an_undeclared_code_or_wrong_arguments_fail_when_the_engine_writes_them() -> None:
    with pytest.raises(KeyError, match="brand_new"):
        note("brand_new")
    with pytest.raises(KeyError, match="months_missing"):
        note("months_missing", months=9)
    with pytest.raises(KeyError, match="months_missing"):
        note("months_missing")


def test_a_table_whose_languages_take_different_placeholders_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            note.months_missing: {en: "only {count} of 12 months", zh: "仅 {months} 个月"}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="note.months_missing"):
        note_table.__wrapped__(path)
    assert NOTES_FILE.exists()


def test_a_key_in_two_string_files_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text('page.title: {en: "A", zh: "甲"}\n', encoding="utf-8")
    second.write_text('page.title: {en: "B", zh: "乙"}\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match="page.title.*also defined in .*a.yaml"):
        load_table.__wrapped__((first, second))


def _records(notes: list[Any], reason: Any) -> dict[str, Record]:
    rollup: Record = {
        "key": "ghg.scope1@grp@2024",
        "metric": "ghg.scope1",
        "entity": "grp",
        "period": "2024",
        "value": 4.0,
        "unit": "tCO2e",
        "kind": "rollup",
        "formula": "own activity + sum of consolidated children x inclusion factor",
        "notes": notes,
        "own": None,
        "children": [
            {
                "key": "ghg.scope1@jv@2024",
                "entity": "jv",
                "value": 8.0,
                "factor": 0.5,
                "reason": reason,
            }
        ],
        "excluded": [],
    }
    return {rollup["key"]: rollup}


def test_the_cli_explain_renders_notes_in_english_and_old_text_as_written() -> None:
    coded: Note = note("equity_share", share=0.5)
    printed = []
    for notes, reason in (
        ([note("months_missing", count=9)], coded),
        (["only 9 of 12 months reported"], "equity share 0.5"),
    ):
        console = Console(record=True, width=200)
        records = _records(notes, reason)
        print_explain(console, {"root": "ghg.scope1@grp@2024", "records": records}, depth=0)
        printed.append(console.export_text())
    for output in printed:
        assert "note: only 9 of 12 months reported" in output
        assert "jv counted at 0.5 (equity share 0.5)" in output
