"""Hand-worked calculation cases, written as data in ``tests/cases/*.yaml``: single-entity and
simple roll-up arithmetic (standard coal, Scope 1 and 2, GWP sets, periods, intensities). The
format is :mod:`tests.case_format`'s, the runner :mod:`tests.case_runner`'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from esgledger.catalogue import load_catalogue
from tests.case_format import CaseRef, case_files, collect_cases, validate_case, validate_file
from tests.case_runner import run_case
from tests.ledger_fixture import Ledger

CASES_DIR = Path(__file__).parent / "cases"
CASES = collect_cases(CASES_DIR)


@pytest.fixture(scope="module")
def metric_ids() -> set[str]:
    return set(load_catalogue().metrics)


def test_case_files_are_well_formed(metric_ids: set[str]) -> None:
    files = case_files(CASES_DIR)
    assert files, f"no case files in {CASES_DIR}"
    problems = [problem for path in files for problem in validate_file(path, metric_ids)]
    assert not problems, "malformed case files:\n  " + "\n  ".join(problems)


def test_validator_rejects_unknown_keys_and_missing_working(metric_ids: set[str]) -> None:
    """The validator itself: unknown keys and an expected item without working are errors."""
    case = {
        "name": "x",
        "period": "2024",
        "colour": "red",
        "entities": [{"id": "p", "country": "CN", "size": 3}],
        "inputs": [{"entity": "p", "metric": "energy.diesel", "value": 1, "unit": "t"}],
        "expected": [
            {
                "metric": "energy.total_tce",
                "entity": "p",
                "value": 1.4571,
                "abs_tolerance": 1e-9,
                "reference": "GB/T 2589-2020",
            }
        ],
    }
    problems = "\n".join(validate_case("f.yaml::x", case, metric_ids))
    assert "unknown key 'colour'" in problems
    assert "unknown key 'size'" in problems
    assert "missing key 'working'" in problems


def test_a_failing_case_names_the_file_the_case_and_the_value(
    ws: Ledger, tmp_path: Path, metric_ids: set[str]
) -> None:
    """The runner itself: a wrong expectation fails with file, case and metric@entity@period,
    the expected value, the working and the reference."""
    case = {
        "name": "wrong on purpose",
        "period": "2024",
        "entities": [{"id": "p", "country": "CN"}],
        "inputs": [{"entity": "p", "metric": "energy.diesel", "value": 100, "unit": "t"}],
        "expected": [
            {
                "metric": "energy.total_tce",
                "entity": "p",
                "value": 150.0,
                "abs_tolerance": 0.001,
                "working": "a deliberately wrong 150",
                "reference": "none",
            }
        ],
    }
    with pytest.raises(pytest.fail.Exception) as failed:
        run_case(CaseRef("f.yaml", case["name"], case), ws, tmp_path, metric_ids)
    message = str(failed.value)
    assert "f.yaml :: wrong on purpose :: energy.total_tce@p@2024" in message
    assert "expected: 150.0 (abs_tolerance 0.001)" in message
    assert "working:  a deliberately wrong 150" in message


@pytest.mark.parametrize("ref", CASES, ids=[ref.id for ref in CASES])
def test_case(ref: CaseRef, ws: Ledger, tmp_path: Path, metric_ids: set[str]) -> None:
    run_case(ref, ws, tmp_path, metric_ids)
