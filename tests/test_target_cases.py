"""Hand-worked target cases (``tests/cases/targets/*.yaml``): progress, trajectory interpolation
through milestones, increase targets, intensity targets on restated baselines and the reasons a
target is not assessable. The expected numbers are worked by hand in each file's comments; a
failure names the file and the case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from esgledger.assess.targets import Observation, assess, definition_from_dict, load_rules

CASES_DIR = Path(__file__).parent / "cases" / "targets"
TOLERANCE = 1e-9  # relative
FILES = sorted(CASES_DIR.glob("*.yaml"))
CASES = [
    (path.name, case)
    for path in FILES
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]


def _observation(given: dict[str, Any] | None, source: str) -> Observation | None:
    if given is None:
        return None
    return Observation(
        int(given["year"]),
        float(given["value"]),
        given.get("source", source),
        options=given.get("options", {}),
        estimate=bool(given.get("estimate", False)),
    )


def test_the_case_files_are_there() -> None:
    names = {path.name for path in FILES}
    assert {"progress.yaml", "trajectory.yaml", "restated.yaml", "increase.yaml"} <= names
    assert len(CASES) >= 20


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c['name']}" for f, c in CASES])
def test_case(file: str, case: dict[str, Any]) -> None:
    target = definition_from_dict(
        {"target_id": "T", "name": case["name"], "metric_key": "m", "entity_id": "e"}
        | case["target"]
    )
    found = assess(
        target,
        _observation(case["base"], "ledger"),
        _observation(case["current"], "ledger"),
        load_rules().method_options,
    ).as_dict()
    where = f"{file}: {case['name']}"
    expected = case["expected"]
    assert found["status"] == expected["status"], where
    reason = found["reason"]
    assert (reason and reason["code"]) == expected.get("reason"), where
    if "reason_args" in expected:
        assert reason["args"] == expected["reason_args"], where
    for name in ("progress", "expected", "target_value", "current_net", "credits"):
        if name in expected:
            assert found[name] == pytest.approx(expected[name], rel=TOLERANCE), f"{where}: {name}"
    if expected["status"] == "not_assessable":
        assert (found["progress"], found["expected"]) == (None, None), where
    if "direction" in expected:
        assert found["direction"] == expected["direction"], where
    if "trajectory" in expected:
        points = [(p["year"], p["value"]) for p in found["trajectory"]]
        assert [y for y, _ in points] == [y for y, _ in expected["trajectory"]], where
        for (_, value), (_, wanted) in zip(points, expected["trajectory"], strict=True):
            assert value == pytest.approx(wanted, rel=TOLERANCE), where
