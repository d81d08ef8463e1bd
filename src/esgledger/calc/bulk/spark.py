"""The Spark engine for the bulk pipeline: the same SQL (:mod:`esgledger.calc.bulk.sql`) on a
cluster, for activity data that outgrows one machine (issue 3, item 8).

PySpark is not a dependency of esgledger; pass a ``SparkSession`` whose
``spark.sql.session.timeZone`` is ``UTC`` (DuckDB reads timestamps the same way). Only reading the
files and registering the small tables differ from :class:`~esgledger.calc.bulk.run.DuckDBEngine`.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from esgledger.calc.bulk import sql
from esgledger.ingest.activity_files import StoredFile

_RECORD_COLUMNS = (
    "CAST(entity AS STRING) AS entity",
    "CAST(ts AS TIMESTAMP) AS ts",
    "CAST(metric AS STRING) AS metric",
    "CAST(quantity AS DOUBLE) AS quantity",
    "CAST(unit AS STRING) AS unit",
)


class SparkEngine:
    name = "spark"

    def __init__(self, session: Any):
        self.session = session

    def load_records(self, files: list[StoredFile]) -> None:
        frames = []
        for stored in files:
            reader = self.session.read
            frame = (
                reader.option("header", "true").csv(str(stored.path))
                if stored.is_csv
                else reader.parquet(str(stored.path))
            )
            frames.append(frame.selectExpr(f"{stored.batch_id} AS batch", *_RECORD_COLUMNS))
        reduce(lambda a, b: a.unionByName(b), frames).createOrReplaceTempView("activity_records")

    def materialise(self, name: str, query: str) -> None:
        self.session.sql(query).cache().createOrReplaceTempView(name)

    def register(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        schema = ", ".join(f"{column} {kind}" for column, kind in sql.TABLES[name])
        self.session.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)

    def query(self, query: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(query).collect()]
