"""The bulk inventory in plain SQL, written once for DuckDB and for Spark SQL (issue 3, item 8).

Only constructs both engines share: ``CAST``, ``EXTRACT``, inner joins with range conditions,
``GROUP BY`` of expressions. Nothing engine-specific (no ``ASOF JOIN``, ``QUALIFY``,
``date_trunc``, list or string functions); each engine only supplies the relations named below.

Relations an engine provides:

- ``activity_records(batch, entity, ts, metric, quantity, unit)``: every record of the period's
  files, ``batch`` being the import batch of the file it comes from;
- ``daily``: :data:`DAILY` materialised (the one pass over the records);
- ``entity_map(name, entity_id)``: every entity id and alias in the files, to its entity id;
- ``unit_conversions(metric, unit, to_metric_unit)``: multiplier from a record unit to the metric's;
- ``factors(row_id, entity, metric, valid_from, valid_to, <one column per result>)``: the per-unit
  factor table of :mod:`esgledger.calc.bulk.factors`, valid on ``valid_from <= day < valid_to``.

Results come unordered; callers sort them.

Factors are constant inside their validity intervals, and those start on dates, so the records are
summed per file, entity, metric, unit and day first (:data:`DAILY`); only those daily sums meet the
small factor and unit tables (:data:`RESULTS`), which keeps the cost close to one scan of the
records. Files usually cover separate stretches of time, so keeping the file apart (for lineage)
adds few groups.
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

DAILY = """
SELECT batch, entity, metric, unit, CAST(ts AS DATE) AS activity_day,
       COUNT(*) AS records, SUM(quantity) AS quantity
FROM activity_records
GROUP BY batch, entity, metric, unit, CAST(ts AS DATE)
"""

PAIRS = "SELECT DISTINCT entity, metric, unit FROM daily"

_YEAR = "EXTRACT(YEAR FROM d.activity_day)"
_MONTH = "EXTRACT(MONTH FROM d.activity_day)"
_ENTITY = "FROM daily d JOIN entity_map e ON d.entity = e.name"
_JOINS = f"""{_ENTITY}
JOIN unit_conversions u ON d.metric = u.metric AND d.unit = u.unit
JOIN factors f ON f.entity = e.entity_id AND f.metric = d.metric
               AND d.activity_day >= f.valid_from AND d.activity_day < f.valid_to"""
_SUMS = ",\n       ".join(
    f"SUM(d.quantity * u.to_metric_unit * f.{c}) AS {c}" for c in RESULT_COLUMNS
)

RESULTS = f"""
SELECT e.entity_id AS entity, {_YEAR} AS yr, {_MONTH} AS mo,
       {_SUMS}
{_JOINS}
GROUP BY e.entity_id, {_YEAR}, {_MONTH}
"""

FACTORS_USED = f"""
SELECT DISTINCT e.entity_id AS entity, {_YEAR} AS yr, {_MONTH} AS mo, f.row_id AS row_id
{_JOINS}
"""

QUANTITIES = f"""
SELECT e.entity_id AS entity, {_YEAR} AS yr, {_MONTH} AS mo, d.batch AS batch,
       d.metric AS metric, d.unit AS unit, SUM(d.records) AS records, SUM(d.quantity) AS quantity
{_ENTITY}
GROUP BY e.entity_id, {_YEAR}, {_MONTH}, d.batch, d.metric, d.unit
"""
