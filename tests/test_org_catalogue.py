"""The organisation's own metrics, axes and members (issue 9, part 3): imported from YAML or CSV,
validated like the built-ins, never shadowing one, versioned and audited, admins only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from esgledger.ledger.audit_query import entries_of
from esgledger.service_errors import Forbidden, Invalid
from esgledger.services import Services
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG_FILE = {
    "metrics": {
        "org.red_mud_transported": {
            "name": {"en": "Bauxite residue transported", "zh": "运往堆场的赤泥"},
            "unit": "t",
            "kind": "input",
            "axes": ["region", "org_shift"],
        },
        "org.red_mud_per_alumina": {
            "name": {"en": "Residue transported per tonne of alumina", "zh": "单位氧化铝赤泥运量"},
            "unit": "t/t",
            "kind": "derived",
            "aggregation": "ratio",
            "formula": {
                "function": "ratio",
                "inputs": ["org.red_mud_transported", "production.alumina"],
            },
        },
    },
    "axes": {
        "org_shift": {
            "name": {"en": "Shift", "zh": "班次"},
            "members": {
                "day": {"en": "Day shift", "zh": "白班"},
                "night": {"en": "Night", "zh": "夜班"},
            },
        }
    },
    "members": {"region": {"guangxi": {"en": "Guangxi", "zh": "广西"}}},
}
DATA_HEADER = ["entity", "period", "metric", "value", "unit", "dimensions"]


def _file(tmp_path: Path, content: dict, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def _group(ws: Ledger, tmp_path: Path) -> None:
    rows = [["grp", "Group", "", "CN"], ["ref_a", "Refinery A", "grp", "CN"]]
    rows.append(["ref_b", "Refinery B", "grp", "CN"])
    ws.import_organisation(write_csv(tmp_path / "o.csv", ["id", "name", "parent", "country"], rows))


def _versions(ws: Ledger) -> list[dict]:
    return ws.services.catalogue.versions(ws.admin)


def test_imported_metrics_take_figures_breakdowns_roll_ups_and_ratios(
    ws: Ledger, tmp_path: Path
) -> None:
    done = ws.services.catalogue.import_file(ws.admin, _file(tmp_path, ORG_FILE))
    assert done["version"] == 1
    assert done["added"] == ["org.red_mud_per_alumina", "org.red_mud_transported"]
    assert (done["axes"], done["members"]) == (["org_shift"], ["region.guangxi"])
    _group(ws, tmp_path)
    rows = [
        ["ref_a", "2024", "org.red_mud_transported", "1200", "t", ""],
        ["ref_a", "2024", "org.red_mud_transported", "700", "t", "region=guangxi"],
        ["ref_a", "2024", "org.red_mud_transported", "500", "t", "org_shift=night"],
        ["ref_b", "2024", "org.red_mud_transported", "800", "t", ""],
        ["ref_b", "2024", "org.red_mud_transported", "300", "t", "org_shift=night"],
        ["ref_a", "2024", "production.alumina", "1000", "t", ""],
        ["ref_b", "2024", "production.alumina", "1000", "t", ""],
    ]
    ws.import_data(write_csv(tmp_path / "d.csv", DATA_HEADER, rows))
    ws.calc("2024")
    assert ws.show("org.red_mud_transported", "grp", "2024").value == pytest.approx(2000.0)
    night = ws.show("org.red_mud_transported", "grp", "2024", "org_shift=night")
    assert night.value == pytest.approx(800.0)  # 500 + 300
    # a ratio of the group is recomputed from its rolled-up inputs: 2000 t / 2000 t
    assert ws.show("org.red_mud_per_alumina", "grp", "2024").value == pytest.approx(1.0)
    assert ws.catalogue.label("org.red_mud_transported{org_shift=night}", "zh") == (
        "运往堆场的赤泥（夜班）"
    )
    origins = {m["id"]: m["origin"] for m in ws.services.catalogue.listing(ws.admin)}
    assert origins["org.red_mud_transported"] == "organisation"
    assert origins["ghg.scope1"] == "built-in"
    assert ws.verify_audit().ok


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {
                "metrics": {
                    "ghg.scope1": {"name": {"en": "x", "zh": "x"}, "unit": "t", "kind": "input"}
                }
            },
            "'ghg.scope1' is a built-in metric",
        ),
        (
            {
                "metrics": {
                    "red_mud": {"name": {"en": "x", "zh": "x"}, "unit": "t", "kind": "input"}
                }
            },
            "org.<name>",
        ),
        (
            {
                "metrics": {
                    "org.x": {"name": {"en": "x", "zh": "x"}, "unit": "bananas", "kind": "input"}
                }
            },
            "unknown unit 'bananas'",
        ),
        (
            {"metrics": {"org.x": {"name": {"en": "x"}, "unit": "t", "kind": "input"}}},
            "missing required key 'zh'",
        ),
        (
            {
                "metrics": {
                    "org.x": {
                        "name": {"en": "x", "zh": "x"},
                        "unit": "t",
                        "kind": "input",
                        "axes": ["colour"],
                    }
                }
            },
            "unknown axis 'colour'",
        ),
        (
            {
                "metrics": {
                    "org.x": {
                        "name": {"en": "x", "zh": "x"},
                        "unit": "t/t",
                        "kind": "derived",
                        "formula": {"function": "ratio", "inputs": ["org.x", "org.nothing"]},
                    }
                }
            },
            "unknown metric 'org.nothing'",
        ),
        (
            {
                "axes": {
                    "gender": {
                        "name": {"en": "x", "zh": "x"},
                        "members": {"a": {"en": "a", "zh": "a"}},
                    }
                }
            },
            "'gender' is a built-in axis",
        ),
        (
            {"members": {"gender": {"female": {"en": "Women", "zh": "女"}}}},
            "gender already has the member 'female'",
        ),
        (
            {"members": {"colour": {"red": {"en": "Red", "zh": "红"}}}},
            "'colour' is not a built-in axis",
        ),
    ],
)
def test_bad_entries_are_refused_naming_them_and_nothing_is_stored(
    ws: Ledger, tmp_path: Path, change: dict, named: str
) -> None:
    with pytest.raises(Invalid, match="bad.yaml") as refused:
        ws.services.catalogue.import_file(ws.admin, _file(tmp_path, change, "bad.yaml"))
    assert named in str(refused.value)
    assert _versions(ws) == []
    assert "org.x" not in ws.catalogue


def test_a_metric_keeps_its_unit_and_reimporting_the_same_file_changes_nothing(
    ws: Ledger, tmp_path: Path
) -> None:
    ws.services.catalogue.import_file(ws.admin, _file(tmp_path, ORG_FILE))
    again = ws.services.catalogue.import_file(ws.admin, _file(tmp_path, ORG_FILE))
    assert again["version"] is None
    renamed = {
        "metrics": {
            "org.red_mud_transported": {
                **ORG_FILE["metrics"]["org.red_mud_transported"],
                "name": {"en": "Residue moved", "zh": "赤泥转运量"},
            }
        }
    }
    done = ws.services.catalogue.import_file(ws.admin, _file(tmp_path, renamed, "v2.yaml"))
    assert (done["version"], done["changed"]) == (2, ["org.red_mud_transported"])
    assert ws.catalogue["org.red_mud_transported"].label("en") == "Residue moved"
    assert "org.red_mud_per_alumina" in ws.catalogue  # the previous version's entries stay
    in_kg = {
        "metrics": {
            "org.red_mud_transported": {
                **ORG_FILE["metrics"]["org.red_mud_transported"],
                "unit": "kg",
            }
        }
    }
    with pytest.raises(Invalid, match="was imported with unit 't'"):
        ws.services.catalogue.import_file(ws.admin, _file(tmp_path, in_kg, "kg.yaml"))
    assert [v["version"] for v in _versions(ws)] == [1, 2]
    with ws.db.reading() as connection:
        entries = entries_of(connection, "catalogue", ["1", "2", "3"])
    assert [(e["action"], e["object_id"]) for e in entries] == [
        ("catalogue.import", "1"),
        ("catalogue.import", "2"),
    ]


def test_a_csv_file_adds_input_and_derived_metrics(ws: Ledger, tmp_path: Path) -> None:
    header = ["id", "name_en", "name_zh", "unit", "kind", "count", "axes", "function", "inputs"]
    rows = [
        [
            "org.drills",
            "Emergency drills",
            "应急演练次数",
            "count",
            "input",
            "true",
            "region",
            "",
            "",
        ],
        [
            "org.drills_per_1000",
            "Drills per 1,000 employees",
            "每千人演练次数",
            "1/person",
            "derived",
            "",
            "",
            "ratio",
            "org.drills;workforce.headcount",
        ],
    ]
    done = ws.services.catalogue.import_file(ws.admin, write_csv(tmp_path / "m.csv", header, rows))
    assert done["added"] == ["org.drills", "org.drills_per_1000"]
    assert ws.catalogue["org.drills"].count is True
    assert ws.catalogue["org.drills_per_1000"].formula.inputs == (
        "org.drills",
        "workforce.headcount",
    )
    no_formula = [["org.z", "Z", "丙", "t/t", "derived", "", "", "", ""]]
    with pytest.raises(Invalid, match="needs the columns 'function' and 'inputs'"):
        ws.services.catalogue.import_file(
            ws.admin, write_csv(tmp_path / "z.csv", header, no_formula)
        )
    bad = [["org.y", "Y", "", "t", "input", "", "", "", ""]]
    with pytest.raises(Invalid, match=r"bad.csv: row 2: column 'name_zh' is empty"):
        ws.services.catalogue.import_file(ws.admin, write_csv(tmp_path / "bad.csv", header, bad))


def test_only_admins_import_and_another_process_sees_the_import_at_once(
    ws: Ledger, tmp_path: Path, db_url: str
) -> None:
    manager = ws.services.accounts.create(ws.admin, "mia", "a-long-passphrase-9", "esg_manager", [])
    assert manager.role == "esg_manager"
    with pytest.raises(Forbidden):
        ws.services.catalogue.import_file(
            ws.services.accounts.principal("mia"), _file(tmp_path, ORG_FILE)
        )
    other = Services.open(db_url)
    try:
        assert "org.red_mud_transported" not in other.context.catalogue
        ws.services.catalogue.import_file(ws.admin, _file(tmp_path, ORG_FILE))
        assert "org.red_mud_transported" in other.context.catalogue
        assert "guangxi" in other.context.catalogue.axes["region"].members
    finally:
        other.dispose()


def test_the_api_lets_admins_extend_the_catalogue_and_factor_sets(
    world: World, client: TestClient, tmp_path: Path
) -> None:
    content = _file(tmp_path, ORG_FILE).read_bytes()
    files = {"file": ("ours.yaml", content, "application/yaml")}
    refused = client.post(f"{API}/catalogue/imports", files=files, headers=world.headers("manager"))
    assert refused.status_code == 403, refused.text
    answer = client.post(f"{API}/catalogue/imports", files=files, headers=world.headers("admin"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1
    metric = client.get(f"{API}/metrics/org.red_mud_transported", headers=world.headers("viewer"))
    assert metric.json()["origin"] == "organisation"
    assert metric.json()["axes"] == ["region", "org_shift"]
    axes = {
        a["id"]: a
        for a in client.get(f"{API}/catalogue/axes", headers=world.headers("viewer")).json()
    }
    assert {m["id"]: m["origin"] for m in axes["region"]["members"]}["guangxi"] == "organisation"
    bad = {"file": ("bad.yaml", b"metrics:\n  org.x: {unit: t}\n", "application/yaml")}
    answer = client.post(f"{API}/catalogue/imports", files=bad, headers=world.headers("admin"))
    assert answer.status_code == 422
    assert "bad.yaml" in answer.json()["error"]["message"]
    assert "missing required key 'name'" in answer.json()["error"]["message"]
    sets = client.get(f"{API}/factor-sets", headers=world.headers("viewer")).json()
    assert {s["origin"] for s in sets} == {"built-in"}
