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


# Connector inputs (docs/connectors.md): the selection var and the landed tables.

HUBSPOT = {
    "contact": "id,_fivetran_deleted,property_hs_merged_object_ids,property_createdate,"
    "property_email,property_hs_analytics_source,property_hs_analytics_first_url,"
    "property_hs_lifecyclestage_marketingqualifiedlead_date,"
    "property_hs_lifecyclestage_salesqualifiedlead_date,property_hs_lifecyclestage_customer_date\n"
    "101,false,,2026-01-02T10:00:00,a@example.com,PAID_SEARCH,,,,\n",
    "deal": "deal_id,is_deleted,_fivetran_deleted,deal_pipeline_stage_id,property_createdate,"
    "property_closedate,property_amount,property_deal_currency_code\n",
    "deal_contact": "deal_id,contact_id\n",
    "deal_pipeline_stage": "stage_id,closed_won,is_closed,probability\n",
}
HUBSPOT_INPUTS = {"raw_inputs": {"leads": ["hubspot"], "deals": ["hubspot"]}}


def write_landing(folder: Path, hubspot: dict[str, str]) -> None:
    """Files for every contract table but leads and deals, which HubSpot feeds."""
    write_raw(folder / "files", {k: v for k, v in TABLES.items() if k not in ("leads", "deals")})
    write_raw(folder / "hubspot", hubspot)


def seed_with(raw_dir: Path, tmp_path: Path, dbt_vars: dict) -> subprocess.CompletedProcess[str]:
    result, _ = run_dbt(["seed"], raw_dir, tmp_path, "inputs", extra_vars=dbt_vars)
    return result


@pytest.mark.parametrize(
    ("raw_inputs", "message"),
    [
        ({"lead": ["files"]}, "var raw_inputs: unknown contract table 'lead'"),
        ({"touchpoints": ["hubspot"]}, "var raw_inputs: input 'hubspot' cannot feed table"),
        ({"leads": []}, "var raw_inputs: table 'leads' has an empty list of inputs"),
    ],
)
def test_a_wrong_input_selection_is_named(tmp_path: Path, raw_inputs: dict, message: str) -> None:
    raw = tmp_path / "raw"
    write_raw(raw, TABLES)
    result = seed_with(raw, tmp_path, {"raw_inputs": raw_inputs})
    assert result.returncode != 0
    assert message in result.stdout


def test_a_missing_connector_table_is_named(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_landing(landing, {k: v for k, v in HUBSPOT.items() if k != "deal_contact"})
    result = seed_with(landing, tmp_path, HUBSPOT_INPUTS)
    assert result.returncode != 0
    expected = (
        f"hubspot: table 'deal_contact' not found: expected {landing}/hubspot/deal_contact.csv"
        " or .parquet"
    )
    assert expected in result.stdout


def test_a_missing_connector_column_is_named(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    hubspot = dict(HUBSPOT)
    hubspot["contact"] = hubspot["contact"].replace("property_createdate", "createdate")
    write_landing(landing, hubspot)
    result = seed_with(landing, tmp_path, HUBSPOT_INPUTS)
    assert result.returncode != 0
    expected = (
        "hubspot: table 'contact' is missing column 'property_createdate'"
        f" (in {landing}/hubspot/contact.csv)"
    )
    assert expected in result.stdout


def test_only_the_selected_inputs_need_tables(tmp_path: Path) -> None:
    """HubSpot selected: no ad-platform tables and no files leads or deals are needed; optional
    HubSpot tables (merged_deal, and contact_property_history while the contact table has the
    lifecycle columns) may be absent."""
    landing = tmp_path / "landing"
    write_landing(landing, HUBSPOT)
    result = seed_with(landing, tmp_path, HUBSPOT_INPUTS)
    assert result.returncode == 0, result.stdout[-2000:]
