"""Typed access to the one row a DuckDB aggregate (or COPY) statement answers."""

from __future__ import annotations

from typing import Any

import duckdb


def one_row(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[Any, ...]:
    """The single row `query` returns. DuckDB types `fetchone()` as optional; an aggregate always
    answers one row, so None here is a bug worth a clear error, not a value to carry on with."""
    row = connection.execute(query).fetchone()
    if row is None:
        raise RuntimeError(f"DuckDB returned no row for: {query[:120]}")
    return row
