"""The engine's limit: the SQL dbt compiled, executed straight in DuckDB, one statement per model.

Run as a child process (`python -m mkpi.devtools.bench.baseline SPEC.json`) so its wall time and
peak memory are measured the same way as each dbt invocation. The spec (written by `mkpi benchmark`)
holds everything already rendered: settings, schemas and raw views, seed loads, and the models in
topological order. A dbt Python model cannot be run as SQL: the spec gives the dbt command that
builds it on the baseline database, and its time is kept apart from the SQL's.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb


def _connect(database: str, settings: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(database)
    for name, value in settings.items():
        literal = (
            value if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"
        )
        connection.execute(f"set {name} = {literal}")
    return connection


def _cpu_seconds() -> float:
    """CPU time of this process so far, DuckDB's worker threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(connection: duckdb.DuckDBPyConnection, statements: list[str]) -> float:
    started = time.perf_counter()
    for statement in statements:
        connection.execute(statement)
    return time.perf_counter() - started


def run_spec(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"nodes": [], "error": None}
    started = time.perf_counter()
    connection = _connect(spec["database"], spec["settings"])
    try:
        result["register_seconds"] = _timed(connection, spec["setup"])
        result["seeds_seconds"] = _timed(connection, spec["seeds"])
        for node in spec["nodes"]:
            entry = {"unique_id": node["unique_id"], "stage": node["stage"], "kind": node["kind"]}
            result["nodes"].append(entry)
            node_started = time.perf_counter()
            if node["kind"] == "sql":
                cpu_started = _cpu_seconds()
                try:
                    connection.execute(node["sql"])
                except duckdb.Error as error:
                    entry["seconds"] = time.perf_counter() - node_started
                    result["error"] = f"{node['unique_id']}: {str(error).splitlines()[0]}"
                    break
                finally:
                    entry["cpu_seconds"] = _cpu_seconds() - cpu_started
            elif node["kind"] == "python":
                # dbt needs the database file: hand it over, then take it back
                connection.close()
                children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                completed = subprocess.run(
                    node["command"],
                    env=node["env"],
                    cwd=node["cwd"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
                children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                entry["cpu_seconds"] = (
                    children_after.ru_utime
                    + children_after.ru_stime
                    - children_before.ru_utime
                    - children_before.ru_stime
                )
                connection = _connect(spec["database"], spec["settings"])
                if completed.returncode != 0:
                    entry["seconds"] = time.perf_counter() - node_started
                    result["error"] = f"{node['unique_id']}: dbt exited {completed.returncode}"
                    break
            entry["seconds"] = time.perf_counter() - node_started
    finally:
        connection.close()
    result["total_seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(
            "usage: python -m mkpi.devtools.bench.baseline SPEC.json RESULT.json", file=sys.stderr
        )
        return 2
    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = run_spec(spec)
    Path(args[1]).write_text(json.dumps(result, indent=2), encoding="utf-8")
    if result["error"]:
        print(f"baseline failed: {result['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
