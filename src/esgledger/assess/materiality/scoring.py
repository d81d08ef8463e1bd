"""The score of one IRO on one axis (EFRAG IG 1 §3.4-3.5; formulas also in
``assess/data/materiality.yaml``).

Impact (kind ``impact``), on the assessment's scale ``[low, high]``:

- negative: severity = (scale + scope + irremediability) / 3
- positive: severity = (scale + scope) / 2 (irremediability concerns harm only)
- actual: score = severity; potential: score = severity x likelihood / high

Financial (kinds ``risk`` and ``opportunity``): score = magnitude x likelihood / high x w, with w
the weight of the effect's time horizon (1.0 unless the method discounts later effects).

Every component is a whole number of the scale; anything else is refused naming the component.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esgledger.service_errors import Invalid

IMPACT_PARTS = ("scale", "scope", "irremediability", "likelihood")
FINANCIAL_PARTS = ("magnitude", "likelihood", "horizon")


def axis_of(kind: str) -> str:
    """The axis an IRO of ``kind`` is scored on."""
    return "impact" if kind == "impact" else "financial"


def required(iro: Mapping[str, Any]) -> tuple[str, ...]:
    """The components a score of ``iro`` needs (its kind, polarity and actuality decide)."""
    if iro["kind"] != "impact":
        return FINANCIAL_PARTS
    parts = ["scale", "scope"]
    if iro.get("polarity") == "negative":
        parts.append("irremediability")
    if iro.get("actuality") == "potential":
        parts.append("likelihood")
    return tuple(parts)


def checked_values(
    iro: Mapping[str, Any], values: Mapping[str, Any], method: Mapping[str, Any]
) -> dict[str, Any]:
    """``values`` checked against the method's scale: the required components, whole numbers
    within it (the horizon one of the method's); Invalid naming the component otherwise."""
    low, high = method["scale"]["min"], method["scale"]["max"]
    parts = required(iro)
    unknown = sorted(set(values) - set(parts))
    if unknown:
        raise Invalid(
            f"IRO {iro['id']}: {', '.join(unknown)} is not scored for a {_what(iro)}; "
            f"expected {', '.join(parts)}",
            field=unknown[0],
        )
    found: dict[str, Any] = {}
    for part in parts:
        value = values.get(part)
        if part == "horizon":
            if not isinstance(value, str) or value not in method["horizons"]:
                raise Invalid(
                    f"IRO {iro['id']}: horizon {value!r} is not one of "
                    f"{', '.join(method['horizons'])}",
                    field="horizon",
                )
            found[part] = value
            continue
        if value is None:
            raise Invalid(
                f"IRO {iro['id']}: {part} is missing; a {_what(iro)} needs {', '.join(parts)}",
                field=part,
            )
        number = _whole(value)
        if number is None or not low <= number <= high:
            raise Invalid(
                f"IRO {iro['id']}: {part} {value!r} is out of scale; expected a whole number "
                f"from {low} to {high}",
                field=part,
                details={"minimum": low, "maximum": high, "found": str(value)},
            )
        found[part] = number
    return found


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _what(iro: Mapping[str, Any]) -> str:
    if iro["kind"] != "impact":
        return str(iro["kind"])
    return f"{iro.get('actuality')} {iro.get('polarity')} impact"


def score(iro: Mapping[str, Any], values: Mapping[str, Any], method: Mapping[str, Any]) -> float:
    """The score of ``values`` (checked) on the IRO's axis, on the scale of ``method``."""
    high = method["scale"]["max"]
    if iro["kind"] != "impact":
        weight = float(method["horizon_weights"][values["horizon"]])
        return values["magnitude"] * values["likelihood"] / high * weight
    if iro.get("polarity") == "negative":
        severity = (values["scale"] + values["scope"] + values["irremediability"]) / 3
    else:
        severity = (values["scale"] + values["scope"]) / 2
    if iro.get("actuality") == "potential":
        return severity * values["likelihood"] / high
    return float(severity)
