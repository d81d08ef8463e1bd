"""The hand-worked materiality case (tests/cases_materiality/hand_worked.yaml) built through the
service layer, for the materiality tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from esgledger.services import Principal, Services
from esgledger.services.stakeholders import RESPONDENT

CASE = yaml.safe_load(
    (Path(__file__).parent / "cases_materiality" / "hand_worked.yaml").read_text(encoding="utf-8")
)
ELEMENTS_TEXT = {"response": "abatement plan", "owner": "COO", "horizons": ["medium"]}


@dataclass
class Built:
    assessment: int
    iros: dict[str, int]
    case: dict[str, Any]


def build(services: Services, manager: Principal, period: str = "2025") -> Built:
    """The case's assessment, groups, IROs (scored by ``manager``) and responses (through
    links)."""
    case = CASE
    found = services.materiality.create(
        manager, period, "hand-worked case", case["method"], case["topics"], False
    )
    assessment = found["id"]
    for group, spec in case["groups"].items():
        services.stakeholders.save_group(
            manager,
            {"id": group, "name": group.title(), "name_zh": group, "weight": spec["weight"]},
        )
    iros: dict[str, int] = {}
    for name, spec in case["iros"].items():
        record = {
            **spec["record"],
            "value_chain": "own_operations",
            "title": name,
            **ELEMENTS_TEXT,
            "effects": {
                "anticipated": {
                    "low": 10,
                    "high": 20,
                    "unit": "RMB million",
                    "line": "cost of sales",
                }
            },
        }
        iros[name] = services.iros.create(manager, assessment, record)["id"]
        services.iros.score(manager, iros[name], spec["score"], f"hand-worked {name}")
    for response in case["responses"]:
        (token,) = services.stakeholders.issue_links(manager, assessment, response["group"], 1)
        services.stakeholders.respond(RESPONDENT, token, response["answers"])
    return Built(assessment, iros, case)
