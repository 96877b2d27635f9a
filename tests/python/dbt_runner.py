"""Run the project's dbt from a test: its own database, target and log folders, a raw directory.

Every end-to-end test builds into a temporary DuckDB file so tests never share state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mkpi.paths import project_root
from mkpi.pg import PgSettings, connect

BIN = Path(sys.executable).parent


def run_dbt(
    arguments: list[str],
    raw_dir: Path,
    work: Path,
    name: str = "dbt",
    extra_env: dict[str, str] | None = None,
    extra_vars: dict | None = None,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`dbt <arguments>` on `raw_dir` into `<work>/<name>.duckdb`: the result and the file.
    `extra_env` adds or overrides variables (e.g. MKPI_PG_* for `--target postgres`, another
    DBT_PROFILES_DIR), `extra_vars` dbt vars (e.g. raw_inputs)."""
    database = work / f"{name}.duckdb"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(work),
        "DBT_PROFILES_DIR": str(project_root()),
        "DBT_DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    command = [
        str(BIN / "dbt"),
        *arguments,
        "--target-path",
        str(work / f"target-{name}"),
        "--log-path",
        str(work / f"logs-{name}"),
        "--vars",
        json.dumps({"raw_data_dir": str(raw_dir), **(extra_vars or {})}),
    ]
    result = subprocess.run(
        command, cwd=project_root(), env=env, capture_output=True, text=True, check=False
    )
    return result, database


def mkpi(*arguments: str, extra_env: dict[str, str] | None = None) -> None:
    """Run the project's CLI (e.g. to write sample or dirty data); fail loudly if it fails."""
    env = {**os.environ, **(extra_env or {})}
    subprocess.run([str(BIN / "mkpi"), *arguments], check=True, capture_output=True, env=env)


def fresh_pg_database(settings: PgSettings, database: str) -> tuple[PgSettings, dict[str, str]]:
    """Drop and create `database` on the server of `settings`: its settings and the MKPI_PG_*
    variables that point dbt and `mkpi load-postgres` at it (profiles.yml)."""
    fresh = PgSettings(**{**settings.__dict__, "database": database})
    admin = connect(settings)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database} with (force)")
        cursor.execute(f"create database {database}")
    admin.close()
    env = {
        "MKPI_PG_HOST": fresh.host,
        "MKPI_PG_PORT": str(fresh.port),
        "MKPI_PG_USER": fresh.user,
        "MKPI_PG_PASSWORD": fresh.password,
        "MKPI_PG_DATABASE": fresh.database,
    }
    return fresh, env
