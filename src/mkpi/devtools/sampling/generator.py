"""Assemble the eight raw tables of a synthetic B2B SaaS + e-commerce company in contract shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange
from mkpi.devtools.sampling.channels import CAMPAIGNS, PAID_CHANNELS
from mkpi.devtools.sampling.frame import Ids, Labels, TableData
from mkpi.devtools.sampling.people import CURRENCIES, Leads, generate_leads
from mkpi.devtools.sampling.revenue import (
    PLANS,
    STAGES,
    Deals,
    Orders,
    Subscriptions,
    generate_deals,
    generate_orders,
    generate_subscriptions,
)
from mkpi.devtools.sampling.seo import KEYWORDS, Rankings, generate_rankings
from mkpi.devtools.sampling.sources import CHANNEL_CODE, RAW_LABELS, CampaignWindows
from mkpi.devtools.sampling.spend import (
    CATEGORIES,
    Campaigns,
    Costs,
    generate_campaigns,
    generate_costs,
)
from mkpi.devtools.sampling.web import LANDING_PAGES, Touchpoints, generate_touchpoints

LEAD_ID = ("ld_", 7)


@dataclass(frozen=True)
class SampleConfig:
    leads: int = 3000
    months: int = 24
    start: str = "2024-11-01"
    seed: int = 42

    @property
    def span(self) -> DateRange:
        return DateRange.from_months(self.start, self.months)


def _lead_ids(lead_index: np.ndarray) -> Ids:
    """Lead index (-1 = none) as lead_id text."""
    return Ids(np.where(lead_index >= 0, lead_index + 1, -1), *LEAD_ID)


def _campaign_ids(campaign_index: np.ndarray) -> Ids:
    return Ids(np.where(campaign_index >= 0, campaign_index + 1, -1), "cmp_", 4)


def _currencies(codes: np.ndarray) -> Labels:
    return Labels(codes, CURRENCIES)


def campaigns_table(campaigns: Campaigns) -> TableData:
    return {
        "campaign_id": _campaign_ids(np.arange(len(CAMPAIGNS))),
        "campaign_name": campaigns.name,
        "channel": Labels(campaigns.raw_channel, RAW_LABELS),
        "started_on": campaigns.started_on,
        "ended_on": campaigns.ended_on,
    }


def costs_table(costs: Costs) -> TableData:
    return {
        "cost_date": costs.cost_date,
        "channel": Labels(costs.raw_channel, RAW_LABELS),
        "campaign_id": _campaign_ids(costs.campaign),
        "cost_category": Labels(costs.category, CATEGORIES),
        "amount": costs.amount,
        "currency": _currencies(costs.currency),
        "impressions": costs.impressions,
        "clicks": costs.clicks,
    }


def leads_table(leads: Leads, original_raw: np.ndarray, original_campaign: np.ndarray) -> TableData:
    numbers = np.arange(1, len(leads) + 1)
    return {
        "lead_id": _lead_ids(numbers - 1),
        "created_at": leads.created_at,
        "email": Ids(np.where(leads.has_email, numbers, -1), "lead", 0, "@example.com"),
        "original_channel": Labels(original_raw, RAW_LABELS),
        "original_campaign_id": _campaign_ids(original_campaign),
        "mql_at": leads.mql_at,
        "sql_at": leads.sql_at,
        "customer_at": leads.customer_at,
    }


def touchpoints_table(touchpoints: Touchpoints) -> TableData:
    return {
        "touchpoint_id": Ids(np.arange(1, len(touchpoints) + 1), "tp_", 9),
        "visitor_id": Ids(touchpoints.visitor, "vis_", 8),
        "lead_id": _lead_ids(touchpoints.lead),
        "occurred_at": touchpoints.occurred_at,
        "channel": Labels(touchpoints.raw_channel, RAW_LABELS),
        "campaign_id": _campaign_ids(touchpoints.campaign),
        "landing_page": Labels(touchpoints.landing_page, LANDING_PAGES),
        "pageviews": touchpoints.pageviews,
        "engaged_seconds": touchpoints.engaged_seconds,
        "created_lead": touchpoints.created_lead,
    }


def deals_table(deals: Deals) -> TableData:
    return {
        "deal_id": Ids(np.arange(1, len(deals.lead) + 1), "deal_", 6),
        "lead_id": _lead_ids(deals.lead),
        "created_at": deals.created_at,
        "closed_at": deals.closed_at,
        "stage": Labels(deals.stage, STAGES),
        "amount": deals.amount,
        "currency": _currencies(deals.currency),
    }


def subscriptions_table(subscriptions: Subscriptions) -> TableData:
    return {
        "subscription_id": Ids(subscriptions.subscription, "sub_", 6),
        "lead_id": _lead_ids(subscriptions.lead),
        "plan": Labels(subscriptions.plan, PLANS),
        "mrr": subscriptions.mrr,
        "currency": _currencies(subscriptions.currency),
        "valid_from": subscriptions.valid_from,
        "valid_to": subscriptions.valid_to,
    }


def orders_table(orders: Orders) -> TableData:
    return {
        "order_id": Ids(np.arange(1, len(orders.lead) + 1), "ord_", 7),
        "lead_id": _lead_ids(orders.lead),
        "ordered_at": orders.ordered_at,
        "revenue": orders.revenue,
        "cogs": orders.cogs,
        "currency": _currencies(orders.currency),
    }


def keyword_rankings_table(rankings: Rankings) -> TableData:
    return {
        "ranked_on": rankings.ranked_on,
        "keyword": Labels(rankings.keyword, KEYWORDS),
        "position": rankings.position,
        "is_money_keyword": rankings.is_money,
        "search_volume": rankings.search_volume,
    }


def generate(config: SampleConfig) -> dict[str, TableData]:
    """All eight tables, keyed by table name. Each part draws from its own seeded stream."""
    if config.leads < 1:
        raise ValueError("leads must be at least 1")
    span = config.span
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(8)]
    windows = CampaignWindows.for_range(span)
    leads = generate_leads(config.leads, span, streams[0])
    touchpoints, original_raw, original_campaign = generate_touchpoints(
        leads, span, windows, streams[1]
    )
    paid = np.isin(leads.channel, [CHANNEL_CODE[name] for name in PAID_CHANNELS])
    original_campaign = np.where(paid, original_campaign, -1)
    return {
        "campaigns": campaigns_table(generate_campaigns(span, windows)),
        "costs": costs_table(generate_costs(span, windows, leads, original_campaign, streams[2])),
        "leads": leads_table(leads, original_raw, original_campaign),
        "touchpoints": touchpoints_table(touchpoints),
        "deals": deals_table(generate_deals(leads, span, streams[3])),
        "subscriptions": subscriptions_table(generate_subscriptions(leads, span, streams[4])),
        "orders": orders_table(generate_orders(leads, span, streams[5])),
        "keyword_rankings": keyword_rankings_table(generate_rankings(span, streams[6])),
    }
