"""The unit registry: Chinese counting units, energy and CO2e units, errors at a boundary."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esgledger.units import UnitError, conversion_factor, convert, parse_unit, product_conversion


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        # electricity: 万千瓦时 = 10^4 kWh, 亿千瓦时 = 10^8 kWh
        (1, "万千瓦时", "kWh", 1e4),
        (1, "万千瓦时", "MWh", 10),
        (12.5, "万千瓦时", "MWh", 125),
        (1, "10^4 kWh", "MWh", 10),
        (1, "亿千瓦时", "kWh", 1e8),
        (1, "亿千瓦时", "万千瓦时", 1e4),
        (1, "亿千瓦时", "GWh", 100),
        (1, "10^8 kWh", "MWh", 1e5),
        (1, "千瓦时", "kWh", 1),
        (1, "度", "kWh", 1),
        (1, "兆瓦时", "kWh", 1000),
        # kWh / MWh / GWh
        (1, "GWh", "MWh", 1000),
        (1, "MWh", "kWh", 1000),
        (2500, "kWh", "MWh", 2.5),
        (1, "GWh", "kWh", 1e6),
        (1, "MWh", "GJ", 3.6),
        # volume: 万立方米 = 10^4 m3
        (1, "万立方米", "m3", 1e4),
        (1, "万立方米", "m**3", 1e4),
        (30000, "立方米", "wan_m3", 3),
        (1, "10^4 m3", "m³", 1e4),
        (1, "万标立方米", "m3", 1e4),
        # mass: 万吨 = 10^4 t
        (1, "万吨", "t", 1e4),
        (1.5, "万吨", "t", 15000),
        (1, "万吨", "kg", 1e7),
        (1, "吨", "kg", 1000),
        (1, "10^4 t", "tonnes", 1e4),
        # money: 万元 = 10^4 RMB, 亿元 = 10^8 RMB
        (1, "万元", "元", 1e4),
        (1, "万元", "RMB", 1e4),
        (20000, "元", "wan_RMB", 2),
        (1, "亿元", "万元", 1e4),
        (1, "RMB 10,000", "RMB", 1e4),
        (1, "CNY", "RMB", 1),
        # standard coal equivalent
        (1, "tce", "kgce", 1000),
        (1500, "kgce", "tce", 1.5),
        (1, "吨标准煤", "tce", 1),
        (1, "吨标煤", "kgce", 1000),
        (1, "万吨标准煤", "tce", 1e4),
        (1, "千克标准煤", "tce", 0.001),
        # CO2 equivalent
        (1, "tCO2e", "kgCO2e", 1000),
        (1, "万吨二氧化碳当量", "tCO2e", 1e4),
        (1, "吨二氧化碳当量", "tCO2e", 1),
        # composite units keep working after aliases are resolved
        (1, "tce/万元", "kgce/RMB", 0.1),
        (1, "吨标准煤/万元", "tce/wan_RMB", 1),
        (38.931, "GJ/万立方米", "GJ/wan_m3", 38.931),
        (1, "GJ/万立方米", "GJ/m3", 1e-4),
        (1, "吉焦/吨", "GJ/t", 1),
        (1, "kWh/t", "MWh/t", 0.001),
    ],
)
def test_conversions(value: float, source: str, target: str, expected: float) -> None:
    assert convert(value, source, target) == pytest.approx(expected, rel=1e-12)
    assert conversion_factor(source, target) == pytest.approx(expected / value, rel=1e-12)


def test_spaces_around_a_unit_are_ignored() -> None:
    assert convert(2, " 万吨 ", "t") == pytest.approx(20000)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kWh", "t"),  # energy is not a mass
        ("万千瓦时", "万吨"),
        ("tce", "GJ"),  # standard coal only through a cited coefficient
        ("tce", "t"),
        ("tCO2", "tCO2e"),  # a gas mass becomes CO2e only through a GWP
        ("t", "tCO2e"),
        ("万元", "万千瓦时"),  # money is its own dimension
        ("m3", "t"),
        ("h", "person"),
    ],
)
def test_dimension_mismatch_names_both_units(source: str, target: str) -> None:
    with pytest.raises(UnitError) as caught:
        conversion_factor(source, target)
    message = str(caught.value)
    assert repr(source) in message
    assert repr(target) in message
    with pytest.raises(UnitError):
        convert(1.0, source, target)


@pytest.mark.parametrize("unit", ["bananas", "万香蕉", "kWhh", "t**", "10^4 bananas", "@", "??"])
def test_unknown_unit_raises(unit: str) -> None:
    with pytest.raises(UnitError) as caught:
        parse_unit(unit)
    assert unit in str(caught.value)
    with pytest.raises(UnitError):
        conversion_factor(unit, "t")
    with pytest.raises(UnitError):
        conversion_factor("t", unit)


@pytest.mark.parametrize("unit", ["", "   "])
def test_empty_unit_raises(unit: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(unit)


def test_unit_error_is_a_value_error() -> None:
    # the CLI maps ValueError to exit code 1 (bad input), not 2
    assert issubclass(UnitError, ValueError)


def test_product_conversion_to_co2e() -> None:
    assert product_conversion(("MWh", "tCO2/MWh", "tCO2e/t"), "tCO2e") == pytest.approx(1.0)
    assert product_conversion(("万千瓦时", "tCO2/MWh", "tCO2e/t"), "tCO2e") == pytest.approx(10.0)
    assert product_conversion(("万吨", "kgce/kg"), "tce") == pytest.approx(1e4)
    with pytest.raises(UnitError):
        product_conversion(("MWh", "tCO2/MWh"), "tCO2e")


DIMENSION_GROUPS = [
    [
        "kWh",
        "MWh",
        "GWh",
        "万千瓦时",
        "亿千瓦时",
        "10^4 kWh",
        "千瓦时",
        "度",
        "兆瓦时",
        "GJ",
        "MJ",
        "TJ",
        "吉焦",
    ],
    ["m3", "立方米", "万立方米", "10^4 m3", "万标立方米", "Nm3", "L"],
    ["t", "kg", "吨", "万吨", "10^4 t", "tonnes", "g"],
    ["RMB", "元", "万元", "亿元", "CNY", "RMB 10^4", "RMB 10^8"],
    ["tce", "kgce", "吨标准煤", "万吨标准煤", "千克标准煤", "10^4 tce"],
    ["tCO2e", "kgCO2e", "万吨二氧化碳当量", "吨二氧化碳当量"],
    ["h", "小时", "day", "天"],
    ["tce/万元", "kgce/RMB", "tce/RMB"],
]

_same_dimension_pair = st.sampled_from(DIMENSION_GROUPS).flatmap(
    lambda group: st.tuples(st.sampled_from(group), st.sampled_from(group))
)
_magnitude = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(pair=_same_dimension_pair, value=_magnitude)
def test_round_trip_within_a_dimension(pair: tuple[str, str], value: float) -> None:
    source, target = pair
    there = convert(value, source, target)
    back = convert(there, target, source)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-300)
    # and the two factors are each other's inverse
    assert math.isclose(
        conversion_factor(source, target) * conversion_factor(target, source), 1.0, rel_tol=1e-12
    )


@given(
    pair=st.tuples(st.sampled_from(DIMENSION_GROUPS), st.sampled_from(DIMENSION_GROUPS))
    .filter(lambda groups: groups[0] is not groups[1])
    .flatmap(lambda groups: st.tuples(st.sampled_from(groups[0]), st.sampled_from(groups[1])))
)
def test_units_of_different_groups_never_convert(pair: tuple[str, str]) -> None:
    source, target = pair
    with pytest.raises(UnitError):
        conversion_factor(source, target)
