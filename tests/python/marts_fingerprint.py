"""Fingerprints of the sample build's KPI facts: one md5 per mart over its rows in one order,
floats written by repr (exact to the bit), so a single changed bit or row shows.

The stored fingerprints (fixtures/sample_marts_fingerprint.json, one per database: DuckDB and
PostgreSQL round doubles the same way but not every last bit of every aggregate) were taken from
the builds of main before the measures were made wide (issue 14): fct_kpis, the attribution
credits and the MRR facts must stay exactly what they were. Rewrite them only for a deliberate
change of these marts; print the DuckDB one with

    DBT_DUCKDB_PATH=/tmp/sample.duckdb dbt build --full-refresh
    python tests/python/marts_fingerprint.py /tmp/sample.duckdb

(the PostgreSQL one: `pg_fingerprint` on a connection to a sample build).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import duckdb

MARTS = ("fct_kpis", "fct_attribution_credits", "fct_mrr_monthly")


def rows_digest(found: list[tuple]) -> dict[str, object]:
    """md5 of rows written as CSV lines (floats by repr), and the row count."""
    digest = hashlib.md5()
    for row in found:
        line = ",".join(
            "" if value is None else repr(value) if isinstance(value, float) else str(value)
            for value in row
        )
        digest.update(line.encode() + b"\n")
    return {"md5": digest.hexdigest(), "rows": len(found)}


def fingerprint(database: Path) -> dict[str, dict[str, object]]:
    """The digest of every mart of MARTS in a DuckDB build, rows ordered by all columns."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            mart: rows_digest(connection.sql(f"select * from marts.{mart} order by all").fetchall())
            for mart in MARTS
        }


def pg_fingerprint(connection: Any) -> dict[str, dict[str, object]]:
    """The same digests from a PostgreSQL build (rows ordered by every column)."""
    found = {}
    for mart in MARTS:
        with connection.cursor() as cursor:
            cursor.execute(f"select * from marts.{mart} limit 0")
            columns = ", ".join(str(number + 1) for number in range(len(cursor.description)))
            cursor.execute(f"select * from marts.{mart} order by {columns}")
            found[mart] = rows_digest(cursor.fetchall())
    return found


if __name__ == "__main__":
    print(json.dumps(fingerprint(Path(sys.argv[1])), indent=2, sort_keys=True))
