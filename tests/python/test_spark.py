"""The Spark build (dbt-spark `session`, Parquet) of the sample passes every model, seed, data test
and unit test, and its `fct_kpis` equals DuckDB's, on the sample and on the dirty set (every
reject reason): keys exact, numbers to 1e-9 (compare_builds.same_number), attribution included.

Each build has its own warehouse and metastore (MKPI_SPARK_DIR in a temporary folder). Spark's
tables are read back as the Parquet files of its warehouse, with DuckDB, so no second Spark
session competes for the metastore. Needs Java 17 (scripts/java.sh) and pyspark: skipped
without them, unless MKPI_REQUIRE_SPARK=1 (`make test`), which fails instead.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from compare_builds import same_number
from dbt_runner import mkpi, run_dbt

from mkpi.loader import LoadError
from mkpi.paths import project_root, sample_dir
from mkpi.spark import ensure_java

pytestmark = [pytest.mark.dbt, pytest.mark.spark]

REQUIRED = os.environ.get("MKPI_REQUIRE_SPARK") == "1"
# settings for small data (profiles.yml): less planning per query; results do not depend on them
SMALL_DATA = {
    "MKPI_SPARK_ADAPTIVE": "false",
    "MKPI_SPARK_CODEGEN": "false",
    "MKPI_SPARK_SHUFFLE_PARTITIONS": "1",
}
# seeds and models, no tests (the sample's Spark build runs every test once)
MODELS_ONLY = [
    "build",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
    "--select",
]
KPI_COLUMNS = (
    "kpi, cast(month as varchar) as month, dimension, dimension_value,"
    " coalesce(attribution_model, '-') as model, numerator, denominator, value"
)


def _require_spark() -> None:
    problem = None
    if importlib.util.find_spec("pyspark") is None:
        problem = "pyspark is not installed"
    else:
        try:
            ensure_java(install=REQUIRED)
        except LoadError as error:
            problem = str(error)
    if problem:
        if REQUIRED:
            pytest.fail(f"Spark not available: {problem} (MKPI_REQUIRE_SPARK=1)")
        pytest.skip(f"Spark not available: {problem}")


def _spark_build(raw: Path, work: Path, name: str, arguments: list[str]) -> tuple[str, Path]:
    """Load `raw` into a fresh local Spark warehouse and run dbt there: (dbt's output, folder)."""
    spark_dir = work / f"spark-{name}"
    env = {"MKPI_SPARK_DIR": str(spark_dir), **SMALL_DATA}
    load = subprocess.run(
        [str(Path(sys.executable).parent / "mkpi"), "load-spark", "--dir", str(raw)],
        cwd=project_root(),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert load.returncode == 0, load.stderr[-3000:]
    result, _ = run_dbt([*arguments, "--target", "spark"], raw, work, name, extra_env=env)
    assert result.returncode == 0, result.stdout[-5000:]
    return result.stdout, spark_dir


def _spark_rows(spark_dir: Path, sql: str) -> list[tuple]:
    """`sql` over Spark's tables, read as the Parquet files of its warehouse (`schema.table`
    in `sql` becomes the files of `<warehouse>/<schema>.db/<table>/`)."""
    warehouse = spark_dir / "warehouse"
    duck = duckdb.connect()
    for schema_dir in warehouse.glob("*.db"):
        schema = schema_dir.name.removesuffix(".db")
        duck.execute(f"create schema if not exists {schema}")
        for table_dir in schema_dir.iterdir():
            if any(table_dir.glob("*.parquet")):
                duck.execute(
                    f"create view {schema}.{table_dir.name} as"
                    f" select * from read_parquet('{table_dir}/*.parquet')"
                )
    return duck.sql(sql).fetchall()


def _kpis_by_key(rows: list[tuple]) -> dict[tuple, tuple]:
    return {row[:5]: row[5:] for row in rows}


def _assert_same_kpis(duck_rows: list[tuple], spark_rows: list[tuple]) -> None:
    duck_by_key, spark_by_key = _kpis_by_key(duck_rows), _kpis_by_key(spark_rows)
    assert len(duck_rows) == len(duck_by_key) > 0
    assert len(spark_rows) == len(spark_by_key)
    assert duck_by_key.keys() == spark_by_key.keys(), (
        sorted(duck_by_key.keys() - spark_by_key.keys())[:5],
        sorted(spark_by_key.keys() - duck_by_key.keys())[:5],
    )
    mismatches = [
        (key, name, left, right)
        for key, duck_values in duck_by_key.items()
        for name, left, right in zip(
            ("numerator", "denominator", "value"), duck_values, spark_by_key[key], strict=True
        )
        if not same_number(
            None if left is None else float(left), None if right is None else float(right)
        )
    ]
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:5]}"


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """The sample built on Spark (everything, tests included) and on DuckDB."""
    _require_spark()
    work = tmp_path_factory.mktemp("spark-sample")
    result, database = run_dbt([*MODELS_ONLY, "+fct_kpis"], sample_dir(), work, "duck")
    assert result.returncode == 0, result.stdout[-3000:]
    output, spark_dir = _spark_build(sample_dir(), work, "sample", ["build"])
    return output, spark_dir, database


