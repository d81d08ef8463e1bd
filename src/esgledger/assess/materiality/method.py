"""The method of an assessment: scale, thresholds, time horizons and how stakeholder answers
enter, with their defaults in ``assess/data/materiality.yaml`` (EFRAG IG 1 §3.4-3.5; SSE Guideline
No. 14 Art. 5, 14, 59). An assessment stores its own copy; :func:`checked` refuses a bad one
naming the field."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from esgledger.rulefiles import read_rule_file
from esgledger.service_errors import Invalid

DATA = Path(__file__).resolve().parents[1] / "data" / "materiality.yaml"
HORIZONS = ("short", "medium", "long")
AXES = ("impact", "financial")


@functools.cache
def _defaults() -> dict[str, Any]:
    content, _ = read_rule_file(DATA)
    return dict(content)


def defaults() -> dict[str, Any]:
    """The default method (a fresh copy): what a new assessment starts from."""
    data = _defaults()
    horizons = data["horizons"]
    return {
        "scale": {"min": int(data["scale"]["min"]), "max": int(data["scale"]["max"])},
        "thresholds": {axis: float(data["thresholds"][axis]) for axis in AXES},
        "horizons": {
            h: {
                "en": horizons[h]["en"],
                "zh": horizons[h]["zh"],
                "to_years": horizons[h]["to_years"],
            }
            for h in HORIZONS
        },
        "horizon_weights": {h: float(data["horizon_weights"][h]) for h in HORIZONS},
        "stakeholders": {"share": float(data["stakeholders"]["share"]), "weights": {}},
    }


def formulas() -> dict[str, str]:
    """The formulas as the data file states them (shown on the page and in ``show``)."""
    return {k: str(v) for k, v in _defaults()["formulas"].items() if k != "citation"}


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid(f"{field}: expected a number, got {value!r}", field=field)
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"{field}: expected a number, got {value!r}", field=field) from None
    if number != number:
        raise Invalid(f"{field}: expected a number, got {value!r}", field=field)
    return number


def checked(given: dict[str, Any] | None, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``given`` laid over ``base`` (the defaults), checked: a scale of whole numbers with min <
    max, thresholds within the scale, horizons in increasing years, weights >= 0, a share in
    [0, 1]. Invalid names the field and what was expected."""
    method = copy.deepcopy(base or defaults())
    for key, value in (given or {}).items():
        if key not in method:
            raise Invalid(
                f"method: unknown key {key!r}; expected one of {', '.join(method)}", field=key
            )
        if isinstance(method[key], dict) and isinstance(value, dict):
            for inner, item in value.items():
                weights = key == "stakeholders" and inner == "weights"
                if not weights and inner not in method[key]:
                    raise Invalid(
                        f"{key}: unknown key {inner!r}; expected one of {', '.join(method[key])}",
                        field=f"{key}.{inner}",
                    )
                method[key][inner] = item
        else:
            raise Invalid(f"{key}: expected a mapping", field=key)
    low, high = method["scale"]["min"], method["scale"]["max"]
    for name, value in (("scale.min", low), ("scale.max", high)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise Invalid(
                f"{name}: expected a whole number from 0 to 100, got {value!r}", field=name
            )
    if low >= high:
        raise Invalid(f"scale: min ({low}) must be below max ({high})", field="scale.max")
    for axis in AXES:
        field = f"thresholds.{axis}"
        value = _number(method["thresholds"][axis], field)
        if not low < value <= high:
            raise Invalid(
                f"{field}: {value:g} is out of range; a threshold is above the scale's minimum "
                f"{low} and at most its maximum {high}",
                field=field,
                details={"minimum": low, "maximum": high, "found": value},
            )
        method["thresholds"][axis] = value
    _check_horizons(method)
    share = _number(method["stakeholders"]["share"], "stakeholders.share")
    if not 0 <= share <= 1:
        raise Invalid(
            f"stakeholders.share: {share:g} is out of range; expected 0 to 1",
            field="stakeholders.share",
        )
    method["stakeholders"]["share"] = share
    weights = method["stakeholders"]["weights"]
    if not isinstance(weights, dict):
        raise Invalid("stakeholders.weights: expected group: weight", field="stakeholders.weights")
    for group, weight in weights.items():
        value = _number(weight, f"stakeholders.weights.{group}")
        if value < 0:
            raise Invalid(
                f"stakeholders.weights.{group}: a weight is 0 or more, got {value:g}",
                field=f"stakeholders.weights.{group}",
            )
        weights[group] = value
    return method


def _check_horizons(method: dict[str, Any]) -> None:
    previous = 0.0
    for horizon in HORIZONS:
        spec = method["horizons"][horizon]
        field = f"horizons.{horizon}"
        if not isinstance(spec, dict) or not {"en", "zh", "to_years"} <= set(spec):
            raise Invalid(f"{field}: expected en, zh and to_years", field=field)
        to_years = spec["to_years"]
        if horizon == "long":
            if to_years is not None:
                raise Invalid(f"{field}.to_years: the long term has no end (null)", field=field)
            continue
        years = _number(to_years, f"{field}.to_years")
        if years <= previous:
            raise Invalid(
                f"{field}.to_years: {years:g} must be after the previous horizon's {previous:g} years",
                field=f"{field}.to_years",
            )
        previous = years
        spec["to_years"] = years
        weight = _number(method["horizon_weights"][horizon], f"horizon_weights.{horizon}")
        method["horizon_weights"][horizon] = weight
        if not 0 <= weight <= 1:
            raise Invalid(
                f"horizon_weights.{horizon}: expected 0 to 1, got {weight:g}",
                field=f"horizon_weights.{horizon}",
            )
    long_weight = _number(method["horizon_weights"]["long"], "horizon_weights.long")
    method["horizon_weights"]["long"] = long_weight
    if not 0 <= long_weight <= 1:
        raise Invalid(
            f"horizon_weights.long: expected 0 to 1, got {long_weight:g}",
            field="horizon_weights.long",
        )
