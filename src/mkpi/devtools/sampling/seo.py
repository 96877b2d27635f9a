"""Daily organic rankings of the keywords the company tracks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import MONTH_SEASONALITY, DateRange, month_of_year

MONEY_KEYWORDS: tuple[str, ...] = (
    "marketing analytics software",
    "marketing kpi dashboard",
    "cac calculator",
    "ltv cac ratio tool",
    "marketing attribution software",
    "multi touch attribution",
    "roas reporting tool",
    "b2b marketing analytics",
    "ecommerce analytics platform",
    "marketing dashboard saas",
    "campaign roi tracking",
    "hubspot reporting alternative",
    "mrr churn dashboard",
    "marketing analytics nordics",
    "kpi software pricing",
)
INFORMATIONAL_KEYWORDS: tuple[str, ...] = (
    "what is cac",
    "how to calculate ltv",
    "ltv to cac ratio",
    "customer acquisition cost formula",
    "marketing kpis examples",
    "what is romi",
    "roas vs roi",
    "poas meaning",
    "mql vs sql",
    "lead to customer conversion rate",
    "average order value formula",
    "net revenue retention",
    "logo churn vs revenue churn",
    "time decay attribution",
    "w shaped attribution",
    "markov chain attribution",
    "first touch vs last touch",
    "cost per lead benchmark",
    "b2b saas benchmarks",
    "marketing budget template",
    "utm parameters guide",
    "google analytics channel grouping",
    "cac payback period",
    "repeat purchase rate",
    "organic traffic growth",
)
KEYWORDS: tuple[str, ...] = MONEY_KEYWORDS + INFORMATIONAL_KEYWORDS


@dataclass(frozen=True)
class Rankings:
    ranked_on: np.ndarray  # datetime64[D]
    keyword: np.ndarray  # code into KEYWORDS
    position: np.ndarray  # int
    is_money: np.ndarray
    search_volume: np.ndarray  # float, NaN = NULL


def _log_position_noise(n_days: int, n_kw: int, rng: np.random.Generator) -> np.ndarray:
    """Mean-reverting daily wobble (AR(1)); a loop over days, vectorised over keywords."""
    shocks = rng.normal(0.0, 0.05, (n_days, n_kw))
    noise = np.empty((n_days, n_kw))
    noise[0] = shocks[0] / np.sqrt(1 - 0.97**2)
    for day in range(1, n_days):
        noise[day] = 0.97 * noise[day - 1] + shocks[day]
    return noise


def generate_rankings(span: DateRange, rng: np.random.Generator) -> Rankings:
    """Each keyword drifts along its own trend (money keywords mostly improve) with daily noise."""
    days = span.days
    n_days, n_kw = len(days), len(KEYWORDS)
    is_money = np.arange(n_kw) < len(MONEY_KEYWORDS)
    start = np.where(is_money, rng.uniform(6, 45, n_kw), rng.uniform(1, 60, n_kw))
    # total change in log-position over two years: money keywords -1.0..+0.2, others -0.6..+0.5
    change = np.where(is_money, rng.uniform(-1.0, 0.2, n_kw), rng.uniform(-0.6, 0.5, n_kw))
    trend = change[None, :] * (np.arange(n_days)[:, None] / 730.0)
    log_position = np.log(start)[None, :] + trend + _log_position_noise(n_days, n_kw, rng)
    position = np.clip(np.round(np.exp(log_position)), 1, 100).astype(np.int64)
    base_volume = np.round(rng.lognormal(np.log(900), 1.0, n_kw), -1)
    season = MONTH_SEASONALITY[month_of_year(days)][:, None]
    volume = np.maximum(np.round(base_volume * season, -1), 10.0)
    volume = np.where(rng.random((n_days, n_kw)) < 0.05, np.nan, volume)
    tracked = rng.random((n_days, n_kw)) >= 0.004  # a few days the rank tracker missed
    day_index, keyword = np.nonzero(tracked)
    return Rankings(
        ranked_on=days[day_index],
        keyword=keyword,
        position=position[tracked],
        is_money=is_money[keyword],
        search_volume=volume[tracked],
    )