@pytest.fixture(scope="module")
def dirty_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The dirty set (every reject reason) built up to fct_kpis on Spark and on DuckDB."""
    _require_spark()
    work = tmp_path_factory.mktemp("spark-dirty")
    raw = work / "raw"
    mkpi("dirty", "--out", str(raw))
    arguments = [*MODELS_ONLY, "+fct_kpis +fct_data_quality_issues"]
    result, database = run_dbt(arguments, raw, work, "duck")
    assert result.returncode == 0, result.stdout[-3000:]
    _, spark_dir = _spark_build(raw, work, "dirty", arguments)
    return spark_dir, database


def test_the_sample_builds_and_passes_every_test_on_spark(sample_builds) -> None:
    output, _, _ = sample_builds
    summary = [line for line in output.splitlines() if "Done. PASS=" in line]
    assert summary and " ERROR=0 " in summary[-1] and " SKIP=0 " in summary[-1], summary
    # models, seeds, data tests and unit tests all ran: the count matches DuckDB's build
    assert int(summary[-1].split("PASS=")[1].split()[0]) > 500


def test_fct_kpis_on_spark_equals_duckdb_on_the_sample(sample_builds) -> None:
    _, spark_dir, database = sample_builds
    sql = f"select {KPI_COLUMNS} from marts.fct_kpis"
    with duckdb.connect(str(database), read_only=True) as duck:
        duck_rows = duck.sql(sql).fetchall()
    spark_rows = _spark_rows(spark_dir, sql)
    _assert_same_kpis(duck_rows, spark_rows)
    models = {row[4] for row in spark_rows}
    assert {"markov", "w_shaped", "linear"} <= models


def test_attribution_paths_come_out_in_touch_order_on_spark(sample_builds) -> None:
    """Paths are listed in touch order (dbt's Spark listagg ignores `order by`)."""
    _, spark_dir, database = sample_builds
    sql = "select * from intermediate.int_conversion_paths_built order by all"
    with duckdb.connect(str(database), read_only=True) as duck:
        duck_rows = duck.sql(sql).fetchall()
    spark_rows = _spark_rows(spark_dir, sql)
    assert len(duck_rows) == len(spark_rows) > 0
    assert [tuple(map(str, row)) for row in duck_rows] == [
        tuple(map(str, row)) for row in spark_rows
    ]


def test_fct_kpis_on_spark_equals_duckdb_on_the_dirty_set(dirty_builds) -> None:
    spark_dir, database = dirty_builds
    sql = f"select {KPI_COLUMNS} from marts.fct_kpis"
    with duckdb.connect(str(database), read_only=True) as duck:
        duck_rows = duck.sql(sql).fetchall()
    _assert_same_kpis(duck_rows, _spark_rows(spark_dir, sql))


def test_rejects_on_spark_equal_duckdb_on_the_dirty_set(dirty_builds) -> None:
    """Unparseable raw values are rejects with the same reasons (ANSI mode raises no error)."""
    spark_dir, database = dirty_builds
    sql = "select * from marts.fct_data_quality_issues order by all"
    with duckdb.connect(str(database), read_only=True) as duck:
        duck_rows = duck.sql(sql).fetchall()
    spark_rows = _spark_rows(spark_dir, sql)
    assert [tuple(map(str, row)) for row in duck_rows] == [
        tuple(map(str, row)) for row in spark_rows
    ]
    assert len({row[2] for row in spark_rows if row[1] == "rejected_row"}) >= 10, spark_rows
