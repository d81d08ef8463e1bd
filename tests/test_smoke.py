from pathlib import Path

from tests.helpers import DATA_HEADER, ORG_HEADER, write_csv
from tests.ledger_fixture import Ledger


def test_import_calc_and_explain_round_trip(ws: Ledger, tmp_path: Path) -> None:
    org = write_csv(
        tmp_path / "org.csv",
        ORG_HEADER,
        [
            ["grp", "Group", "", "CN", "集团", "group", "", "", "", ""],
            ["plant", "Plant", "grp", "CN", "工厂", "plant", "", "", "", ""],
        ],
    )
    data = write_csv(
        tmp_path / "data.csv",
        DATA_HEADER,
        [
            ["plant", "2024", "energy.diesel", "100", "t", "measured", "fuel ledger", ""],
        ],
    )
    ws.import_organisation(org)
    ws.import_data(data)
    ws.calc("2024")
    # 100 t diesel x 1.4571 kgce/kg (GB/T 2589-2020 Appendix A) = 145.71 tce
    assert abs(ws.show("energy.total_tce", "grp", "2024").value - 145.71) < 1e-9
    tree = ws.explain("energy.total_tce", "grp", "2024")
    assert "energy.total_tce@plant@2024" in tree["records"]
    assert ws.verify_audit().ok
