"""Numbers, one rule for every door: a comma only separates thousands (``1,5`` is refused, never
read as 15 or 1.5); a value must be finite and at most 1e15 in its metric's unit after conversion;
free text has one set of limits; a mistyped id or unit gets a "did you mean"."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from esgledger.ingest.values import MAX_MAGNITUDE, NumberRefused, parse_version, read_number
from esgledger.service_errors import Invalid
from esgledger.store.schema import datapoints
from esgledger.units import UnitError, parse_unit
from tests.collab_fixtures import API, World
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger
from tests.test_api_errors import DIESEL, assert_error, ledger_rows
from tests.test_bad_input_group import CERTIFICATES, TRANSFERS, _rejected
from tests.test_import_errors import ledger, reject_data, row, write_table
from tests.test_web_i18n import chinese, field_error
from tests.web_clients import csrf

__all__ = ["ledger"]  # the fixture, shared with the import tests

# -- the parser ------------------------------------------------------------------------------------
ACCEPTED = {
    "1234.5": 1234.5,
    "1,234.5": 1234.5,
    "1,234": 1234.0,
    "-1,234,567.25": -1234567.25,
    "1 234.5": 1234.5,
    "1\u00a0234": 1234.0,
    "１２３４．５": 1234.5,  # typed in full-width with a Chinese input method
    " 12 ": 12.0,
    ".5": 0.5,
    "1.5E+07": 1.5e7,
}
REFUSED = {
    "1,5": "decimal_comma",
    "12,34": "decimal_comma",
    "1,2345": "decimal_comma",
    "1.234,5": "decimal_comma",
    "1,23,456": "decimal_comma",
    ",5": "decimal_comma",
    "1_000": "invalid",
    "1 5": "invalid",
    "²": "invalid",
    "nan": "invalid",
    "inf": "invalid",
    "1e999": "invalid",
    "0x10": "invalid",
    "": "invalid",
}


@pytest.mark.parametrize(("text", "number"), list(ACCEPTED.items()))
def test_numbers_read(text: str, number: float) -> None:
    assert read_number(text) == number


@pytest.mark.parametrize(("text", "code"), list(REFUSED.items()))
def test_numbers_refused(text: str, code: str) -> None:
    with pytest.raises(NumberRefused) as refused:
        read_number(text)
    assert refused.value.code == code
    if code == "decimal_comma":
        assert "point for decimals" in refused.value.expected


@given(st.text(max_size=40))
def test_any_text_is_a_finite_number_or_refused(text: str) -> None:
    try:
        number = read_number(text)
    except NumberRefused:
        return
    assert math.isfinite(number)


@given(st.text(alphabet="0123456789,. +-e", max_size=20))
def test_a_comma_is_never_misread(text: str) -> None:
    """Whenever text with a comma is accepted, every comma separates thousands: the digits
    before the point are 1-3 digits, then groups of exactly 3; the number is the text without
    its commas."""
    try:
        number = read_number(text)
    except NumberRefused:
        return
    if "," not in text:
        return
    whole = text.strip().lstrip("+-").split(".")[0]
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]), text
    assert all(g.isdigit() for g in groups), text
    assert number == float(text.strip().replace(",", ""))


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_thousands_separators_read_back(value: float) -> None:
    assert read_number(f"{value:,.2f}") == float(f"{value:.2f}")
    assert read_number(repr(value)) == value


@given(st.integers(min_value=0, max_value=999), st.text(alphabet="0123456789", min_size=1))
def test_a_comma_before_other_than_three_digits_is_refused(head: int, tail: str) -> None:
    if len(tail) == 3:
        return
    with pytest.raises(NumberRefused) as refused:
        read_number(f"{head},{tail}")
    assert refused.value.code == "decimal_comma"


@pytest.mark.parametrize("text", ["²", "١", "1.5", "-1", "0", "99999999999"])
def test_a_form_version_is_ascii_digits(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_version(text, "energy.coke")
    assert refused.value.field == "version" and "energy.coke" in refused.value.message


# -- imports ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "unit", "metric"),
    [
        ("1.7e308", "MWh", "energy.electricity_purchased"),
        ("1e308", "万千瓦时", "energy.electricity_purchased"),  # infinite once in MWh
        ("2e15", "t", "energy.raw_coal"),
        ("2e12", "万吨", "energy.raw_coal"),  # 2e16 t
    ],
)
def test_an_implausibly_large_value_is_refused_in_its_metrics_unit(
    ledger: Ledger, tmp_path: Path, value: str, unit: str, metric: str
) -> None:
    path = write_table(tmp_path, "csv", [row(metric=metric, value=value, unit=unit)])
    issues = reject_data(ledger, path)
    assert [(i.row, i.field, i.found) for i in issues] == [(2, "value", value)]
    assert f"at most {MAX_MAGNITUDE:.0e}" in issues[0].expected and metric in issues[0].expected


def test_a_value_at_the_bound_is_accepted(ledger: Ledger, tmp_path: Path) -> None:
    ledger.import_data(write_table(tmp_path, "csv", [row(value="1e15", unit="t")]))


def test_decimal_comma_in_an_import_says_to_use_a_point(ledger: Ledger, tmp_path: Path) -> None:
    issues = reject_data(ledger, write_table(tmp_path, "csv", [row(value="1,5")]))
    assert issues[0].field == "value" and "point for decimals" in issues[0].expected


def test_importers_apply_the_free_text_limits(ledger: Ledger, tmp_path: Path) -> None:
    """A note the API could not store is not imported either (the CLI's door)."""
    path = write_table(
        tmp_path, "csv", [row(note="n" * 50_000), row(metric="energy.coke", source="s" * 501)]
    )
    issues = reject_data(ledger, path)
    assert [(i.row, i.field) for i in issues] == [(2, "note"), (3, "source")]
    assert "at most 4000 characters" in issues[0].expected
    assert len(issues[0].found) < 300


@pytest.mark.parametrize(
    ("changes", "field", "meant"),
    [
        ({"metric": "energy.raw_col"}, "metric", "'energy.raw_coal'"),
        ({"entity": "smelterr"}, "entity", "'smelter'"),
        ({"entity": "电解铝"}, "entity", "'电解铝厂'"),
        ({"unit": "tonns"}, "unit", "'tonnes'"),
        ({"metric": "energy.electricity_purchased", "unit": "Mwh"}, "unit", "'MWh'"),
    ],
)
def test_a_mistyped_id_or_unit_gets_a_suggestion(
    ledger: Ledger, tmp_path: Path, changes: dict[str, str], field: str, meant: str
) -> None:
    issues = reject_data(ledger, write_table(tmp_path, "csv", [row(**changes)]))
    assert [(i.field, f"did you mean {meant}" in i.expected) for i in issues] == [(field, True)]


def test_unit_errors_speak_the_spellings_a_user_types(ledger: Ledger, tmp_path: Path) -> None:
    path = write_table(tmp_path, "csv", [row(metric="energy.natural_gas", unit="t")])
    (issue,) = reject_data(ledger, path)
    assert issue.field == "unit"
    assert "10^4 m3 (万立方米)" in issue.expected and "wan_m3" not in issue.expected
    assert "measures mass, not volume" in issue.expected


def test_transfers_and_certificates_are_bounded(ledger: Ledger, tmp_path: Path) -> None:
    huge = write_csv(
        tmp_path / "t.csv",
        TRANSFERS,
        [["smelter", "grp", "2024", "electricity", "1e300", "MWh", "from"]],
    )
    (issue,) = _rejected(ledger, lambda: ledger.import_transfers(huge))
    assert (issue.row, issue.field) == (2, "value") and "at most 1e+15 MWh" in issue.expected
    certificates = write_csv(
        tmp_path / "c.csv", CERTIFICATES, [["smelter", "2024", "GEC", "G-1", "1e300"]]
    )
    (issue,) = _rejected(ledger, lambda: ledger.import_certificates(certificates))
    assert (issue.row, issue.field) == (2, "mwh")


# -- the API and the web entry form ------------------------------------------------------------------
def test_the_api_refuses_an_implausibly_large_value(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")
    before = ledger_rows(world)
    huge = {**DIESEL, "metric": "energy.electricity_purchased", "unit": "MWh", "value": 1.7e308}
    error = assert_error(client.post(f"{API}/datapoints", json=huge, headers=owner), 422, "invalid")
    assert error["field"] == "value" and "1e+15" in error["message"]
    assert ledger_rows(world) == before
    point = client.post(f"{API}/datapoints", json=DIESEL, headers=owner).json()
    patch = {"version": 1, "value": 1e16}
    url = f"{API}/datapoints/{point['id']}"
    assert_error(client.patch(url, json=patch, headers=owner), 422, "invalid", "value")
    with world.services.db.reading() as connection:
        values = connection.execute(sa.select(datapoints.c.value)).scalars().all()
    assert values == [DIESEL["value"]]


def test_the_entry_form_reads_commas_as_every_door_does(
    world: World, browse: dict[str, TestClient]
) -> None:
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "1,5",
        "unit.energy.coke": "t",
        "value.energy.diesel": "1,234.5",
        "unit.energy.diesel": "t",
        "action": "save",
    }
    answer = owner.post("/entry/plant_a/2024", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"]["energy.coke"]
    assert (error["code"], error["field"]) == ("decimal_comma", "value")
    assert "point for decimals" in error["message"]
    with world.services.db.reading() as connection:
        stored = dict(
            connection.execute(
                sa.select(datapoints.c.metric_id, datapoints.c.value).where(
                    datapoints.c.period == "2024"
                )
            )
            .tuples()
            .all()
        )
    assert stored == {"energy.diesel": 1234.5}  # never 15, and the other row kept

    page = chinese(owner).post("/entry/plant_a/2024", data={**form, "csrf_token": csrf(owner)})
    shown, detail = field_error(page.text, "energy-coke")
    assert "小数请用小数点" in shown and "1,5" in shown
    assert "point for decimals" in detail


def test_a_malformed_version_on_the_entry_form_is_a_clear_error(
    browse: dict[str, TestClient],
) -> None:
    owner = browse["owner_a"]
    form = {
        "csrf_token": csrf(owner),
        "value.energy.coke": "3",
        "unit.energy.coke": "t",
        "version.energy.coke": "²",
        "action": "save",
    }
    answer = owner.post("/entry/plant_a/2024", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["field"] == "version" and "energy.coke" in error["message"]
    assert re.search(r"'²'", error["message"])


@pytest.mark.parametrize("unit", ["t!", "kWh;", "t#", "M@Wh"])
def test_stray_punctuation_is_not_read_as_a_unit(unit: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(unit)


def test_the_api_suggests_entities_the_user_may_see(client: TestClient, world: World) -> None:
    owner = world.headers("owner_a")  # sees plant_a and line_a1, not plant_b
    near = client.post(f"{API}/datapoints", json={**DIESEL, "entity": "plant_aa"}, headers=owner)
    assert "did you mean 'plant_a'" in assert_error(near, 404, "not_found", "entity")["message"]
    hidden = client.post(f"{API}/datapoints", json={**DIESEL, "entity": "plant_bb"}, headers=owner)
    message = assert_error(hidden, 404, "not_found", "entity")["message"]
    assert "plant_b'" not in message  # never named: outside the user's entities


def test_the_api_suggests_a_metric(client: TestClient, world: World) -> None:
    answer = client.post(
        f"{API}/datapoints",
        json={**DIESEL, "metric": "energy.disel"},
        headers=world.headers("owner_a"),
    )
    assert "did you mean 'energy.diesel'" in assert_error(answer, 422, "invalid")["message"]
