"""Run the bulk inventory on a SQL engine: DuckDB here, Spark in :mod:`esgledger.calc.bulk.spark`.

The pipeline is engine-neutral (issue 3, item 8). First the per-unit factor table
(:mod:`esgledger.calc.bulk.factors`) is built for every entity and activity metric; whether all its
intervals start on a month's first day decides if the records are summed per day or per month.
Then the engine exposes the activity files as ``activity_records``, materialises those sums
(:data:`~esgledger.calc.bulk.sql.BUCKETS`, the one pass over the records) and runs the shared SQL
of :mod:`esgledger.calc.bulk.sql` over them and the small tables built here in Python: the entity
map (ids and aliases), the unit conversions of the units present (pint,
:func:`esgledger.units.conversion_factor`) and the factor table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from esgledger.calc.bulk import sql
from esgledger.calc.bulk.factors import FactorRow, FactorTable, Parameters
from esgledger.calc.bulk.metrics import Target, activity_metrics, result_metrics
from esgledger.calc.options import CalcOptions
from esgledger.calc.selection import RULES_FILE, Selection
from esgledger.catalogue import Catalogue
from esgledger.domain import Entity, Period
from esgledger.errors import CalculationError
from esgledger.factors import FactorLibrary
from esgledger.ingest.activity_files import StoredFile, connect, literal, read_csv_text
from esgledger.units import UnitError, conversion_factor

Month = tuple[str, int, int]  # entity, year, month


class SqlEngine(Protocol):
    """What the pipeline needs of a SQL engine."""

    name: str

    def load_records(self, files: list[StoredFile]) -> None:
        """Expose the files as the relation ``activity_records(batch, entity, ts, metric,
        quantity, unit)`` with types int, text, timestamp, text, double, text."""

    def materialise(self, name: str, query: str) -> None:
        """Compute ``query`` once and keep it as the relation ``name``."""

    def register(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Register ``rows`` as the relation ``name`` with the columns of ``sql.TABLES[name]``."""

    def query(self, query: str) -> list[tuple[Any, ...]]:
        """Run ``query`` and return all its rows."""


Lineage = tuple[int, int, str, int, float]  # factor row, batch, unit, records, quantity


@dataclass
class BulkResult:
    """The monthly results per entity, and what lineage needs to summarise them."""

    bucket: str = "day"  # the records were summed per day, or per month (see sql.BUCKETS)
    values: dict[Month, dict[str, float]] = field(default_factory=dict)
    lineage: dict[Month, list[Lineage]] = field(default_factory=dict)
    factor_rows: dict[int, FactorRow] = field(default_factory=dict)
    targets: dict[str, list[Target]] = field(default_factory=dict)

    def factors_used(self, month: Month) -> set[int]:
        return {row_id for row_id, *_rest in self.lineage.get(month, [])}

    def quantities(self, month: Month) -> list[tuple[int, str, str, int, float]]:
        """(batch, metric, unit, records, quantity) of one entity and month, sorted."""
        totals: dict[tuple[int, str, str], list[float]] = {}
        for row_id, batch, unit, records, quantity in self.lineage.get(month, []):
            total = totals.setdefault((batch, self.factor_rows[row_id].metric, unit), [0, 0.0])
            total[0] += records
            total[1] += quantity
        return [(*key, int(n), q) for key, (n, q) in sorted(totals.items())]

    @property
    def records(self) -> int:
        return sum(item[3] for items in self.lineage.values() for item in items)


