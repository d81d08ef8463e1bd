"""Bad input of issue 3, on both backends: each is an error that names the record (file and row)
and the field, and nothing from that batch is written (no data point, transfer, certificate,
import batch or audit entry).

- a process parameter outside physical bounds: sulphur above 10 %, negative or implausible anode
  consumption, anode-effect minutes that are not a number;
- a certificate claimed twice (in one file, and across imports) or for more MWh than consumed (in
  one file, across imports, and against monthly consumption);
- a transfer whose supplier and receiver disagree (in one file and across imports), a transfer to
  itself, an unknown carrier.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from esgledger.errors import InputIssue, InputRejected
from esgledger.store.schema import audit_log, certificates, datapoints, import_batches, transfers
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

ORG = ["id", "name", "parent", "country", "type", "grid_region", "cell_technology"]
DATA = ["entity", "period", "metric", "value", "unit"]
TRANSFERS = ["from", "to", "period", "carrier", "value", "unit", "reported_by"]
CERTIFICATES = ["entity", "period", "scheme", "certificate_id", "mwh"]
TABLES = {
    "datapoints": datapoints,
    "transfers": transfers,
    "certificates": certificates,
    "import_batches": import_batches,
    "audit_log": audit_log,
}


@pytest.fixture
def group(ws: Ledger, tmp_path: Path) -> Ledger:
    """A group with a captive power plant and a smelter; the smelter bought 1 000 MWh in 2024 and
    reported 2023 by month (12 x 50 MWh)."""
    ws.import_organisation(
        write_csv(
            tmp_path / "org.csv",
            ORG,
            [
                ["grp", "Group", "", "CN", "group", "", ""],
                ["power", "Captive power plant", "grp", "CN", "plant", "northwest", ""],
                ["smelter", "Smelter", "grp", "CN", "plant", "northwest", "cwpb"],
            ],
        )
    )
    rows = [
        ["smelter", "2024", "energy.electricity_purchased", "1000", "MWh"],
        ["power", "2024", "production.electricity_generated", "2000", "MWh"],
        ["power", "2024", "energy.raw_coal", "1000", "t"],
    ]
    rows += [
        ["smelter", f"2023-{m:02d}", "energy.electricity_purchased", "50", "MWh"]
        for m in range(1, 13)
    ]
    ws.import_data(write_csv(tmp_path / "base.csv", DATA, rows))
    return ws


def _counts(ws: Ledger) -> dict[str, int]:
    with ws.db.reading() as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in TABLES.items()
        }


def _rejected(ws: Ledger, action: Callable[[], object]) -> list[InputIssue]:
    """Run an import that must be refused; check that nothing of it was written."""
    before = _counts(ws)
    with pytest.raises(InputRejected) as caught:
        action()
    assert _counts(ws) == before, "a refused import wrote something"
    assert caught.value.issues, "refused without naming a problem"
    return caught.value.issues


def _find(issues: list[InputIssue], row: int, field: str) -> InputIssue:
    for issue in issues:
        if issue.row == row and issue.field == field:
            return issue
    raise AssertionError(
        f"no issue for row {row}, field {field!r} in:\n" + "\n".join(str(i) for i in issues)
    )


# -- process parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric,value,unit,mentions",
    [
        ("process.anode_sulphur", "12", "%", "process.anode_sulphur"),  # above 10 %
        ("process.anode_sulphur", "0.12", "1", "process.anode_sulphur"),  # 12 % as a fraction
        ("process.anode_ash", "15", "percent", "process.anode_ash"),
        ("process.anode_net_consumption", "-0.4", "tC/t", "process.anode_net_consumption"),
        ("process.anode_net_consumption", "4.2", "tC/t", "process.anode_net_consumption"),
        ("process.anode_effect_minutes", "abc", "1", "a number"),
        ("process.anode_effect_minutes", "nan", "1", "a number"),
        ("process.anode_effect_minutes", "-0.2", "1", "process.anode_effect_minutes"),
    ],
)
def test_process_parameter_outside_physical_bounds(
    group: Ledger, tmp_path: Path, metric: str, value: str, unit: str, mentions: str
) -> None:
    path = write_csv(
        tmp_path / "process.csv",
        DATA,
        [
            ["smelter", "2024", "production.primary_aluminium", "100000", "t"],  # a good row
            ["smelter", "2024", metric, value, unit],
        ],
    )
    issues = _rejected(group, lambda: group.import_data(path))
    issue = _find(issues, 3, "value")
    assert issue.found == value
    assert mentions in issue.expected
    text = str(issue)
    assert "process.csv" in text and "row 3" in text and "field 'value'" in text


# -- certificates ----------------------------------------------------------------------------------


def test_certificate_claimed_twice_in_one_file(group: Ledger, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "certs.csv",
        CERTIFICATES,
        [
            ["smelter", "2024", "GEC", "GEC-2024-1", "300"],
            ["smelter", "2024", "GEC", "GEC-2024-1", "200"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_certificates(path)), 3, "certificate_id")
    assert issue.found == "GEC-2024-1" and "row 2" in issue.expected


@pytest.mark.parametrize("entity", ["smelter", "power"])
def test_certificate_claimed_twice_across_imports(
    group: Ledger, tmp_path: Path, entity: str
) -> None:
    """Once claimed, a certificate id cannot be claimed again, by the same or another entity."""
    first = write_csv(
        tmp_path / "first.csv", CERTIFICATES, [["smelter", "2024", "I-REC", "IREC-9", "300"]]
    )
    assert group.import_certificates(first) == 1
    second = write_csv(
        tmp_path / "second.csv",
        CERTIFICATES,
        [
            [
                "smelter",
                "2024",
                "I-REC",
                "IREC-10",
                "100",
            ],  # a good row: must not be written either
            [entity, "2024", "I-REC", "IREC-9", "300"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_certificates(second)), 3, "certificate_id")
    assert issue.found == "IREC-9"
    assert "second.csv" in str(issue)


def test_certificates_for_more_than_consumed_in_one_file(group: Ledger, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "certs.csv",
        CERTIFICATES,
        [
            ["smelter", "2024", "GEC", "GEC-A", "600"],
            ["smelter", "2024", "GEC", "GEC-B", "500"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_certificates(path)), 3, "mwh")
    assert issue.found == "500" and "1000 MWh" in issue.expected


def test_certificates_for_more_than_consumed_across_imports(group: Ledger, tmp_path: Path) -> None:
    """600 MWh claimed, then 500 more for the same entity and year: 1 100 > 1 000 MWh consumed."""
    first = write_csv(
        tmp_path / "first.csv", CERTIFICATES, [["smelter", "2024", "GEC", "GEC-A", "600"]]
    )
    assert group.import_certificates(first) == 1
    second = write_csv(
        tmp_path / "second.csv", CERTIFICATES, [["smelter", "2024", "GEC", "GEC-B", "500"]]
    )
    issue = _find(_rejected(group, lambda: group.import_certificates(second)), 2, "mwh")
    assert issue.found == "500"


def test_certificates_for_more_than_the_monthly_consumption_of_the_year(
    group: Ledger, tmp_path: Path
) -> None:
    """The smelter reported 2023 as 12 monthly values of 50 MWh (600 MWh): an annual claim of
    1 000 MWh for 2023 exceeds what it consumed."""
    path = write_csv(
        tmp_path / "certs.csv", CERTIFICATES, [["smelter", "2023", "GEC", "GEC-2023-1", "1000"]]
    )
    issue = _find(_rejected(group, lambda: group.import_certificates(path)), 2, "mwh")
    assert issue.found == "1000"


# -- transfers -------------------------------------------------------------------------------------


def test_transfer_whose_supplier_and_receiver_disagree(group: Ledger, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "transfers.csv",
        TRANSFERS,
        [
            ["power", "smelter", "2024", "electricity", "800", "MWh", "from"],
            ["power", "smelter", "2024", "electricity", "700", "MWh", "to"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_transfers(path)), 3, "value")
    assert issue.found == "700" and "disagree" in issue.expected and "row 2" in issue.expected


def test_transfer_sides_agree_within_metering_rounding(group: Ledger, tmp_path: Path) -> None:
    """The same transfer in other units from each side (800 MWh = 80 万千瓦时) is one transfer."""
    path = write_csv(
        tmp_path / "transfers.csv",
        TRANSFERS,
        [
            ["power", "smelter", "2024", "electricity", "800", "MWh", "from"],
            ["power", "smelter", "2024", "electricity", "80", "万千瓦时", "to"],
        ],
    )
    assert group.import_transfers(path) == 1


def test_transfer_disagreement_across_imports(group: Ledger, tmp_path: Path) -> None:
    """The supplier's file says 800 MWh; the receiver's file, imported later, says 700 MWh. The
    second import must not silently replace the supplier's figure."""
    first = write_csv(
        tmp_path / "supplier.csv",
        TRANSFERS,
        [["power", "smelter", "2024", "electricity", "800", "MWh", "from"]],
    )
    assert group.import_transfers(first) == 1
    second = write_csv(
        tmp_path / "receiver.csv",
        TRANSFERS,
        [["power", "smelter", "2024", "electricity", "700", "MWh", "to"]],
    )
    issue = _find(_rejected(group, lambda: group.import_transfers(second)), 2, "value")
    assert issue.found == "700"


