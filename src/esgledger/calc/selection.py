"""The factor selection rules (``rules/selection.yaml``): which series applies to which entity."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esgledger.calc.notes import note
from esgledger.errors import CalculationError, FactorNotFound, RuleFileError
from esgledger.factors import FactorLibrary
from esgledger.rulefiles import read_rule_file

RULES_FILE = Path(__file__).parent / "rules" / "selection.yaml"


@dataclass
class Selection:
    rules: dict[str, Any]

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> Selection:
        content, _sha = read_rule_file(path)
        return cls(content)

    def combustion(self, country: str) -> dict[str, Any]:
        table = self.rules["combustion"]
        return dict(table.get(country) or table["default"])

    def grid_factor_id(
        self,
        country: str,
        grid_region: str | None,
        series: str,
        where: str,
        library: FactorLibrary | None = None,
        on: dt.date | None = None,
    ) -> tuple[str, str]:
        """The grid factor id for an entity, and the series name used.

        With ``library`` and ``on``, the first candidate of the series with a value valid on ``on``
        is chosen (see the candidate lists in ``selection.yaml``); without them, or when none has a
        value, the first candidate, so that the lookup reports why it has no value."""
        rules = self.rules["grid_electricity"]
        table = rules.get(country) or rules.get("default")
        if table is None:
            raise CalculationError(
                f"{where}: no grid emission factor series for country {country!r} in "
                f"{RULES_FILE.name}; add one (with its factor set) before computing Scope 2",
                note("no_grid_series", country=country),
            )
        chosen = table["default_series"] if series == "default" else series
        if chosen not in table or chosen in _NOT_SERIES:
            chosen = table["default_series"]
        places = _placeholders(table, country, grid_region)
        candidates = _expand(table, chosen, places)
        if not candidates:
            if "national" not in table:
                raise CalculationError(f"{where}: series {chosen!r} needs the entity's grid_region")
            candidates = _expand(table, "national", places)
        if _default_route_empty(country, rules, library, candidates):
            raise CalculationError(
                f"{where}: no grid emission factor series for country {country!r} in "
                f"{RULES_FILE.name}, and the default route has no value for it "
                f"({', '.join(c[0] for c in candidates)}); add one before computing Scope 2",
                note("no_grid_series", country=country),
            )
        return _first_valid(candidates, library, on)

    def residual_mix(
        self,
        country: str,
        grid_region: str | None,
        where: str,
        library: FactorLibrary | None = None,
        on: dt.date | None = None,
    ) -> str:
        rules = self.rules["residual_mix"]
        entry = rules.get(country) or rules.get("default")
        if entry is None:
            raise CalculationError(
                f"{where}: no residual-mix series for country {country!r} in {RULES_FILE.name}",
                note("no_residual_mix", country=country),
            )
        grid_table = self.rules["grid_electricity"].get(country) or {}
        places = _placeholders(grid_table, country, grid_region)
        candidates = _expand({"residual": entry}, "residual", places)
        if not candidates:
            raise CalculationError(f"{where}: the residual mix needs the entity's grid_region")
        if _default_route_empty(country, rules, library, candidates):
            raise CalculationError(
                f"{where}: no residual-mix series for country {country!r} in "
                f"{RULES_FILE.name}, and the default route has no value for it",
                note("no_residual_mix", country=country),
            )
        return _first_valid(candidates, library, on)[0]

    def rule(self, name: str, country: str) -> dict[str, Any]:
        """A per-country rule table (anode, pfc, carbonates), falling back to ``default``."""
        table = self.rules[name]
        return dict(table.get(country) or table["default"])

    def gwp_set(self, name: str) -> str:
        return str(self.rules["gwp"][name])

    def electricity_tce(self, method: str) -> str:
        return str(self.rules["electricity_tce"][method])

    def purchased_heat(self) -> str:
        return str(self.rules["purchased_heat"]["default"])

    def standard_coal_heat_value(self) -> str:
        return str(self.rules["standard_coal_heat_value"])


# Keys of a country's grid_electricity table that are not series.
_NOT_SERIES = {"default_series", "provinces"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _placeholders(table: dict[str, Any], country: str, grid_region: str | None) -> dict[str, str]:
    """The values of the placeholders for an entity: {country}, {grid_region}, {province} (when the
    grid region is a province of the table's ``provinces``) and {region} (its regional grid)."""
    places = {"country": country}
    if grid_region:
        places["grid_region"] = grid_region
        provinces = table.get("provinces") or {}
        if grid_region in provinces:
            places["province"] = grid_region
            places["region"] = str(provinces[grid_region])
        else:
            places["region"] = grid_region
    return places


def _expand(
    table: dict[str, Any], series: str, places: dict[str, str], seen: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """The candidate factor ids of ``series`` in order, each with the series it belongs to; a
    candidate naming another series of the table is replaced by that series' candidates, and a
    pattern whose placeholder has no value for the entity is left out."""
    if series in seen:
        raise RuleFileError(
            RULES_FILE.name, f"series {series!r} refers back to itself: {' -> '.join(seen)}"
        )
    entry = table[series]
    found: list[tuple[str, str]] = []
    for item in entry if isinstance(entry, list) else [entry]:
        pattern = str(item)
        if "." not in pattern and "{" not in pattern:
            if pattern not in table or pattern in _NOT_SERIES:
                raise RuleFileError(
                    RULES_FILE.name, f"series {series!r} names {pattern!r}, which is no series"
                )
            found.extend(_expand(table, pattern, places, (*seen, series)))
            continue
        names = _PLACEHOLDER.findall(pattern)
        if any(name not in places for name in names):
            continue
        for name in names:
            pattern = pattern.replace("{" + name + "}", places[name])
        found.append((pattern, series))
    return found


def _first_valid(
    candidates: list[tuple[str, str]], library: FactorLibrary | None, on: dt.date | None
) -> tuple[str, str]:
    if library is not None and on is not None:
        for factor_id, series in candidates:
            if factor_id not in library:
                continue
            try:
                library.lookup(factor_id, on)
            except FactorNotFound:
                continue
            return factor_id, series
        # none has a value then: the series that starts first, so the lookup's message names the
        # earliest date anything is available from
        known = [c for c in candidates if c[0] in library]
        if known:
            return min(known, key=lambda c: library.values(c[0])[0].valid_from)
    return candidates[0]


def _default_route_empty(
    country: str,
    rules: dict[str, Any],
    library: FactorLibrary | None,
    candidates: list[tuple[str, str]],
) -> bool:
    """Whether a country without rules of its own finds no factor on the default route."""
    return (
        country not in rules
        and library is not None
        and not any(factor_id in library for factor_id, _series in candidates)
    )
