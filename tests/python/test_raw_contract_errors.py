"""A raw directory missing a table or a column fails the build with one line that names it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dbt_runner import run_dbt

pytestmark = pytest.mark.dbt

TABLES = {
    "campaigns": "campaign_id,campaign_name,channel,started_on,ended_on\n"
    "c1,Brand,Google Ads,2026-01-01,\n",
    "costs": "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks\n"
    "2026-01-02,Google Ads,c1,media,10,EUR,,\n",
    "leads": "lead_id,created_at,email,original_channel,original_campaign_id,"
    "mql_at,sql_at,customer_at\n"
    "L1,2026-01-02T10:00:00,,Google Ads,c1,,,\n",
    "touchpoints": "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,"
    "pageviews,engaged_seconds,created_lead\n"
    "t1,v1,L1,2026-01-02T10:00:00,Google Ads,c1,/,1,10,true\n",
    "deals": "deal_id,lead_id,created_at,closed_at,stage,amount,currency\n",
    "subscriptions": "subscription_id,lead_id,plan,mrr,currency,valid_from,valid_to\n",
    "orders": "order_id,lead_id,ordered_at,revenue,cogs,currency\n",
    "keyword_rankings": "ranked_on,keyword,position,is_money_keyword,search_volume\n",
}


def write_raw(folder: Path, tables: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def dbt_seed(raw_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`dbt seed`: fires the on-run-start contract check without building any model."""
    result, _ = run_dbt(["seed"], raw_dir, tmp_path, "contract")
    return result


def test_missing_table_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_raw(raw, {name: text for name, text in TABLES.items() if name != "orders"})
    result = dbt_seed(raw, tmp_path)
    assert result.returncode != 0
    expected = f"raw table 'orders' not found: expected {raw}/orders.csv or .parquet"
    assert expected in result.stdout


def test_missing_column_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    tables = dict(TABLES)
    tables["leads"] = tables["leads"].replace(",mql_at", ",mql_date")
    write_raw(raw, tables)
    result = dbt_seed(raw, tmp_path)
    assert result.returncode != 0
    assert f"raw table 'leads' is missing column 'mql_at' (in {raw}/leads.csv)" in result.stdout


def test_complete_directory_passes_the_check(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_raw(raw, TABLES)
    result = dbt_seed(raw, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]


def test_extra_columns_and_any_column_order_are_fine(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    tables = dict(TABLES)
    tables["campaigns"] = (
        "ended_on,_synced,campaign_name,campaign_id,channel,started_on\n"
        ",x,Brand,c1,Google Ads,2026-01-01\n"
    )
    write_raw(raw, tables)
    result = dbt_seed(raw, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
