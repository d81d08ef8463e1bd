"""Copy factor sets into the database at ``init`` and rebuild the library from it.

The ledger keeps the factor editions it computed with, so an old inventory can be reproduced even
after the bundled files change: a new edition is added beside the old one, never over it.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from esgledger.factors.library import FactorLibrary, FactorSet, FactorValue
from esgledger.ledger.change import Change
from esgledger.store.schema import factor_sets, factor_values


def store_library(change: Change, library: FactorLibrary) -> list[str]:
    """Insert factor sets whose (set, version) is not stored yet, each with an audit entry;
    return the ids added."""
    stored = {
        (r.set_id, r.version)
        for r in change.connection.execute(sa.select(factor_sets.c.set_id, factor_sets.c.version))
    }
    return [
        store_set(change, factor_set)
        for factor_set in library.sets.values()
        if (factor_set.set_id, factor_set.version) not in stored
    ]


def store_set(
    change: Change,
    factor_set: FactorSet,
    action: str = "factors.load",
    details: dict[str, object] | None = None,
) -> str:
    """Insert one factor set version and its values, with an audit entry (``action``, and
    ``details`` such as the imported file's name); return ``set@version``."""
    values = [
        {
            "factor_id": value.factor_id,
            "valid_from": value.valid_from,
            "version": value.version,
            "factor_set": value.factor_set,
            "edition": value.edition,
            "value": value.value,
            "unit": value.unit,
            "source": value.source,
            "confidence": value.confidence,
            "note": value.note,
            "file_sha256": factor_set.sha256,
            "verification": value.verification or None,
            "vintage": value.vintage,
            "overrides": value.overrides,
        }
        for series in factor_set.series.values()
        for value in series
    ]
    stamp = change.insert_with_children(
        factor_sets,
        {
            "set_id": factor_set.set_id,
            "version": factor_set.version,
            "edition": factor_set.edition,
            "title_en": factor_set.title["en"],
            "title_zh": factor_set.title["zh"],
            "citation": factor_set.citation,
            "sha256": factor_set.sha256,
            "loaded_at": change.at,
        },
        factor_values,
        values,
    )
    set_version = f"{factor_set.set_id}@{factor_set.version}"
    change.record(
        action,
        "factor_set",
        set_version,
        {
            "factor_set": set_version,
            "edition": factor_set.edition,
            "values": len(values),
            "sha256": factor_set.sha256,
            **(details or {}),
        },
        [stamp],
    )
    return set_version


def load_stored_library(connection: sa.Connection) -> FactorLibrary:
    """The newest stored version of every factor set, as a :class:`FactorLibrary`."""
    newest: dict[tuple[str, str], sa.Row] = {}
    for row in connection.execute(sa.select(factor_sets).order_by(factor_sets.c.loaded_at)):
        newest[(row.set_id, row.edition)] = row
    wanted = {(row.set_id, row.version) for row in newest.values()}
    series: dict[tuple[str, str], dict[str, list[FactorValue]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in connection.execute(sa.select(factor_values).order_by(factor_values.c.valid_from)):
        if (row.factor_set, row.version) not in wanted:
            continue
        factor_key = row.factor_id[len(row.factor_set) + 1 :]
        series[(row.factor_set, row.version)][factor_key].append(
            FactorValue(
                factor_id=row.factor_id,
                value=row.value,
                unit=row.unit,
                valid_from=row.valid_from,
                source=row.source,
                confidence=row.confidence,
                factor_set=row.factor_set,
                edition=row.edition,
                version=row.version,
                note=row.note or "",
                verification=row.verification or "",
                vintage=row.vintage,
                overrides=row.overrides,
            )
        )
    sets = []
    for (set_id, _edition), row in newest.items():
        sets.append(
            FactorSet(
                set_id=set_id,
                edition=row.edition,
                version=row.version,
                title={"en": row.title_en, "zh": row.title_zh},
                citation=row.citation,
                sha256=row.sha256,
                series=dict(series[(set_id, row.version)]),
            )
        )
    return FactorLibrary(sets)