def test_transfer_to_itself(group: Ledger, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "transfers.csv",
        TRANSFERS,
        [
            ["power", "smelter", "2024", "electricity", "800", "MWh", "from"],  # a good row
            ["power", "power", "2024", "electricity", "100", "MWh", "from"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_transfers(path)), 3, "to")
    assert issue.found == "power"


@pytest.mark.parametrize("carrier", ["hydrogen", "coal", ""])
def test_transfer_of_an_unknown_carrier(group: Ledger, tmp_path: Path, carrier: str) -> None:
    path = write_csv(
        tmp_path / "transfers.csv",
        TRANSFERS,
        [
            ["power", "smelter", "2024", "electricity", "800", "MWh", "from"],  # a good row
            ["power", "smelter", "2024", carrier, "100", "t", "from"],
        ],
    )
    issue = _find(_rejected(group, lambda: group.import_transfers(path)), 3, "carrier")
    assert issue.found == carrier and "electricity" in issue.expected


def test_every_problem_of_a_transfer_file_is_named(group: Ledger, tmp_path: Path) -> None:
    """One import reports all its problems, each with its row and field."""
    path = write_csv(
        tmp_path / "transfers.csv",
        TRANSFERS,
        [
            ["power", "power", "2024", "electricity", "100", "MWh", "from"],
            ["power", "smelter", "2024", "steam-ish", "100", "GJ", "from"],
            ["power", "nowhere", "2024", "heat", "100", "GJ", "from"],
            ["power", "smelter", "2024", "heat", "-5", "GJ", "from"],
            ["power", "smelter", "2024", "electricity", "100", "kg", "from"],
        ],
    )
    issues = _rejected(group, lambda: group.import_transfers(path))
    for row, field in [(2, "to"), (3, "carrier"), (4, "to"), (5, "value"), (6, "unit")]:
        _find(issues, row, field)
