"""Bulk activity data (issue 3, item 8): activity records too many for data points (meter readings,
fuel deliveries) kept as Parquet or CSV files and computed in SQL.

- :mod:`.validate`: checks a file in DuckDB (every problem names the record and field);
- :mod:`.files`: hashing and the content-addressed store beside the ledger;
- :mod:`.metrics`: which metrics records may carry and which engine formulas value them;
- :mod:`.factors`: the per-unit factor table, made by the engine's own formula functions;
- :mod:`.sql`: the inventory SQL, written once for DuckDB and Spark SQL;
- :mod:`.run`: the engine-neutral pipeline and the DuckDB engine; :mod:`.spark`: the Spark engine;
- :mod:`.summary`: the lineage summary kept in each result's note;
- :mod:`.service`: ``activity import`` and ``activity calc`` against the ledger.
"""
