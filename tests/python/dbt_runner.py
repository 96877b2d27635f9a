"""Run the project's dbt from a test: its own database, target and log folders, a raw directory.

Every end-to-end test builds into a temporary DuckDB file so tests never share state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mkpi.paths import project_root

BIN = Path(sys.executable).parent


def run_dbt(
    arguments: list[str], raw_dir: Path, work: Path, name: str = "dbt"
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`dbt <arguments>` on `raw_dir` into `<work>/<name>.duckdb`: the result and the file."""
    database = work / f"{name}.duckdb"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(work),
        "DBT_PROFILES_DIR": str(project_root()),
        "DBT_DUCKDB_PATH": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(BIN / "dbt"),
        *arguments,
        "--target-path",
        str(work / f"target-{name}"),
        "--log-path",
        str(work / f"logs-{name}"),
        "--vars",
        json.dumps({"raw_data_dir": str(raw_dir)}),
    ]
    result = subprocess.run(
        command, cwd=project_root(), env=env, capture_output=True, text=True, check=False
    )
    return result, database


def mkpi(*arguments: str) -> None:
    """Run the project's CLI (e.g. to write sample or dirty data); fail loudly if it fails."""
    subprocess.run([str(BIN / "mkpi"), *arguments], check=True, capture_output=True)
