"""Counts (people, cases, suppliers) are whole numbers at every door (issue 9: "0.5 fatalities is
refused"), and the catalogue holds the metric ids real reports need."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgledger.calc.formulas import FORMULAS
from esgledger.catalogue import load_catalogue
from esgledger.errors import InputRejected, RuleFileError
from esgledger.service_errors import Invalid
from esgledger.workflow.entries import Entry
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

HEADER = ["entity", "period", "metric", "value", "unit"]

# The public ids issue 9 names that need no breakdown to exist (the axes come with breakdowns).
PUBLIC_IDS = [
    "workforce.headcount",
    "workforce.leavers",
    "workforce.turnover_rate",
    "training.participants",
    "training.coverage",
    "safety.work_injuries",
    "safety.injury_rate_per_1000_employees",
    "safety.occupational_disease_cases",
    "safety.training_hours",
    "waste.total",
    "waste.hazardous_recycled",
    "waste.non_hazardous_recycled",
    "wastewater.discharge",
    "wastewater.cod",
    "wastewater.ammonia_nitrogen",
    "air.nmthc",
    "water.consumption",
    "water.recycled",
    "supply_chain.suppliers",
    "ethics.corruption_cases",
    "community.investment",
    "community.volunteer_hours",
    "rnd.expenditure",
    "waste.bauxite_residue_generated",
    "waste.bauxite_residue_used",
    "waste.bauxite_residue_stored",
    "waste.spent_pot_lining",
    "waste.aluminium_dross",
    "waste.salt_slag",
    "air.fluoride_gaseous",
    "air.fluoride_particulate",
]


def test_the_public_ids_exist_with_a_framework_code_and_a_definition() -> None:
    catalogue = load_catalogue(known_functions=set(FORMULAS))
    for metric_id in PUBLIC_IDS:
        metric = catalogue[metric_id]
        assert metric.frameworks, metric_id
        assert metric.description or metric_id == "workforce.headcount", metric_id
        assert metric.name["zh"] and metric.name["en"], metric_id


def _group(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type"], ["grp", "Group", "", "CN", "group"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))


def test_half_a_fatality_is_refused_naming_the_row_and_nothing_is_written(
    ws: Ledger, tmp_path: Path
) -> None:
    _group(ws, tmp_path)
    rows = [
        ["grp", "2024", "workforce.headcount", "16441", "person"],
        ["grp", "2024", "safety.fatalities", "0.5", "person"],
        ["grp", "2024", "ethics.corruption_cases", "1.25", "cases"],
    ]
    with pytest.raises(InputRejected) as refused:
        ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    issues = {(issue.row, issue.field): issue for issue in refused.value.issues}
    assert set(issues) == {(3, "value"), (4, "value")}
    assert "a whole number of person" in issues[(3, "value")].expected
    assert "safety.fatalities is a count" in issues[(3, "value")].expected
    assert ws.datapoints(["2024"]) == []


def test_a_count_in_10_000_persons_is_whole_once_converted(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    rows = [["grp", "2024", "workforce.headcount", "1.6441", "万人"]]
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    (point,) = ws.datapoints(["2024"])
    assert point.value_normalised == pytest.approx(16_441.0)


def test_the_entry_door_refuses_a_fractional_count_too(ws: Ledger, tmp_path: Path) -> None:
    _group(ws, tmp_path)
    entry = Entry("grp", "2024", "safety.work_injuries", 2.5, "person")
    with pytest.raises(Invalid) as refused:
        ws.services.datapoints.create(ws.admin, entry)
    assert refused.value.field == "value"
    assert "whole number" in str(refused.value)


def test_a_derived_metric_cannot_be_declared_a_count(tmp_path: Path) -> None:
    directory = tmp_path / "catalogue"
    directory.mkdir()
    (directory / "test.yaml").write_text(
        """group: t
title: {en: T, zh: 测试}
metrics:
  t.people:
    name: {en: People, zh: 人数}
    unit: person
    kind: input
  t.rate:
    name: {en: Rate, zh: 比率}
    unit: percent
    kind: derived
    aggregation: ratio
    count: true
    formula: {function: ratio, inputs: [t.people, t.people]}
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="only an input metric can be a count"):
        load_catalogue(directory, known_functions=set(FORMULAS))
