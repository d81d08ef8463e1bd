"""Issue 11, "Done means": the HKEX index of CHALIECO's 2019 report, rebuilt by esgledger from the
data keyed for it (tests/data/chalieco_2019/data.csv, see tests/test_chalieco_2019.py) and the
chapters as sections declaring the items the printed index maps to them (sections.yaml), marks as
not met the KPIs the text claims but does not contain.

The report follows the 2015 Guide; esgledger ships the HKEX Guide from its 2020 edition, whose KPI
ids A1.1-B8.2 are the same, so the profile pins ``hkex@2020`` for FY2019. Evidence from the text
(/work/shared/reference/seed-chalieco-2019.txt), KPI by KPI:

- A1.1 emissions data: "Reducing Impact on the Environment" describes dust and noise control and
  gives no emission figure (no SO2, NOx or particulates);
- A1.3 / A1.4 hazardous and non-hazardous waste: the chapter has only "Figure: Solid Waste produced
  by CHALIECO from 2018 to 2019", no tonnes in the text, hazardous and non-hazardous not split;
- B1.1 workforce by gender, employment type, age group and region: only the total, "employed a
  total of 14,685 persons" (and 680 ethnic minority employees);
- B1.2 turnover by gender, age group and region: only "a total employee turnover rate of 3.9%"
  (the split is a chart, "Classified Employee Turnover Ratios", without values in the text);
- B2.2 lost days due to work injury: "Ensuring Safe Production" gives no lost days;
- B3.1 percentage of employees trained by gender and category: only "15086 person-times", no
  number or rate of employees trained;
- B3.2 average training hours by gender and category: only "about 11.4 hours per person";
- B5.1 suppliers by geographical region: suppliers by type (1,405 subcontractors, 3,331 material
  suppliers, 196 service providers), none by region.

Under the 2020 wording esgledger checks against, A1.5, A1.6, A2.3 and A2.4 also ask for targets
(the 2015 wording asked for measures): the text sets none, so those are flagged for "targets".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from esgledger.disclose.index import index_html
from esgledger.i18n import Strings
from esgledger.services import disclose_coverage as disclose_service
from tests.ledger_fixture import Ledger

DATA = Path(__file__).parent / "data" / "chalieco_2019"
SECTIONS = yaml.safe_load((DATA / "sections.yaml").read_text(encoding="utf-8"))["sections"]

CLAIMED_NOT_CONTAINED = {
    "HKEX-A1.1": "value",
    "HKEX-A1.3": "value",
    "HKEX-A1.4": "value",
    "HKEX-B1.1": "breakdown:gender, employment_type, age_band, region",
    "HKEX-B1.2": "breakdown:gender, age_band, region",
    "HKEX-B2.2": "value",
    "HKEX-B3.1": "value",
    "HKEX-B3.2": "breakdown:gender, employee_category",
    "HKEX-B5.1": "breakdown:region",
}
TARGETS_ASKED_FROM_2020 = {"HKEX-A1.5", "HKEX-A1.6", "HKEX-A2.3", "HKEX-A2.4"}


@pytest.fixture
def keyed(ws: Ledger, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    ws.import_organisation(DATA / "organisation.csv")
    ws.import_data(DATA / "data.csv")
    ws.calc("2019")
    tags = {key: set(section["meets"]) for key, section in SECTIONS.items()}

    def section_tags(connection: Any, period: str, lang: str) -> dict[str, set[str]]:
        return tags if period == "2019" else {}

    monkeypatch.setattr(disclose_service, "section_tags", section_tags)
    ws.services.disclose.set_profile(ws.admin, "2019", ["hkex@2020"], "main_board")
    ws.services.disclose.import_file(ws.admin, "2019", DATA / "explanations.csv")
    return ws


def test_the_rebuilt_hkex_index_marks_the_claimed_kpis_the_text_lacks(keyed: Ledger) -> None:
    shown = keyed.services.disclose.coverage(keyed.admin, "2019")
    rows = {row["reference"]: row for row in shown["rows"]}
    claimed = {
        f["reference"]: f["params"]["missing"]
        for f in shown["findings"]
        if f["code"] == "claimed_absent"
    }
    kpis = {ref: what for ref, what in claimed.items() if ref not in TARGETS_ASKED_FROM_2020}
    assert {ref: what.split(":", 1)[0] if what.startswith("value") else what
            for ref, what in kpis.items()} == CLAIMED_NOT_CONTAINED  # fmt: skip
    assert set(claimed) - set(kpis) == TARGETS_ASKED_FROM_2020
    assert all(claimed[ref] == "targets" for ref in TARGETS_ASKED_FROM_2020)
    for ref in claimed:
        assert rows[ref]["status"] == "not_met" and rows[ref]["locations"]
    # what the text does contain is met: GHG, energy, water, fatalities, corruption cases,
    # community investment (with their figures), and the narrative items by their chapters
    for ref in ("HKEX-A1.2", "HKEX-A2.1", "HKEX-A2.2", "HKEX-B2.1", "HKEX-B7.1", "HKEX-B8.2"):
        assert rows[ref]["status"] == "met" and rows[ref]["metrics"], ref
    assert rows["HKEX-B4.1"]["status"] == "met"
    for ref in ("HKEX-A2.5", "HKEX-B6.1", "HKEX-B6.2", "HKEX-B6.5"):
        assert rows[ref]["status"] == "not_applicable"
    # the index maps no chapter to the 2020 Guide's additions (A4 climate, B5.3, B5.4, B7.3)
    assert rows["HKEX-A4.1"]["status"] == "not_met"
    assert shown["errors"] > 0 and shown["findings"][0]["severity"] == "error"
    message = next(f["message"] for f in shown["findings"] if f["reference"] == "HKEX-B1.1")
    assert message == (
        "HKEX-B1.1 is claimed in employees but its data are absent: "
        "no breakdown by gender, employment type, age group, geographical region"
    )
    b11 = next(f for f in shown["findings"] if f["reference"] == "HKEX-B1.1")
    assert [s["step"] for s in b11["steps"]] == ["breakdown", "untag_claim"]
    assert "(e.g. `gender=female`)" in b11["steps"][0]["text"]  # a member id the user may type


def test_the_index_html_links_each_location_to_its_section(keyed: Ledger) -> None:
    rows = keyed.services.disclose.index_rows(keyed.admin, "2019", "zh")
    titles = {key: section["title"] for key, section in SECTIONS.items()}
    html = index_html(rows, Strings("zh"), titles)
    assert html.count('<section class="content-index"') == 1
    assert '<a class="pageref" href="#sec-employees">Protecting Employees' in html
    assert "未披露" in html and "不适用" in html and "与本集团业务无关" in html
    english = index_html(rows, Strings("en"))
    assert '<tr class="status-not_met" id="idx-HKEX-B1.1"><td>B1.1</td>' in english


def test_an_explained_item_shows_its_reason_and_text_in_the_index(keyed: Ledger) -> None:
    explained = {"reference": "HKEX-B5.3", "status": "explained", "reason_id": "considered_reasons",
                 "text_en": "Not yet mapped", "text_zh": "尚未识别供应链风险"}  # fmt: skip
    keyed.services.disclose.explain(keyed.admin, "2019", explained)
    rows = keyed.services.disclose.index_rows(keyed.admin, "2019", "zh")
    (row,) = [r for r in rows if r.reference == "HKEX-B5.3"]
    html = index_html([row], Strings("zh"))
    assert (
        '已解释<span class="explanation">（不作披露的经审慎考虑的理由：尚未识别供应链风险）' in html
    )
    assert "<td></td></tr>" in html  # no location: explained, not mapped to a chapter
