"""Bulk activity data (issue 3, item 8): activity records too many for data points (meter readings,
fuel deliveries) kept as Parquet or CSV files and computed in SQL.

- :mod:`esgledger.ingest.activity`: ``activity import`` (the file is checked, stored and registered
  there: :mod:`~esgledger.ingest.activity_check`, :mod:`~esgledger.ingest.activity_files`);
- :mod:`.metrics`: which metrics records may carry and which engine formulas value them;
- :mod:`.factors`: the per-unit factor table, made by the engine's own formula functions;
- :mod:`.sql`: the inventory SQL, written once for DuckDB and Spark SQL;
- :mod:`.run`: the engine-neutral pipeline and the DuckDB engine; :mod:`.spark`: the Spark engine;
- :mod:`.summary`: the lineage summary kept in each result's note;
- :mod:`.service`: ``activity calc`` against the ledger.
"""
