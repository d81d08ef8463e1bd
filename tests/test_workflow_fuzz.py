"""Hypothesis fuzzing of the entry validation shared by the API and the web UI: any input is either
a valid ledger value (consistent with the catalogue and the unit registry) or an ``Invalid`` error
naming a known field; nothing else escapes. Then the same through the service, on both backends:
refused input writes nothing."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esgledger.calc.formulas import FORMULAS
from esgledger.catalogue import load_catalogue
from esgledger.domain import Entity
from esgledger.service_errors import Conflict, Invalid, NotFound
from esgledger.units import conversion_factor
from esgledger.workflow.entries import Entry, validate
from esgledger.workflow.queries import Filters
from tests.collab_fixtures import World

CATALOGUE = load_catalogue(known_functions=set(FORMULAS))
ENTITIES = [
    Entity("grp", "Group", "CN"),
    Entity("plant_a", "Plant A", "CN", parent_id="grp", aliases=("甲厂",)),
]
FIELDS = {"entity", "period", "metric", "value", "unit", "method", "source", "note"}
METRICS = sorted(CATALOGUE.metrics)
UNITS = [
    "t",
    "kg",
    "万吨",
    "MWh",
    "kWh",
    "万千瓦时",
    "GJ",
    "tce",
    "m3",
    "万立方米",
    "wan_RMB",
    "percent",
    "tCO2e",
    "furlong",
    "",
    " ",
    "t/0",
    "1/0",
    "m**99999",
    "__import__",
]

entries = st.builds(
    Entry,
    entity=st.one_of(st.sampled_from(["grp", "plant_a", "甲厂", "nowhere"]), st.text(max_size=8)),
    period=st.one_of(
        st.sampled_from(["2024", "2024-03", "2024-13", "0000", "1899", "24"]), st.text(max_size=8)
    ),
    metric=st.one_of(st.sampled_from(METRICS), st.text(max_size=12)),
    value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6)),
    unit=st.one_of(st.sampled_from(UNITS), st.text(max_size=10)),
    method=st.sampled_from(["measured", "estimated", "calculated", "guessed", ""]),
    source=st.one_of(st.none(), st.text(max_size=20)),
    note=st.one_of(st.none(), st.text(max_size=20)),
)


@given(entries)
@settings(max_examples=600, deadline=None)
def test_validation_accepts_or_names_the_field(item: Entry) -> None:
    try:
        value = validate(item, CATALOGUE, ENTITIES)
    except Invalid as error:
        assert error.field in FIELDS
        assert error.message
        return
    metric = CATALOGUE[value.metric_id]
    assert not metric.is_derived
    assert value.entity_id in {"grp", "plant_a"}
    assert math.isfinite(value.value) and math.isfinite(value.value_normalised)
    assert value.value_normalised == pytest.approx(
        value.value * conversion_factor(value.unit, metric.unit), rel=1e-12, abs=1e-300
    )
    assert value.status == "draft"


@given(st.lists(entries, min_size=1, max_size=5))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_refused_entries_write_nothing(world: World, items: list[Entry]) -> None:
    services, owner = world.services, world.user("owner_a")
    for item in items:
        before = services.datapoints.find(owner, Filters())[1]
        try:
            services.datapoints.create(owner, item)
        except (Invalid, NotFound):
            assert services.datapoints.find(owner, Filters())[1] == before
        except Conflict as error:  # the same value as an earlier example: refused too
            assert error.code == "exists"
    assert services.audit.verify(world.user("auditor")).ok
