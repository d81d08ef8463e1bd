"""The bulk inventory in plain SQL, written once for DuckDB and for Spark SQL (issue 3, item 8).

Only constructs both engines share: ``CAST``, ``EXTRACT``, ``MAKE_DATE``, inner joins with range
conditions, ``GROUP BY`` of expressions. Nothing engine-specific (no ``ASOF JOIN``, ``QUALIFY``,
``date_trunc``, list or string functions); each engine only supplies the relations named below.

Relations an engine provides:

- ``activity_records(batch, entity, ts, metric, quantity, unit)``: every record of the period's
  files, ``batch`` being the import batch of the file it comes from;
- ``buckets``: :data:`BUCKETS` materialised (the one pass over the records);
- ``entity_map(name, entity_id)``: every entity id and alias, to its entity id;
- ``unit_conversions(metric, unit, to_metric_unit)``: multiplier from a record unit to the metric's;
- ``factors(row_id, entity, metric, valid_from, valid_to, <one column per result>)``: the per-unit
  factor table of :mod:`esgledger.calc.bulk.factors`, valid on ``valid_from <= day < valid_to``.

Factors are constant inside their validity intervals, and those start on dates, so the records are
summed per file, entity, metric, unit and day first; when every interval starts on the first day of
a month (the usual case: yearly grid factors, monthly measured parameters), per month is as exact
and much cheaper (:data:`BUCKETS`). Only those sums meet the small factor and unit tables
(:data:`RESULTS`), which keeps the cost close to one scan of the records. Files usually cover
separate stretches of time, so keeping each file's records apart (for lineage) adds few groups.

:data:`RESULTS` sums by entity and month; :data:`LINEAGE` keeps, for each entity and month, the
factor rows, files and units behind the sums, with their record counts and quantities (what the
lineage summary of each result says). Results come unordered.
"""

from __future__ import annotations

RESULT_COLUMNS = ("energy_tce", "scope1_co2e", "scope2_location_co2e", "scope2_market_co2e")

# Engine-neutral column types of the small tables each engine registers.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "entity_map": (("name", "string"), ("entity_id", "string")),
    "unit_conversions": (("metric", "string"), ("unit", "string"), ("to_metric_unit", "double")),
    "factors": (
        ("row_id", "int"),
        ("entity", "string"),
        ("metric", "string"),
        ("valid_from", "date"),
        ("valid_to", "date"),
    )
    + tuple((column, "double") for column in RESULT_COLUMNS),
}

_KEYS = "batch, entity, metric, unit"

BUCKETS = {
    "day": f"""
SELECT {_KEYS}, CAST(ts AS DATE) AS activity_day, COUNT(*) AS records, SUM(quantity) AS quantity
FROM activity_records
GROUP BY {_KEYS}, CAST(ts AS DATE)
""",
    "month": f"""
SELECT {_KEYS}, MAKE_DATE(yr, mo, 1) AS activity_day, records, quantity
FROM (SELECT {_KEYS}, EXTRACT(YEAR FROM ts) AS yr, EXTRACT(MONTH FROM ts) AS mo,
             COUNT(*) AS records, SUM(quantity) AS quantity
      FROM activity_records
      GROUP BY {_KEYS}, EXTRACT(YEAR FROM ts), EXTRACT(MONTH FROM ts)) monthly
""",
}

PAIRS = "SELECT DISTINCT entity, metric, unit FROM buckets"

_YEAR = "EXTRACT(YEAR FROM d.activity_day)"
_MONTH = "EXTRACT(MONTH FROM d.activity_day)"
_SUMS = ",\n       ".join(
    f"SUM(d.quantity * u.to_metric_unit * f.{c}) AS {c}" for c in RESULT_COLUMNS
)

_JOINS = """FROM buckets d
JOIN entity_map e ON d.entity = e.name
JOIN unit_conversions u ON d.metric = u.metric AND d.unit = u.unit
JOIN factors f ON f.entity = e.entity_id AND f.metric = d.metric
               AND d.activity_day >= f.valid_from AND d.activity_day < f.valid_to"""

RESULTS = f"""
SELECT e.entity_id AS entity, {_YEAR} AS yr, {_MONTH} AS mo,
       {_SUMS}
{_JOINS}
GROUP BY e.entity_id, {_YEAR}, {_MONTH}
"""

LINEAGE = f"""
SELECT e.entity_id AS entity, {_YEAR} AS yr, {_MONTH} AS mo, f.row_id AS row_id,
       d.batch AS batch, d.unit AS unit, SUM(d.records) AS records, SUM(d.quantity) AS quantity
{_JOINS}
GROUP BY e.entity_id, {_YEAR}, {_MONTH}, f.row_id, d.batch, d.unit
"""
