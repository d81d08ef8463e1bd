"""The XLSX data annex (issue 11 part 4), read back: every figure at full precision with its unit,
method, lineage key and the factors of calculated values; a sheet per kind in the report language,
header frozen, filters on."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from esgledger.service_errors import Invalid
from tests.backup_helpers import cli
from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger


@pytest.fixture
def ledger(ws: Ledger, tmp_path: Path) -> Ledger:
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
        ["plant", "2024", "energy.raw_coal", "1000.123456", "t", "measured", "weighbridge", ""],
        ["plant", "2024", "energy.diesel", "7", "t", "estimated", "fuel log", ""],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", DATA_HEADER, rows))
    ws.calc("2024")
    return ws


def _rows(sheet: object) -> dict[tuple[str, str], dict[str, object]]:
    values = list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]
    header = [str(v) for v in values[0]]
    return {(str(r[0]), str(r[2])): dict(zip(header, r, strict=True)) for r in values[1:]}


def test_annex_keeps_full_precision_method_lineage_and_factors(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = ledger.services.reports.annex(ledger.admin, "2024", "en", tmp_path / "out")
    assert path.name == "esgledger-annex-2024-en.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Reported", "Calculated", "Breakdowns", "Targets"]
    reported = _rows(book["Reported"])
    coal = reported[("energy.raw_coal", "grp")]
    assert coal["Value (full precision)"] == pytest.approx(1000.123456, abs=1e-9)
    assert coal["Method"] == "measured" and coal["Unit"] == "t"
    assert coal["Lineage key"] == "energy.raw_coal@grp@2024"
    assert reported[("energy.diesel", "grp")]["Method"] == "estimated"
    calculated = _rows(book["Calculated"])
    tce = calculated[("energy.total_tce", "grp")]
    assert tce["Method"] == "calculated"
    expected = 1000.123456 * 0.7143 + 7 * 1.4571  # GB/T 2589-2020 Appendix A
    assert tce["Value (full precision)"] == pytest.approx(expected, rel=1e-12)
    factors = str(tce["Factors used (id = value unit (source; set edition version))"])
    assert "gbt2589.coal_equivalent.raw_coal = 0.7143 kgce/kg" in factors and "v2020" in factors
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")


def test_annex_in_chinese_and_a_bad_language_refused(ledger: Ledger, tmp_path: Path) -> None:
    path = ledger.services.reports.annex(ledger.admin, "2024", "zh", tmp_path / "out")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["报送数据", "计算数据", "分项数据", "目标"]
    coal = _rows(book["报送数据"])[("energy.raw_coal", "grp")]
    assert coal["指标"] == "原煤" and coal["数值（完整精度）"] == pytest.approx(1000.123456)
    with pytest.raises(Invalid, match="lang is en or zh"):
        ledger.services.reports.annex(ledger.admin, "2024", "fr", tmp_path / "out")


def test_cli_writes_the_annex_and_refuses_an_unknown_format(
    ledger: Ledger, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "cli"
    result = cli(
        db_url, "report", "--period", "2024", "--format", "xlsx", "--lang", "en", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["esgledger-annex-2024-en.xlsx"]  # no HTML asked
    book = openpyxl.load_workbook(out / "esgledger-annex-2024-en.xlsx")
    assert ("energy.raw_coal", "grp") in _rows(book["Reported"])
    refused = cli(db_url, "report", "--period", "2024", "--format", "docx", "--out", str(out))
    assert refused.exit_code == 2 and "--format is html, pdf, xlsx" in refused.output
