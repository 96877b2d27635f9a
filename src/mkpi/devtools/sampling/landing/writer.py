"""`mkpi sample --shape connectors`: the simulated company as a Fivetran connector landing.

The same generated company as the contract shape, written as HubSpot, Google Ads, Meta Ads,
LinkedIn Ads, GA4, Search Console, Stripe and Shopify tables plus a `files` folder for what no
connector holds (and the money keywords), so that a dbt build with the `raw_inputs` in
`raw_inputs.yml` gives the contract build's KPIs (ids mapped as in `campaign_id_map.csv`,
`lead_id_map.csv`, `deal_id_map.csv`, `touchpoint_id_map.csv`, `visitor_id_map.csv`,
`subscription_id_map.csv`, `order_id_map.csv`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mkpi.devtools.sampling.frame import ColumnData, Ids, Labels, TableData, row_count, write_table
from mkpi.devtools.sampling.generator import SampleConfig, generate
from mkpi.devtools.sampling.landing.ads import build_ad_platforms
from mkpi.devtools.sampling.landing.campaigns import (
    FILES,
    PLATFORMS,
    CampaignPlan,
    IdPool,
    plan_campaigns,
)
from mkpi.devtools.sampling.landing.ga4 import GA4, build_ga4, touchpoint_id_maps, write_ga4
from mkpi.devtools.sampling.landing.hubspot import build_hubspot
from mkpi.devtools.sampling.landing.search_console import build_search_console
from mkpi.devtools.sampling.landing.shopify import build_shopify
from mkpi.devtools.sampling.landing.source import (
    deal_rows,
    id_numbers,
    lead_rows,
    media_currency,
    media_mask,
    media_rows,
)
from mkpi.devtools.sampling.landing.stripe import build_stripe
from mkpi.devtools.sampling.landing.tables import LandedTable, landing_connection, write_landed
from mkpi.raw_contract import load_contract

HUBSPOT = "hubspot"
STRIPE = "stripe"
SHOPIFY = "shopify"
SEARCH_CONSOLE = "search_console"
LANDING_STREAM = 8  # seed spawn key: the generator's own streams are 0..7
SHOPIFY_STREAM = 46  # Shopify's substream of the landing stream
CONNECTOR_INPUTS = {
    "leads": [HUBSPOT],
    "deals": [HUBSPOT],
    "campaigns": [*PLATFORMS, FILES],
    "costs": [*PLATFORMS, FILES],
    "touchpoints": [GA4],
    "subscriptions": [STRIPE],
    "orders": [SHOPIFY],
    "keyword_rankings": [SEARCH_CONSOLE],
}
RAW_INPUTS_FILE = "raw_inputs.yml"


def landing_rng(seed: int, *substream: int) -> np.random.Generator:
    """The landing's random stream; a connector with a substream of its own leaves the draws of
    the others unchanged."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(LANDING_STREAM, *substream))
    )


def _take(data: TableData, keep: np.ndarray) -> dict[str, ColumnData]:
    taken: dict[str, ColumnData] = {}
    for name, column in data.items():
        if isinstance(column, Ids):
            values = np.asarray(column.values)[keep]
            taken[name] = Ids(values, column.prefix, column.width, column.suffix)
        elif isinstance(column, Labels):
            taken[name] = Labels(np.asarray(column.codes)[keep], column.labels)
        else:
            taken[name] = np.asarray(column)[keep]
    return taken


def _campaign_ids(column: object, plans: tuple[CampaignPlan, ...]) -> Labels:
    """Contract campaign ids as the ids the connector build gives them."""
    values = id_numbers(column)
    return Labels(np.where(values > 0, values - 1, -1), [plan.campaign_id for plan in plans])


def files_tables(
    tables: dict[str, TableData], plans: tuple[CampaignPlan, ...]
) -> dict[str, TableData]:
    """The contract tables no connector provides, ids rewritten to the connector ids."""
    in_files = [plan.index for plan in plans if plan.platform == FILES]
    on_platforms = {plan.index for plan in plans if plan.platform != FILES}
    campaign_number = id_numbers(tables["campaigns"]["campaign_id"])
    out: dict[str, TableData] = {
        "campaigns": _take(tables["campaigns"], np.isin(campaign_number - 1, in_files)),
    }
    costs = _take(tables["costs"], ~media_mask(tables["costs"], on_platforms))
    costs["campaign_id"] = _campaign_ids(costs["campaign_id"], plans)
    out["costs"] = costs
    return out


