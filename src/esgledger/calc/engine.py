"""Evaluate the metric graph for every entity of a period, and roll values up the tree.

For each entity, bottom-up:
- an input metric's *own* value is what the entity reported; its total adds the totals of the
  consolidated children (aggregation ``sum``) or stays its own (``none``);
- a derived ``sum`` metric's own value is its formula over the entity's own inputs, and its total
  adds the children's totals, so each activity is computed with its own entity's factors (country,
  grid region) before it is added up;
- a derived ``ratio`` metric is recomputed from the entity's rolled-up inputs (never averaged).
Children are consolidated by operational control (GHG Protocol Corporate Standard, ch. 3): an entity
without operational control, or not valid during the period, is left out and the lineage says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from esgledger.calc.context import FormulaContext, SiteParameter, Value
from esgledger.calc.formulas import EXPRESSIONS, FORMULAS
from esgledger.calc.inputs import reported_values
from esgledger.calc.lineage import key, own_key
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import Selection
from esgledger.catalogue import Catalogue, Metric
from esgledger.domain import DataPoint, Entity, OrgTree, Period
from esgledger.factors import FactorLibrary


@dataclass
class Result:
    entity_id: str
    period: str
    metric_id: str
    value: float
    unit: str
    lineage: dict[str, Any]


@dataclass
class Inventory:
    """All values of one period: the totals per entity, plus the records lineage refers to."""

    period: str
    options: CalcOptions
    results: dict[str, Result] = field(default_factory=dict)  # totals, by lineage key
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # every lineage record

    def get(self, metric_id: str, entity_id: str) -> Result | None:
        return self.results.get(key(metric_id, entity_id, self.period))

    def digest(self) -> str:
        body = json.dumps(
            sorted((k, round(r.value, 9)) for k, r in self.results.items()), separators=(",", ":")
        )
        return hashlib.sha256(body.encode()).hexdigest()


class Engine:
    def __init__(self, catalogue: Catalogue, library: FactorLibrary,
                 selection: Selection | None = None, options: CalcOptions | None = None):
        self.catalogue = catalogue
        self.library = library
        self.selection = selection or Selection.load()
        self.options = options or CalcOptions()

    def run(self, entities: list[Entity], points: list[DataPoint], period: Period) -> Inventory:
        tree = OrgTree(entities)
        inventory = Inventory(period=str(period), options=self.options)
        reported = reported_values(points, period, self.catalogue)
        own_inputs: dict[str, dict[str, tuple[float, dict[str, Any]]]] = {}
        for (entity_id, metric_id), item in reported.items():
            own_inputs.setdefault(entity_id, {})[metric_id] = item
        totals: dict[str, dict[str, Value]] = {}
        for entity_id in tree.bottom_up():
            entity = tree.by_id[entity_id]
            included, excluded = self._consolidated_children(tree, entity_id, period)
            totals[entity_id] = self._evaluate_entity(
                entity, period, own_inputs.get(entity_id, {}),
                {child: totals[child] for child in included}, excluded, inventory,
            )
        return inventory

    def _consolidated_children(self, tree: OrgTree, entity_id: str,
                               period: Period) -> tuple[list[str], list[dict[str, str]]]:
        included, excluded = [], []
        for child_id in tree.children.get(entity_id, []):
            child = tree.by_id[child_id]
            if not child.valid_during(period):
                excluded.append({"entity": child_id, "reason": f"not in the group during {period}"})
            elif not child.operational_control:
                excluded.append({"entity": child_id,
                                 "reason": "no operational control (operational-control approach)"})
            else:
                included.append(child_id)
        return included, excluded

    def _evaluate_entity(self, entity: Entity, period: Period,
                         reported: dict[str, tuple[float, dict[str, Any]]],
                         children: dict[str, dict[str, Value]], excluded: list[dict[str, str]],
                         inventory: Inventory) -> dict[str, Value]:
        period_text = str(period)
        own: dict[str, Value] = {}
        total: dict[str, Value] = {}
        site_parameters: dict[tuple[str, str], SiteParameter] = {}
        split = bool(children)  # with children, an entity's own part gets a record of its own
        for metric_id, (value, record) in reported.items():
            metric = self.catalogue[metric_id]
            record_key = own_key(metric_id, entity.id, period_text) if split and \
                metric.aggregation == "sum" else record["key"]
            record = record | {"key": record_key}
            inventory.records[record_key] = record
            own[metric_id] = Value(value, metric.unit, record_key)
            overrides = metric.attributes.get("overrides")
            if overrides:
                site_parameters[(overrides["role"], overrides["metric"])] = SiteParameter(
                    metric_id, value, metric.unit, record_key)
        for metric_id in self.catalogue.order:
            metric = self.catalogue[metric_id]
            if metric.is_derived and metric.aggregation != "ratio":
                computed = self._apply_formula(metric, entity, period, own, site_parameters,
                                               own_key(metric_id, entity.id, period_text)
                                               if split else key(metric_id, entity.id, period_text),
                                               inventory)
                if computed is not None:
                    own[metric_id] = computed
            if metric.aggregation == "ratio":
                computed = self._apply_formula(metric, entity, period, total, site_parameters,
                                               key(metric_id, entity.id, period_text), inventory)
                if computed is not None:
                    total[metric_id] = computed
            elif metric.aggregation == "none" or not split:
                if metric_id in own:
                    total[metric_id] = own[metric_id]
            else:
                rolled = self._roll_up(metric, entity, period_text, own.get(metric_id), children,
                                       excluded, inventory)
                if rolled is not None:
                    total[metric_id] = rolled
        for metric_id, value in total.items():
            record = inventory.records[value.key]
            inventory.results[value.key] = Result(entity.id, period_text, metric_id, value.value,
                                                  value.unit, record)
        return total

    def _apply_formula(self, metric: Metric, entity: Entity, period: Period,
                       values: dict[str, Value], site_parameters: dict[tuple[str, str], SiteParameter],
                       record_key: str, inventory: Inventory) -> Value | None:
        assert metric.formula is not None
        context = FormulaContext(metric=metric, entity=entity, period=period, options=self.options,
                                 catalogue=self.catalogue, library=self.library,
                                 selection=self.selection, values=values,
                                 site_parameters=site_parameters)
        result = FORMULAS[metric.formula.function](context)
        if result is None:
            return None
        inventory.records[record_key] = {
            "key": record_key,
            "metric": metric.id,
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
            "notes": context.notes,
            "options": self.options.as_dict(),
        }
        return Value(result, metric.unit, record_key)

    def _roll_up(self, metric: Metric, entity: Entity, period_text: str, own: Value | None,
                 children: dict[str, dict[str, Value]], excluded: list[dict[str, str]],
                 inventory: Inventory) -> Value | None:
        parts = [(child_id, values[metric.id]) for child_id, values in children.items()
                 if metric.id in values]
        if own is None and not parts:
            return None
        value = (own.value if own else 0.0) + sum(part.value for _c, part in parts)
        record_key = key(metric.id, entity.id, period_text)
        inventory.records[record_key] = {
            "key": record_key,
            "metric": metric.id,
            "entity": entity.id,
            "period": period_text,
            "value": value,
            "unit": metric.unit,
            "kind": "rollup",
            "formula": "own activity + sum of consolidated children",
            "own": {"key": own.key, "value": own.value} if own else None,
            "children": [{"key": part.key, "entity": child_id, "value": part.value}
                         for child_id, part in parts],
            "excluded": excluded,
            "consolidation": self.options.consolidation,
            "notes": [],
        }
        return Value(value, metric.unit, record_key)
