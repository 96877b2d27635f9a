"""An independent implementation of the retention and order KPIs of catalog/kpis.yml.

Written from the spec ("Subscriptions, churn and lifetime value", the order rows of "Orders,
traffic and search", `cac` of "Acquisition and funnel") and DECISIONS.md (D4 conversion month,
D5 timestamps, D8 data range), never from the SQL models, so that a test comparing the two
checks the SQL against the spec. It is deliberately naive: every customer's MRR is worked out
day by day by summing the versions valid on that day (`valid_from <= day < valid_to`), and
every KPI is read off those daily values. Money is exact (Decimal) until the final ratio.

It reads a raw directory of clean CSV files and re-implements one reject only, because the data
holds it on purpose: versions of one subscription that are valid on a common day are all
rejected (`overlapping_version`, docs/raw-data.md), found here by counting, day by day, the
versions of each subscription valid on that day.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

Number = float | None
KpiRow = tuple[Number, Number, Number]  # numerator, denominator, value
Table = list[dict[str, str]]

ACTIVITY_COLUMNS: dict[str, list[str]] = {
    "leads": ["created_at", "mql_at", "sql_at", "customer_at"],
    "touchpoints": ["occurred_at"],
    "costs": ["cost_date"],
    "deals": ["created_at", "closed_at"],
    "orders": ["ordered_at"],
    "subscriptions": ["valid_from", "valid_to"],
    "keyword_rankings": ["ranked_on"],
}
MARKETING_CATEGORIES = {"media", "marketing_other"}


@dataclass(frozen=True)
class Settings:
    reporting_currency: str = "EUR"
    gross_margin: Decimal = Decimal("0.75")
    ltv_churn_months: int = 12


def read_table(raw_dir: Path, table: str) -> Table:
    with (raw_dir / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def utc_day(text: str) -> date:
    """The UTC date of an ISO date or timestamp (naive = UTC, an offset is converted)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def months_back(month: date, count: int) -> date:
    for _ in range(count):
        month = month_of(month - timedelta(days=1))
    return month


class Converter:
    """Amounts to the reporting currency with the seed fx_rates rate of a given month."""

    def __init__(self, fx_rates_csv: Path, reporting_currency: str) -> None:
        self.reporting_currency = reporting_currency
        with fx_rates_csv.open(newline="", encoding="utf-8") as handle:
            self.rates = {
                (row["currency"], date.fromisoformat(row["month"])): Decimal(
                    row["rate_to_reporting"]
                )
                for row in csv.DictReader(handle)
            }

    def __call__(self, amount: str, currency: str, day: date) -> Decimal:
        if currency.upper() == self.reporting_currency:
            return Decimal(amount)
        return Decimal(amount) * self.rates[(currency.upper(), month_of(day))]


