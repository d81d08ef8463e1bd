"""Hand-made report tables for the quality-check tests: rows written as a report prints them,
read by the report tables reader and checked by the declared rules (no ledger)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from esgledger.calc.formulas import FORMULAS
from esgledger.catalogue import load_catalogue
from esgledger.domain import Entity
from esgledger.ingest.report_tables import ReportedTables, read_report_tables
from esgledger.qa.engine import CheckInputs, run_checks
from esgledger.qa.facts import Fact
from esgledger.qa.findings import Finding
from esgledger.qa.index import FactIndex
from esgledger.qa.rules import load_rules
from tests.helpers import write_csv

COLUMNS = ["table", "row_label", "entity", "metric", "period", "value", "unit", "footnote",
           "dimensions"]  # fmt: skip
CATALOGUE = load_catalogue(known_functions=set(FORMULAS))
ENTITIES = [
    Entity("group", "Example Aluminium Group", "CN", name_zh="示例铝业集团", type="group"),
    Entity("alumina_co", "Alumina Company", "CN", parent_id="group", aliases=("Alumina Co.",)),
    Entity("smelter", "Smelter Company", "CN", parent_id="group"),
    Entity("rolling", "Rolling Company", "CN", parent_id="group"),
    Entity("foil", "Foil Company", "CN", parent_id="group"),
]


def row(table: str, label: str, metric: str, value: str, unit: str, entity: str = "group",
        period: str = "2024", dimensions: str = "") -> list[str]:  # fmt: skip
    return [table, label, entity, metric, period, value, unit, "", dimensions]


def read(tmp_path: Path, rows: Sequence[Sequence[str]], name: str = "t.csv") -> ReportedTables:
    path = write_csv(tmp_path / name, COLUMNS, rows)
    return read_report_tables(path, CATALOGUE, ENTITIES)


def check(
    tmp_path: Path, rows: Sequence[Sequence[str]], lang: str = "en", extra: Sequence[Fact] = ()
) -> list[Finding]:
    facts = [*read(tmp_path, rows).facts, *extra]
    inputs = CheckInputs(FactIndex(facts), lang=lang, catalogue=CATALOGUE)
    return run_checks(load_rules(), inputs)


def rules_of(findings: Sequence[Finding]) -> list[str]:
    return [f.rule for f in findings]
