"""Touchpoints: identified leads' journeys (before, at and after the form fill) and anonymous
visitors, generated as flat arrays without per-lead or per-touch Python loops."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import (
    SECONDS_PER_DAY,
    DateRange,
    days_as_seconds,
    demand_curve,
    sample_days,
    time_of_day,
    to_seconds,
)
from mkpi.devtools.sampling.channels import UNMAPPED_RAW_CHANNEL, UNMAPPED_TOUCHPOINTS
from mkpi.devtools.sampling.people import Leads
from mkpi.devtools.sampling.records import concat, take
from mkpi.devtools.sampling.sources import (
    CHANNEL_CODE,
    RAW_CODE,
    CampaignWindows,
    assign_sources,
    channel_probabilities,
)

PRE, CREATION, POST, ANONYMOUS = 0, 1, 2, 3
ANONYMOUS_VISITORS_PER_LEAD = 2.5

JOURNEY_CHANNEL = channel_probabilities(
    {
        "organic_search": 0.27,
        "paid_search": 0.17,
        "paid_social": 0.12,
        "organic_social": 0.06,
        "email": 0.02,
        "referral": 0.07,
        "direct": 0.19,
        "display": 0.04,
        "affiliate": 0.04,
        "other": 0.02,
    }
)
POST_CHANNEL = channel_probabilities(
    {
        "organic_search": 0.18,
        "paid_search": 0.1,
        "paid_social": 0.07,
        "organic_social": 0.05,
        "email": 0.27,
        "referral": 0.04,
        "direct": 0.23,
        "display": 0.03,
        "affiliate": 0.01,
        "other": 0.02,
    }
)
ANONYMOUS_CHANNEL = channel_probabilities(
    {
        "organic_search": 0.32,
        "paid_search": 0.14,
        "paid_social": 0.16,
        "organic_social": 0.08,
        "email": 0.01,
        "referral": 0.05,
        "direct": 0.12,
        "display": 0.08,
        "affiliate": 0.02,
        "other": 0.02,
    }
)
LANDING_PAGES: tuple[str, ...] = (
    "/",
    "/pricing",
    "/demo",
    "/product/analytics",
    "/product/integrations",
    "/blog/marketing-kpis",
    "/blog/cac-ltv-guide",
    "/blog/attribution-models",
    "/shop",
    "/shop/starter-kit",
    "/webinars/quarterly-review",
    "/customers",
    "/lp/free-trial",
    "/lp/nordics",
    "/contact",
)
BASE_PAGE_WEIGHT = np.array([6, 3, 1.5, 2, 1, 1, 1, 1, 1.5, 1, 0.5, 0.8, 0.3, 0.3, 0.6])
PAGE_BOOST: dict[str, dict[str, float]] = {
    "organic_search": {
        "/blog/marketing-kpis": 6,
        "/blog/cac-ltv-guide": 5,
        "/blog/attribution-models": 4,
    },
    "paid_search": {"/lp/free-trial": 8, "/pricing": 4, "/demo": 3},
    "paid_social": {"/lp/nordics": 5, "/shop/starter-kit": 4, "/webinars/quarterly-review": 2},
    "email": {"/webinars/quarterly-review": 5, "/blog/cac-ltv-guide": 3, "/pricing": 2},
    "display": {"/lp/nordics": 4, "/shop": 3},
    "affiliate": {"/shop": 6, "/shop/starter-kit": 6},
    "referral": {"/customers": 4, "/product/integrations": 3},
}


@dataclass(frozen=True)
class Touchpoints:
    """Sorted by occurred_at; touchpoint ids are positions + 1."""

    visitor: np.ndarray  # visitor number (id)
    lead: np.ndarray  # lead index or -1
    occurred_at: np.ndarray  # datetime64[s]
    raw_channel: np.ndarray  # code into RAW_LABELS
    campaign: np.ndarray  # campaign index or -1
    landing_page: np.ndarray  # code into LANDING_PAGES or -1
    pageviews: np.ndarray  # float, NaN = NULL
    engaged_seconds: np.ndarray  # float, NaN = NULL
    created_lead: np.ndarray

    def __len__(self) -> int:
        return len(self.occurred_at)


@dataclass(frozen=True)
class Sessions:
    """Unsorted touches of one kind before they are merged into Touchpoints."""

    visitor: np.ndarray
    lead: np.ndarray
    phase: np.ndarray
    occurred_at: np.ndarray
    channel: np.ndarray  # canonical code
    raw_channel: np.ndarray
    campaign: np.ndarray


def _positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, position within owner) for a flat layout of `counts` items per owner."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _day_offsets(occurred: np.ndarray, span: DateRange) -> np.ndarray:
    return (occurred - span.start_s).astype(np.int64) // SECONDS_PER_DAY


def _journey_times(
    leads: Leads,
    lead: np.ndarray,
    position: np.ndarray,
    k_pre: np.ndarray,
    span: DateRange,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(phase, occurred_at) of every identified touch; pre-creation touches stay in the range.

    The first touch of a journey is its earliest, so it is the lead's original source.
    """
    n = len(lead)
    since_start = (leads.created_at - span.start_s).astype(np.int64) / SECONDS_PER_DAY
    room = since_start * rng.uniform(0.3, 0.95, len(leads))
    journey_days = np.minimum(rng.exponential(16.0, len(leads)) + 0.2, room)
    pre = position < k_pre[lead]
    creation = position == k_pre[lead]
    phase = np.where(pre, PRE, np.where(creation, CREATION, POST))
    fraction = np.where(position == 0, 1.0, rng.uniform(0.02, 0.98, n))
    post_days = np.where(rng.random(n) < 0.45, rng.exponential(10.0, n), rng.uniform(0, 240, n))
    lag = np.where(pre, -journey_days[lead] * fraction, post_days + 0.01)
    lag[creation] = 0.0
    return phase, leads.created_at[lead] + days_as_seconds(lag)