def data_months(tables: dict[str, Table]) -> list[date]:
    """Every month from the earliest to the latest month of any activity date."""
    days = [
        utc_day(row[column])
        for table, columns in ACTIVITY_COLUMNS.items()
        for row in tables[table]
        for column in columns
        if row[column]
    ]
    month, last = month_of(min(days)), month_of(max(days))
    months = []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def divide(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator; NULL when either is NULL or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _float(value: Decimal | int | None) -> Number:
    return None if value is None else float(value)


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> KpiRow:
    return _float(numerator), _float(denominator), _float(divide(numerator, denominator))


def plain(value: Decimal | int | None) -> KpiRow:
    return None, None, _float(value)


def _valid_on(row: dict[str, str], day: date) -> bool:
    valid_from = date.fromisoformat(row["valid_from"])
    return valid_from <= day and (not row["valid_to"] or day < date.fromisoformat(row["valid_to"]))


def overlapping_versions(subscriptions: Table) -> set[tuple[str, str]]:
    """(subscription_id, valid_from) of every version valid on a day on which another version
    of the same subscription is valid too: all of them are rejected, none is picked."""
    by_subscription: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in subscriptions:
        by_subscription[row["subscription_id"]].append(row)
    overlapping: set[tuple[str, str]] = set()
    for subscription, rows in by_subscription.items():
        dates = [
            date.fromisoformat(row[c]) for row in rows for c in ("valid_from", "valid_to") if row[c]
        ]
        day, last = min(dates), max(dates) + timedelta(days=1)
        while day <= last:
            valid = [row for row in rows if _valid_on(row, day)]
            if len(valid) > 1:
                overlapping.update((subscription, row["valid_from"]) for row in valid)
            day += timedelta(days=1)
    return overlapping


def daily_mrr(
    subscriptions: Table, convert: Converter, first_day: date, last_day: date
) -> dict[str, dict[date, Decimal]]:
    """Customer (lead_id) -> day -> MRR, for every day from first_day to last_day."""
    versions_by_customer: dict[str, list[tuple[date, date | None, Decimal]]] = defaultdict(list)
    for row in subscriptions:
        valid_from = date.fromisoformat(row["valid_from"])
        valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        mrr = convert(row["mrr"], row["currency"], valid_from)
        versions_by_customer[row["lead_id"]].append((valid_from, valid_to, mrr))
    result: dict[str, dict[date, Decimal]] = {}
    for customer, versions in versions_by_customer.items():
        by_day: dict[date, Decimal] = {}
        day = first_day
        while day <= last_day:
            by_day[day] = sum(
                (
                    mrr
                    for valid_from, valid_to, mrr in versions
                    if valid_from <= day and (valid_to is None or day < valid_to)
                ),
                Decimal(0),
            )
            day += timedelta(days=1)
        result[customer] = by_day
    return result


@dataclass
class MrrMonth:
    start_mrr: Decimal = Decimal(0)
    end_mrr: Decimal = Decimal(0)
    new: Decimal = Decimal(0)
    reactivation: Decimal = Decimal(0)
    expansion: Decimal = Decimal(0)
    contraction: Decimal = Decimal(0)
    churned: Decimal = Decimal(0)
    start_customers: int = 0
    active_customers: int = 0
    churned_customers: int = 0


def mrr_month(mrr_by_customer: dict[str, dict[date, Decimal]], month: date) -> MrrMonth:
    start_day = month - timedelta(days=1)
    end_day = next_month(month) - timedelta(days=1)
    totals = MrrMonth()
    for by_day in mrr_by_customer.values():
        start, end = by_day[start_day], by_day[end_day]
        paid_before = any(mrr > 0 for day, mrr in by_day.items() if day < month)
        totals.start_mrr += start
        totals.end_mrr += end
        totals.start_customers += start > 0
        totals.active_customers += end > 0
        if not paid_before:
            totals.new += end
        elif start == 0:
            totals.reactivation += end
        elif end > 0:
            totals.expansion += max(end - start, Decimal(0))
            totals.contraction += max(start - end, Decimal(0))
        else:
            totals.churned += start
            totals.churned_customers += 1
    return totals


def total_cac(
    tables: dict[str, Table], convert: Converter, months: list[date]
) -> dict[date, Decimal | None]:
    """(marketing + sales cost) / new customers, per month."""
    cost: dict[date, Decimal] = defaultdict(Decimal)
    for row in tables["costs"]:
        day = utc_day(row["cost_date"])
        if row["cost_category"] in MARKETING_CATEGORIES | {"sales"}:
            cost[month_of(day)] += convert(row["amount"], row["currency"], day)
    new_customers: dict[date, int] = defaultdict(int)
    for row in tables["leads"]:
        if row["customer_at"]:
            new_customers[month_of(utc_day(row["customer_at"]))] += 1
    return {month: divide(cost[month], new_customers[month]) for month in months}


def times(value: Decimal | None, factor: Decimal) -> Decimal | None:
    return None if value is None else value * factor


def retention_kpis(
    tables: dict[str, Table], convert: Converter, months: list[date], settings: Settings
) -> dict[tuple[str, date], KpiRow]:
    first_day = months[0] - timedelta(days=1)
    last_day = next_month(months[-1]) - timedelta(days=1)
    mrr_by_customer = daily_mrr(tables["subscriptions"], convert, first_day, last_day)
    cac = total_cac(tables, convert, months)
    margin = settings.gross_margin
    rows: dict[tuple[str, date], KpiRow] = {}
    churn_rates: list[Decimal | None] = []
    for month in months:
        totals = mrr_month(mrr_by_customer, month)
        logo_churn = divide(totals.churned_customers, totals.start_customers)
        churn_rates.append(logo_churn)
        window = [rate for rate in churn_rates[-settings.ltv_churn_months :] if rate is not None]
        mean_churn = sum(window, Decimal(0)) / len(window) if window else None
        arpa = divide(totals.end_mrr, totals.active_customers)
        ltv = divide(times(arpa, margin), mean_churn)
        month_rows: dict[str, KpiRow] = {
            "mrr": plain(totals.end_mrr),
            "arr": plain(12 * totals.end_mrr),
            "active_customers": plain(totals.active_customers),
            "new_mrr": plain(totals.new),
            "reactivation_mrr": plain(totals.reactivation),
            "expansion_mrr": plain(totals.expansion),
            "contraction_mrr": plain(totals.contraction),
            "churned_mrr": plain(totals.churned),
            "logo_churn_rate": ratio(totals.churned_customers, totals.start_customers),
            "annual_logo_churn_rate": plain(
                None if logo_churn is None else 1 - (1 - logo_churn) ** 12
            ),
            "gross_mrr_churn_rate": ratio(totals.churned + totals.contraction, totals.start_mrr),
            "net_revenue_retention": ratio(
                totals.start_mrr + totals.expansion - totals.contraction - totals.churned,
                totals.start_mrr,
            ),
            "arpa": ratio(totals.end_mrr, totals.active_customers),
            "ltv": ratio(times(arpa, margin), mean_churn),
            "ltv_cac_ratio": ratio(ltv, cac[month]),
            "cac_payback_months": ratio(cac[month], times(arpa, margin)),
        }
        rows.update({(kpi, month): row for kpi, row in month_rows.items()})
    return rows


def order_kpis(
    tables: dict[str, Table], convert: Converter, months: list[date]
) -> dict[tuple[str, date], KpiRow]:
    orders = [
        (utc_day(row["ordered_at"]), row["lead_id"], row["revenue"], row["currency"])
        for row in tables["orders"]
    ]
    rows: dict[tuple[str, date], KpiRow] = {}
    for month in months:
        in_month = [order for order in orders if month_of(order[0]) == month]
        revenue = sum(
            (convert(amount, currency, day) for day, _, amount, currency in in_month), Decimal(0)
        )
        window_start = months_back(month, 11)
        in_window = [order for order in orders if window_start <= month_of(order[0]) <= month]
        to_date: dict[str, int] = defaultdict(int)
        for day, customer, _, _ in orders:
            if month_of(day) <= month:
                to_date[customer] += 1
        rows[("aov", month)] = ratio(revenue, len(in_month))
        rows[("purchase_frequency_12m", month)] = ratio(
            len(in_window), len({order[1] for order in in_window})
        )
        rows[("repeat_customer_rate", month)] = ratio(
            sum(count >= 2 for count in to_date.values()), len(to_date)
        )
    return rows


def reference_kpis(
    raw_dir: Path, fx_rates_csv: Path, settings: Settings | None = None
) -> tuple[list[date], dict[tuple[str, date], KpiRow]]:
    """The data range's months and (kpi, month) -> (numerator, denominator, value)."""
    settings = settings or Settings()
    tables = {table: read_table(raw_dir, table) for table in ACTIVITY_COLUMNS}
    rejected = overlapping_versions(tables["subscriptions"])
    tables["subscriptions"] = [
        row
        for row in tables["subscriptions"]
        if (row["subscription_id"], row["valid_from"]) not in rejected
    ]
    convert = Converter(fx_rates_csv, settings.reporting_currency)
    months = data_months(tables)
    rows = retention_kpis(tables, convert, months, settings)
    rows.update(order_kpis(tables, convert, months))
    return months, rows
