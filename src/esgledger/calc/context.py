"""What a formula sees while it runs: its inputs, the factor library, and a lineage recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from esgledger.calc.notes import note
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue, Metric
from esgledger.domain import Entity, Period
from esgledger.errors import CalculationError, FactorNotFound
from esgledger.factors import FactorLibrary, FactorValue
from esgledger.lineage import FactorRead, InputRead, Term, Text, key


@dataclass
class Value:
    """A computed or reported number in its metric's unit, with the key of its lineage record.

    ``gases`` holds the tonnes of each greenhouse gas behind a CO2e value. ``internal`` holds the
    part of the value that comes from energy supplied by another group entity, by supplier id; it is
    eliminated on consolidation once the supplier is inside the boundary.
    """

    value: float
    unit: str
    key: str
    gases: dict[str, float] = field(default_factory=dict)
    internal: dict[str, float] = field(default_factory=dict)


class SupplierRate(TypedDict):
    """A group supplier's emission rate for a carrier it delivers (value per unit delivered)."""

    value: float
    unit: str
    detail: Text
    key: NotRequired[str | None]  # the lineage key of the supplier's emissions


@dataclass
class SiteParameter:
    """A measured parameter reported by the entity; overrides a default factor."""

    metric_id: str
    value: float
    unit: str
    key: str


@dataclass
class FormulaContext:
    metric: Metric
    entity: Entity
    period: Period
    options: CalcOptions
    catalogue: Catalogue
    library: FactorLibrary
    selection: Selection
    values: dict[str, Value]
    site_parameters: dict[tuple[str, str], SiteParameter]
    inputs_read: list[InputRead] = field(default_factory=list)
    factors_read: list[FactorRead] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    gases: dict[str, float] = field(default_factory=dict)
    internal: dict[str, float] = field(default_factory=dict)
    supplier_rates: dict[str, dict[str, SupplierRate]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return key(self.metric.id, self.entity.id, str(self.period))

    def input(self, metric_id: str) -> Value | None:
        """The value of an input metric for this entity and period, or None if not reported."""
        found = self.values.get(metric_id)
        if found is not None:
            self.inputs_read.append(
                {"key": found.key, "metric": metric_id, "value": found.value, "unit": found.unit}
            )
        return found

    def present_inputs(self) -> list[tuple[Metric, Value]]:
        assert self.metric.formula is not None
        found = []
        for metric_id in self.metric.formula.inputs:
            value = self.input(metric_id)
            if value is not None:
                found.append((self.catalogue[metric_id], value))
        return found

    def factor(self, factor_id: str, role: str, applies_to: str | None = None) -> FactorValue:
        """Look up a factor valid at the period start and record it in lineage."""
        try:
            found = self.library.lookup(factor_id, self.period.start)
        except FactorNotFound as exc:
            reason = (
                note("factor_starts_later", factor=factor_id, date=exc.on, first=exc.first)
                if exc.first
                else note("factor_unknown", factor=factor_id)
            )
            raise CalculationError(f"{self.where}: {exc}", reason) from exc
        self.factors_read.append(
            {
                "factor": found.factor_id,
                "value": found.value,
                "unit": found.unit,
                "valid_from": found.valid_from.isoformat(),
                "factor_set": found.factor_set,
                "edition": found.edition,
                "version": found.version,
                "source": found.source,
                "confidence": found.confidence,
                "unverified": found.unverified,
                "note": found.note,
                "vintage": found.vintage,
                "role": role,
                "applies_to": applies_to,
                "measured": False,
            }
        )
        if found.unverified:
            self.add_note(note("unverified_factor", factor=factor_id, confidence=found.confidence))
        if found.vintage is not None and found.vintage != self.period.year:
            self.add_note(
                note(
                    "nearest_vintage",
                    factor=factor_id,
                    vintage=found.vintage,
                    year=self.period.year,
                )
            )
        return found

    def parameter(self, role: str, metric_id: str, default_factor_id: str) -> tuple[float, str]:
        """A measured site parameter when the entity reported one, else the default factor."""
        measured = self.site_parameters.get((role, metric_id))
        if measured is not None:
            self.factors_read.append(
                {
                    "factor": measured.metric_id,
                    "value": measured.value,
                    "unit": measured.unit,
                    "role": role,
                    "applies_to": metric_id,
                    "measured": True,
                    "replaces": default_factor_id,
                    "source": note("measured_by", record=measured.key),
                    "lineage_key": measured.key,
                }
            )
            return measured.value, measured.unit
        found = self.factor(default_factor_id, role, metric_id)
        return found.value, found.unit

    def grid_factor_id(self) -> tuple[str, str]:
        """The grid emission factor id for this entity and period, and the series it is from
        (the selection rules: country, grid region, the inventory's grid series option)."""
        return self.selection.grid_factor_id(
            self.entity.country,
            self.entity.grid_region,
            self.options.grid_series,
            self.where,
            self.library,
            self.period.start,
        )

    def residual_mix_id(self) -> str:
        """The residual-mix factor id for this entity and period (market-based Scope 2)."""
        return self.selection.residual_mix(
            self.entity.country,
            self.entity.grid_region,
            self.where,
            self.library,
            self.period.start,
        )

    def gwp(self, gas: str) -> FactorValue:
        """The 100-year GWP of ``gas`` [tCO2e/t] in the inventory's chosen IPCC assessment."""
        return self.factor(f"{self.selection.gwp_set(self.options.gwp)}.{gas}", f"GWP {gas}")

    def add_note(self, text: Text) -> None:
        """Add a note once (a formula may meet the same condition for several inputs)."""
        if text not in self.notes:
            self.notes.append(text)

    def add_gas(self, gas: str, tonnes: float) -> None:
        self.gases[gas] = self.gases.get(gas, 0.0) + tonnes

    def add_internal(self, supplier: str, amount: float) -> None:
        self.internal[supplier] = self.internal.get(supplier, 0.0) + amount
