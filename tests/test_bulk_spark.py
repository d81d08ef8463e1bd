"""The bulk SQL, written once, gives the same results on Spark as on DuckDB (issue 3, item 8).

PySpark runs in local mode (``local[1]``, loopback only) on a few thousand records in Parquet and
CSV files. This test never skips: PySpark comes with the ``test`` extra and Java with the machine.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # before the JVM starts

from pyspark.sql import SparkSession  # noqa: E402

from esgledger.calc.bulk import sql  # noqa: E402
from esgledger.calc.bulk.run import BulkResult, DuckDBEngine, compute  # noqa: E402
from esgledger.calc.bulk.spark import SparkEngine  # noqa: E402
from esgledger.calc.context import SiteParameter  # noqa: E402
from esgledger.calc.formulas import FORMULAS  # noqa: E402
from esgledger.catalogue import Catalogue, load_catalogue  # noqa: E402
from esgledger.domain import Entity, Period  # noqa: E402
from esgledger.factors import FactorLibrary, load_library  # noqa: E402
from esgledger.ingest.activity_files import (
    StoredFile,  # noqa: E402
    sha256_of,  # noqa: E402
)
from tests import bulk_data  # noqa: E402
from tests.helpers import write_csv  # noqa: E402


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[1]")
        .appName("esgledger-bulk-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _entities() -> list[Entity]:
    found = [Entity("bk_grp", "Group", "CN", type="group")]
    for name, (country, region, _kinds) in bulk_data.PLANTS.items():
        found.append(
            Entity(
                f"bk_{name}",
                name,
                country,
                parent_id="bk_grp",
                type="plant",
                grid_region=region or None,
            )
        )
    return found


def _files(tmp_path: Path) -> list[StoredFile]:
    rows = sorted(bulk_data.records("bk_"), key=lambda r: r[1])
    first_half = [r for r in rows if r[1] < dt.datetime(2024, 7, 1)]
    second = [r for r in rows if r[1] >= dt.datetime(2024, 7, 1)]
    delivered, metered = second[: len(second) // 3], second[len(second) // 3 :]
    paths = [
        bulk_data.write_parquet(tmp_path / "h1.parquet", first_half),
        bulk_data.write_parquet(tmp_path / "h2.parquet", metered),
        write_csv(
            tmp_path / "h2.csv",
            ["entity", "ts", "metric", "quantity", "unit"],
            [[e, f"{t:%Y-%m-%d %H:%M:%S}", m, repr(q), u] for e, t, m, q, u in delivered],
        ),
    ]
    return [StoredFile(n, p.name, sha256_of(p), p) for n, p in enumerate(paths, start=1)]


def _run(
    engine: object, files: list[StoredFile], catalogue: Catalogue, change: dt.date
) -> BulkResult:
    library = FactorLibrary([*load_library().sets.values(), bulk_data.midyear_grid_edition(change)])
    ncv = {
        ("ncv", "energy.natural_gas"): SiteParameter(
            "site.natural_gas.ncv", 390.0, "GJ/wan_m3", "site.natural_gas.ncv@bk_power@2024"
        )
    }
    parameters = {"bk_power": [ncv if 4 <= m <= 9 else {} for m in range(1, 13)]}
    return compute(
        engine,
        files,
        Period(2024),
        catalogue,
        library,  # type: ignore[arg-type]
        _entities(),
        parameters=parameters,
    )


@pytest.mark.parametrize(
    "change,bucket", [(dt.date(2024, 7, 1), "month"), (dt.date(2024, 7, 15), "day")]
)
def test_spark_and_duckdb_agree(
    spark: SparkSession, tmp_path: Path, change: dt.date, bucket: str
) -> None:
    """With factors changing on the first of a month the records are summed per month, with a
    change in mid-month per day: both ways on both engines."""
    catalogue = load_catalogue(known_functions=set(FORMULAS))
    files = _files(tmp_path)
    duck = _run(DuckDBEngine(), files, catalogue, change)
    on_spark = _run(SparkEngine(spark), files, catalogue, change)
    assert duck.bucket == on_spark.bucket == bucket
    assert len(duck.values) == 3 * 12  # three plants, twelve months
    assert on_spark.values.keys() == duck.values.keys()
    for month, columns in duck.values.items():
        assert on_spark.values[month].keys() == columns.keys(), month
        for column, value in columns.items():
            assert on_spark.values[month][column] == pytest.approx(value, rel=1e-12), month
    assert on_spark.lineage.keys() == duck.lineage.keys()
    for month, items in duck.lineage.items():
        # factor row, batch, unit and record count alike; quantities up to summation order
        assert [i[:4] for i in on_spark.lineage[month]] == [i[:4] for i in items]
        for theirs, ours in zip(on_spark.lineage[month], items, strict=True):
            assert theirs[4] == pytest.approx(ours[4], rel=1e-12)
    batches = {item[1] for items in duck.lineage.values() for item in items}
    assert batches == {1, 2, 3}  # every file was read, CSV included


def test_the_sql_uses_no_engine_specific_syntax() -> None:
    text = " ".join([*sql.BUCKETS.values(), sql.PAIRS, sql.RESULTS, sql.LINEAGE]).upper()
    for construct in ("ASOF", "QUALIFY", "::", "DATE_TRUNC", "STRFTIME", "LIST(", "GROUP BY ALL"):
        assert construct not in text