def lead_journeys(
    leads: Leads, span: DateRange, windows: CampaignWindows, rng: np.random.Generator
) -> tuple[Sessions, np.ndarray, np.ndarray]:
    """Identified touches, and each lead's original (raw channel, campaign): its first touch's."""
    n_leads = len(leads)
    k_pre = np.minimum(rng.poisson(2.0, n_leads), 8)
    engaged = 1.4 * ~np.isnat(leads.mql_at) + 1.6 * ~np.isnat(leads.customer_at)
    k_post = np.minimum(rng.poisson(2.2 + engaged), 14)
    lead, position = _positions(k_pre + 1 + k_post)
    phase, occurred = _journey_times(leads, lead, position, k_pre, span, rng)
    channel = np.where(
        phase == POST,
        rng.choice(len(POST_CHANNEL), size=len(lead), p=POST_CHANNEL),
        rng.choice(len(JOURNEY_CHANNEL), size=len(lead), p=JOURNEY_CHANNEL),
    )
    first = position == 0
    channel[first] = leads.channel[lead[first]]
    raw, campaign = assign_sources(channel, _day_offsets(occurred, span), windows, rng)
    original = (raw[first], campaign[first])
    second_device = rng.random(n_leads) < 0.3
    uses_second = second_device[lead] & (rng.random(len(lead)) < 0.25)
    visitor = np.where(uses_second, n_leads + lead, lead)
    keep = occurred < span.end_s
    sessions = Sessions(
        visitor=visitor[keep],
        lead=lead[keep],
        phase=phase[keep],
        occurred_at=occurred[keep],
        channel=channel[keep],
        raw_channel=raw[keep],
        campaign=campaign[keep],
    )
    return sessions, *original


