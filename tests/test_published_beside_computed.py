"""A figure the organisation published is kept beside esgledger's own computation of the same
metric, never instead of it (issue 9, part 4).

Hand-worked: 1 000 t of raw coal x 0.7143 kgce/kg (GB/T 2589-2020 Appendix A) = 714.3 tce. The
group published 700 tce in its report, so the computation differs by (714.3 - 700) / 700 =
+2.042857 %.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from esgledger.cli import common as cli_common
from esgledger.cli.main import app
from esgledger.errors import InputRejected
from esgledger.store.database import URL_ENV
from tests.collab_fixtures import World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_web_i18n import text_of
from tests.web_clients import signed_in_clients

HEADER = ["entity", "period", "metric", "value", "unit", "method", "source"]
PUBLISHED = ["grp", "2024", "energy.total_tce", "700", "tonnes of standard coal", "reported"]


def _group_with_coal(ws: Ledger, tmp_path: Path) -> None:
    org = [["id", "name", "parent", "country", "type"]]
    org += [["grp", "Group", "", "CN", "group"], ["plant", "Plant", "grp", "CN", "plant"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", org[0], org[1:]))
    rows = [["plant", "2024", "energy.raw_coal", "1000", "t", "measured", "weighbridge"]]
    ws.import_data(write_csv(tmp_path / "coal.csv", HEADER, rows))


def test_the_published_figure_is_shown_beside_the_computation(ws: Ledger, tmp_path: Path) -> None:
    _group_with_coal(ws, tmp_path)
    rows = [[*PUBLISHED, "2019 Social Responsibility Report p. 41"]]
    ws.import_data(write_csv(tmp_path / "published.csv", HEADER, rows))
    ws.calc("2024")
    shown = ws.show("energy.total_tce", "grp", "2024")
    assert shown.value == pytest.approx(714.3)  # the computation, not the published figure
    assert shown.kind != "input"
    assert shown.reported is not None
    assert shown.reported["value"] == pytest.approx(700.0)
    assert shown.reported["as_printed"] == {"value": 700.0, "unit": "tonnes of standard coal"}
    assert shown.reported["source"] == "2019 Social Responsibility Report p. 41"
    assert shown.difference == pytest.approx(14.3 / 700)
    # the published figure does not feed the calculation: the plant's own total is untouched
    assert ws.show("energy.total_tce", "plant", "2024").value == pytest.approx(714.3)


def test_a_published_figure_with_nothing_to_compute_it_from_is_shown_as_published(
    ws: Ledger, tmp_path: Path
) -> None:
    _group_with_coal(ws, tmp_path)
    rows = [
        ["grp", "2024", "ghg.scope1", "1.2", "万吨二氧化碳当量", "reported", "ISO 14064 statement"]
    ]
    ws.import_data(write_csv(tmp_path / "published.csv", HEADER, rows))
    shown = ws.show("ghg.scope1", "grp", "2024")  # no calculation has run
    assert (shown.kind, shown.value) == ("reported", pytest.approx(12_000.0))
    assert shown.reported is not None and shown.reported["source"] == "ISO 14064 statement"


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        (
            ["grp", "2024", "energy.total_tce", "700", "tce", "measured", "report"],
            "metric",
            "method 'reported' with its source",
        ),
        ([*PUBLISHED, ""], "source", "where the published figure is printed"),
    ],
)
def test_a_published_figure_needs_the_method_and_its_source(
    ws: Ledger, tmp_path: Path, row: list[str], field: str, expected: str
) -> None:
    _group_with_coal(ws, tmp_path)
    with pytest.raises(InputRejected) as refused:
        ws.import_data(write_csv(tmp_path / "published.csv", HEADER, [row]))
    (issue,) = refused.value.issues
    assert (issue.row, issue.field) == (2, field)
    assert expected in issue.expected
    assert [p.metric_id for p in ws.datapoints(["2024"])] == ["energy.raw_coal"]


def test_show_prints_both_and_the_json_keeps_value_as_the_computation(
    ws: Ledger, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr(cli_common.console, "width", 10_000)
    _group_with_coal(ws, tmp_path)
    rows = [[*PUBLISHED, "2019 report p. 41"]]
    ws.import_data(write_csv(tmp_path / "published.csv", HEADER, rows))
    ws.calc("2024")
    show = ["--db", db_url, "show", "energy.total_tce", "--entity", "grp", "--period", "2024"]
    printed = CliRunner().invoke(app, show)
    assert printed.exit_code == 0, printed.output
    assert "= 714.3 tce (calculated)" in printed.output
    assert "published 700 tce (2019 report p. 41); computed differs by +2.04%" in printed.output
    as_json = json.loads(CliRunner().invoke(app, [*show, "--json"]).output)
    assert as_json["value"] == pytest.approx(714.3)
    assert as_json["reported"]["value"] == pytest.approx(700.0)
    assert as_json["difference"] == pytest.approx(0.0204285714)


def test_explain_gives_the_published_figure_and_the_difference(ws: Ledger, tmp_path: Path) -> None:
    _group_with_coal(ws, tmp_path)
    rows = [[*PUBLISHED, "2019 report p. 41"]]
    ws.import_data(write_csv(tmp_path / "published.csv", HEADER, rows))
    ws.calc("2024")
    explained = ws.explain("energy.total_tce", "grp", "2024")
    assert explained["records"][explained["root"]]["value"] == pytest.approx(714.3)
    assert explained["reported"]["value"] == pytest.approx(700.0)
    assert explained["difference"] == pytest.approx(14.3 / 700)


def test_the_explain_page_shows_the_published_figure_in_both_languages(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    ws = world.ws
    rows = [
        ["plant_a", "2024", "energy.raw_coal", "1000", "t", "measured", "weighbridge"],
        [*PUBLISHED, "2019 report p. 41"],
    ]
    ws.import_data(write_csv(tmp_path / "data.csv", HEADER, rows))
    ws.calc("2024")
    with signed_in_clients(client.app) as browse:  # type: ignore[arg-type]
        manager = browse["manager"]
        english = text_of(manager.get("/explain/energy.total_tce/grp/2024").text)
        assert (
            "Published by the organisation: 700 tce (2019 report p. 41) · the computation "
            "differs by +2.04 %" in english
        )
        assert manager.get("/lang/zh").status_code == 303
        chinese = text_of(manager.get("/explain/energy.total_tce/grp/2024").text)
        assert (
            "企业已披露值： 700 吨标准煤 (2019 report p. 41) · 计算值与披露值相差 +2.04%" in chinese
        )
        twin = manager.get("/explain/energy.total_tce/grp/2024.json").json()
        assert twin["reported"]["source"] == "2019 report p. 41"
