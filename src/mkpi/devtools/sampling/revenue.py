"""Deals (B2B sales), subscriptions (SaaS, versioned) and orders (e-commerce) of the customers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange, days_as_seconds
from mkpi.devtools.sampling.people import NAT, NOMINAL_EUR_RATE, Leads
from mkpi.devtools.sampling.records import concat, take

NAT_DAY = np.datetime64("NaT", "D")
WON, LOST, OPEN = 0, 1, 2
STAGES: tuple[str, ...] = ("won", "lost", "open")
PLANS: tuple[str, ...] = ("Starter", "Growth", "Business", "Add-on")
# Price ladder (EUR list price per month) and the plan of each step.
PRICE_EUR = np.array([49, 99, 199, 349, 599, 990, 1490, 2000], dtype=float)
PRICE_PLAN = np.array([0, 0, 1, 1, 1, 2, 2, 2])
MAX_VERSION_STEPS = 14


@dataclass(frozen=True)
class Deals:
    lead: np.ndarray
    created_at: np.ndarray
    closed_at: np.ndarray
    stage: np.ndarray
    amount: np.ndarray
    currency: np.ndarray


@dataclass(frozen=True)
class Subscriptions:
    subscription: np.ndarray  # subscription number (id)
    lead: np.ndarray
    plan: np.ndarray  # code into PLANS or -1
    mrr: np.ndarray
    currency: np.ndarray
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray  # datetime64[D], NaT = active


@dataclass(frozen=True)
class Orders:
    lead: np.ndarray
    ordered_at: np.ndarray
    revenue: np.ndarray
    cogs: np.ndarray
    currency: np.ndarray


def _local_currency(
    lead_currency: np.ndarray, rng: np.random.Generator, share: float
) -> np.ndarray:
    """Mostly the lead's market currency, else EUR (code 0)."""
    return np.where(rng.random(len(lead_currency)) < share, lead_currency, 0)


def _to_local(eur: np.ndarray, currency: np.ndarray, decimals: int) -> np.ndarray:
    return np.round(eur / NOMINAL_EUR_RATE[currency], decimals)


def _deal_amount_eur(n: int, median: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median), 0.75, n), 2_000, 40_000)


def _first_deals(leads: Leads, span: DateRange, rng: np.random.Generator) -> Deals:
    sql = np.flatnonzero(~np.isnat(leads.sql_at))
    sql_at, customer_at = leads.sql_at[sql], leads.customer_at[sql]
    won = ~np.isnat(customer_at)
    n = len(sql)
    to_close = np.where(won, (customer_at - sql_at).astype(np.int64) / 86_400, 0.0)
    lag_days = np.where(won, to_close * rng.uniform(0.05, 0.6, n), rng.exponential(4.0, n) + 0.1)
    created = sql_at + days_as_seconds(lag_days)
    lost_at = created + days_as_seconds(rng.gamma(2.0, 20.0, n) + 1.0)
    stale = rng.random(n) < 0.12
    closes = ~won & ~stale & (lost_at < span.end_s)
    closed = np.where(won, customer_at, np.where(closes, lost_at, NAT))
    stage = np.where(won, WON, np.where(closes, LOST, OPEN))
    keep = created < span.end_s
    amount_eur = _deal_amount_eur(n, 9_000, rng)
    currency = _local_currency(leads.currency[sql], rng, 0.92)
    return Deals(
        lead=sql[keep],
        created_at=created[keep],
        closed_at=closed[keep],
        stage=stage[keep],
        amount=_to_local(amount_eur, currency, 0)[keep],
        currency=currency[keep],
    )


def _expansion_deals(first: Deals, span: DateRange, rng: np.random.Generator) -> Deals:
    """Upsell deals for some won customers, months after they became customers."""
    won = np.flatnonzero((first.stage == WON) & (rng.random(len(first.stage)) < 0.14))
    n = len(won)
    created = first.closed_at[won] + days_as_seconds(rng.uniform(60, 400, n))
    closed = created + days_as_seconds(rng.gamma(2.0, 10.0, n) + 1.0)
    outcome = rng.choice(3, size=n, p=[0.55, 0.25, 0.2])
    closes = (outcome != OPEN) & (closed < span.end_s)
    stage = np.where(closes, outcome, OPEN)
    keep = created < span.end_s
    currency = first.currency[won]
    amount_eur = _deal_amount_eur(n, 5_000, rng)
    return Deals(
        lead=first.lead[won][keep],
        created_at=created[keep],
        closed_at=np.where(closes, closed, NAT)[keep],
        stage=stage[keep],
        amount=_to_local(amount_eur, currency, 0)[keep],
        currency=currency[keep],
    )


