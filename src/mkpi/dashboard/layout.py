"""What goes where: the funnel tiers, their headline KPIs and charts, and the colour schemes.

Editing this file changes the page's composition, never a number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrendSpec:
    """A line chart of total values over time for one or more KPIs of one unit."""

    title: str
    kpis: tuple[str, ...]
    invert: bool = False  # lower is better (positions): draw the axis upside down


@dataclass(frozen=True)
class TierSpec:
    key: str
    title: str
    subtitle: str
    headline: tuple[str, ...]
    trends: tuple[TrendSpec, ...]
    channel_kpis: tuple[str, ...]


TIERS: tuple[TierSpec, ...] = (
    TierSpec(
        key="top",
        title="Top of the funnel",
        subtitle="Traffic and visibility: sessions, organic search, engagement, spend",
        headline=(
            "sessions",
            "organic_sessions",
            "organic_traffic_growth_yoy",
            "money_keyword_page_one_share",
            "money_keyword_avg_position",
            "avg_engaged_seconds",
            "repeat_visitor_rate",
            "marketing_cost",
        ),
        trends=(
            TrendSpec("Sessions and organic sessions", ("sessions", "organic_sessions")),
            TrendSpec(
                "Organic traffic growth",
                ("organic_traffic_growth_mom", "organic_traffic_growth_yoy"),
            ),
            TrendSpec(
                "Money keywords: average position (up is better)",
                ("money_keyword_avg_position",),
                invert=True,
            ),
            TrendSpec("Money keywords on page one", ("money_keyword_page_one_share",)),
            TrendSpec("Marketing and media cost", ("marketing_cost", "media_cost")),
            TrendSpec("Engagement: repeat visitors", ("repeat_visitor_rate",)),
        ),
        channel_kpis=(
            "sessions",
            "marketing_cost",
            "media_cost",
            "avg_engaged_seconds",
            "pages_per_session",
        ),
    ),
    TierSpec(
        key="middle",
        title="Middle of the funnel",
        subtitle="Lead generation and qualification: leads, MQLs, SQLs, cost per lead",
        headline=(
            "leads",
            "mqls",
            "sqls",
            "cpl",
            "cost_per_mql",
            "lead_to_mql_rate",
            "mql_to_sql_rate",
            "session_conversion_rate",
        ),
        trends=(
            TrendSpec("Lead funnel per month", ("leads", "mqls", "sqls")),
            TrendSpec("Cost per lead and per MQL", ("cpl", "cost_per_mql")),
            TrendSpec(
                "Qualification rates",
                ("lead_to_mql_rate", "mql_to_sql_rate", "session_conversion_rate"),
            ),
            TrendSpec("Organic conversion rate", ("organic_conversion_rate",)),
        ),
        channel_kpis=("leads", "mqls", "cpl", "session_conversion_rate", "lead_to_mql_rate"),
    ),
    TierSpec(
        key="bottom",
        title="Bottom of the funnel",
        subtitle="Conversion and business results: CAC, LTV/CAC, ROMI, ROAS/POAS, revenue, churn",
        headline=(
            "new_customers",
            "revenue",
            "cac",
            "ltv_cac_ratio",
            "romi",
            "roas",
            "poas",
            "mrr",
            "net_revenue_retention",
            "logo_churn_rate",
            "cac_payback_months",
            "aov",
        ),
        trends=(
            TrendSpec("CAC and LTV", ("cac", "ltv")),
            TrendSpec("LTV / CAC", ("ltv_cac_ratio",)),
            TrendSpec("Return on marketing investment (ROMI)", ("romi",)),
            TrendSpec("ROAS and POAS", ("roas", "poas")),
            TrendSpec("Logo churn (monthly)", ("logo_churn_rate",)),
            TrendSpec("Net revenue retention", ("net_revenue_retention",)),
        ),
        channel_kpis=("new_customers", "cac", "roas", "romi", "attributed_revenue"),
    ),
)

FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("sessions", "Sessions"),
    ("leads", "Leads"),
    ("mqls", "MQLs"),
    ("sqls", "SQLs"),
    ("new_customers", "Customers"),
)

# MRR bridge: (kpi, label, sign on the chart); fct_kpis holds contraction and churn as positives
MRR_MOVEMENTS: tuple[tuple[str, str, int], ...] = (
    ("new_mrr", "New", 1),
    ("reactivation_mrr", "Reactivation", 1),
    ("expansion_mrr", "Expansion", 1),
    ("contraction_mrr", "Contraction", -1),
    ("churned_mrr", "Churned", -1),
)
MRR_COLORS = {
    "new_mrr": "#1a7f37",
    "reactivation_mrr": "#4ac26b",
    "expansion_mrr": "#0969da",
    "contraction_mrr": "#fb8500",
    "churned_mrr": "#cf222e",
}

CHANNEL_ORDER: tuple[str, ...] = (
    "organic_search",
    "paid_search",
    "paid_social",
    "organic_social",
    "email",
    "referral",
    "direct",
    "display",
    "affiliate",
    "other",
    "unattributed",
)
PALETTE: tuple[str, ...] = (
    "#0969da",
    "#bf3989",
    "#1a7f37",
    "#fb8500",
    "#8250df",
    "#0a8f8f",
    "#6e7781",
    "#d1242f",
    "#9a6700",
    "#a475f9",
    "#3d444d",
    "#e16f24",
)
ATTRIBUTION_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "markov",
)
STATUS_COLORS = {
    "healthy": "#1a7f37",
    "warning": "#bf8700",
    "critical": "#cf222e",
    "no_threshold": "#8c959f",
    "no_data": "#afb8c1",
}
OPERATOR_SYMBOLS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}


def channel_color(channel: str, index: int) -> str:
    """A stable colour per canonical channel (unknown ones continue the palette)."""
    if channel in CHANNEL_ORDER:
        return PALETTE[CHANNEL_ORDER.index(channel) % len(PALETTE)]
    return PALETTE[(len(CHANNEL_ORDER) + index) % len(PALETTE)]


def model_color(model: str, index: int) -> str:
    if model in ATTRIBUTION_MODELS:
        return PALETTE[ATTRIBUTION_MODELS.index(model) % len(PALETTE)]
    return PALETTE[(len(ATTRIBUTION_MODELS) + index) % len(PALETTE)]


def channel_sort_key(channel: str) -> tuple[int, str]:
    return (CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else 99, channel)


def model_sort_key(model: str) -> tuple[int, str]:
    return (ATTRIBUTION_MODELS.index(model) if model in ATTRIBUTION_MODELS else 99, model)
