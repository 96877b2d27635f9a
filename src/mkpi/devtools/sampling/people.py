"""Leads: when they arrive, where from, which market, and how far down the funnel they get."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import (
    DateRange,
    days_as_seconds,
    demand_curve,
    sample_days,
    time_of_day,
    to_seconds,
)
from mkpi.devtools.sampling.channels import CANONICAL_CHANNELS
from mkpi.devtools.sampling.sources import channel_probabilities

NAT = np.datetime64("NaT", "s")
CURRENCIES: tuple[str, ...] = ("EUR", "USD", "SEK", "NOK", "DKK", "GBP")
CURRENCY_SHARE = np.array([0.45, 0.17, 0.13, 0.08, 0.07, 0.10])
# EUR per unit, to express EUR-sized amounts in local currency (the seed holds the real rates).
NOMINAL_EUR_RATE = np.array([1.0, 0.92, 0.088, 0.087, 0.134, 1.16])

ORIGINAL_CHANNEL = channel_probabilities(
    {
        "organic_search": 0.26,
        "paid_search": 0.18,
        "paid_social": 0.13,
        "organic_social": 0.06,
        "email": 0.03,
        "referral": 0.08,
        "direct": 0.11,
        "display": 0.05,
        "affiliate": 0.07,
        "other": 0.03,
    }
)
# Relative lead quality by original channel (multiplies the MQL probability).
MQL_QUALITY = {
    "organic_search": 1.0,
    "paid_search": 1.1,
    "paid_social": 0.88,
    "organic_social": 0.9,
    "email": 1.15,
    "referral": 1.25,
    "direct": 1.05,
    "display": 0.75,
    "affiliate": 0.85,
    "other": 0.8,
}
P_MQL = 0.41  # of leads
P_SQL = 0.44  # of MQLs
P_CUSTOMER = 0.27  # of SQLs
P_DIRECT_BUYER = 0.06  # of non-MQL leads: e-commerce buyers who skip MQL/SQL


@dataclass(frozen=True)
class Leads:
    created_at: np.ndarray  # datetime64[s], sorted
    channel: np.ndarray  # canonical channel code of the original source
    currency: np.ndarray  # index into CURRENCIES (the lead's market)
    has_email: np.ndarray
    mql_at: np.ndarray
    sql_at: np.ndarray
    customer_at: np.ndarray
    direct_buyer: np.ndarray  # customer without MQL/SQL (e-commerce)

    def __len__(self) -> int:
        return len(self.created_at)


def _mql_probability(channel: np.ndarray) -> np.ndarray:
    quality = np.array([MQL_QUALITY[name] for name in CANONICAL_CHANNELS])
    quality = quality / (quality * ORIGINAL_CHANNEL).sum()
    return P_MQL * quality[channel]


def _stage(
    previous: np.ndarray,
    probability: np.ndarray | float,
    lag_days: np.ndarray,
    span: DateRange,
    rng: np.random.Generator,
) -> np.ndarray:
    """Next stage time: reached with `probability` after `lag_days`; NaT if not (yet) reached."""
    n = len(previous)
    reached = ~np.isnat(previous) & (rng.random(n) < probability)
    when = previous + days_as_seconds(lag_days)
    when = np.where(reached & (when < span.end_s), when, NAT)
    return when


def generate_leads(n: int, span: DateRange, rng: np.random.Generator) -> Leads:
    curve = demand_curve(span, rng)
    day = sample_days(curve, n, rng)
    created = to_seconds(day, span) + time_of_day(n, rng).astype("timedelta64[s]")
    created = np.sort(created)
    channel = rng.choice(len(CANONICAL_CHANNELS), size=n, p=ORIGINAL_CHANNEL)
    currency = rng.choice(len(CURRENCIES), size=n, p=CURRENCY_SHARE)
    instant = rng.random(n) < 0.35  # scored at form fill
    mql_lag = np.where(instant, rng.exponential(0.08, n), rng.exponential(6.0, n) + 0.1)
    mql = _stage(created, _mql_probability(channel), mql_lag, span, rng)
    sql = _stage(mql, P_SQL, rng.gamma(2.0, 6.0, n) + 0.05, span, rng)
    customer = _stage(sql, P_CUSTOMER, rng.gamma(2.0, 16.0, n) + 1.0, span, rng)
    direct_buyer = np.isnat(mql) & (rng.random(n) < P_DIRECT_BUYER)
    checkout = created + days_as_seconds(rng.exponential(0.02, n))
    direct_buyer &= checkout < span.end_s
    customer = np.where(direct_buyer, checkout, customer)
    return Leads(
        created_at=created,
        channel=channel,
        currency=currency,
        has_email=rng.random(n) >= 0.06,
        mql_at=mql,
        sql_at=sql,
        customer_at=customer,
        direct_buyer=direct_buyer,
    )
