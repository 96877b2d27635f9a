"""Small DuckDB look-ups for `mkpi benchmark`, run in a child process.

A child's peak RSS (ru_maxrss) on Linux starts from the high-water mark of the process that
spawned it, so the benchmark process itself must stay small: it never imports DuckDB and asks
this module instead (`python -m mkpi.devtools.bench.probe REQUEST.json` prints a JSON answer).

Requests: {"raw_rows": DIR}, {"relation_rows": [DATABASE, {name: relation}]},
{"threads": DATABASE}, {"calibration": null}, {"compare_kpis": [DATABASE, DATABASE]}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from mkpi.duckdb_rows import one_row
from mkpi.raw_contract import raw_table_names

CALIBRATION_SQL = (
    "select count(*) from (select hash(i) % 2000000 as k, count(*) as n"
    " from range(20000000) as numbers(i) group by k)"
)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_rows(folder: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with duckdb.connect() as connection:
        for table in raw_table_names():
            parquet, csv = Path(folder) / f"{table}.parquet", Path(folder) / f"{table}.csv"
            if parquet.is_file():
                reader = f"read_parquet({_literal(str(parquet))})"
            elif csv.is_file():
                reader = f"read_csv({_literal(str(csv))}, header = true, all_varchar = true)"
            else:
                continue
            counts[table] = int(one_row(connection, f"select count(*) from {reader}")[0])
    return counts


def relation_rows(database: str, relations: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not Path(database).is_file():
        return counts
    with duckdb.connect(database, read_only=True) as connection:
        for name, relation in sorted(relations.items()):
            try:
                row = one_row(connection, f"select count(*) from {relation}")
            except duckdb.Error:
                continue
            counts[name] = int(row[0])
    return counts


def threads(database: str) -> int | None:
    if not Path(database).is_file():
        return None
    with duckdb.connect(database, read_only=True) as connection:
        return int(one_row(connection, "select current_setting('threads')")[0])


def calibration() -> float:
    """Seconds for a fixed hash aggregation (20M rows, 2M groups): how fast the machine is now."""
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        connection.execute(CALIBRATION_SQL).fetchall()
        return time.perf_counter() - started


KPI_KEYS = ("kpi", "month", "dimension", "dimension_value", "attribution_model")
KPI_NUMBERS = ("numerator", "denominator", "value")


def compare_kpis(left: str, right: str) -> dict[str, int]:
    """fct_kpis of two databases: rows, rows without a partner (by key) and rows whose numbers
    differ by more than 1e-9 (relative; sums of doubles may add up in another order)."""
    matched = " and ".join(f"a.{key} is not distinct from b.{key}" for key in KPI_KEYS)
    differs = " or ".join(
        f"not (a.{n} is not distinct from b.{n}"
        f" or abs(a.{n} - b.{n}) <= 1e-9 * greatest(abs(a.{n}), abs(b.{n}), 1))"
        for n in KPI_NUMBERS
    )
    with duckdb.connect() as connection:
        connection.execute(f"attach {_literal(left)} as a (read_only)")
        connection.execute(f"attach {_literal(right)} as b (read_only)")
        rows, unmatched, different = one_row(
            connection,
            f"select count(*), count(*) filter (where a.kpi is null or b.kpi is null),"
            f" count(*) filter (where a.kpi is not null and b.kpi is not null and ({differs}))"
            f" from a.marts.fct_kpis as a full join b.marts.fct_kpis as b on {matched}",
        )
    return {"rows": int(rows), "unmatched": int(unmatched), "different": int(different)}


def answer(request: dict[str, Any]) -> Any:
    if "raw_rows" in request:
        return raw_rows(request["raw_rows"])
    if "relation_rows" in request:
        database, relations = request["relation_rows"]
        return relation_rows(database, relations)
    if "threads" in request:
        return threads(request["threads"])
    if "calibration" in request:
        return calibration()
    if "compare_kpis" in request:
        return compare_kpis(*request["compare_kpis"])
    raise ValueError(f"unknown request: {sorted(request)}")


def main() -> int:
    request = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(answer(request)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
