"""Inventory options: the methodological choices an inventory records and the report states."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ELECTRICITY_TCE_METHODS = ("calorific", "equivalent")
GRID_SERIES = ("default", "national", "regional", "ets")
GWP_SETS = ("SAR", "AR4", "AR5", "AR6")
CONSOLIDATION = ("operational", "financial", "equity")


@dataclass(frozen=True)
class CalcOptions:
    """``electricity_tce``: GB/T 2589-2020 calorific equivalent (当量值, default) or equivalent value
    (等价值). ``grid_series``: which official grid-factor series applies (``default`` takes each
    country's default from the selection rules). ``gwp``: the IPCC assessment report whose 100-year
    GWPs convert gases to CO2e. ``consolidation``: the GHG Protocol consolidation approach."""

    electricity_tce: str = "calorific"
    grid_series: str = "default"
    gwp: str = "AR5"
    consolidation: str = "operational"

    def __post_init__(self) -> None:
        checks = {
            "electricity_tce": (self.electricity_tce, ELECTRICITY_TCE_METHODS),
            "grid_series": (self.grid_series, GRID_SERIES),
            "gwp": (self.gwp, GWP_SETS),
            "consolidation": (self.consolidation, CONSOLIDATION),
        }
        for name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"option {name}={value!r} is not one of {', '.join(allowed)}")

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