def anonymous_sessions(
    n_visitors: int,
    first_visitor: int,
    span: DateRange,
    windows: CampaignWindows,
    rng: np.random.Generator,
) -> Sessions:
    """Visitors never identified: one to a few sessions each, repeats days apart."""
    counts = 1 + np.minimum(rng.poisson(0.55, n_visitors), 6)
    visitor, position = _positions(counts)
    first_day = sample_days(demand_curve(span, rng), n_visitors, rng)
    first_at = to_seconds(first_day, span) + time_of_day(n_visitors, rng).astype("timedelta64[s]")
    gaps = np.where(position == 0, 0.0, rng.exponential(6.0, len(visitor)))
    running = np.cumsum(gaps)
    elapsed = running - np.repeat(running[np.cumsum(counts) - counts], counts)
    occurred = first_at[visitor] + days_as_seconds(elapsed)
    keep = occurred < span.end_s
    visitor, occurred = visitor[keep], occurred[keep]
    channel = rng.choice(len(ANONYMOUS_CHANNEL), size=len(visitor), p=ANONYMOUS_CHANNEL)
    raw, campaign = assign_sources(channel, _day_offsets(occurred, span), windows, rng)
    rare = rng.choice(len(visitor), size=min(UNMAPPED_TOUCHPOINTS, len(visitor)), replace=False)
    channel[rare] = CHANNEL_CODE["other"]
    raw[rare] = RAW_CODE[UNMAPPED_RAW_CHANNEL]
    campaign[rare] = -1
    return Sessions(
        visitor=first_visitor + visitor,
        lead=np.full(len(visitor), -1, dtype=np.int64),
        phase=np.full(len(visitor), ANONYMOUS, dtype=np.int64),
        occurred_at=occurred,
        channel=channel,
        raw_channel=raw,
        campaign=campaign,
    )


def _identified_lead(sessions: Sessions, rng: np.random.Generator) -> np.ndarray:
    """lead_id as the export shows it: always on the form fill, mostly after, sometimes before
    (retroactively associated); a touch without it is only linked through its visitor."""
    keep_probability = np.array([0.35, 1.0, 0.93, 0.0])[sessions.phase]
    return np.where(rng.random(len(sessions.lead)) < keep_probability, sessions.lead, -1)


def _landing_pages(channel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = np.empty(len(channel), dtype=np.int64)
    index = {path: k for k, path in enumerate(LANDING_PAGES)}
    for name, code in CHANNEL_CODE.items():
        mask = channel == code
        weights = BASE_PAGE_WEIGHT.astype(float).copy()
        for path, boost in PAGE_BOOST.get(name, {}).items():
            weights[index[path]] += boost
        page[mask] = rng.choice(len(LANDING_PAGES), size=int(mask.sum()), p=weights / weights.sum())
    page[rng.random(len(channel)) < 0.03] = -1
    return page


def _engagement(creation: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(creation)
    pageviews = 1 + rng.poisson(np.where(creation, 3.0, 1.3)).astype(float)
    seconds = np.where(
        pageviews == 1, rng.lognormal(np.log(25), 0.9, n), rng.lognormal(np.log(45), 0.8, n)
    )
    seconds = np.round(seconds * np.sqrt(pageviews))
    pageviews[rng.random(n) < 0.04] = np.nan
    seconds[rng.random(n) < 0.06] = np.nan
    return pageviews, seconds


def _compact_visitors(visitor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Visitor numbers 1..V in random order, so ids do not reveal which lead they belong to."""
    used, inverse = np.unique(visitor, return_inverse=True)
    return rng.permutation(len(used))[inverse] + 1


def generate_touchpoints(
    leads: Leads, span: DateRange, windows: CampaignWindows, rng: np.random.Generator
) -> tuple[Touchpoints, np.ndarray, np.ndarray]:
    """All touchpoints, and each lead's original (raw channel code, campaign index)."""
    n_leads = len(leads)
    identified, original_raw, original_campaign = lead_journeys(leads, span, windows, rng)
    n_anonymous = round(ANONYMOUS_VISITORS_PER_LEAD * n_leads)
    anonymous = anonymous_sessions(n_anonymous, 2 * n_leads, span, windows, rng)
    merged = concat([identified, anonymous])
    merged = take(merged, np.argsort(merged.occurred_at, kind="stable"))
    pageviews, seconds = _engagement(merged.phase == CREATION, rng)
    touchpoints = Touchpoints(
        visitor=_compact_visitors(merged.visitor, rng),
        lead=_identified_lead(merged, rng),
        occurred_at=merged.occurred_at,
        raw_channel=merged.raw_channel,
        campaign=merged.campaign,
        landing_page=_landing_pages(merged.channel, rng),
        pageviews=pageviews,
        engaged_seconds=seconds,
        created_lead=merged.phase == CREATION,
    )
    return touchpoints, original_raw, original_campaign
