"""The facts of one check run, indexed the ways the checks look them up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from esgledger.qa.facts import Fact


class FactIndex:
    """Facts by (metric key, entity, period), by report table and by period.

    Unresolved facts (no metric key or no entity) are kept in :attr:`unresolved` and in their
    table, never under a key.
    """

    def __init__(self, facts: Iterable[Fact]):
        self.facts: list[Fact] = list(facts)
        self._by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
        self._by_table: dict[str, list[Fact]] = defaultdict(list)
        self.unresolved: list[Fact] = []
        for fact in self.facts:
            if fact.table is not None:
                self._by_table[fact.table].append(fact)
            if fact.metric_key is None or fact.entity_id is None:
                self.unresolved.append(fact)
                continue
            self._by_key[(fact.metric_key, fact.entity_id, fact.period)].append(fact)

    def get(self, metric_key: str, entity_id: str, period: str) -> list[Fact]:
        """Every fact of the key, from every origin (a data point, the run, each report table)."""
        return list(self._by_key.get((metric_key, entity_id, period), ()))

    def keys(self) -> list[tuple[str, str, str]]:
        return sorted(self._by_key)

    def tables(self) -> dict[str, list[Fact]]:
        return dict(self._by_table)

    def periods(self) -> list[str]:
        return sorted({fact.period for fact in self.facts})
