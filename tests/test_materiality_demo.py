"""The demo group's materiality assessment (demo/data/materiality.yaml) on both backends: the
classes an integrated aluminium group expects, every immaterial SSE topic explained, and what an
approval still lacks named (the governance and targets parts)."""

from __future__ import annotations

from pathlib import Path

from esgledger.demo.materiality import seed_materiality
from tests.ledger_fixture import Ledger


def test_the_demo_assessment(ws: Ledger, tmp_path: Path) -> None:
    said = seed_materiality(ws.services, ws.admin, tmp_path)
    assert "6 stakeholder groups" in said and "21 IROs" in said
    shown = ws.services.materiality.show(ws.admin, 1)
    classes = {t["id"]: t["class"] for t in shown["topics"]}
    assert {t for t, c in classes.items() if c == "double"} == {"climate", "energy", "tailings"}
    assert classes["circular_economy"] == "financial_only"
    assert classes["science_ethics"] == "not_material"
    assert shown["current"] and shown["approval_needs"]["explanations"] == []
    assert set(shown["approval_needs"]["elements"]) == {
        "climate",
        "energy",
        "tailings",
        "circular_economy",
    }
    spread = ws.services.stakeholders.responses(ws.admin, 1)["spread"]["tailings"]["communities"]
    assert spread["count"] == 8 and spread["min"] < spread["max"]  # a minority view kept
    ets = next(
        i for i in ws.services.iros.listing(ws.admin, 1) if i["title"].startswith("China ETS")
    )
    assert ets["scenarios"] and ets["effects"]["anticipated"]["line"].startswith("Cost of sales")
    assert ws.verify_audit().ok
