"""Entity, metric and unit labels in the report language, in the organisation's reading order."""

from __future__ import annotations

from esgledger.catalogue import Catalogue
from esgledger.domain import OrgTree
from esgledger.i18n import Strings
from esgledger.report.formatting import unit_label


class Names:
    """Entity, metric and unit labels in the report language, and the organisation's reading
    order (also the labels of what the engine's notes name: :class:`esgledger.i18n.Labels`)."""

    def __init__(self, tree: OrgTree, catalogue: Catalogue, strings: Strings):
        self.tree = tree
        self.catalogue = catalogue
        self.strings = strings
        self.lang = strings.lang
        self.order: dict[str, int] = {}
        stack = list(reversed(tree.roots()))
        while stack:
            current = stack.pop()
            self.order[current] = len(self.order)
            stack.extend(reversed(tree.children.get(current, [])))

    def __call__(self, entity_id: str) -> str:
        entity = self.tree.by_id.get(entity_id)
        return entity.label(self.lang) if entity else entity_id

    def entity(self, entity_id: str) -> str:
        return self(entity_id)

    def metric(self, metric_id: str) -> str:
        return self.catalogue.label(metric_id, self.lang)

    def unit(self, unit: str) -> str:
        return unit_label(unit, self.strings) or unit

    def sort(self, entity_ids: set[str] | list[str]) -> list[str]:
        return sorted(entity_ids, key=lambda e: (self.order.get(e, len(self.order)), e))
