"""The rows of the authorization matrix (tests/test_api_authz.py) for the quality checks
(issue 12): every role that reads the period's data runs the checks and reads the findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.collab_fixtures import API

ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
CSV = (
    b"table,row_label,entity,metric,period,value,unit,footnote\n"
    b"Waste,Hazardous,plant_a,waste.hazardous,2024,2,t,\n"
)
Call = Callable[[Any, str, dict[str, str]], Any]


def _call(method: str, path: str, **kwargs: Any) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        return ctx.client.request(method, f"{API}/qa/2024{path}", headers=h, **kwargs)

    return call


CASES: list[tuple[str, set[str], Call, int]] = [
    ("qa findings", ALL, _call("GET", "/findings?lang=zh"), 200),
    ("qa check", ALL, _call("POST", "/check"), 200),
    ("qa check tables", ALL, _call("POST", "/check", files={"file": ("t.csv", CSV)}), 200),
]
