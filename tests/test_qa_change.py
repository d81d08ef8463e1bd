"""Change checks on hand-made figures and sections: unexplained moves, restatements without a
footnote, qualifiers a number contradicts, rounded and exact figures in one series."""

from __future__ import annotations

from dataclasses import replace

import pytest

from esgledger.qa.engine import CheckInputs, run_checks
from esgledger.qa.index import FactIndex
from tests.qa_check_support import catalogue, cell, ledger, rules, run


def points(before: float, now: float, **attributes: str) -> list:
    return [
        ledger("waste.hazardous", "2023", before, origin="datapoint"),
        ledger("waste.hazardous", "2024", now, origin="datapoint", **attributes),
    ]


def test_a_move_beyond_the_threshold_without_explanation() -> None:
    (found,) = run("change.unexplained", points(100, 150), period="2024")
    assert found.severity == "warning"
    assert "50.0 %" in found.message and "30.0 %" in found.message
    assert found.details["change"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("now", "attributes", "extra"),
    [
        (120, {}, {}),  # 20 %: under the threshold
        (150, {"note": "New kiln commissioned in March"}, {}),  # explained
        (150, {}, {"change_threshold": 0.6}),  # the organisation's threshold
    ],
)
def test_moves_under_the_threshold_or_explained_pass(
    now: float, attributes: dict, extra: dict
) -> None:
    assert run("change.unexplained", points(100, now, **attributes), period="2024", **extra) == []


def test_a_move_from_zero_needs_an_explanation() -> None:
    (found,) = run("change.unexplained", points(0, 5), period="2024")
    assert "from 0" in found.message
    # one "from": "moved from 0 in 2023 (0 t) to 2024", not "moved from 0 from 2023 (0 t)"
    assert found.message.count(" from ") == 1 and " from 0 in 2023 " in found.message
    (zh,) = run("change.unexplained", points(0, 5), period="2024", lang="zh")
    assert "from" not in zh.message and "由2023年的0" in zh.message  # no English in Chinese


@pytest.mark.parametrize(("before", "now", "flagged"), [(1, 0, False), (3, 2, False), (2, 5, True)])
def test_a_count_that_moves_by_a_handful_needs_no_explanation(
    before: float, now: float, flagged: bool
) -> None:
    facts = [
        ledger("safety.fatalities", "2023", before, origin="datapoint"),
        ledger("safety.fatalities", "2024", now, origin="datapoint"),
    ]
    found = run("change.unexplained", facts, period="2024")
    assert len(found) == (1 if flagged else 0)  # -100 % and -33 % of a handful are chance


def test_a_report_table_move_without_footnote_when_the_rule_asks_for_report_tables() -> None:
    facts = [
        cell("waste.hazardous", "2023", "1,000", table="Waste"),
        cell("waste.hazardous", "2024", "4,000", table="Waste"),
    ]
    assert run("change.unexplained", facts) == []  # the shipped rule: data points only
    rule = replace(rules()["change.unexplained"], params={"origins": ["reported_table"]})
    (found,) = run_checks([rule], CheckInputs(FactIndex(facts), catalogue=catalogue()))
    assert "Waste" in found.message and "300.0 %" in found.message
    facts[1] = cell("waste.hazardous", "2024", "4,000", table="Waste", footnote="Pond cleared")
    assert run_checks([rule], CheckInputs(FactIndex(facts), catalogue=catalogue())) == []


def test_the_calculation_s_own_values_are_not_asked_for_explanations() -> None:
    facts = [ledger("ghg.scope1", "2023", 100), ledger("ghg.scope1", "2024", 200)]
    assert run("change.unexplained", facts, period="2024") == []


def test_a_restated_past_figure_without_a_footnote() -> None:
    facts = [
        cell("ghg.scope1", "2023", "1,050", table="GHG"),
        cell("ghg.scope1", "2024", "1,100", table="GHG"),
        ledger("ghg.scope1", "2023", 1_000),
        ledger("ghg.scope1", "2024", 1_100),
    ]
    (found,) = run("change.restatement", facts, period="2024")
    assert found.severity == "error" and "2023" in found.message and "1,050" in found.message
    assert found.arithmetic == "1,050 - 1,000 = 50 tCO2e"


@pytest.mark.parametrize(
    ("printed", "footnote"), [("1,050", "Restated: 2023 boundary extended"), ("1,000", None)]
)
def test_a_footnoted_or_unchanged_past_figure_passes(printed: str, footnote: str | None) -> None:
    facts = [
        cell("ghg.scope1", "2023", printed, table="GHG", footnote=footnote),
        ledger("ghg.scope1", "2023", 1_000),
    ]
    assert run("change.restatement", facts, period="2024") == []


def test_the_current_period_is_not_a_restatement() -> None:
    facts = [cell("ghg.scope1", "2024", "1,300", table="GHG"), ledger("ghg.scope1", "2024", 1_100)]
    assert run("change.restatement", facts, period="2024") == []


@pytest.mark.parametrize(
    "text",
    [
        "Hazardous waste increased slightly, from 1,000 t to 4,000 t.",
        "Hazardous waste rose slightly (a fourfold increase over 2023).",
        "危险废物产生量较上年略有增加，同比增长 300%。",
        "单位产品能耗同比大幅下降 0.5%。",
    ],
)
def test_qualifiers_the_number_contradicts(text: str) -> None:
    (found,) = run("change.words", [], sections={"env-waste": f"Intro.\n\n{text}"}, period="2024")
    assert "env-waste" in found.message and found.severity == "warning"


@pytest.mark.parametrize(
    "text",
    [
        "Hazardous waste increased slightly by 3% on 2023.",
        "Emissions did not increase significantly (1.2%).",
        "Water withdrawal fell significantly, by 35%.",
        "We made a significant investment: 95% of employees were trained.",
        "危险废物产生量略有增加，同比增长 4.2%。",
    ],
)
def test_qualifiers_the_number_bears_out(text: str) -> None:
    assert run("change.words", [], sections={"s": text}) == []


def test_a_series_mixing_rounded_and_exact_figures() -> None:
    facts = [
        cell("water.withdrawal", "2022", "120,000", table="Water"),
        cell("water.withdrawal", "2023", "118,456.23", table="Water"),
    ]
    (found,) = run("change.rounding", facts)
    assert "120,000" in found.message and "118,456.23" in found.message


@pytest.mark.parametrize(
    ("a", "b"), [("120,000", "118,000"), ("1,234.5", "1,300.2"), ("100", "153.5")]
)
def test_a_series_at_one_precision_passes(a: str, b: str) -> None:
    facts = [
        cell("water.withdrawal", "2022", a, table="Water"),
        cell("water.withdrawal", "2023", b, table="Water"),
    ]
    assert run("change.rounding", facts) == []
