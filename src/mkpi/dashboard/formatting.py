"""How a KPI value reads on the dashboard: units, currency symbols, compact numbers, changes.

Presentation only: every number shown is computed by the dbt marts. The catalog's unit `rate`
(conversion and churn rates, shares) reads as a percentage; its unit `ratio` covers returns and
growth (percentages), multiples (ROAS: 3.2x) and plain averages (pages per session), so a few KPI
names pick their style here.
"""

from __future__ import annotations

import math

# ratio-unit KPIs that read as a multiple ("3.2x") or as a plain number, not as a percentage
MULTIPLE_KPIS = frozenset({"roas", "poas", "ltv_cac_ratio"})
PLAIN_RATIO_KPIS = frozenset({"pages_per_session", "purchase_frequency_12m"})

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def style_of(kpi: str, unit: str) -> str:
    """One of: count, currency, percent, multiple, number, seconds, days, months, position."""
    if unit == "rate":
        return "percent"
    if unit == "ratio":
        if kpi in MULTIPLE_KPIS:
            return "multiple"
        if kpi in PLAIN_RATIO_KPIS:
            return "number"
        return "percent"
    if unit in ("count", "currency", "percent", "seconds", "days", "months", "position"):
        return unit
    return "number"


def _compact(value: float, decimals: int = 1) -> str:
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:,.{decimals}f}{suffix}"
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def format_value(
    value: float | None, style: str, currency: str = "EUR", *, compact: bool = True
) -> str:
    """A value as people read it; '–' when there is none."""
    if is_missing(value):
        return "–"
    assert value is not None
    if style == "count":
        return _compact(value) if compact else f"{value:,.0f}"
    if style == "currency":
        symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
        sign = "-" if value < 0 else ""
        body = _compact(abs(value)) if compact else f"{abs(value):,.2f}"
        return f"{sign}{symbol}{body}"
    if style == "percent":
        # a small rate keeps two significant digits: a 0.4 % monthly churn is not "0.0%"
        return f"{value * 100:.2f}%" if 0 < abs(value) < 0.01 else f"{value * 100:.1f}%"
    if style == "multiple":
        return f"{value:.2f}×"
    if style == "seconds":
        if abs(value) >= 60:
            minutes, seconds = divmod(round(value), 60)
            return f"{minutes}m {seconds:02d}s"
        return f"{value:.0f}s"
    if style == "days":
        return f"{value:.1f} d"
    if style == "months":
        return f"{value:.1f} mo"
    if style == "position":
        return f"{value:.1f}"
    return f"{value:,.2f}"


def format_change(
    change_absolute: float | None, change_relative: float | None, style: str, currency: str
) -> str:
    """Change against the previous month: percentage points for percentages, else relative."""
    if is_missing(change_absolute):
        return "no previous month"
    assert change_absolute is not None
    if style == "percent":
        return f"{change_absolute * 100:+.1f} pp"
    if not is_missing(change_relative):
        assert change_relative is not None
        return f"{change_relative * 100:+.0f}%"
    formatted = format_value(abs(change_absolute), style, currency)
    return ("+" if change_absolute >= 0 else "-") + formatted


def axis_label(value: float, style: str, currency: str) -> str:
    """Short tick label for a chart axis."""
    value = value + 0.0  # no "-0"
    if abs(value) < 1e-12:
        value = 0.0
    if style == "percent":
        return f"{value * 100:.0f}%" if abs(value) >= 0.1 or value == 0 else f"{value * 100:.1f}%"
    if style == "multiple":
        return f"{value:g}×"
    if style == "currency":
        symbol = CURRENCY_SYMBOLS.get(currency, "")
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{_compact(abs(value), 0 if abs(value) < 1e3 else 1)}"
    if style == "count":
        return _compact(value, 0 if abs(value) < 1e3 else 1)
    return f"{value:g}"
