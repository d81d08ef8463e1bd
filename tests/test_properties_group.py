"""Properties of group accounting, checked on random organisations (hypothesis).

1. Under operational control a parent's total is the sum of the stand-alone inventories of itself
   and every entity it controls, directly or through controlled children (nothing lost, nothing
   counted twice; an uncontrolled child is left out with everything below it).
2. Internal energy transfers between group entities are counted once: with every entity under
   control, the group's Scope 1, Scope 2 (both methods) and energy in tce equal the sum of the
   entities' stand-alone inventories *without* the transfers; and no elimination ever makes a value
   negative (the engine's ``max(value, 0)`` only guards float residue: the unclamped sum
   own + children - eliminations is never below zero either).
3. The unit an input is written in (t, kg, 万吨; MWh, kWh, 万千瓦时; 万立方米, m3; GJ, MJ) never
   changes a result: the same data in other units, read through the real CSV parsers, gives the same
   inventory.

The properties run :class:`esgledger.calc.engine.Engine` in memory with the bundled factor library
(what :func:`esgledger.calc.runner.compute` does after loading from the ledger), so that a hundred
organisations take seconds; one test runs property 3 through the ledger on both backends.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esgledger.calc.engine import Engine
from esgledger.calc.formulas import FORMULAS
from esgledger.calc.inventory import Inventory
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.catalogue import load_catalogue
from esgledger.domain import DataPoint, Entity, OrgTree, Period, Transfer
from esgledger.factors import load_library
from esgledger.ingest.datapoints import validate_rows
from esgledger.ingest.tables import read_table
from esgledger.ingest.transfers import parse_transfers
from esgledger.units import conversion_factor
from tests.helpers import write_csv
from tests.ledger_fixture import Ledger

PERIOD = Period.parse("2024")
CATALOGUE = load_catalogue(known_functions=set(FORMULAS))
LIBRARY = load_library()
SELECTION = Selection.load()

# metric -> units a subsidiary may write it in (the catalogue unit first)
INPUT_UNITS: dict[str, list[str]] = {
    "energy.raw_coal": ["t", "kg", "万吨"],
    "energy.diesel": ["t", "kg", "万吨"],
    "energy.natural_gas": ["万立方米", "m3"],
    "energy.electricity_purchased": ["MWh", "kWh", "万千瓦时"],
    "energy.steam_purchased": ["GJ", "MJ"],
    "process.limestone": ["t", "kg", "万吨"],
    "production.primary_aluminium": ["t", "kg", "万吨"],
}
TRANSFER_UNITS = {"electricity": ["MWh", "kWh", "万千瓦时"], "heat": ["GJ", "MJ"]}
SUM_METRICS = [
    "ghg.scope1",
    "ghg.scope2_location",
    "ghg.scope2_market",
    "ghg.scope12_location",
    "energy.total_tce",
    "energy.electricity_purchased",
    "energy.raw_coal",
    "ghg.process",
    "ghg.scope3_cat3",
]
ONCE_METRICS = ["ghg.scope1", "ghg.scope2_location", "ghg.scope2_market", "energy.total_tce"]
CN_REGIONS = ["north", "northeast", "east", "central", "northwest", "south"]

magnitudes = st.floats(min_value=0.5, max_value=2.0e5, allow_nan=False, allow_infinity=False)


# -- strategies ------------------------------------------------------------------------------------


@st.composite
def organisations(draw: st.DrawFn, random_control: bool = True) -> list[Entity]:
    """A tree of 2-4 levels under one root; Chinese entities in various grid regions, and now and
    then a US plant; operational control drawn at random (or always true)."""
    levels = draw(st.integers(min_value=2, max_value=4))
    entities = [Entity("g", "g", "CN", type="group", grid_region=draw(st.sampled_from(CN_REGIONS)))]
    frontier = ["g"]
    counter = itertools.count(1)
    for level in range(1, levels):
        new = []
        for parent in frontier:
            low = 1 if level == 1 else 0
            for _ in range(draw(st.integers(min_value=low, max_value=3 if level == 1 else 2))):
                entity_id = f"e{next(counter)}"
                us = draw(st.integers(0, 9)) == 0
                entities.append(
                    Entity(
                        entity_id,
                        entity_id,
                        "US" if us else "CN",
                        parent_id=parent,
                        type="plant" if level == levels - 1 else "company",
                        grid_region="RFCW" if us else draw(st.sampled_from(CN_REGIONS)),
                        operational_control=draw(st.booleans()) if random_control else True,
                    )
                )
                new.append(entity_id)
        frontier = new
        if not frontier:
            break
    return entities


@st.composite
def activity(draw: st.DrawFn, entities: list[Entity]) -> dict[str, dict[str, float]]:
    """Per entity, a random subset of inputs in their catalogue units (some report none)."""
    data: dict[str, dict[str, float]] = {}
    for entity in entities:
        metrics = draw(st.lists(st.sampled_from(sorted(INPUT_UNITS)), unique=True, max_size=4))
        if metrics:
            data[entity.id] = {metric: draw(magnitudes) for metric in metrics}
    return data


options_strategy = st.builds(
    CalcOptions,
    grid_series=st.sampled_from(["default", "national", "regional"]),
    gwp=st.sampled_from(["SAR", "AR4", "AR5", "AR6"]),
    electricity_tce=st.sampled_from(["calorific", "equivalent"]),
)


# -- helpers ---------------------------------------------------------------------------------------


def _points(data: dict[str, dict[str, float]]) -> list[DataPoint]:
    ids = itertools.count(1)
    return [
        DataPoint(
            next(ids),
            entity_id,
            str(PERIOD),
            metric,
            value,
            CATALOGUE[metric].unit,
            value,
            "measured",
            "approved",
            1,
        )
        for entity_id, metrics in sorted(data.items())
        for metric, value in sorted(metrics.items())
    ]


def _run(
    entities: list[Entity],
    points: list[DataPoint],
    options: CalcOptions,
    transfers: list[Transfer] | None = None,
) -> Inventory:
    return Engine(CATALOGUE, LIBRARY, SELECTION, options).run(entities, points, PERIOD, transfers)


def _standalone(
    entity: Entity, data: dict[str, dict[str, float]], options: CalcOptions
) -> Inventory:
    alone = dataclasses.replace(entity, parent_id=None, valid_from=None, valid_to=None)
    return _run([alone], _points({entity.id: data.get(entity.id, {})}), options)


def _controlled_subtree(tree: OrgTree, node: str) -> list[str]:
    """``node`` and every entity below it reached through children under operational control."""
    found, stack = [node], [node]
    while stack:
        for child in tree.children.get(stack.pop(), []):
            if tree.by_id[child].operational_control:
                found.append(child)
                stack.append(child)
    return found


def _close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-7)


# -- 1. the group total is the sum of its parts ----------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_group_total_is_the_sum_of_its_parts_under_operational_control(data: st.DataObject) -> None:
    entities = data.draw(organisations())
    values = data.draw(activity(entities))
    options = data.draw(options_strategy)
    inventory = _run(entities, _points(values), options)
    alone = {e.id: _standalone(e, values, options) for e in entities}
    tree = OrgTree(entities)
    problems = []
    for node in tree.by_id:
        members = _controlled_subtree(tree, node)
        for metric in SUM_METRICS:
            expected = sum(alone[m].value(metric, m) or 0.0 for m in members)
            actual = inventory.value(metric, node) or 0.0
            if not _close(actual, expected):
                problems.append(
                    f"{metric}@{node}: total {actual!r}, sum of the stand-alone "
                    f"inventories of {members} = {expected!r}"
                )
    assert not problems, "\n".join(problems)


# -- 2. internal transfers: counted once, never negative -------------------------------------------


@st.composite
def transfers_for(
    draw: st.DrawFn, entities: list[Entity], data: dict[str, dict[str, float]]
) -> list[Transfer]:
    """Random internal supplies; every electricity supplier burns coal and reports generation."""
    ids = [e.id for e in entities]
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(["electricity", "heat"])
            ),
            unique=True,
            max_size=6,
        )
    )
    transfers = []
    for number, (supplier, receiver, carrier) in enumerate(pairs, start=1):
        if supplier == receiver:
            continue
        amount = draw(magnitudes)
        if carrier == "electricity":
            own = data.setdefault(supplier, {})
            own.setdefault("energy.raw_coal", draw(magnitudes))
            generated = own.get("production.electricity_generated", 0.0)
            own["production.electricity_generated"] = generated + amount * draw(
                st.floats(min_value=1.0, max_value=3.0)
            )
        unit = "MWh" if carrier == "electricity" else "GJ"
        transfers.append(
            Transfer(number, supplier, receiver, str(PERIOD), carrier, amount, unit, amount)
        )
    return transfers


def _unclamped_rollups(inventory: Inventory) -> list[str]:
    problems = []
    for record in inventory.records.values():
        if record.get("kind") != "rollup" or not record.get("eliminations"):
            continue
        gross = (record["own"]["value"] if record.get("own") else 0.0) + sum(
            child["value"] * child["factor"] for child in record["children"]
        )
        eliminated = sum(item["value"] for item in record["eliminations"])
        if gross - eliminated < -1e-9 * max(1.0, gross):
            problems.append(
                f"{record['key']}: own + children = {gross!r} but {eliminated!r} "
                "eliminated (the clamp to zero hides a negative total)"
            )
    return problems


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_internal_transfers_are_counted_once_and_never_make_a_total_negative(
    data: st.DataObject,
) -> None:
    entities = data.draw(organisations(random_control=False))
    values = data.draw(activity(entities))
    transfers = data.draw(transfers_for(entities, values))
    options = data.draw(options_strategy)
    inventory = _run(entities, _points(values), options, transfers)

    negative = [
        f"{key} = {result.value!r}" for key, result in inventory.results.items() if result.value < 0
    ]
    assert not negative, "negative values:\n" + "\n".join(negative)
    assert not _unclamped_rollups(inventory), "\n".join(_unclamped_rollups(inventory))

    alone = {e.id: _standalone(e, values, options) for e in entities}  # without the transfers
    problems = []
    for metric in ONCE_METRICS:
        expected = sum(alone[e.id].value(metric, e.id) or 0.0 for e in entities)
        actual = inventory.value(metric, "g") or 0.0
        if not _close(actual, expected):
            problems.append(
                f"{metric}@g = {actual!r}; the entities' own inventories without "
                f"internal supplies add up to {expected!r}"
            )
    assert not problems, "\n".join(problems) + f"\ntransfers: {transfers}"


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_eliminations_never_make_a_total_negative_with_partial_control(data: st.DataObject) -> None:
    """Suppliers and receivers on either side of the boundary (random operational control)."""
    entities = data.draw(organisations(random_control=True))
    values = data.draw(activity(entities))
    transfers = data.draw(transfers_for(entities, values))
    inventory = _run(entities, _points(values), CalcOptions(), transfers)
    negative = [
        f"{key} = {result.value!r}" for key, result in inventory.results.items() if result.value < 0
    ]
    assert not negative, "negative values:\n" + "\n".join(negative)
    assert not _unclamped_rollups(inventory), "\n".join(_unclamped_rollups(inventory))


# -- 3. units never change the result --------------------------------------------------------------


def _written(value: float, metric_unit: str, unit: str) -> str:
    """``value`` (in the metric's unit) as a subsidiary writes it in ``unit``."""
    return repr(value * conversion_factor(metric_unit, unit))


def _data_rows(
    data: dict[str, dict[str, float]], units: dict[tuple[str, str], str], prefix: str = ""
) -> list[list[str]]:
    rows = []
    for entity_id, metrics in sorted(data.items()):
        for metric, value in sorted(metrics.items()):
            unit = units.get((entity_id, metric), CATALOGUE[metric].unit)
            rows.append(
                [
                    prefix + entity_id,
                    str(PERIOD),
                    metric,
                    _written(value, CATALOGUE[metric].unit, unit),
                    unit,
                ]
            )
    return rows


def _transfer_rows(
    transfers: list[Transfer], units: dict[int, str], prefix: str = ""
) -> list[list[str]]:
    rows = []
    for t in transfers:
        unit = units.get(t.id, t.unit)
        rows.append(
            [
                prefix + t.from_entity,
                prefix + t.to_entity,
                t.period,
                t.carrier,
                _written(t.value, t.unit, unit),
                unit,
            ]
        )
    return rows


def _parsed(
    entities: list[Entity], data_rows: list[list[str]], transfer_rows: list[list[str]]
) -> tuple[list[DataPoint], list[Transfer]]:
    """The rows read back through the importers' parsers (units converted as an import does)."""
    with tempfile.TemporaryDirectory() as folder:
        data_path = write_csv(
            Path(folder) / "data.csv", ["entity", "period", "metric", "value", "unit"], data_rows
        )
        values = validate_rows(read_table(data_path), CATALOGUE, entities)
        transfers: list[Transfer] = []
        if transfer_rows:
            path = write_csv(
                Path(folder) / "transfers.csv",
                ["from", "to", "period", "carrier", "value", "unit"],
                transfer_rows,
            )
            transfers = [
                Transfer(
                    i,
                    t.from_entity,
                    t.to_entity,
                    t.period,
                    t.carrier,
                    t.value,
                    t.unit,
                    t.value_normalised,
                )
                for i, t in enumerate(parse_transfers(read_table(path), entities), start=1)
            ]
    points = [
        DataPoint(
            i,
            v.entity_id,
            v.period,
            v.metric_id,
            v.value,
            v.unit,
            v.value_normalised,
            v.method,
            "approved",
            1,
        )
        for i, v in enumerate(values, start=1)
    ]
    return points, transfers


@st.composite
def unit_choices(
    draw: st.DrawFn, data: dict[str, dict[str, float]], transfers: list[Transfer]
) -> tuple[dict[tuple[str, str], str], dict[int, str]]:
    units = {}
    for entity_id, metrics in data.items():
        for metric in metrics:
            options = INPUT_UNITS.get(metric, [CATALOGUE[metric].unit])
            if metric == "production.electricity_generated":
                options = ["MWh", "kWh", "万千瓦时"]
            units[(entity_id, metric)] = draw(st.sampled_from(options))
    transfer_units = {t.id: draw(st.sampled_from(TRANSFER_UNITS[t.carrier])) for t in transfers}
    return units, transfer_units


def _differences(
    first: Inventory, second: Inventory, rename: dict[str, str] | None = None
) -> list[str]:
    problems = []
    for key, result in first.results.items():
        other = second.results.get(key)
        if other is None:
            problems.append(
                f"{key}: {result.value!r} with the first units, missing with the others"
            )
        elif not _close(other.value, result.value):
            problems.append(f"{key}: {result.value!r} vs {other.value!r}")
    problems += [
        f"{key}: only with the second units" for key in second.results.keys() - first.results.keys()
    ]
    return problems


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_units_of_the_inputs_never_change_the_result(data: st.DataObject) -> None:
    entities = data.draw(organisations(random_control=True))
    values = data.draw(activity(entities))
    transfers = data.draw(transfers_for(entities, values))
    options = data.draw(options_strategy)
    units, transfer_units = data.draw(unit_choices(values, transfers))
    base_points, base_transfers = _parsed(
        entities, _data_rows(values, {}), _transfer_rows(transfers, {})
    )
    other_points, other_transfers = _parsed(
        entities, _data_rows(values, units), _transfer_rows(transfers, transfer_units)
    )
    base = _run(entities, base_points, options, base_transfers)
    other = _run(entities, other_points, options, other_transfers)
    problems = _differences(base, other)
    assert not problems, f"units {units} {transfer_units} change results:\n" + "\n".join(problems)


# -- 3 again, through the ledger -------------------------------------------------------------------

_example = itertools.count()
UNIT_SETS = {  # copy prefix -> (unit per input metric, unit per carrier)
    "a": (
        {m: u[0] for m, u in INPUT_UNITS.items()} | {"production.electricity_generated": "MWh"},
        {"electricity": "MWh", "heat": "GJ"},
    ),
    "b": (
        {m: u[1] for m, u in INPUT_UNITS.items()} | {"production.electricity_generated": "kWh"},
        {"electricity": "kWh", "heat": "MJ"},
    ),
    "c": (
        {m: u[-1] for m, u in INPUT_UNITS.items()}
        | {"production.electricity_generated": "万千瓦时"},
        {"electricity": "万千瓦时", "heat": "GJ"},
    ),
}


def _org_rows(entities: list[Entity], prefix: str) -> list[list[object]]:
    return [
        [
            prefix + e.id,
            e.id,
            prefix + e.parent_id if e.parent_id else "",
            e.country,
            e.type,
            e.grid_region or "",
            "true" if e.operational_control else "false",
        ]
        for e in entities
    ]


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_units_never_change_the_stored_result(ws: Ledger, data: st.DataObject) -> None:
    """Three copies of one random organisation in one ledger, each written in other units
    (t / kg / 万吨, MWh / kWh / 万千瓦时, 万立方米 / m3, GJ / MJ); imported, calculated and stored;
    every stored value of a copy equals the same value of the other copies."""
    entities = data.draw(organisations(random_control=True))
    values = data.draw(activity(entities))
    transfers = data.draw(transfers_for(entities, values))
    run = f"x{next(_example)}"
    with tempfile.TemporaryDirectory() as folder:
        org_rows, data_rows, transfer_rows = [], [], []
        for copy, (metric_units, carrier_units) in UNIT_SETS.items():
            prefix = f"{run}{copy}_"
            org_rows += _org_rows(entities, prefix)
            data_rows += _data_rows(
                values, {(e, m): metric_units[m] for e, ms in values.items() for m in ms}, prefix
            )
            transfer_rows += _transfer_rows(
                transfers, {t.id: carrier_units[t.carrier] for t in transfers}, prefix
            )
        ws.import_organisation(
            write_csv(
                Path(folder) / "org.csv",
                ["id", "name", "parent", "country", "type", "grid_region", "operational_control"],
                org_rows,
            )
        )
        if data_rows:
            ws.import_data(
                write_csv(
                    Path(folder) / "data.csv",
                    ["entity", "period", "metric", "value", "unit"],
                    data_rows,
                )
            )
        if transfer_rows:
            ws.import_transfers(
                write_csv(
                    Path(folder) / "transfers.csv",
                    ["from", "to", "period", "carrier", "value", "unit"],
                    transfer_rows,
                )
            )
    ws.calc(str(PERIOD))
    stored = ws.stored_values(str(PERIOD))
    by_copy: dict[str, dict[tuple[str, str], float]] = {copy: {} for copy in UNIT_SETS}
    for (entity_id, metric_id), (value, _unit) in stored.items():
        if entity_id.startswith(run):
            copy, _sep, original = entity_id[len(run) :].partition("_")
            by_copy[copy][(original, metric_id)] = value
    assert by_copy["a"] or not values, "nothing stored for the first copy"
    problems = []
    for copy in ("b", "c"):
        for key, value in by_copy["a"].items():
            other = by_copy[copy].get(key)
            if other is None or not _close(other, value):
                problems.append(f"{key}: {value!r} in t/MWh/万立方米/GJ, {other!r} in copy {copy}")
        problems += [
            f"{key}: only in copy {copy}" for key in by_copy[copy].keys() - by_copy["a"].keys()
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("unit,expected", [("t", 1.0), ("kg", 1000.0), ("万吨", 1e-4)])
def test_written_helper_converts_from_the_catalogue_unit(unit: str, expected: float) -> None:
    """The helper that writes the other-unit copies: 1 t is 1 000 kg and 0.0001 万吨."""
    assert float(_written(1.0, "t", unit)) == pytest.approx(expected)
