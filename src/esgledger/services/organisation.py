"""The organisation tree and the metric catalogue, as each user may see them."""

from __future__ import annotations

from typing import Any

from esgledger.catalogue import Catalogue
from esgledger.domain import Entity, OrgTree
from esgledger.ledger import audit
from esgledger.service_errors import NotFound
from esgledger.services.operation import Capability, Reading, reads
from esgledger.workflow.configuration import Configuration
from esgledger.workflow.views import metric_dict

__all__ = ["Catalogue", "Organisation", "configuration"]


def configuration(call: Reading) -> Configuration:
    """The cached configuration (entity tree, locks, threshold) as of this read."""
    generation = audit.configuration_generation(call.connection)
    return call.context.configuration.get(call.connection, generation)


class Organisation(Capability):
    @reads("entity.read")
    def entities(
        self,
        call: Reading,
        parent: str | None = None,
        country: str | None = None,
        entity_type: str | None = None,
    ) -> list[Entity]:
        """The entities the user may see, by id; with ``parent`` its direct children only
        (NotFound for a parent outside the scope)."""
        user = call.actor
        if parent is not None and not user.sees(parent):
            raise NotFound(f"no entity {parent!r}", field="parent")
        return sorted(
            (
                e
                for e in configuration(call).entities
                if user.sees(e.id)
                and parent in (None, e.parent_id)
                and country in (None, e.country)
                and entity_type in (None, e.type)
            ),
            key=lambda e: e.id,
        )

    @reads("entity.read")
    def entity(self, call: Reading, entity_id: str) -> Entity:
        """One entity the user may see (by id or alias); NotFound otherwise."""
        found = configuration(call).index.find(entity_id)
        if found is None or not call.actor.sees(found.id):
            raise NotFound(f"no entity {entity_id!r}", field="entity")
        return found

    @reads("entity.read")
    def tree(self, call: Reading) -> OrgTree:
        """The part of the organisation tree the user may see."""
        return OrgTree([e for e in configuration(call).entities if call.actor.sees(e.id)])

    @reads("metric.read")
    def metrics(
        self, call: Reading, group: str | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        """The catalogue in its order, of ``group`` and ``kind`` (input, formula, ...) if given."""
        return [
            metric_dict(m)
            for m in self.context.catalogue.metrics.values()
            if group in (None, m.group) and kind in (None, m.kind)
        ]

    @reads("metric.read")
    def metric(self, call: Reading, metric_id: str) -> dict[str, Any]:
        if metric_id not in self.context.catalogue:
            raise NotFound(f"no metric {metric_id!r}", field="metric")
        return metric_dict(self.context.catalogue[metric_id])
