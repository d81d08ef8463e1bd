"""Factor sets added without a new release (issue 9, part 3): the next edition of a publication,
used from its validity date, and the organisation's own factors, which may stand for a built-in
factor in its unit; each refused with a reason when it would change what an edition says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from esgledger.service_errors import Forbidden, Invalid
from tests.helpers import ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger

SOURCE = "MEE/NBS announcement of the 2024 electricity CO2 emission factors, attachment 1"


def _edition(tmp_path: Path, **changes: object) -> Path:
    """A 2024 data-year edition of the MEE/NBS grid factors (a value invented for the test)."""
    content = {
        "set": "cn_grid_mee",
        "edition": "MEE/NBS electricity CO2 emission factors (data year 2024)",
        "version": "2024.1",
        "title": {
            "en": "Electricity CO2 emission factors 2024",
            "zh": "2024年电力二氧化碳排放因子",
        },
        "citation": "MEE/NBS announcement of the 2024 electricity CO2 emission factors",
        "factors": {
            "national_average": {
                "unit": "tCO2/MWh",
                "values": [
                    {"from": "2024-01-01", "value": 0.5, "source": SOURCE, "confidence": "S"}
                ],
            }
        },
    }
    content.update(changes)
    path = tmp_path / f"{content['set']}-{content['version']}.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def _plant(ws: Ledger, tmp_path: Path) -> None:
    rows = [["grp", "Group", "", "CN", "", "group"], ["plant", "Plant", "grp", "CN", "", "plant"]]
    ws.import_organisation(write_csv(tmp_path / "org.csv", ORG_HEADER[:6], rows))
    data = [
        ["plant", year, "energy.electricity_purchased", "1000", "MWh"] for year in ("2023", "2024")
    ]
    ws.import_data(
        write_csv(tmp_path / "d.csv", ["entity", "period", "metric", "value", "unit"], data)
    )


def _scope2(ws: Ledger, period: str) -> tuple[float, dict]:
    ws.calc(period)
    value = ws.show("ghg.scope2_location", "plant", period).value
    key = f"ghg.scope2_electricity@plant@{period}"  # the electricity part of Scope 2
    (factor,) = [
        f
        for f in ws.explain("ghg.scope2_location", "plant", period)["records"][key]["factors"]
        if f["role"] == "grid emission factor"
    ]
    return value, factor


def test_a_new_edition_is_used_from_its_validity_date(ws: Ledger, tmp_path: Path) -> None:
    _plant(ws, tmp_path)
    before, factor = _scope2(ws, "2024")
    assert (factor["value"], factor["valid_from"]) == (0.5306, "2023-01-01")  # data year 2023
    assert before == pytest.approx(1000 * 0.5306)
    done = ws.services.factors.import_file(ws.admin, _edition(tmp_path))
    assert ws.services.factors.import_file(ws.admin, _edition(tmp_path))["unchanged"] is True
    assert done == {
        "unchanged": False,
        "factor_set": "cn_grid_mee@2024.1",
        "edition": done["edition"],
        "factors": 1,
        "values": 1,
    }
    value, factor = _scope2(ws, "2024")
    assert value == pytest.approx(1000 * 0.5)  # 1,000 MWh x 0.5 tCO2/MWh
    assert factor["source"] == SOURCE
    assert factor["edition"] == "MEE/NBS electricity CO2 emission factors (data year 2024)"
    old, old_factor = _scope2(ws, "2023")  # 2023 keeps the 2023 edition's value
    assert (old, old_factor["value"]) == (pytest.approx(530.6), 0.5306)
    origins = {(s["set"], s["version"]): s["origin"] for s in ws.services.factors.sets(ws.admin)}
    assert origins[("cn_grid_mee", "2024.1")] == "imported edition"
    assert origins[("cn_grid_mee", "2023.2")] == "built-in"
    assert ws.verify_audit().ok


def test_an_organisations_own_factor_stands_for_a_built_in_one(ws: Ledger, tmp_path: Path) -> None:
    _plant(ws, tmp_path)
    own = _edition(
        tmp_path,
        set="org_supplier",
        edition="Supplier-specific factor of the plant's utility, 2024",
        version="1",
        factors={
            "utility_grid": {
                "unit": "kgCO2/kWh",
                "overrides": "cn_grid_mee.national_average",
                "values": [
                    {
                        "from": "2024-01-01",
                        "value": 0.42,
                        "source": "Utility letter of 3 Mar 2025, table 2",
                        "confidence": "S",
                    }
                ],
            }
        },
    )
    ws.services.factors.import_file(ws.admin, own)
    value, factor = _scope2(ws, "2024")
    assert value == pytest.approx(1000 * 0.42)
    assert factor["factor"] == "org_supplier.utility_grid"
    assert factor["source"] == "Utility letter of 3 Mar 2025, table 2"
    _, built_in = _scope2(ws, "2023")  # no own value before 2024: the built-in series applies
    assert built_in["factor"].startswith("cn_grid_mee.")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {
                "version": "2023.2",
                "edition": "MEE/NBS electricity CO2 emission factors (data years 2021-2023)",
            },
            "is stored with other values; a corrected file needs a new version",
        ),
        (
            {
                "version": "2023.3",
                "edition": "MEE/NBS electricity CO2 emission factors (data years 2021-2023)",
            },
            "a corrected version holds every factor of the edition",
        ),
        ({"set": "my_grid"}, "not a factor set of this ledger"),
        (
            {
                "factors": {
                    "national_average": {
                        "unit": "tCO2/GJ",
                        "values": [
                            {
                                "from": "2024-01-01",
                                "value": 0.5,
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                }
            },
            "a new edition keeps the factor's unit",
        ),
        (
            {
                "factors": {
                    "national_average": {
                        "unit": "tCO2/MWh",
                        "values": [
                            {
                                "from": "2023-01-01",
                                "value": 0.5,
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                }
            },
            "two values from 2023-01-01",
        ),
        (
            {
                "factors": {
                    "national_average": {
                        "unit": "tCO2/MWh",
                        "values": [
                            {
                                "from": "2024-01-01",
                                "value": "high",
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                }
            },
            "'value' is not a number",
        ),
        (
            {
                "factors": {
                    "national_average": {
                        "unit": "tCO2/MWh",
                        "overrides": "ipcc2006.co2.diesel",
                        "values": [
                            {
                                "from": "2024-01-01",
                                "value": 0.5,
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                }
            },
            "only the organisation's own sets",
        ),
        (
            {
                "set": "org_x",
                "factors": {
                    "f": {
                        "unit": "t",
                        "overrides": "cn_grid_mee.national_average",
                        "values": [
                            {
                                "from": "2024-01-01",
                                "value": 0.5,
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                },
            },
            "an override is in the unit of the factor it stands for",
        ),
        (
            {
                "set": "org_x",
                "factors": {
                    "f": {
                        "unit": "t",
                        "overrides": "cn_grid_mee.nowhere",
                        "values": [
                            {
                                "from": "2024-01-01",
                                "value": 0.5,
                                "source": SOURCE,
                                "confidence": "S",
                            }
                        ],
                    }
                },
            },
            "not a factor of the shipped or imported sets",
        ),
    ],
)
def test_a_file_that_would_change_an_edition_is_refused_and_nothing_stored(
    ws: Ledger, tmp_path: Path, changes: dict, reason: str
) -> None:
    stored = ws.services.factors.sets(ws.admin)
    with pytest.raises(Invalid) as refused:
        ws.services.factors.import_file(ws.admin, _edition(tmp_path, **changes))
    assert reason in str(refused.value)
    assert ws.services.factors.sets(ws.admin) == stored


def test_a_corrected_version_of_an_edition_replaces_it_for_later_calculations(
    ws: Ledger, tmp_path: Path
) -> None:
    """The ministry corrects its 2024 table: version 2024.2 of the same edition (0.5 -> 0.51)
    replaces 2024.1 for the next calculation; the run stored before keeps citing 2024.1."""
    _plant(ws, tmp_path)
    ws.services.factors.import_file(ws.admin, _edition(tmp_path))
    _before, first = _scope2(ws, "2024")
    corrected = _edition(
        tmp_path,
        version="2024.2",
        factors={
            "national_average": {
                "unit": "tCO2/MWh",
                "values": [
                    {"from": "2024-01-01", "value": 0.51, "source": SOURCE, "confidence": "S"}
                ],
            }
        },
    )
    assert (
        ws.services.factors.import_file(ws.admin, corrected)["factor_set"] == "cn_grid_mee@2024.2"
    )
    value, factor = _scope2(ws, "2024")
    assert (value, factor["version"], first["version"]) == (
        pytest.approx(510.0),
        "2024.2",
        "2024.1",
    )
    assert ws.verify_audit().ok


def test_only_admins_import_factor_sets(ws: Ledger, tmp_path: Path) -> None:
    ws.services.accounts.create(ws.admin, "mia", "a-long-passphrase-9", "esg_manager", [])
    with pytest.raises(Forbidden):
        ws.services.factors.import_file(ws.services.accounts.principal("mia"), _edition(tmp_path))
