"""A small raw directory in the contract shape that stresses subscriptions, orders and CAC.

Hand-made customers cover the nasty subscription cases (each one named in `_NASTY`), a seeded
random population adds volume. Every row is clean except C06's two overlapping versions, which
staging rejects (`overlapping_version`) and the reference leaves out the same way.

The data range is fixed: the earliest activity date is lead L000's `created_at` (2023-12-15),
the latest the `valid_to` of C11's subscription (2025-08-03), so the grid runs Dec 2023 - Aug
2025 and only a subscription end reaches August (DECISIONS.md D8).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

FOREIGN_CURRENCY = "USD"
FIRST_DAY = date(2023, 12, 15)
LAST_DAY = date(2025, 8, 3)
# random activity stays strictly inside the fixed ends
RANDOM_FROM = date(2024, 1, 1)
RANDOM_TO = date(2025, 6, 30)

COLUMNS: dict[str, list[str]] = {
    "campaigns": ["campaign_id", "campaign_name", "channel", "started_on", "ended_on"],
    "costs": [
        "cost_date", "channel", "campaign_id", "cost_category", "amount", "currency",
        "impressions", "clicks",
    ],
    "leads": [
        "lead_id", "created_at", "email", "original_channel", "original_campaign_id", "mql_at",
        "sql_at", "customer_at",
    ],
    "touchpoints": [
        "touchpoint_id", "visitor_id", "lead_id", "occurred_at", "channel", "campaign_id",
        "landing_page", "pageviews", "engaged_seconds", "created_lead",
    ],
    "deals": ["deal_id", "lead_id", "created_at", "closed_at", "stage", "amount", "currency"],
    "subscriptions": [
        "subscription_id", "lead_id", "plan", "mrr", "currency", "valid_from", "valid_to",
    ],
    "orders": ["order_id", "lead_id", "ordered_at", "revenue", "cogs", "currency"],
    "keyword_rankings": ["ranked_on", "keyword", "position", "is_money_keyword", "search_volume"],
}  # fmt: skip

CHANNELS = ["google / cpc", "LinkedIn Ads", "Organic Search", "email", "referral"]

# (customer, subscription, mrr, currency, valid_from, valid_to or None)
Version = tuple[str, str, str, str, str, str | None]
_NASTY: list[Version] = [
    # C01 plan change mid-month: expansion in March 2024
    ("C01", "S01", "100", "EUR", "2024-01-10", "2024-03-15"),
    ("C01", "S01", "150", "EUR", "2024-03-15", None),
    # C02 a version inside February only, then back in May (reactivation, not new), churned
    # in August: valid_to on the 1st means the last paying day is July 31
    ("C02", "S02", "50", "EUR", "2024-02-05", "2024-02-20"),
    ("C02", "S02b", "70", "EUR", "2024-05-10", "2024-08-01"),
    # C03 a zero-length version (never valid), then a real start in June: new in June
    ("C03", "S03", "500", "EUR", "2024-04-10", "2024-04-10"),
    ("C03", "S03b", "80", "EUR", "2024-06-01", None),
    # C04 ends on April 30 (last paying day April 29): churned in April, reactivated in July
    ("C04", "S04", "60", "EUR", "2024-01-01", "2024-04-30"),
    ("C04", "S04b", "90", "EUR", "2024-07-15", None),
    # C05 several subscriptions, one in USD; S05a hands over to S05c on the same day
    ("C05", "S05a", "40", "EUR", "2024-02-01", "2024-06-01"),
    ("C05", "S05b", "25.50", FOREIGN_CURRENCY, "2024-03-20", "2024-09-10"),
    ("C05", "S05c", "30", "EUR", "2024-06-01", None),
    # C06 overlapping versions of one subscription (220 from May 1 to May 19 if they were summed):
    # both rejected as overlapping_version, none picked; the version that follows them is clean
    # (new in June), and so is a zero-length version inside it (valid on no day, overlaps nothing)
    ("C06", "S06", "100", "EUR", "2024-03-01", "2024-05-20"),
    ("C06", "S06", "120", "EUR", "2024-05-01", "2024-06-01"),
    ("C06", "S06", "130", "EUR", "2024-06-01", None),
    ("C06", "S06", "900", "EUR", "2024-07-10", "2024-07-10"),
    # C07 a free (mrr 0) trial, then paying from April 1: new in April
    ("C07", "S07", "0", "EUR", "2024-02-01", "2024-04-01"),
    ("C07", "S07", "49", "EUR", "2024-04-01", None),
    # C08 only mrr 0: never a customer in any KPI
    ("C08", "S08", "0", "EUR", "2024-03-01", None),
    # C09 paying only inside May (0 at both ends: no movement), reactivated in September
    ("C09", "S09", "35", "EUR", "2024-05-03", "2024-05-31"),
    ("C09", "S09b", "45", "EUR", "2024-09-01", None),
    # C10 a USD version over many months: converted once, at January's rate
    ("C10", "S10", "99.99", FOREIGN_CURRENCY, "2024-01-20", "2024-11-05"),
    # C11 the latest date of the data: churn in August 2025 is inside the range
    ("C11", "S11", "75", "EUR", "2025-03-01", "2025-08-03"),
    # C12 starts on the last day of June: month-end MRR, new in June
    ("C12", "S12", "10", "EUR", "2024-06-30", None),
    # C13 down to an mrr-0 version mid-June (churn), a new subscription in October
    ("C13", "S13", "200", "EUR", "2024-02-01", "2024-06-15"),
    ("C13", "S13", "0", "EUR", "2024-06-15", None),
    ("C13", "S13b", "150", "EUR", "2024-10-01", None),
    # C14 a version inside one month that was the first ever: nothing before, nothing at the end
    ("C14", "S14", "80", "EUR", "2024-08-05", "2024-08-25"),
    ("C14", "S14b", "80", "EUR", "2024-11-11", "2025-01-01"),
]


# Hand-made orders and the minimal other tables. The order offsets move OX1 into February and
# OX2/OX3 into May (UTC); L000 holds the earliest activity date of the data.
_FIXED_ROWS: dict[str, list[list[str]]] = {
    "orders": [
        ["OX1", "C01", "2024-03-01T01:30:00+02:00", "120.00", "", FOREIGN_CURRENCY],
        ["OX2", "C01", "2024-04-30T23:30:00-03:00", "80.00", "30.00", "EUR"],
        ["OX3", "C02", "2024-04-30T23:30:00-03:00", "80.00", "", "EUR"],
    ],
    "campaigns": [["cmp1", "Brand", "google / cpc", "2024-01-01", ""]],
    "touchpoints": [
        ["T1", "V1", "C01", "2024-01-09T10:00:00", "google / cpc", "cmp1", "/", "2", "30", "true"],
        ["T2", "V2", "", "2024-05-09T10:00:00", "Organic Search", "", "", "", "", "false"],
    ],
    "deals": [
        ["D1", "C01", "2024-01-09T12:00:00", "2024-01-10T12:00:00", "won", "1200", "EUR"],
        ["D2", "C04", "2024-06-01T12:00:00", "", "open", "500", "EUR"],
    ],
    "keyword_rankings": [
        ["2024-02-01", "crm software", "7", "true", "900"],
        ["2025-07-20", "crm software", "12", "true", "900"],
    ],
    "leads": [["L000", "2023-12-15T08:00:00", "", "email", "", "", "", ""]],
}


@dataclass
class RawTables:
    rows: dict[str, list[list[str]]] = field(
        default_factory=lambda: {table: [] for table in COLUMNS}
    )

    def add(self, table: str, row: list[str]) -> None:
        assert len(row) == len(COLUMNS[table]), (table, row)
        self.rows[table].append(row)

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for table, header in COLUMNS.items():
            with (directory / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(self.rows[table])


def _stamp(day: date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00"


def _random_day(rnd: random.Random, low: date = RANDOM_FROM, high: date = RANDOM_TO) -> date:
    return low + timedelta(days=rnd.randrange((high - low).days + 1))


def _add_lead(tables: RawTables, rnd: random.Random, lead_id: str, created: date) -> None:
    customer_at = ""
    if rnd.random() < 0.5:
        customer_day = min(created + timedelta(days=rnd.randrange(0, 90)), RANDOM_TO)
        customer_at = _stamp(customer_day, rnd.randrange(24))
    tables.add(
        "leads",
        [lead_id, _stamp(created), "", rnd.choice(CHANNELS), "", "", "", customer_at],
    )


def _random_versions(rnd: random.Random, customer: str) -> list[Version]:
    versions: list[Version] = []
    for number in range(rnd.choice([0, 1, 1, 2, 3])):
        subscription = f"S{customer}_{number}"
        start = _random_day(rnd)
        for _ in range(rnd.choice([1, 2, 3, 4])):
            roll = rnd.random()
            length = (
                0 if roll < 0.1 else rnd.randrange(1, 25) if roll < 0.35 else rnd.randrange(20, 300)
            )
            end = start + timedelta(days=length)
            mrr = rnd.choice(["0", "19.99", "49", "99.50", "100", "250", "83.33", "333.33"])
            currency = FOREIGN_CURRENCY if rnd.random() < 0.15 else "EUR"
            is_open = rnd.random() < 0.25 or end > date(2025, 7, 31)
            valid_to = None if is_open else end.isoformat()
            versions.append((customer, subscription, mrr, currency, start.isoformat(), valid_to))
            if is_open:
                break
            # a gap of 0 after a zero-length version would repeat the key (id, valid_from)
            start = end + timedelta(days=rnd.choice([1, 3, 40] if length == 0 else [0, 0, 3, 40]))
            if start > RANDOM_TO:
                break
    return versions


def _add_orders(tables: RawTables, rnd: random.Random, customer: str) -> None:
    for number in range(rnd.choice([0, 0, 1, 2, 2, 5])):
        day = _random_day(rnd)
        revenue = round(rnd.uniform(5, 500), 2)
        cogs = "" if rnd.random() < 0.3 else f"{revenue * rnd.uniform(0.1, 0.6):.2f}"
        currency = FOREIGN_CURRENCY if rnd.random() < 0.15 else "EUR"
        ordered_at = _stamp(day, rnd.randrange(24))
        order_id = f"O{customer}_{number}"
        tables.add("orders", [order_id, customer, ordered_at, f"{revenue:.2f}", cogs, currency])


def _add_costs(tables: RawTables, rnd: random.Random) -> None:
    month = date(2024, 1, 1)
    while month <= date(2025, 6, 1):
        # some months have no cost at all (CAC 0 where customers were won)
        for _ in range(rnd.choice([0, 1, 2, 3, 4])):
            day = month + timedelta(days=rnd.randrange(28))
            channel = rnd.choice(CHANNELS)
            category = rnd.choice(["media", "media", "marketing_other", "sales"])
            amount = f"{rnd.uniform(10, 3000):.2f}"
            currency = FOREIGN_CURRENCY if rnd.random() < 0.2 else "EUR"
            tables.add("costs", [day.isoformat(), channel, "", category, amount, currency, "", ""])
        month = (month + timedelta(days=32)).replace(day=1)


def write_raw_dir(directory: Path, seed: int, random_customers: int = 40) -> None:
    """Write the eight raw CSV files into `directory`."""
    rnd = random.Random(seed)
    tables = RawTables()
    for table, rows in _FIXED_ROWS.items():
        for row in rows:
            tables.add(table, row)
    versions = list(_NASTY)
    hand_made = sorted({version[0] for version in _NASTY})
    for customer in hand_made:
        _add_lead(tables, rnd, customer, date(2024, 1, 5))
    for number in range(random_customers):
        customer = f"R{number:03d}"
        _add_lead(tables, rnd, customer, _random_day(rnd))
        versions.extend(_random_versions(rnd, customer))
    for customer in [*hand_made, *(f"R{n:03d}" for n in range(random_customers))]:
        _add_orders(tables, rnd, customer)
    for customer, subscription, mrr, currency, valid_from, valid_to in versions:
        tables.add(
            "subscriptions",
            [subscription, customer, "plan", mrr, currency, valid_from, valid_to or ""],
        )
    _add_costs(tables, rnd)
    tables.write(directory)
