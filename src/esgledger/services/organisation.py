"""The organisation tree and the metric catalogue, as each user may see them."""

from __future__ import annotations

from typing import Any

from esgledger.catalogue import Catalogue, Metric
from esgledger.catalogue.breakdowns import (
    COVERS,
    BreakdownError,
    dimensions_text,
    metric_key,
    parse_dimensions,
    split_key,
)
from esgledger.domain import Entity, OrgTree
from esgledger.ledger import audit
from esgledger.service_errors import Invalid, NotFound
from esgledger.services.operation import Capability, Reading, reads
from esgledger.suggestions import did_you_mean
from esgledger.workflow.configuration import Configuration
from esgledger.workflow.views import metric_dict

__all__ = [
    "Catalogue",
    "Organisation",
    "configuration",
    "known_metric",
    "no_entity",
    "visible_entity",
]


def configuration(call: Reading) -> Configuration:
    """The cached configuration (entity tree, locks, threshold) as of this read."""
    generation = audit.configuration_generation(call.connection)
    return call.context.configuration.get(call.connection, generation)


def no_entity(call: Reading, entity_id: str, field: str = "entity") -> NotFound:
    """The error for an entity the user may not see or that does not exist (never told apart),
    naming the closest ids and aliases the user may see."""
    known = [
        name
        for entity in configuration(call).entities
        if call.actor.sees(entity.id)
        for name in (entity.id, *entity.aliases)
    ]
    return NotFound(f"no entity {entity_id!r}{did_you_mean(entity_id, known)}", field=field)


def visible_entity(call: Reading, entity_id: str, field: str = "entity") -> Entity:
    """The entity named by id or alias, if the user may see it; NotFound otherwise."""
    found = configuration(call).index.find(entity_id)
    if found is None or not call.actor.sees(found.id):
        raise no_entity(call, entity_id, field)
    return found


def metric_key_of(
    catalogue: Catalogue, metric: str, dimensions: str | None = None, field: str = "metric"
) -> str:
    """The metric key of ``metric`` (an id, or a key with members) broken down by
    ``dimensions`` (``gender=female;age_band=under_30``): checked against the catalogue and the
    metric's axes (Invalid naming the field and what is allowed)."""
    metric_id, members = split_key(metric)
    found = known_metric(catalogue, metric_id, field)
    written = ";".join(part for part in (dimensions_text(members), dimensions or "") if part)
    pairs = [p for p in written.split(";") if p.strip()]
    covers = [p for p in pairs if p.split("=", 1)[0].strip() == COVERS]
    try:
        parsed = parse_dimensions(
            ";".join(p for p in pairs if p not in covers), found.id, found.axes, catalogue.axes
        )
    except BreakdownError as exc:
        raise Invalid(str(exc), field="dimensions") from exc
    if covers:  # a figure of a stated boundary, as its key writes it (covers=-power)
        parsed[COVERS] = covers[-1].split("=", 1)[1].strip()
    return metric_key(found.id, parsed)


def known_metric(catalogue: Catalogue, metric_id: str, field: str = "metric") -> Metric:
    """The catalogue's metric; NotFound naming the closest metric ids otherwise."""
    found = catalogue.metrics.get(metric_id)
    if found is None:
        raise NotFound(
            f"unknown metric {metric_id!r}{did_you_mean(metric_id, catalogue.metrics)}; the "
            "catalogue lists the metric ids (GET /api/v1/metrics)",
            field=field,
        )
    return found


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
            raise no_entity(call, parent, "parent")
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
        return visible_entity(call, entity_id)

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
        return metric_dict(known_metric(self.context.catalogue, metric_id))
