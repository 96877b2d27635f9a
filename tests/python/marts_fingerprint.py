"""Fingerprints of the sample build's KPI facts: one md5 per mart over its rows in one order,
floats written by repr (exact to the bit), so a single changed bit or row shows.

The stored fingerprint (fixtures/sample_marts_fingerprint.json) was taken from the build of main
before the measures were made wide (issue 14): fct_kpis, the attribution credits and the MRR facts
must stay exactly what they were. Rewrite it only for a deliberate change of these marts:

    DBT_DUCKDB_PATH=/tmp/sample.duckdb dbt build --full-refresh
    python tests/python/marts_fingerprint.py /tmp/sample.duckdb \
        > tests/python/fixtures/sample_marts_fingerprint.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

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


if __name__ == "__main__":
    print(json.dumps(fingerprint(Path(sys.argv[1])), indent=2, sort_keys=True))
