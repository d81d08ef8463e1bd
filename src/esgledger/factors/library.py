"""Load factor sets from YAML and look up the value valid on a date.

A factor set file holds one edition of one publication (for example GB/T 2589-2020). Each factor in it
is a dated series; the value for a period is the newest one whose ``from`` date is on or before the
period's start (openfisca's parameter lookup). Every value carries its own source (the primary
publication), a confidence tag (``V`` verified, ``S`` single source, ``M`` not yet confirmed against
the publication, ``!`` sources disagree) and, for reviewers, how it was verified. Values tagged ``M``
or ``!`` are shipped marked *unverified*; lineage and the report say so wherever they are used.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from esgledger.errors import FactorNotFound, RuleFileError
from esgledger.rulefiles import bilingual, check_keys, read_rule_file
from esgledger.units import UnitError, parse_unit

DATA_DIR = Path(__file__).parent / "data"
CONFIDENCE_TAGS = {"V", "S", "M", "!"}
UNVERIFIED_TAGS = {"M", "!"}


@dataclass(frozen=True)
class FactorValue:
    """One dated value of a factor, with everything lineage needs to cite it."""

    factor_id: str
    value: float
    unit: str
    valid_from: dt.date
    source: str
    confidence: str
    factor_set: str
    edition: str
    version: str
    note: str = ""
    verification: str = ""  # how the value was checked against its publication (reviewers only)
    vintage: int | None = None  # the data year of a value applied to other years too
    overrides: str | None = None  # the built-in factor an organisation's own value stands for

    @property
    def unverified(self) -> bool:
        return self.confidence in UNVERIFIED_TAGS

    def citation(self) -> str:
        flag = " [UNVERIFIED]" if self.unverified else ""
        return f"{self.edition}: {self.source}{flag}"

    def as_dict(self) -> dict[str, object]:
        return {
            "factor": self.factor_id,
            "value": self.value,
            "unit": self.unit,
            "valid_from": self.valid_from.isoformat(),
            "factor_set": self.factor_set,
            "edition": self.edition,
            "version": self.version,
            "source": self.source,
            "confidence": self.confidence,
            "unverified": self.unverified,
            "note": self.note,
            "vintage": self.vintage,
            "overrides": self.overrides,
        }


@dataclass
class FactorSet:
    """One edition of a publication: its identity and its factor series."""

    set_id: str
    edition: str
    version: str
    title: dict[str, str]
    citation: str
    sha256: str
    series: dict[str, list[FactorValue]] = field(default_factory=dict)


class FactorLibrary:
    """All loaded factor sets; the one place the engine asks for a coefficient."""

    def __init__(self, sets: Iterable[FactorSet]):
        """Editions of the same set (same ``set`` id, different ``edition``) merge into one dated
        series per factor, each value keeping its own edition: GB/T 2589-2008 values apply until
        the 2020 edition takes effect."""
        self.sets: dict[tuple[str, str], FactorSet] = {}
        self._series: dict[str, list[FactorValue]] = {}
        self._overrides: dict[str, str] = {}  # built-in factor id -> the organisation's
        for factor_set in sets:
            identity = (factor_set.set_id, factor_set.edition)
            if identity in self.sets:
                raise RuleFileError(
                    factor_set.set_id, f"factor set edition {factor_set.edition!r} defined twice"
                )
            self.sets[identity] = factor_set
            for key, values in factor_set.series.items():
                factor_id = f"{factor_set.set_id}.{key}"
                merged = sorted(
                    self._series.get(factor_id, []) + values, key=lambda v: v.valid_from
                )
                for earlier, later in zip(merged, merged[1:], strict=False):
                    if earlier.valid_from == later.valid_from:
                        raise RuleFileError(
                            factor_set.set_id,
                            f"factor {factor_id!r} has two "
                            f"values from {later.valid_from} ({earlier.edition}, "
                            f"{later.edition})",
                        )
                self._series[factor_id] = merged
                if values[0].overrides:
                    self._overrides[values[0].overrides] = factor_id
        self._starts = {fid: [v.valid_from for v in vals] for fid, vals in self._series.items()}

    def __contains__(self, factor_id: str) -> bool:
        return factor_id in self._series

    def factor_ids(self) -> list[str]:
        return sorted(self._series)

    def values(self, factor_id: str) -> list[FactorValue]:
        return list(self._series.get(factor_id, []))

    def overridden_by(self, factor_id: str) -> str | None:
        """The organisation's own factor that stands for the built-in ``factor_id``, if any."""
        return self._overrides.get(factor_id)

    def lookup(self, factor_id: str, on: dt.date) -> FactorValue:
        """The newest value of ``factor_id`` valid on ``on`` (the organisation's own value that
        overrides it where one is valid on ``on``); raise :class:`FactorNotFound`."""
        own = self._overrides.get(factor_id)
        if own is not None and bisect_right(self._starts[own], on) > 0:
            return self._lookup(own, on)
        return self._lookup(factor_id, on)

    def _lookup(self, factor_id: str, on: dt.date) -> FactorValue:
        series = self._series.get(factor_id)
        if series is None:
            raise FactorNotFound(
                f"unknown factor {factor_id!r}: not in any loaded factor set",
                factor_id,
                on.isoformat(),
            )
        index = bisect_right(self._starts[factor_id], on) - 1
        if index < 0:
            first = series[0].valid_from.isoformat()
            raise FactorNotFound(
                f"factor {factor_id!r} has no value valid on {on.isoformat()} "
                f"(its first value applies from {first}); add an earlier edition or a site value",
                factor_id,
                on.isoformat(),
                first,
            )
        return series[index]


