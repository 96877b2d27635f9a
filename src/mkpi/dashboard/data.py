"""Read what the dashboard shows from the built DuckDB file (read-only), table by table.

A table that is not there (a KPI family not built yet, `mkpi validate` not run) is simply
missing: the page says so in that spot and shows everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SCHEMA = "marts"


@dataclass
class DashboardData:
    """Every table the page reads; None when the table does not exist."""

    database: Path
    kpis: pd.DataFrame | None = None
    scorecard: pd.DataFrame | None = None
    definitions: pd.DataFrame | None = None
    validation: pd.DataFrame | None = None
    quality_issues: pd.DataFrame | None = None
    reconciliation: pd.DataFrame | None = None
    campaign_names: dict[str, str] = field(default_factory=dict)
    missing_tables: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[Any]:
        """Every month with a KPI row, in order (the data range)."""
        frames = [frame for frame in (self.kpis, self.scorecard) if frame is not None]
        months: set[Any] = set()
        for frame in frames:
            months.update(frame["month"].dropna().tolist())
        return sorted(months)


def _existing_tables(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = connection.execute(
        "select table_schema, table_name from information_schema.tables"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _read(
    connection: duckdb.DuckDBPyConnection,
    existing: set[tuple[str, str]],
    schema: str,
    table: str,
    missing: list[str],
    query: str | None = None,
) -> pd.DataFrame | None:
    if (schema, table) not in existing:
        missing.append(f"{schema}.{table}")
        return None
    frame = connection.execute(query or f'select * from "{schema}"."{table}"').df()
    if "month" in frame.columns:
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def load_dashboard_data(database: Path) -> DashboardData:
    """Open `database` read-only and read the marts the dashboard needs."""
    if not database.exists():
        raise FileNotFoundError(
            f"no DuckDB database at {database}: build the project first (make demo or dbt build)"
        )
    data = DashboardData(database=database)
    missing = data.missing_tables
    with duckdb.connect(str(database), read_only=True) as connection:
        existing = _existing_tables(connection)
        data.kpis = _read(connection, existing, SCHEMA, "fct_kpis", missing)
        data.scorecard = _read(connection, existing, SCHEMA, "fct_kpi_scorecard", missing)
        data.definitions = _read(
            connection,
            existing,
            SCHEMA,
            "dim_kpis",
            missing,
        )
        data.validation = _read(connection, existing, SCHEMA, "data_validation_results", missing)
        data.quality_issues = _read(
            connection, existing, SCHEMA, "fct_data_quality_issues", missing
        )
        data.reconciliation = _read(
            connection, existing, SCHEMA, "fct_raw_row_reconciliation", missing
        )
        data.campaign_names = _campaign_names(connection, existing)
    return data


def _campaign_names(
    connection: duckdb.DuckDBPyConnection, existing: set[tuple[str, str]]
) -> dict[str, str]:
    """campaign_id -> name, from the campaign dimension (marts only) when it exists."""
    if (SCHEMA, "dim_campaigns") not in existing:
        return {}
    rows = connection.execute(
        f'select campaign_id, campaign_name from "{SCHEMA}"."dim_campaigns"'
    ).fetchall()
    return {str(key): str(name) for key, name in rows if key is not None and name}
