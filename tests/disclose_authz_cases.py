"""The rows of the authorization matrix (tests/test_api_authz.py) for disclosure coverage:
``(name, roles, call, success)``; every user reads, admins and ESG managers write. The seeder
sets the profile and an explanation of the period first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.collab_fixtures import API

ALL = {"admin", "esg_manager", "data_owner", "auditor", "viewer"}
WRITERS = {"admin", "esg_manager"}
SEEDER = "manager2"
PERIOD = "2025"
EXPLANATION = {"reference": "HKEX-B6.5", "status": "explained", "reason_id": "considered_reasons",
               "text_en": "No consumer data", "text_zh": "无消费者数据"}  # fmt: skip
CSV = (
    "reference,status,reason_id,text_en,text_zh\n"
    "HKEX-A2.5,not_applicable,,Services only,仅提供服务\n"
).encode()
Call = Callable[[Any, str, dict[str, str]], Any]


def _seed(ctx: Any) -> None:
    services, seeder = ctx.world.services, ctx.world.user(SEEDER)
    services.disclose.set_profile(seeder, PERIOD, ["hkex"], "main_board")  # unchanged: no version
    services.disclose.explain(seeder, PERIOD, EXPLANATION)


def _call(method: str, path: str, **kwargs: Any) -> Call:
    def call(ctx: Any, _e: str, h: dict[str, str]) -> Any:
        _seed(ctx)
        return ctx.client.request(method, f"{API}/disclose/{PERIOD}{path}", headers=h, **kwargs)

    return call


def _withdraw(ctx: Any, _e: str, h: dict[str, str]) -> Any:
    _seed(ctx)
    ctx.world.services.disclose.explain(ctx.world.user(SEEDER), PERIOD, EXPLANATION)
    return ctx.client.post(
        f"{API}/disclose/{PERIOD}/explanations/HKEX-B6.5/withdrawal",
        json={"reason": "reported after all"},
        headers=h,
    )


CASES: list[tuple[str, set[str], Call, int]] = [
    ("disclose profile", ALL, _call("GET", "/profile"), 200),
    ("disclose coverage", ALL, _call("GET", "/coverage?lang=zh"), 200),
    ("disclose explanations", ALL, _call("GET", "/explanations"), 200),
    ("disclose explanations export", ALL, _call("GET", "/explanations/export?format=csv"), 200),
    ("disclose profile set", WRITERS,
     _call("PUT", "/profile", json={"frameworks": ["hkex"], "issuer_class": "main_board"}), 200),
    ("disclose explain", WRITERS, _call("POST", "/explanations", json=EXPLANATION), 201),
    ("disclose explanations import", WRITERS,
     _call("POST", "/explanations/imports", files={"file": ("e.csv", CSV)}), 200),
    ("disclose withdraw", WRITERS, _withdraw, 200),
]  # fmt: skip
# writes concern the whole group: a user limited to some entities may not make them
GROUP_WIDE = {name for name, roles, _call, _ok in CASES if roles == WRITERS}