def load_library(directory: Path = DATA_DIR) -> FactorLibrary:
    """Load every ``*.yaml`` factor set in ``directory``."""
    return FactorLibrary(load_factor_set(path) for path in sorted(directory.glob("*.yaml")))


_SET_KEYS = ["set", "edition", "version", "title", "citation", "factors"]
ORGANISATION_SET_PREFIX = "org_"  # the organisation's own sets: only they may override a factor
_FACTOR_KEYS = ["unit", "values"]
_VALUE_KEYS = ["from", "value", "source", "confidence"]


def load_factor_set(path: Path) -> FactorSet:
    """Parse one factor set file; every problem names the file and the factor key."""
    content, sha = read_rule_file(path)
    where = str(path)
    check_keys(where, content, _SET_KEYS, ["publisher", "notes"])
    set_id = str(content["set"])
    if "." in set_id or not set_id:
        raise RuleFileError(where, f"set id {set_id!r} must be non-empty and contain no '.'")
    factor_set = FactorSet(
        set_id=set_id,
        edition=str(content["edition"]),
        version=str(content["version"]),
        title=bilingual(f"{where}: title", content["title"]),
        citation=str(content["citation"]),
        sha256=sha,
    )
    factors = content["factors"]
    check_keys(where, factors, [], factors.keys() if isinstance(factors, dict) else [])
    for key, spec in factors.items():
        factor_where = f"{where}: factor {key!r}"
        check_keys(factor_where, spec, _FACTOR_KEYS, ["description", "note", "overrides"])
        overrides = spec.get("overrides")
        if overrides is not None and not set_id.startswith(ORGANISATION_SET_PREFIX):
            raise RuleFileError(
                factor_where,
                f"only the organisation's own sets ({ORGANISATION_SET_PREFIX}*) may override "
                "a factor",
            )
        unit = str(spec["unit"])
        try:
            parse_unit(unit)
        except UnitError as exc:
            raise RuleFileError(factor_where, str(exc)) from exc
        values = [
            _parse_value(f"{factor_where} value #{i + 1}", raw, factor_set, key, unit)
            for i, raw in enumerate(spec["values"] or [])
        ]
        if overrides is not None:
            values = [replace(v, overrides=str(overrides)) for v in values]
        if not values:
            raise RuleFileError(factor_where, "has no values")
        values.sort(key=lambda v: v.valid_from)
        for earlier, later in zip(values, values[1:], strict=False):
            if earlier.valid_from == later.valid_from:
                raise RuleFileError(factor_where, f"two values from {later.valid_from}")
        factor_set.series[str(key)] = values
    return factor_set


def _parse_value(where: str, raw: dict, factor_set: FactorSet, key: str, unit: str) -> FactorValue:
    check_keys(where, raw, _VALUE_KEYS, ["note", "unit", "verification", "vintage"])
    start = raw["from"]
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError as exc:
            raise RuleFileError(where, f"'from' is not a date (YYYY-MM-DD): {start!r}") from exc
    if not isinstance(start, dt.date):
        raise RuleFileError(where, f"'from' is not a date (YYYY-MM-DD): {start!r}")
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleFileError(where, f"'value' is not a number: {value!r}")
    confidence = str(raw["confidence"])
    if confidence not in CONFIDENCE_TAGS:
        raise RuleFileError(where, f"confidence {confidence!r} is not one of V, S, M, !")
    vintage = raw.get("vintage")
    if vintage is not None and (isinstance(vintage, bool) or not isinstance(vintage, int)):
        raise RuleFileError(where, f"'vintage' is the data year of the value, not {vintage!r}")
    if raw.get("unit") and str(raw["unit"]) != unit:
        raise RuleFileError(where, f"unit {raw['unit']!r} differs from the factor's unit {unit!r}")
    return FactorValue(
        factor_id=f"{factor_set.set_id}.{key}",
        value=float(value),
        unit=unit,
        valid_from=start,
        source=str(raw["source"]),
        confidence=confidence,
        factor_set=factor_set.set_id,
        edition=factor_set.edition,
        version=factor_set.version,
        note=str(raw.get("note", "")),
        verification=str(raw.get("verification", "")),
        vintage=vintage,
    )
