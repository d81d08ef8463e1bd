"""The rows of the authorization matrix (tests/test_api_authz.py) for the justifications of
quality findings (issue 12, part 3): every user reads, admins and ESG managers who did not enter
the value justify and withdraw. The seeder enters a diesel value above the hand-made rule's limit
(tests/qa_test_rules.py) as plant_b's data owner, so that no caller is its author."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import patch

import sqlalchemy as sa

from esgledger.store.schema import datapoints
from esgledger.workflow.entries import Entry
from tests.collab_fixtures import API
from tests.qa_test_rules import RULES

ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
WRITERS = {"admin", "esg_manager"}
PERIOD = "2033"  # a year no other case enters values in
KEY = "energy.diesel@plant_b@2033"
FINDING = {"rule": "diesel.limit", "finding_key": KEY}
Call = Callable[[Any, str, dict[str, str]], Any]


def _seed(ctx: Any) -> None:
    services = ctx.world.services
    with services.db.reading() as connection:
        entered = connection.execute(
            sa.select(datapoints.c.id).where(
                datapoints.c.metric_id == "energy.diesel",
                datapoints.c.entity_id == "plant_b",
                datapoints.c.period == PERIOD,
            )
        ).first()
    if entered is None:
        services.datapoints.create(
            ctx.world.user("owner_b"), Entry("plant_b", PERIOD, "energy.diesel", 20, "t")
        )


def _call(method: str, path: str, justified: bool = False, **kwargs: Any) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        with patch("esgledger.services.qa.load_rules", lambda: list(RULES)):
            _seed(ctx)
            if justified:
                ctx.world.services.qa_review.justify(
                    ctx.world.user("manager2"), PERIOD, "diesel.limit", KEY, "Standby generators"
                )
            return ctx.client.request(method, f"{API}/qa/{PERIOD}{path}", headers=h, **kwargs)

    return call


CASES: list[tuple[str, set[str], Call, int]] = [
    ("qa review", ALL, _call("GET", "/review?lang=zh"), 200),
    ("qa justifications", ALL, _call("GET", "/justifications"), 200),
    ("qa justify", WRITERS,
     _call("POST", "/justifications", json={**FINDING, "text": "Standby generators"}), 201),
    ("qa withdraw justification", WRITERS,
     _call("POST", "/justifications/withdraw", True, json={**FINDING, "reason": "Sold"}), 200),
]  # fmt: skip
# writes concern the whole group: a user limited to some entities may not make them
GROUP_WIDE = {name for name, roles, _call, _ok in CASES if roles == WRITERS}
