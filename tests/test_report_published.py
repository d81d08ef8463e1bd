"""The report lists published figures beside the computation (issue 9, part 4).

Hand-worked: raw coal 1 000 t x 0.7143 kgce/kg = 714.3 tce and diesel 10 t x 1.4571 kgce/kg =
14.571 tce (GB/T 2589-2020 Appendix A): comprehensive energy 728.871 tce. The group published 800
tce: the computation differs by (728.871 - 800) / 800 = -8.89 %; for the published figure, raw coal
(the largest carrier) would need (800 - 14.571) / 1 000 t = 0.7854 tce/t. The injury rate was
published (0.75 per 1,000) with no counts to compute it from: printed as published.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_i18n import text_of

HEADER = ["entity", "period", "metric", "value", "unit", "method", "source"]


def _report(ws: Ledger, tmp_path: Path, lang: str = "en") -> str:
    org = [["id", "name", "parent", "country", "type"]]
    org += [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))
    rows = [
        ["plant", "2024", "energy.raw_coal", "1000", "t", "measured", "weighbridge"],
        ["plant", "2024", "energy.diesel", "10", "t", "measured", "fuel cards"],
        ["grp", "2024", "energy.total_tce", "800", "tonnes of standard coal", "reported", "p. 41"],
        [
            "grp",
            "2024",
            "safety.injury_rate_per_1000_employees",
            "0.75",
            "permille",
            "reported",
            "p. 63",
        ],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    ws.calc("2024")
    return ws.report_file("2024", tmp_path / "out", lang).read_text(encoding="utf-8")


def _section(html: str) -> str:
    return text_of(html.split('id="published"', 1)[1].split("</section>", 1)[0])


def test_a_difference_above_the_tolerance_is_listed_with_the_implied_coefficient(
    ws: Ledger, tmp_path: Path
) -> None:
    section = _section(_report(ws, tmp_path))
    assert "Comprehensive energy consumption" in section
    assert "800 728.87 -8.89% p. 41" in section
    assert "implies 0.7854 tce/t for Raw coal; the computation applied 0.7143 tce/t" in section


def test_a_published_figure_without_a_computation_is_printed_as_published(
    ws: Ledger, tmp_path: Path
) -> None:
    html = _report(ws, tmp_path)
    row = html.split('data-metric="safety.injury_rate_per_1000_employees"', 1)[1]
    row = row.split("</tr>", 1)[0]
    # three decimals, as the table writes a small value
    assert re.search(r'href="#p-safety\.injury_rate_per_1000_employees-2024">0\.750<', row)
    assert "0.75 no computation p. 63 printed as published" in _section(html)


def test_a_difference_within_the_tolerance_is_not_listed(ws: Ledger, tmp_path: Path) -> None:
    """Publishing 730 tce: (728.871 - 730) / 730 = -0.15 %, within 1 %."""
    html = _report(ws, tmp_path)
    assert "Comprehensive energy" in _section(html)
    corrected = [["grp", "2024", "energy.total_tce", "730", "tce", "reported", "p. 41"]]
    ws.import_data(write_csv(tmp_path / "again.csv", HEADER, corrected))
    ws.calc("2024")
    again = ws.report_file("2024", tmp_path / "again", "en").read_text(encoding="utf-8")
    assert "Comprehensive energy" not in _section(again)


def test_large_figures_are_printed_in_full_not_in_exponent_form(ws: Ledger, tmp_path: Path) -> None:
    """Publishing 1,000,000 tce against 728.871 computed: both printed as numbers people read."""
    _report(ws, tmp_path)
    corrected = [["grp", "2024", "energy.total_tce", "1,000,000", "tce", "reported", "p. 41"]]
    ws.import_data(write_csv(tmp_path / "again.csv", HEADER, corrected))
    ws.calc("2024")
    again = ws.report_file("2024", tmp_path / "again", "en").read_text(encoding="utf-8")
    assert "1,000,000 728.87 -99.93% p. 41" in _section(again)
    assert "e+06" not in again


def test_the_list_reads_in_chinese(ws: Ledger, tmp_path: Path) -> None:
    section = _section(_report(ws, tmp_path, "zh"))
    assert "按披露值反推，原煤的系数为 0.7854" in section
    assert "按披露值列示" in section
