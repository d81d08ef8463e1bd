"""Evaluate the metric graph for every entity of a period, and consolidate values up the tree.

1. Own values, per entity: reported inputs, then derived metrics over the entity's own inputs, so each
   activity is computed with its own entity's factors (country, grid region, measured parameters).
2. Energy received from other group entities is valued at the supplier's emission rate, which needs
   the supplier's own Scope 1 first: receivers are evaluated again once every supplier's rate is known.
3. Consolidation, bottom-up: a ``sum`` metric's total is the entity's own value plus each child's
   total times the child's inclusion factor (control or equity share, pro rata for part-year
   members; see :mod:`esgledger.calc.consolidation`); internally supplied amounts are eliminated at the
   first level whose boundary holds the supplier. A ``ratio`` metric is recomputed from the totals
   (never averaged); a ``none`` metric stays the entity's own.

A value whose formula fails (a missing factor, an impossible input) is a gap, not an error: it and
everything that depends on it are listed with the reason (:mod:`esgledger.calc.gaps`), and the rest
of the inventory is produced.
"""

from __future__ import annotations

from collections import Counter

from esgledger.calc.consolidate import Consolidating
from esgledger.calc.consolidation import inclusion
from esgledger.calc.context import FormulaContext, SiteParameter, SupplierRate, Value
from esgledger.calc.formulas import EXPRESSIONS, FORMULAS
from esgledger.calc.gaps import Gap, depending, failed, not_reported
from esgledger.calc.inputs import (
    Reported,
    certificate_values,
    reported_values,
    transfer_values,
)
from esgledger.calc.inventory import (
    EntityState,
    Inventory,
    blocking,
    reports_beyond_validity,
)
from esgledger.calc.members import formed_in_view, member_views, stated_boundary
from esgledger.calc.notes import note
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.calc.volumes import by_volume, convert_volumes
from esgledger.catalogue import Catalogue, Metric
from esgledger.catalogue.breakdowns import metric_key
from esgledger.domain import Certificate, DataPoint, Entity, OrgTree, Period, Transfer
from esgledger.errors import CalculationError
from esgledger.factors import FactorLibrary
from esgledger.lineage import key, own_key