def generate_deals(leads: Leads, span: DateRange, rng: np.random.Generator) -> Deals:
    first = _first_deals(leads, span, rng)
    deals = concat([first, _expansion_deals(first, span, rng)])
    return take(deals, np.lexsort((deals.lead, deals.created_at)))


@dataclass(frozen=True)
class _Starts:
    """Subscriptions to simulate: owner lead, first day, price level, plan override, discount."""

    lead: np.ndarray
    start: np.ndarray
    level: np.ndarray
    addon: np.ndarray
    currency: np.ndarray
    discount: np.ndarray


def _simulate_versions(
    starts: _Starts, span: DateRange, rng: np.random.Generator
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Version rows (start index, level, valid_from, valid_to) and churn day per start (NaT if not).

    Each step draws the next change: upgrade, downgrade or churn, 45+ days after the last one.
    """
    n = len(starts.lead)
    rows: list[tuple[np.ndarray, ...]] = []
    active = np.arange(n)
    level = starts.level.copy()
    version_from = starts.start.copy()
    cursor = starts.start.copy()
    churned_on = np.full(n, NAT_DAY)
    for _ in range(MAX_VERSION_STEPS):
        if len(active) == 0:
            break
        nxt = cursor[active] + (45 + rng.exponential(170.0, len(active))).astype("timedelta64[D]")
        event = rng.choice(3, size=len(active), p=[0.5, 0.25, 0.25])  # up, down, churn
        ends = nxt >= span.end
        churn = ~ends & (event == 2)
        new_level = np.clip(
            level[active] + np.where(event == 0, rng.integers(1, 3, len(active)), -1),
            0,
            len(PRICE_EUR) - 1,
        )
        change = ~ends & ~churn & (new_level != level[active])
        closing = ends | churn | change
        rows.append(
            (
                active[closing],
                level[active[closing]],
                version_from[active[closing]],
                np.where(ends, NAT_DAY, nxt)[closing],
            )
        )
        churned_on[active[churn]] = nxt[churn]
        version_from[active[change]] = nxt[change]
        level[active[change]] = new_level[change]
        cursor[active] = nxt
        active = active[~(ends | churn)]
    rows.append((active, level[active], version_from[active], np.full(len(active), NAT_DAY)))
    columns = tuple(np.concatenate([row[i] for row in rows]) for i in range(4))
    return columns, churned_on


def _subscription_starts(leads: Leads, span: DateRange, rng: np.random.Generator) -> _Starts:
    customer = ~np.isnat(leads.customer_at)
    p_subscribe = np.where(leads.direct_buyer, 0.1, 0.75)
    lead = np.flatnonzero(customer & (rng.random(len(leads)) < p_subscribe))
    n = len(lead)
    level = np.where(
        leads.direct_buyer[lead],
        rng.integers(0, 2, n),
        rng.choice(len(PRICE_EUR), size=n, p=[0.12, 0.16, 0.2, 0.16, 0.14, 0.1, 0.07, 0.05]),
    )
    return _Starts(
        lead=lead,
        start=leads.customer_at[lead].astype("datetime64[D]"),
        level=level,
        addon=np.zeros(n, dtype=bool),
        currency=_local_currency(leads.currency[lead], rng, 0.95),
        discount=rng.choice([1.0, 0.9, 0.8], size=n, p=[0.7, 0.2, 0.1]),
    )


def _follow_ups(
    starts: _Starts, churned_on: np.ndarray, span: DateRange, rng: np.random.Generator
) -> _Starts:
    """Reactivations (a new subscription after a gap) and add-on second subscriptions."""
    n = len(starts.lead)
    back = ~np.isnat(churned_on) & (rng.random(n) < 0.3)
    back_on = churned_on + (30 + rng.exponential(90.0, n)).astype("timedelta64[D]")
    addon = ~starts.addon & (rng.random(n) < 0.08)
    addon_on = starts.start + rng.uniform(30, 300, n).astype("timedelta64[D]")
    pick = np.concatenate([np.flatnonzero(back), np.flatnonzero(addon)])
    start = np.concatenate([back_on[back], addon_on[addon]])
    is_addon = np.concatenate([np.zeros(back.sum(), bool), np.ones(addon.sum(), bool)])
    level = np.where(is_addon, rng.integers(0, 2, len(pick)), starts.level[pick])
    keep = start < span.end
    return _Starts(
        lead=starts.lead[pick][keep],
        start=start[keep],
        level=level[keep],
        addon=is_addon[keep],
        currency=starts.currency[pick][keep],
        discount=starts.discount[pick][keep],
    )


def generate_subscriptions(
    leads: Leads, span: DateRange, rng: np.random.Generator
) -> Subscriptions:
    starts = _subscription_starts(leads, span, rng)
    (index, level, valid_from, valid_to), churned_on = _simulate_versions(starts, span, rng)
    follow = _follow_ups(starts, churned_on, span, rng)
    (f_index, f_level, f_from, f_to), _ = _simulate_versions(follow, span, rng)
    all_starts = concat([starts, follow])
    index = np.concatenate([index, f_index + len(starts.lead)])
    level = np.concatenate([level, f_level])
    valid_from = np.concatenate([valid_from, f_from])
    valid_to = np.concatenate([valid_to, f_to])
    # subscription ids follow the start day; versions follow their valid_from
    sub_order = np.lexsort((all_starts.lead, all_starts.start))
    sub_number = np.empty(len(sub_order), dtype=np.int64)
    sub_number[sub_order] = np.arange(1, len(sub_order) + 1)
    number = sub_number[index]
    order = np.lexsort((valid_from, number))
    plan = np.where(all_starts.addon[index], PLANS.index("Add-on"), PRICE_PLAN[level])
    plan = np.where(rng.random(len(plan)) < 0.03, -1, plan)
    currency = all_starts.currency[index]
    mrr = _to_local(PRICE_EUR[level] * all_starts.discount[index], currency, 2)
    return Subscriptions(
        subscription=number[order],
        lead=all_starts.lead[index][order],
        plan=plan[order],
        mrr=mrr[order],
        currency=currency[order],
        valid_from=valid_from[order],
        valid_to=valid_to[order],
    )


def generate_orders(leads: Leads, span: DateRange, rng: np.random.Generator) -> Orders:
    customer = ~np.isnat(leads.customer_at)
    buys = customer & (leads.direct_buyer | (rng.random(len(leads)) < 0.2))
    buyer = np.flatnonzero(buys)
    counts = np.minimum(rng.geometric(0.45, len(buyer)), 12)
    owner = np.repeat(np.arange(len(buyer)), counts)
    starts = np.cumsum(counts) - counts
    first_lag = np.where(leads.direct_buyer[buyer], 0.0, rng.uniform(1, 60, len(buyer)))
    gaps = np.where(np.arange(len(owner)) == starts[owner], 0.0, rng.exponential(60.0, len(owner)))
    gaps += np.where(gaps > 0, 3.0, 0.0)
    running = np.cumsum(gaps)
    elapsed = running - running[starts][owner] + first_lag[owner]
    lead = buyer[owner]
    ordered = leads.customer_at[lead] + days_as_seconds(elapsed)
    keep = ordered < span.end_s
    n = len(lead)
    currency = _local_currency(leads.currency[lead], rng, 0.95)
    revenue = _to_local(np.clip(rng.lognormal(np.log(120), 0.7, n), 15, 3_000), currency, 2)
    cogs = np.round(revenue * rng.uniform(0.3, 0.6, n), 2)
    cogs[rng.random(n) < 0.12] = np.nan
    order = np.lexsort((lead[keep], ordered[keep]))
    return Orders(
        lead=lead[keep][order],
        ordered_at=ordered[keep][order],
        revenue=revenue[keep][order],
        cogs=cogs[keep][order],
        currency=currency[keep][order],
    )
