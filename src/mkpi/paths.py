"""Where things live in the project checkout."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder that holds dbt_project.yml: env MKPI_PROJECT_DIR, else the nearest parent."""
    env = os.environ.get("MKPI_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "dbt_project.yml").is_file():
                return folder
    raise FileNotFoundError("no dbt_project.yml found above the current folder or the package")


def sample_dir() -> Path:
    """The bundled sample raw data set."""
    return project_root() / "data" / "sample"


def duckdb_path() -> Path:
    """The DuckDB database file dbt builds into (env DBT_DUCKDB_PATH, default target/)."""
    env = os.environ.get("DBT_DUCKDB_PATH")
    return Path(env) if env else project_root() / "target" / "marketing.duckdb"


# Connector inputs (docs/connectors.md) and the landed tables whose rows they reject with a
# reason: `fct_data_quality_issues.source_table` names them as `<input>.<table>` (rejected rows)
# or `<input>` (unmatched campaign values).
CONNECTOR_INPUTS: tuple[str, ...] = (
    "hubspot",
    "google_ads",
    "facebook_ads",
    "linkedin_ads",
    "ga4",
    "search_console",
    "stripe",
    "shopify",
)
CONNECTOR_REJECTING_TABLES: tuple[str, ...] = (
    "hubspot.contact",
    "hubspot.deal",
    "ga4.events_flat",
    "search_console.keyword_site_report_by_site",
    "search_console.searchdata_site_impression",
    "stripe.invoice_line_item",
    "shopify.order",
    "shopify.order_line",
)
