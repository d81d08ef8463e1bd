"""Hand-worked group-accounting cases, written as data in ``tests/cases_group/*.yaml``: what an
aluminium group's inventory needs beyond the single-entity arithmetic of ``tests/cases`` (internal
transfers, certificates, consolidation approaches, base-year restatement, process emissions,
Scope 3). The format is :mod:`tests.case_format`'s, the runner
:mod:`tests.case_runner`'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgledger.catalogue import load_catalogue
from tests.case_format import CaseRef, case_files, collect_cases, validate_case, validate_file
from tests.case_runner import run_case
from tests.ledger_fixture import Ledger

CASES_DIR = Path(__file__).parent / "cases_group"
CASES = collect_cases(CASES_DIR)


@pytest.fixture(scope="module")
def metric_ids() -> set[str]:
    return set(load_catalogue().metrics)


def test_group_case_files_are_well_formed(metric_ids: set[str]) -> None:
    files = case_files(CASES_DIR)
    assert files, f"no case files in {CASES_DIR}"
    problems = [p for path in files for p in validate_file(path, metric_ids)]
    assert not problems, "malformed case files:\n  " + "\n  ".join(problems)


def test_group_validator_rejects_bad_extensions(metric_ids: set[str]) -> None:
    case = {
        "name": "x",
        "period": "2024",
        "entities": [{"id": "p", "country": "CN", "cell_technology": "pfpb"}],
        "inputs": [{"entity": "p", "metric": "energy.diesel", "value": 1, "unit": "t"}],
        "transfers": [
            {
                "from": "p",
                "to": "q",
                "carrier": "electricity",
                "value": 1,
                "unit": "MWh",
                "colour": "red",
            }
        ],
        "certificates": [{"entity": "p", "scheme": "GEC", "mwh": 1}],
        "expected": [
            {
                "metric": "energy.total_tce",
                "entity": "p",
                "value": 1.4571,
                "abs_tolerance": 1e-9,
                "working": "w",
                "reference": "r",
                "restated": True,
                "options": {"gwp": "AR7"},
            }
        ],
    }
    problems = "\n".join(validate_case("f.yaml::x", case, metric_ids))
    assert "cell_technology 'pfpb'" in problems
    assert "to 'q' is not an entity" in problems
    assert "unknown key 'colour'" in problems
    assert "missing key 'certificate_id'" in problems
    assert "needs the case's base_year" in problems
    assert "AR7" in problems


@pytest.mark.parametrize("ref", CASES, ids=[ref.id for ref in CASES])
def test_group_case(ref: CaseRef, ws: Ledger, tmp_path: Path, metric_ids: set[str]) -> None:
    run_case(ref, ws, tmp_path, metric_ids)
