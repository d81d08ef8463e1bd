"""The explain page shows the supplies eliminated inside a boundary, so that its inputs add up to
its total (issue 9 item 10: the group Scope 2 listed inputs of 6.66 Mt against a total of 5.20 Mt
without the elimination that closes the gap)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.test_web_i18n import text_of
from tests.web_clients import signed_in_clients

HEADER = ["entity", "period", "metric", "value", "unit"]


def test_the_group_scope_2_shows_what_was_eliminated_in_both_languages(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    ws = world.ws
    rows = [
        ["plant_b", "2024", "energy.raw_coal", "1000", "t"],
        ["plant_b", "2024", "production.electricity_generated", "2000", "MWh"],
        ["plant_a", "2024", "energy.electricity_purchased", "500", "MWh"],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    transfer = [["plant_b", "plant_a", "2024", "electricity", "1000", "MWh"]]
    ws.import_transfers(
        write_csv(
            tmp_path / "transfers.csv",
            ["from", "to", "period", "carrier", "value", "unit"],
            transfer,
        )
    )
    ws.calc("2024")
    internal = ws.show("ghg.scope2_internal", "plant_a", "2024").value
    assert internal > 0
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        manager = browse["manager"]
        english = text_of(manager.get("/explain/ghg.scope2_location/grp/2024").text)
        assert "Eliminated inside the boundary" in english
        assert "supplied by Plant B to Plant A:" in english
        assert "counted once, at the supplier" in english
        assert manager.get("/lang/zh").status_code == 303
        chinese = text_of(manager.get("/explain/ghg.scope2_location/grp/2024").text)
        assert "边界内抵销" in chinese and "乙厂 向 甲厂 供应：" in chinese