def _text_table(name: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> LandedTable:
    table = LandedTable(name)
    for i, column in enumerate(header):
        table.add(column, "text", [row[i] for row in rows])
    return table


def id_maps(
    plans: tuple[CampaignPlan, ...],
    contact_ids: np.ndarray,
    deal_ids: np.ndarray,
    touchpoint_ids: list[tuple[str, str]],
    visitor_ids: list[tuple[str, str]],
    order_ids: np.ndarray,
) -> tuple[LandedTable, ...]:
    return (
        _text_table(
            "campaign_id_map",
            ("contract_campaign_id", "campaign_id"),
            [(plan.contract_id, plan.campaign_id) for plan in plans],
        ),
        _text_table(
            "lead_id_map",
            ("contract_lead_id", "lead_id"),
            [(f"ld_{n + 1:07d}", str(i)) for n, i in enumerate(contact_ids)],
        ),
        _text_table(
            "deal_id_map",
            ("contract_deal_id", "deal_id"),
            [(f"deal_{n + 1:06d}", str(i)) for n, i in enumerate(deal_ids)],
        ),
        _text_table(
            "touchpoint_id_map", ("contract_touchpoint_id", "touchpoint_id"), touchpoint_ids
        ),
        _text_table("visitor_id_map", ("contract_visitor_id", "visitor_id"), visitor_ids),
        _text_table(
            "order_id_map",
            ("contract_order_id", "order_id"),
            [(f"ord_{n + 1:07d}", str(i)) for n, i in enumerate(order_ids)],
        ),
    )


def raw_inputs_yaml() -> str:
    lines = [
        "# dbt vars that build this landing (with raw_data_dir set to this folder);",
        "# tables not listed read the files input",
        "raw_inputs:",
    ]
    lines += [f"  {table}: [{', '.join(inputs)}]" for table, inputs in CONNECTOR_INPUTS.items()]
    return "\n".join(lines) + "\n"


def _check_currencies(tables: dict[str, TableData], plans: tuple[CampaignPlan, ...]) -> None:
    for plan in plans:
        if plan.account is None:
            continue
        currencies = media_currency(tables["costs"], plan.index)
        if currencies - {plan.account.currency}:
            raise ValueError(
                f"{plan.name}: media cost in {sorted(currencies)}, one account per currency"
                f" expected {plan.account.currency}"
            )


def write_landing(config: SampleConfig, out_dir: Path, fmt: str = "csv") -> dict[str, int]:
    """Generate the sample company and write it as a connector landing; rows per landed table."""
    tables = generate(config)
    rng = landing_rng(config.seed)
    ids = IdPool(rng)
    plans = plan_campaigns(ids)
    _check_currencies(tables, plans)
    leads = lead_rows(tables["leads"])
    hubspot = build_hubspot(leads, deal_rows(tables["deals"]), plans, config.span, rng)
    shopify = build_shopify(
        tables["orders"],
        leads.email,
        hubspot.contact_ids,
        config.span.end_s + np.timedelta64(3 * 3600 + 1234, "s"),
        landing_rng(config.seed, SHOPIFY_STREAM),
    )
    campaigns = {
        column: np.asarray(tables["campaigns"][column], dtype="datetime64[D]")
        for column in ("started_on", "ended_on")
    }
    platforms = build_ad_platforms(
        plans,
        lambda plan: media_rows(tables["costs"], plan.index),
        campaigns,
        config.span,
        ids,
        rng,
    )
    contact = next(table for table in hubspot.tables if table.name == "contact")
    contact_emails = dict(
        zip(
            (int(str(i)) for i in contact.column("id")),
            contact.column("property_email"),
            strict=True,
        )
    )
    stripe = build_stripe(
        tables["subscriptions"], hubspot.contact_ids, contact_emails, config.span, rng
    )
    search_console = build_search_console(tables["keyword_rankings"], config.seed)
    landed = {
        HUBSPOT: hubspot.tables,
        **platforms,
        STRIPE: stripe.tables,
        SHOPIFY: shopify.tables,
        SEARCH_CONSOLE: search_console.tables,
    }
    files = files_tables(tables, plans)
    sessions, events, pairs = build_ga4(
        tables["touchpoints"], hubspot.contact_ids, plans, config.seed
    )
    mapping = _text_table(
        "campaign_mapping",
        ("utm_value", "campaign_id"),
        [(plan.mapping_value, plan.campaign_id) for plan in plans],
    )
    counts: dict[str, int] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = load_contract()
    con = landing_connection()
    try:
        for folder, folder_tables in landed.items():
            for table in folder_tables:
                write_landed(con, table, out_dir / folder, fmt)
                counts[f"{folder}/{table.name}"] = len(table)
        counts.update(write_ga4(con, sessions, events, plans, pairs, out_dir / GA4, fmt))
        files_dir = out_dir / FILES
        files_dir.mkdir(exist_ok=True)
        for name, data in files.items():
            for other in ("csv", "parquet"):
                stale = files_dir / f"{name}.{other}"
                if other != fmt and stale.exists():
                    stale.unlink()
            write_table(con, contract[name], data, files_dir, fmt)
            counts[f"{FILES}/{name}"] = row_count(data)
        write_landed(con, mapping, files_dir, fmt)
        counts[f"{FILES}/campaign_mapping"] = len(mapping)
        write_landed(con, search_console.money_keywords, files_dir, fmt)
        counts[f"{FILES}/money_keywords"] = len(search_console.money_keywords)
        stale_touchpoints = files_dir / f"touchpoints.{fmt}"
        if stale_touchpoints.exists():
            stale_touchpoints.unlink()
        touch_map, visitor_map = touchpoint_id_maps(tables["touchpoints"], sessions)
        maps = id_maps(
            plans,
            hubspot.contact_ids,
            hubspot.deal_ids,
            touch_map,
            visitor_map,
            shopify.order_ids,
        )
        for table in maps:
            write_landed(con, table, out_dir, "csv")
        subscription_map = _text_table(
            "subscription_id_map",
            ("contract_subscription_id", "subscription_id"),
            sorted(stripe.subscription_ids.items()),
        )
        write_landed(con, subscription_map, out_dir, "csv")
    finally:
        con.close()
    (out_dir / RAW_INPUTS_FILE).write_text(raw_inputs_yaml(), encoding="utf-8")
    return counts