def compute(
    engine: SqlEngine,
    files: list[StoredFile],
    period: Period,
    catalogue: Catalogue,
    library: FactorLibrary,
    entities: list[Entity],
    options: CalcOptions | None = None,
    parameters: dict[str, list[Parameters]] | None = None,
    selection: Selection | None = None,
) -> BulkResult:
    """The bulk inventory of ``files`` for ``period`` (a year), by entity and month."""
    targets = activity_metrics(catalogue)
    table = FactorTable(
        catalogue,
        library,
        selection or load_selection(),
        options or CalcOptions(),
        period,
        parameters,
    )
    units = {column: catalogue[m].unit for column, m in result_metrics(catalogue).items()}
    for entity in entities:
        for metric_id, metric_targets in targets.items():
            table.add(entity, metric_id, metric_targets, units)
    names = {alias: e.id for e in entities for alias in e.aliases} | {e.id: e.id for e in entities}
    result = BulkResult(
        bucket="month" if table.month_aligned() else "day",
        targets=targets,
        factor_rows={row.row_id: row for row in table.rows},
    )
    engine.load_records(files)
    engine.materialise("buckets", sql.BUCKETS[result.bucket])
    conversions, present = _resolve(engine.query(sql.PAIRS), names, targets, catalogue)
    table.check(present)
    engine.register("entity_map", sorted(names.items()))
    engine.register("unit_conversions", sorted((m, u, f) for (m, u), f in conversions.items()))
    engine.register("factors", [row.as_row(sql.RESULT_COLUMNS) for row in table.rows])
    for entity_id, year, month, *sums in engine.query(sql.RESULTS):
        result.values[(entity_id, int(year), int(month))] = {
            column: float(value)
            for column, value in zip(sql.RESULT_COLUMNS, sums, strict=True)
            if value is not None
        }
    lineage = result.lineage
    for entity_id, year, month, row_id, batch, unit, records, quantity in engine.query(sql.LINEAGE):
        lineage.setdefault((entity_id, int(year), int(month)), []).append(
            (int(row_id), int(batch), unit, int(records), float(quantity))
        )
    for items in lineage.values():
        items.sort()
    return result


def _resolve(
    pairs: list[tuple[Any, ...]],
    names: dict[str, str],
    targets: dict[str, list[Target]],
    catalogue: Catalogue,
) -> tuple[dict[tuple[str, str], float], set[tuple[str, str]]]:
    """Record units to metric units, and the (entity, metric) pairs present; a name, metric or
    unit that no longer resolves (the organisation or catalogue changed since the import) is an
    error naming it."""
    conversions: dict[tuple[str, str], float] = {}
    present: set[tuple[str, str]] = set()
    for name, metric_id, unit in pairs:
        if name not in names:
            raise CalculationError(
                f"activity records name entity {name!r}, which is no longer an "
                "entity id or alias of the organisation"
            )
        if metric_id not in targets:
            raise CalculationError(
                f"activity records carry {metric_id!r}, which is no longer an "
                "activity metric of the catalogue"
            )
        try:
            conversions[(metric_id, unit)] = conversion_factor(unit, catalogue[metric_id].unit)
        except UnitError as exc:
            raise CalculationError(f"activity records of {metric_id}: {exc}") from exc
        present.add((names[name], metric_id))
    return conversions, present


@lru_cache(maxsize=4)
def _selection(path: Path, modified: int) -> Selection:
    return Selection.load(path)


def load_selection() -> Selection:
    """The selection rules, parsed again only when the rule file changed."""
    return _selection(RULES_FILE, RULES_FILE.stat().st_mtime_ns)


_ARROW_TYPES = {
    "string": pa.string(),
    "double": pa.float64(),
    "date": pa.date32(),
    "int": pa.int32(),
}
_RECORD_COLUMNS = (
    "CAST(entity AS VARCHAR) AS entity, CAST(ts AS TIMESTAMP) AS ts, "
    "CAST(metric AS VARCHAR) AS metric, CAST(quantity AS DOUBLE) AS quantity, "
    "CAST(unit AS VARCHAR) AS unit"
)


class DuckDBEngine:
    """The embedded engine: Parquet files are scanned in place, in parallel (CSV files through
    Arrow's reader, as the import checked them)."""

    name = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None):
        self.connection = connection or connect()

    def load_records(self, files: list[StoredFile]) -> None:
        parts = []
        for stored in files:
            source = f"read_parquet({literal(stored.path)})"
            if stored.is_csv:
                source = f"csv_{stored.batch_id}"
                self.connection.register(source, read_csv_text(stored.path))
            parts.append(f"SELECT {stored.batch_id} AS batch, {_RECORD_COLUMNS} FROM {source}")
        self.connection.execute(
            "CREATE OR REPLACE TEMP VIEW activity_records AS " + " UNION ALL ".join(parts)
        )

    def materialise(self, name: str, query: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")

    def register(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        columns = sql.TABLES[name]
        schema = pa.schema([(column, _ARROW_TYPES[kind]) for column, kind in columns])
        data = pa.Table.from_pylist(
            [dict(zip((c for c, _k in columns), row, strict=True)) for row in rows], schema=schema
        )
        self.connection.register(f"{name}_rows", data)
        self.materialise(name, f"SELECT * FROM {name}_rows")
        self.connection.unregister(f"{name}_rows")

    def query(self, query: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(query).fetchall()

    def close(self) -> None:
        self.connection.close()


def month_period(month: Month) -> str:
    return f"{month[1]}-{month[2]:02d}"
