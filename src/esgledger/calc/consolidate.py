"""Consolidation, bottom-up (GHG Protocol Corporate Standard ch. 3 and 4): a ``sum`` metric's total
is the entity's own value plus each child's total times its inclusion factor; a ``ratio`` metric is
recomputed from the totals (never averaged); a ``none`` metric stays the entity's own. Breakdown
members are consolidated the same way, and a total is checked against its breakdowns."""

from __future__ import annotations

from esgledger.calc.consolidation import Inclusion
from esgledger.calc.context import SiteParameter, SupplierRate, Value
from esgledger.calc.gaps import Gap, at_total, depending, failed
from esgledger.calc.inventory import EntityState, Inventory, Result, blocking
from esgledger.calc.members import (
    breakdown_keys,
    check_sums,
    formed_in_view,
    member_views,
    stated_boundary,
)
from esgledger.calc.options import CalcOptions
from esgledger.calc.rollup import roll_up
from esgledger.catalogue import Catalogue, Metric
from esgledger.catalogue.breakdowns import metric_key
from esgledger.domain import Entity, Period
from esgledger.errors import CalculationError
from esgledger.lineage import key


class Consolidating:
    """The engine's consolidation step (:class:`esgledger.calc.engine.Engine` uses it)."""

    catalogue: Catalogue
    options: CalcOptions

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
        raise NotImplementedError

    def _consolidate(
        self,
        state: EntityState,
        period: Period,
        included: list[Inclusion],
        totals: dict[str, dict[str, Value]],
        gaps: dict[str, dict[str, Gap]],
        boundary: dict[str, float],
        inventory: Inventory,
    ) -> dict[str, Value]:
        period_text = str(period)
        total: dict[str, Value] = {}
        missing = gaps[state.entity.id]
        for metric_id in self.catalogue.order:
            metric = self.catalogue[metric_id]
            where = (key(metric_id, state.entity.id, period_text), metric_id, state.entity.id)
            if metric.aggregation == "ratio":
                blocked = blocking(metric, missing)
                if blocked is not None:
                    missing[metric_id] = depending(*where, period_text, blocked, part=False)
                    continue
                try:
                    computed = self._apply_formula(
                        metric,
                        state.entity,
                        period,
                        total,
                        state.site_parameters,
                        {},
                        where[0],
                        inventory,
                    )
                except CalculationError as exc:
                    missing[metric_id] = failed(*where, period_text, exc)
                    continue
                if computed is not None:
                    total[metric_id] = computed
            elif metric.aggregation == "none" or not state.split:
                if metric_id in state.own:
                    total[metric_id] = state.own[metric_id]
                elif metric_id in state.own_gaps:
                    missing[metric_id] = state.own_gaps[metric_id]
            else:
                own_gap = state.own_gaps.get(metric_id)
                parts = [
                    gaps[item.entity_id].get(metric_id) for item in included if item.factor > 0
                ]
                blocked = next((gap for gap in parts if gap is not None and gap.blocks), None)
                if own_gap is not None and own_gap.blocks:
                    missing[metric_id] = at_total(own_gap, where[0])
                    continue
                if blocked is not None:
                    missing[metric_id] = depending(*where, period_text, blocked, part=True)
                    continue
                rolled = roll_up(
                    metric,
                    state.own.get(metric_id),
                    where[0],
                    included,
                    totals,
                    boundary,
                    self.options.consolidation,
                )
                if rolled is not None:
                    inventory.records[where[0]] = rolled[1]
                    total[metric_id] = rolled[0]
                elif own_gap is not None:  # a category not reported
                    missing[metric_id] = at_total(own_gap, where[0])
                elif any(gap is not None for gap in parts):
                    unreported = next(gap for gap in parts if gap is not None)
                    missing[metric_id] = depending(*where, period_text, unreported, part=True)
        self._consolidate_members(state, period, included, totals, boundary, inventory, total)
        check_sums(self.catalogue, total, inventory.records)
        for metric_id, value in total.items():
            inventory.results[value.key] = Result(
                state.entity.id,
                period_text,
                metric_id,
                value.value,
                value.unit,
                inventory.records[value.key],
            )
        return total

    def _consolidate_members(
        self,
        state: EntityState,
        period: Period,
        included: list[Inclusion],
        totals: dict[str, dict[str, Value]],
        boundary: dict[str, float],
        inventory: Inventory,
        total: dict[str, Value],
    ) -> None:
        """Each breakdown member's figure at this entity: summed up the tree like its total, and
        the ratios formed per member from the member totals (never averaged)."""
        period_text = str(period)
        children = [totals[item.entity_id] for item in included if item.factor > 0]
        for member_key in breakdown_keys(state.own, *children):
            metric = self.catalogue[member_key]
            if metric.aggregation == "ratio":
                continue
            if metric.aggregation == "none" or not state.split:
                if member_key in state.own:
                    total[member_key] = state.own[member_key]
                continue
            rolled = roll_up(
                metric,
                state.own.get(member_key),
                key(member_key, state.entity.id, period_text),
                included,
                totals,
                boundary,
                self.options.consolidation,
                member_key,
            )
            if rolled is not None:
                inventory.records[rolled[0].key] = rolled[1]
                total[member_key] = rolled[0]
        for members, values in member_views(total).items():
            stated = stated_boundary(members)
            for metric in self.catalogue.derived():
                assert metric.formula is not None
                if metric.aggregation != "ratio" or not formed_in_view(
                    stated, values, metric.formula.inputs
                ):
                    continue
                as_key = metric_key(metric.id, dict(members))
                try:
                    computed = self._apply_formula(
                        metric,
                        state.entity,
                        period,
                        values,
                        state.site_parameters,
                        {},
                        key(as_key, state.entity.id, period_text),
                        inventory,
                        as_key,
                    )
                except CalculationError:
                    continue  # a member ratio with no denominator: the total says why
                if computed is not None:
                    values[metric.id] = total[as_key] = computed
