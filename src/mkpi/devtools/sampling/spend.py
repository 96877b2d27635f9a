"""Campaigns and cost lines: daily media spend, monthly other marketing cost and sales cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import (
    ANNUAL_GROWTH,
    MONTH_SEASONALITY,
    WEEKDAY_FACTOR,
    DateRange,
    month_of_year,
    weekday,
)
from mkpi.devtools.sampling.channels import CAMPAIGNS, PAID_CHANNELS
from mkpi.devtools.sampling.people import CURRENCIES, NOMINAL_EUR_RATE, Leads
from mkpi.devtools.sampling.records import concat, take
from mkpi.devtools.sampling.sources import RAW_CODE, CampaignWindows

NAT_DAY = np.datetime64("NaT", "D")
CATEGORIES: tuple[str, ...] = ("media", "marketing_other", "sales")
MEDIA, MARKETING_OTHER, SALES = range(3)
BASELINE_LEADS_PER_MONTH = 125.0  # the bundled sample; monthly cost lines scale with it
# per paid channel: target cost per lead (EUR), cost per click (EUR), click-through rate
MEDIA_ECONOMICS: dict[str, tuple[float, float, float | None]] = {
    "paid_search": (55.0, 1.6, 0.045),
    "paid_social": (40.0, 0.9, 0.011),
    "display": (70.0, 0.4, 0.0035),
    "affiliate": (30.0, 0.7, None),
}
MIN_DAILY_SPEND_EUR = 12.0


@dataclass(frozen=True)
class MonthlyLine:
    raw_channel: str
    campaign: str | None
    category: int
    currency: str
    eur_per_month: float
    day_of_month: int


OTHER_LINES: tuple[MonthlyLine, ...] = (
    MonthlyLine("Organic Search", None, MARKETING_OTHER, "EUR", 3_200, 5),
    MonthlyLine("LinkedIn", None, MARKETING_OTHER, "SEK", 1_400, 10),
    MonthlyLine("hubspot / email", None, MARKETING_OTHER, "USD", 900, 1),
    MonthlyLine("newsletter / email", "Newsletter", MARKETING_OTHER, "EUR", 500, 12),
    MonthlyLine("Google Ads", "Google Ads - Generic Nordics", MARKETING_OTHER, "DKK", 1_100, 28),
    MonthlyLine("affiliate / cj", "CJ - Partners", MARKETING_OTHER, "USD", 350, 3),
    MonthlyLine("LinkedIn Ads", "LinkedIn Ads - ABM UK", MARKETING_OTHER, "GBP", 700, 18),
    MonthlyLine("(other)", None, MARKETING_OTHER, "USD", 600, 15),
    MonthlyLine("Referral", None, MARKETING_OTHER, "GBP", 400, 20),
    MonthlyLine("Direct", None, SALES, "EUR", 4_200, 25),
    MonthlyLine("Google Ads", None, SALES, "EUR", 2_600, 25),
    MonthlyLine("Organic Search", None, SALES, "EUR", 2_800, 25),
    MonthlyLine("partner / referral", None, SALES, "EUR", 1_500, 25),
    MonthlyLine("(other)", None, SALES, "GBP", 2_900, 25),
)


@dataclass(frozen=True)
class Costs:
    cost_date: np.ndarray  # datetime64[D]
    raw_channel: np.ndarray
    campaign: np.ndarray  # index or -1
    category: np.ndarray
    amount: np.ndarray
    currency: np.ndarray  # index into CURRENCIES
    impressions: np.ndarray  # float, NaN = NULL
    clicks: np.ndarray


@dataclass(frozen=True)
class Campaigns:
    name: np.ndarray
    raw_channel: np.ndarray
    started_on: np.ndarray
    ended_on: np.ndarray


def generate_campaigns(span: DateRange, windows: CampaignWindows) -> Campaigns:
    started = np.array([span.start + int(d) for d in windows.first_day], dtype="datetime64[D]")
    ended = np.array([span.start + int(d) for d in windows.last_day], dtype="datetime64[D]")
    open_start = np.array([c.start_frac is None for c in CAMPAIGNS])
    open_end = np.array([c.end_frac is None for c in CAMPAIGNS])
    return Campaigns(
        name=np.array([c.name for c in CAMPAIGNS], dtype=object),
        raw_channel=np.array([RAW_CODE[c.raw_channel] for c in CAMPAIGNS]),
        started_on=np.where(open_start, NAT_DAY, started),
        ended_on=np.where(open_end, NAT_DAY, ended),
    )


def _daily_shape(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    shape = MONTH_SEASONALITY[month_of_year(days)] * WEEKDAY_FACTOR[weekday(days)]
    return shape * rng.lognormal(0.0, 0.2, len(days))


def _media_costs(
    span: DateRange, windows: CampaignWindows, lead_campaign: np.ndarray, rng: np.random.Generator
) -> Costs:
    leads_per_campaign = np.bincount(lead_campaign[lead_campaign >= 0], minlength=len(CAMPAIGNS))
    parts: list[Costs] = []
    for k, campaign in enumerate(CAMPAIGNS):
        if campaign.channel not in PAID_CHANNELS:
            continue
        first = max(0, int(windows.first_day[k]))
        last = min(span.n_days - 1, int(windows.last_day[k]))
        if last < first:
            continue
        days = span.start + np.arange(first, last + 1)
        cpl, cpc, ctr = MEDIA_ECONOMICS[campaign.channel]
        total_eur = max(leads_per_campaign[k] * cpl, MIN_DAILY_SPEND_EUR * len(days))
        shape = _daily_shape(days, rng)
        eur = np.maximum(total_eur * shape / shape.sum(), 0.5)
        currency = CURRENCIES.index(campaign.currency)
        clicks = np.round(eur / cpc * rng.lognormal(0.0, 0.15, len(days)))
        impressions = (
            np.round(clicks / ctr * rng.lognormal(0.0, 0.2, len(days)))
            if ctr
            else (np.full(len(days), np.nan))
        )
        impressions[rng.random(len(days)) < 0.02] = np.nan
        clicks[rng.random(len(days)) < 0.01] = np.nan
        parts.append(
            Costs(
                cost_date=days,
                raw_channel=np.full(len(days), RAW_CODE[campaign.raw_channel]),
                campaign=np.full(len(days), k),
                category=np.full(len(days), MEDIA),
                amount=np.round(eur / NOMINAL_EUR_RATE[currency], 2),
                currency=np.full(len(days), currency),
                impressions=impressions,
                clicks=clicks,
            )
        )
    return concat(parts)


def _monthly_costs(
    span: DateRange, windows: CampaignWindows, n_leads: int, rng: np.random.Generator
) -> Costs:
    months = span.month_starts
    scale = n_leads / len(months) / BASELINE_LEADS_PER_MONTH
    growth = (1 + ANNUAL_GROWTH) ** (np.arange(len(months)) / 12.0)
    campaign_index = {c.name: k for k, c in enumerate(CAMPAIGNS)}
    parts: list[Costs] = []
    for line in OTHER_LINES:
        dates = months + (line.day_of_month - 1)
        keep = (dates >= span.start) & (dates < span.end)
        k = -1 if line.campaign is None else campaign_index[line.campaign]
        if k >= 0:
            offset = (dates - span.start).astype(np.int64)
            keep &= windows.active(np.full(len(dates), k), offset)
        eur = line.eur_per_month * scale * growth * rng.lognormal(0.0, 0.08, len(months))
        currency = CURRENCIES.index(line.currency)
        n = int(keep.sum())
        parts.append(
            Costs(
                cost_date=dates[keep],
                raw_channel=np.full(n, RAW_CODE[line.raw_channel]),
                campaign=np.full(n, k),
                category=np.full(n, line.category),
                amount=np.round(eur[keep] / NOMINAL_EUR_RATE[currency], 2),
                currency=np.full(n, currency),
                impressions=np.full(n, np.nan),
                clicks=np.full(n, np.nan),
            )
        )
    return concat(parts)


def generate_costs(
    span: DateRange,
    windows: CampaignWindows,
    leads: Leads,
    lead_campaign: np.ndarray,
    rng: np.random.Generator,
) -> Costs:
    costs = concat(
        [
            _media_costs(span, windows, lead_campaign, rng),
            _monthly_costs(span, windows, len(leads), rng),
        ]
    )
    order = np.lexsort((costs.campaign, costs.category, costs.cost_date))
    return take(costs, order)