class Engine(Consolidating):
    def __init__(
        self,
        catalogue: Catalogue,
        library: FactorLibrary,
        selection: Selection | None = None,
        options: CalcOptions | None = None,
        scope3_categories: tuple[int, ...] | None = None,
    ):
        """``scope3_categories``: the GHG Protocol Scope 3 categories the organisation reports;
        a category metric (catalogue ``scope3_category``) outside them is not computed (None:
        every category)."""
        self.catalogue = catalogue
        self.library = library
        self.selection = selection or Selection.load()
        self.options = options or CalcOptions()
        self.scope3_categories = scope3_categories
        self._options_dict = self.options.as_dict()

    def run(
        self,
        entities: list[Entity],
        points: list[DataPoint],
        period: Period,
        transfers: list[Transfer] | None = None,
        certificates: list[Certificate] | None = None,
    ) -> Inventory:
        tree = OrgTree(entities)
        inventory = Inventory(
            period=str(period),
            options=self.options,
            scope3_categories=self.scope3_categories,
            input_statuses=dict(Counter(point.status for point in points)),
        )
        reported: dict[str, dict[str, Reported]] = {}
        sources = (
            reported_values(points, period, self.catalogue),
            transfer_values(transfers or [], period, self.catalogue),
            certificate_values(certificates or [], period, self.catalogue),
        )
        for source in sources:
            for (entity_id, metric_id), item in source.items():
                reported.setdefault(entity_id, {})[metric_id] = item
        states = {
            entity_id: EntityState(
                tree.by_id[entity_id],
                bool(tree.children.get(entity_id)),
                reported.get(entity_id, {}),
            )
            for entity_id in tree.bottom_up()
        }
        receivers = [
            r for r in states.values() if any(item.internal for item in r.reported.values())
        ]
        for state in states.values():
            self._evaluate_own(state, period, inventory, rates={}, with_internal=False)
        if receivers:
            rates = self._supplier_rates(states)
            for state in receivers:
                self._evaluate_own(state, period, inventory, rates, with_internal=True)
        totals: dict[str, dict[str, Value]] = {}
        gaps: dict[str, dict[str, Gap]] = {}  # entity -> totals not computed, by metric
        boundaries: dict[str, dict[str, float]] = {}  # entity -> share of each member it counts
        for entity_id in tree.bottom_up():
            included = [
                inclusion(
                    tree.by_id[c],
                    period,
                    self.options.consolidation,
                    reports_beyond_validity(states[c]),
                )
                for c in tree.children.get(entity_id, [])
            ]
            boundary = {entity_id: 1.0}
            for child in included:
                if child.factor > 0:
                    for member, share in boundaries[child.entity_id].items():
                        boundary[member] = child.factor * share
            boundaries[entity_id] = boundary
            gaps[entity_id] = {}
            totals[entity_id] = self._consolidate(
                states[entity_id], period, included, totals, gaps, boundaries[entity_id], inventory
            )
        for entity_gaps in gaps.values():
            inventory.gaps.update((gap.key, gap) for gap in entity_gaps.values())
        return inventory

    # -- own values --------------------------------------------------------------------------
    def _evaluate_own(
        self,
        state: EntityState,
        period: Period,
        inventory: Inventory,
        rates: dict[str, dict[str, SupplierRate]],
        with_internal: bool,
    ) -> None:
        period_text = str(period)
        state.own = {}
        state.site_parameters = {}
        for metric_id, item in state.reported.items():
            if item.internal and not with_internal:
                continue
            metric = self.catalogue[metric_id]
            record_key = (
                own_key(metric_id, state.entity.id, period_text)
                if state.split and metric.aggregation == "sum"
                else item.record["key"]
            )
            inventory.records[record_key] = item.record | {"key": record_key}
            state.own[metric_id] = Value(
                item.value, metric.unit, record_key, internal=dict(item.internal)
            )
            overrides = metric.attributes.get("overrides")
            if overrides:
                state.site_parameters[(overrides["role"], overrides["metric"])] = SiteParameter(
                    metric_id, item.value, metric.unit, record_key
                )
        state.own_gaps = {}
        self._convert_volumes(state, period, inventory)
        for metric in self.catalogue.derived():
            assert metric.formula is not None
            if metric.aggregation == "ratio":
                continue
            blocked = blocking(metric, state.own_gaps)
            present = any(name in state.own for name in metric.formula.inputs)
            record_key = (own_key if state.split else key)(metric.id, state.entity.id, period_text)
            where = (record_key, metric.id, state.entity.id, period_text)
            if blocked is None and not present:
                # a total of categories none of which the organisation reports: not reported
                unreported = next(
                    (state.own_gaps[n] for n in metric.formula.inputs if n in state.own_gaps), None
                )
                if unreported is not None:
                    state.own_gaps[metric.id] = depending(*where, unreported, part=False)
                continue
            category = metric.attributes.get("scope3_category")
            reported = self.scope3_categories
            if category is not None and reported is not None and category not in reported:
                state.own_gaps[metric.id] = not_reported(*where, category)
                continue
            if blocked is not None:
                state.own_gaps[metric.id] = depending(*where, blocked, part=False)
                continue
            try:
                computed = self._apply_formula(
                    metric,
                    state.entity,
                    period,
                    state.own,
                    state.site_parameters,
                    rates,
                    record_key,
                    inventory,
                )
            except CalculationError as exc:
                state.own_gaps[metric.id] = failed(*where, exc)
                continue
            if computed is not None:
                state.own[metric.id] = computed
        self._derive_members(state, period, inventory, rates)

    def _convert_volumes(self, state: EntityState, period: Period, inventory: Inventory) -> None:
        """Liquid fuels reported in litres or m3, as tonnes at the density for the period (the
        entity's measured one first); a carrier with no density is a gap (:mod:`.volumes`)."""
        for metric_id, item in state.reported.items():
            own = state.own.get(metric_id)
            if own is None or not by_volume(item.record, own.unit):
                continue
            context = FormulaContext(
                metric=self.catalogue[metric_id],
                entity=state.entity,
                period=period,
                options=self.options,
                catalogue=self.catalogue,
                library=self.library,
                selection=self.selection,
                values={},
                site_parameters=state.site_parameters,
            )
            try:
                state.own[metric_id] = convert_volumes(context, inventory.records[own.key], own)
            except CalculationError as exc:
                del state.own[metric_id]
                where = (own.key, metric_id, state.entity.id, str(period))
                state.own_gaps[metric_id] = failed(*where, exc)

    def _derive_members(
        self,
        state: EntityState,
        period: Period,
        inventory: Inventory,
        rates: dict[str, dict[str, SupplierRate]],
    ) -> None:
        """Derived metrics (other than ratios, formed at consolidation) per breakdown member,
        where their inputs have that member."""
        for members, values in member_views(state.own).items():
            stated = stated_boundary(members)
            for metric in self.catalogue.derived():
                assert metric.formula is not None
                if metric.aggregation == "ratio" or not formed_in_view(
                    stated, values, metric.formula.inputs
                ):
                    continue
                as_key = metric_key(metric.id, dict(members))
                make = own_key if state.split else key
                record_key = make(as_key, state.entity.id, str(period))
                try:
                    computed = self._apply_formula(
                        metric,
                        state.entity,
                        period,
                        values,
                        state.site_parameters,
                        rates,
                        record_key,
                        inventory,
                        as_key,
                    )
                except CalculationError as exc:
                    state.own_gaps[as_key] = failed(
                        record_key, as_key, state.entity.id, str(period), exc
                    )
                    continue
                if computed is not None:
                    values[metric.id] = state.own[as_key] = computed

    def _supplier_rates(self, states: dict[str, EntityState]) -> dict[str, dict[str, SupplierRate]]:
        """Each supplier's emission rate for electricity: own Scope 1 / electricity generated."""
        rates: dict[str, dict[str, SupplierRate]] = {}
        scope1_id = self.catalogue.role("scope1_total").id
        generated_id = self.catalogue.role("electricity_generated").id
        for entity_id, state in states.items():
            scope1, generated = state.own.get(scope1_id), state.own.get(generated_id)
            if scope1 is None or generated is None or generated.value <= 0:
                continue
            rates[entity_id] = {
                "electricity": {
                    "value": scope1.value / generated.value,
                    "unit": f"{scope1.unit}/{generated.unit}",
                    "key": scope1.key,
                    "detail": note(
                        "supplier_rate",
                        supplier=entity_id,
                        scope1=scope1.value,
                        scope1_unit=scope1.unit,
                        generated=generated.value,
                        generated_unit=generated.unit,
                    ),
                }
            }
        return rates

    def _apply_formula(
        self,
        metric: Metric,
        entity: Entity,
        period: Period,
        values: dict[str, Value],
        site_parameters: dict[tuple[str, str], SiteParameter],
        rates: dict[str, dict[str, SupplierRate]],
        record_key: str,
        inventory: Inventory,
        as_key: str | None = None,
    ) -> Value | None:
        """``as_key``: the metric key of a breakdown member's figure (default: the total)."""
        assert metric.formula is not None
        context = FormulaContext(
            metric=metric,
            entity=entity,
            period=period,
            options=self.options,
            catalogue=self.catalogue,
            library=self.library,
            selection=self.selection,
            values=values,
            site_parameters=site_parameters,
            supplier_rates=rates,
        )
        result = FORMULAS[metric.formula.function](context)
        if result is None:
            return None
        inventory.records[record_key] = {
            "key": record_key,
            "metric": as_key or metric.id,
            "entity": entity.id,
            "period": str(period),
            "value": result,
            "unit": metric.unit,
            "kind": "formula",
            "formula": metric.formula.function,
            "expression": EXPRESSIONS[metric.formula.function],
            "inputs": context.inputs_read,
            "factors": context.factors_read,
            "terms": context.terms,
            "gases": context.gases,
            "internal": context.internal,
            "notes": context.notes,
            "options": self._options_dict,
        }
        return Value(result, metric.unit, record_key, dict(context.gases), dict(context.internal))

    # -- consolidation -----------------------------------------------------------------------
