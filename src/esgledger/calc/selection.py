"""The factor selection rules (``rules/selection.yaml``): which series applies to which entity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esgledger.calc.notes import note
from esgledger.errors import CalculationError
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
        self, country: str, grid_region: str | None, series: str, where: str
    ) -> tuple[str, str]:
        """The grid factor id for an entity, and the series name used."""
        table = self.rules["grid_electricity"].get(country)
        if table is None:
            raise CalculationError(
                f"{where}: no grid emission factor series for country {country!r} in "
                f"{RULES_FILE.name}; add one (with its factor set) before computing Scope 2",
                note("no_grid_series", country=country),
            )
        chosen = table["default_series"] if series == "default" else series
        if chosen not in table:
            chosen = table["default_series"]
        pattern = str(table[chosen])
        if "{grid_region}" in pattern:
            if not grid_region:
                fallback = table.get("national")
                if fallback is None:
                    raise CalculationError(
                        f"{where}: series {chosen!r} needs the entity's grid_region"
                    )
                return str(fallback), "national"
            pattern = pattern.replace("{grid_region}", grid_region)
        return pattern, chosen

    def residual_mix(self, country: str, grid_region: str | None, where: str) -> str:
        pattern = self.rules["residual_mix"].get(country)
        if pattern is None:
            raise CalculationError(
                f"{where}: no residual-mix series for country {country!r} in {RULES_FILE.name}",
                note("no_residual_mix", country=country),
            )
        if "{grid_region}" in pattern:
            if not grid_region:
                raise CalculationError(f"{where}: the residual mix needs the entity's grid_region")
            pattern = pattern.replace("{grid_region}", grid_region)
        return str(pattern)

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
