"""`mkpi load-spark`: land a raw directory in the local Spark warehouse (dbt-spark `session`).

The same files, read the same way, as `mkpi load-postgres` (mkpi.loader): the contract's tables go
to `<schema>` (default raw), a connector landing's `<input>/<table>` files to `<input>.<table>`.
Each table becomes a Parquet table in the warehouse whose every column is text (lower-cased
names), so Spark's staging sees exactly the rows DuckDB's and PostgreSQL's see. A table is
replaced as a whole; tables of other inputs stay.

The Spark session is the one dbt's `spark` target opens: its settings are read from
profiles.yml (`outputs.spark.server_side_parameters`, with the same environment variables), so
both land in one warehouse and metastore (MKPI_SPARK_DIR, default target/spark). Against a
cluster (MKPI_SPARK_METHOD thrift or http) the raw tables already sit in its schemas: load them
with the cluster's own tools.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from mkpi.loader import (
    CsvDialect,
    LoadError,
    _duckdb_connection,
    add_load_arguments,
    export_parquet,
    plan_load,
    project_vars,
    run_load,
)
from mkpi.paths import project_root

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_settings(env: dict[str, str] | None = None, root: Path | None = None) -> dict[str, str]:
    """The session settings of the `spark` output in `root`'s profiles.yml (default: the
    project's), rendered with `env` (default: the environment)."""
    env = dict(os.environ if env is None else env)
    profiles_yml = (root or project_root()) / "profiles.yml"
    profiles = yaml.safe_load(profiles_yml.read_text(encoding="utf-8")) or {}
    target: dict[str, Any] = next(
        (
            profile["outputs"]["spark"]
            for profile in profiles.values()
            if isinstance(profile, dict) and "spark" in (profile.get("outputs") or {})
        ),
        {},
    )

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise LoadError(f"profiles.yml: env var {name} is not set")
        return default

    templates = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        key: templates.from_string(str(value)).render(env_var=env_var)
        for key, value in (target.get("server_side_parameters") or {}).items()
    }


def ensure_java(install: bool = True) -> None:
    """Java 17 or newer on PATH, installed by scripts/java.sh when missing (as PostgreSQL is) and
    `install`; LoadError (one line) when there is none."""
    script = project_root() / "scripts" / "java.sh"
    env = {**os.environ, "MKPI_JAVA_INSTALL": "1" if install else "0"}
    result = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise LoadError(message[-1] if message else "scripts/java.sh failed")


def session(env: dict[str, str] | None = None) -> SparkSession:
    """The local Spark session dbt's `spark` target uses (run from the project folder)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings(env).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def load(
    folder: Path, schema: str, dialect: CsvDialect | None = None, out: Any = None
) -> dict[str, int]:
    """Load every raw table of `folder` into Spark; return {schema.table: rows}."""
    out = out or sys.stdout
    dialect = dialect or CsvDialect.from_vars(project_vars())
    if os.environ.get("MKPI_SPARK_METHOD", "session") != "session":
        raise LoadError(
            "mkpi load-spark loads the local Spark session only (MKPI_SPARK_METHOD=session);"
            " a cluster's raw tables are loaded by its own tools"
        )
    raw_files = plan_load(folder, schema)
    ensure_java()
    spark = session()
    counts: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="mkpi-load-spark-") as tmp,
        _duckdb_connection(Path(tmp)) as duck,
    ):
        for target_schema in sorted({schema, *(raw.schema or schema for raw in raw_files)}):
            spark.sql(f"create database if not exists {_ident(target_schema)}")
        for raw in raw_files:
            target_schema = raw.schema or schema
            parquet = Path(tmp) / f"{target_schema}.{raw.table}.parquet"
            _, exported = export_parquet(duck, raw, parquet, dialect, schema)
            table = f"{_ident(target_schema)}.{_ident(raw.table)}"
            spark.sql(f"drop table if exists {table}")
            source = f"parquet.{_ident(str(parquet))}"
            spark.sql(f"create table {table} using parquet as select * from {source}")
            loaded = int(spark.sql(f"select count(*) from {table}").collect()[0][0])
            if loaded != exported:
                raise LoadError(f"{table}: read {exported} rows but Spark stored {loaded}")
            counts[f"{target_schema}.{raw.table}"] = loaded
            print(f"{target_schema}.{raw.table}: {loaded} rows from {raw.path}", file=out)
    return counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_load_arguments(parser, "Spark")


def run(args: argparse.Namespace) -> int:
    return run_load(
        args, load, lambda: f"(Spark warehouse {spark_settings().get('spark.sql.warehouse.dir')})"
    )
