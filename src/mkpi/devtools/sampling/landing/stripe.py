"""Stripe as Fivetran lands it: the contract subscriptions as invoice lines.

Every contract subscription version is billed as invoice lines of one Stripe price: monthly
periods mostly, yearly or quarterly periods for some versions (their MRR stays exact: a yearly
price is 12 x the monthly amount). The connector rules (section 9) rebuild the versions: a
version's last period is cut at the next version's start, a churned subscription's periods are
clipped at its `ended_at`, consecutive periods of one price merge. A version without a plan in the
contract gets a price without a nickname (its plan comes back as the price id).

Customers carry the HubSpot contact id in their metadata, some only their email (the contact's,
unique among the contacts). Warts: proration lines at plan changes, one-off invoice items, lines
on a void, a draft and a deleted invoice, a line whose invoice never landed, older history rows.
"""

from __future__ import annotations

import calendar
import json
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange
from mkpi.devtools.sampling.frame import Ids, Labels, TableData
from mkpi.devtools.sampling.landing.tables import (
    MINUS_FIVE,
    PLUS_ONE,
    SPACE,
    UTC_OFFSET,
    ZULU,
    LandedTable,
    boolean_text,
    format_timestamps,
    pick_styles,
)

ALPHABET = np.array(list(string.ascii_letters + string.digits))
TIMESTAMP_STYLES = {ZULU: 0.4, SPACE: 0.3, UTC_OFFSET: 0.2, PLUS_ONE: 0.05, MINUS_FIVE: 0.05}
# billing period of a version: (interval, interval_count, months per period)
MONTHLY, YEARLY, QUARTERLY = ("month", 1, 1), ("year", 1, 12), ("month", 3, 3)
EMAIL_ONLY_SHARE = 0.2


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (as Stripe bills)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Version:
    plan: str | None
    cents: int
    currency: str
    valid_from: date
    valid_to: date | None


@dataclass
class _Lines:
    id: list[str] = field(default_factory=list)
    invoice: list[str | None] = field(default_factory=list)
    subscription: list[str | None] = field(default_factory=list)
    price: list[str | None] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    proration: list[bool | None] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)
    currency: list[str] = field(default_factory=list)
    quantity: list[int | None] = field(default_factory=list)
    start: list[datetime] = field(default_factory=list)
    end: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class Stripe:
    subscription_ids: dict[str, str]  # contract subscription id -> Stripe id
    tables: tuple[LandedTable, ...]


class _Builder:
    def __init__(self, span: DateRange, rng: np.random.Generator) -> None:
        self.span, self.rng = span, rng
        self.export = datetime.fromisoformat(str(span.end))
        self.lines = _Lines()
        self.invoices: dict[str, tuple[str, bool | None]] = {}  # id -> (status, is_deleted)
        self.prices: dict[tuple, tuple[str, str | None, int, str, int]] = {}
        self.used: set[str] = set()

    def new_id(self, prefix: str, length: int = 14) -> str:
        while True:
            text = prefix + "".join(self.rng.choice(ALPHABET, length))
            if text not in self.used:
                self.used.add(text)
                return text

    def price(self, plan: str | None, cents: int, currency: str, period: tuple) -> str:
        interval, count, months = period
        key = (plan, cents, currency, interval, count)
        if key not in self.prices:
            self.prices[key] = (self.new_id("price_"), plan, cents * months, interval, count)
        return self.prices[key][0]

    def invoice(self, status: str = "paid", deleted: bool | None = False) -> str:
        invoice_id = self.new_id("in_")
        self.invoices[invoice_id] = (status, deleted)
        return invoice_id

    def line(
        self,
        invoice: str | None,
        subscription: str | None,
        price: str | None,
        amount: int,
        currency: str,
        start: datetime,
        end: datetime,
        *,
        kind: str = "subscription",
        proration: bool | None = False,
        quantity: int | None = None,
    ) -> None:
        lines = self.lines
        lines.id.append(self.new_id("il_", 20))
        lines.invoice.append(invoice)
        lines.subscription.append(subscription)
        lines.price.append(price)
        lines.kind.append(kind)
        lines.proration.append(proration)
        lines.amount.append(amount)
        lines.currency.append(currency.lower())
        lines.quantity.append(quantity)
        lines.start.append(start)
        lines.end.append(end)

    def period(self) -> tuple:
        u = self.rng.random()
        return YEARLY if u < 0.12 else (QUARTERLY if u < 0.22 else MONTHLY)

    def bill(self, subscription: str, versions: list[Version], anchor: timedelta) -> None:
        """Invoice lines of one subscription's versions, from each valid_from on."""
        export_day = self.export.date()
        for number, version in enumerate(versions):
            period = self.period()
            price = self.price(version.plan, version.cents, version.currency, period)
            _, _, months = period
            # two units at half the price now and then (a seat-based price)
            halve = period == MONTHLY and version.cents % 2 == 0 and self.rng.random() < 0.1
            unit = version.cents // 2 if halve else version.cents
            if halve:
                price = self.price(version.plan, unit, version.currency, ("month", 1, 1))
            until = version.valid_to or export_day
            step = 0
            while True:
                start = add_months(version.valid_from, step * months)
                if start >= until or (step > 0 and start > export_day):
                    break
                end = add_months(version.valid_from, (step + 1) * months)
                invoice = self.invoice(
                    "open" if start + timedelta(days=20) > export_day else "paid"
                )
                amount = unit * months * (2 if halve else 1)
                quantity = 2 if halve else (1 if self.rng.random() < 0.5 else None)
                begins = datetime.combine(start, datetime.min.time()) + anchor
                ends = datetime.combine(end, datetime.min.time()) + anchor
                self.line(
                    invoice, subscription, price, amount, version.currency, begins, ends,
                    quantity=quantity,
                )  # fmt: skip
                if step == 0 and number > 0:
                    # the plan change credits the unused rest of the old period
                    self.line(
                        invoice, subscription, self.prices_of(versions[number - 1]),
                        -version.cents // 3, version.currency, begins, ends, proration=True,
                    )  # fmt: skip
                if self.rng.random() < 0.01:
                    self.line(
                        self.invoice("void"), subscription, price, amount, version.currency,
                        begins, ends, quantity=quantity,
                    )  # fmt: skip
                step += 1

    def prices_of(self, version: Version) -> str:
        return self.price(version.plan, version.cents, version.currency, MONTHLY)

    def warts(self, subscriptions: list[str], currency: dict[str, str]) -> None:
        """One-off items, a draft upcoming invoice, a deleted invoice, a missing invoice."""
        rng, export = self.rng, self.export
        if not subscriptions:
            return
        # a quantity change credited mid-period (a proration without a plan change)
        first = subscriptions[0]
        credited = export - timedelta(days=10, hours=5)
        self.line(
            self.invoice(), first, None, -1234, currency[first], credited,
            credited + timedelta(days=10), proration=True,
        )  # fmt: skip
        picks = rng.choice(len(subscriptions), size=min(len(subscriptions), 6), replace=False)
        for k, pick in enumerate(picks):
            subscription = subscriptions[int(pick)]
            when = export - timedelta(days=int(rng.integers(5, 60)), hours=3)
            money = currency[subscription]
            if k == 0:  # a setup fee: one-off item without a subscription
                self.line(self.invoice(), None, None, 25000, money, when, when, kind="invoiceitem")
            elif k == 1:  # an extra item billed with the subscription
                self.line(
                    self.invoice(), subscription, None, 4000, money, when, when, kind="invoiceitem"
                )
            elif k == 2:  # the upcoming period, still a draft
                self.line(
                    self.invoice("draft"),
                    subscription,
                    None,
                    9900,
                    money,
                    export,
                    export + timedelta(days=30),
                )
            elif k == 3:  # a deleted invoice
                self.line(
                    self.invoice("paid", True),
                    subscription,
                    None,
                    9900,
                    money,
                    when,
                    when + timedelta(days=30),
                )
            elif k == 4:  # an invoice that never landed
                self.line(
                    self.new_id("in_"),
                    subscription,
                    None,
                    9900,
                    money,
                    when,
                    when + timedelta(days=30),
                )
            else:  # a void invoice
                self.line(
                    self.invoice("void"),
                    subscription,
                    None,
                    9900,
                    money,
                    when,
                    when + timedelta(days=30),
                )

    def line_table(self) -> LandedTable:
        lines, rng = self.lines, self.rng
        n = len(lines.id)
        styles = pick_styles(rng, n, TIMESTAMP_STYLES)

        def stamps(values: list[datetime]) -> list[str | None]:
            return list(format_timestamps(np.array(values, dtype="datetime64[s]"), styles))

        table = LandedTable("invoice_line_item")
        table.add("id", "text", lines.id)
        table.add("invoice_id", "text", lines.invoice)
        table.add("subscription_id", "text", lines.subscription)
        table.add("price_id", "text", lines.price)
        table.add("plan_id", "text", lines.price)
        table.add("type", "text", lines.kind)
        table.add("proration", "boolean", [boolean_text(p) for p in lines.proration])
        table.add("amount", "bigint", [str(a) for a in lines.amount])
        table.add("currency", "text", lines.currency)
        table.add("quantity", "bigint", [None if q is None else str(q) for q in lines.quantity])
        table.add("period_start", "timestamp", stamps(lines.start))
        table.add("period_end", "timestamp", stamps(lines.end))
        table.add("_fivetran_synced", "timestamp", self.synced(n))
        return table

    def synced(self, n: int) -> list[str | None]:
        offsets = self.rng.integers(3600, 7200, n).astype("timedelta64[s]")
        return list(format_timestamps(np.datetime64(self.export, "s") + offsets, SPACE))

    def invoice_table(self) -> LandedTable:
        ids = list(self.invoices)
        table = LandedTable("invoice")
        table.add("id", "text", ids)
        table.add("status", "text", [self.invoices[i][0] for i in ids])
        table.add("is_deleted", "boolean", [boolean_text(self.invoices[i][1]) for i in ids])
        table.add("_fivetran_synced", "timestamp", self.synced(len(ids)))
        return table

    def price_table(self) -> LandedTable:
        rows = list(self.prices.values())
        table = LandedTable("price")
        table.add("id", "text", [r[0] for r in rows])
        table.add("nickname", "text", [r[1] for r in rows])
        table.add("unit_amount", "bigint", [str(r[2]) for r in rows])
        table.add("recurring_interval", "text", [r[3] for r in rows])
        table.add("recurring_interval_count", "bigint", [str(r[4]) for r in rows])
        table.add("_fivetran_synced", "timestamp", self.synced(len(rows)))
        return table


def _versions(subscriptions: TableData) -> dict[str, tuple[int, list[Version]]]:
    """Contract subscription id -> (lead index, versions in order)."""
    number = np.asarray(_ids(subscriptions["subscription_id"]).values)
    lead = np.asarray(_ids(subscriptions["lead_id"]).values) - 1
    plan = _labels(subscriptions["plan"])
    currency = _labels(subscriptions["currency"])
    cents = np.rint(np.asarray(subscriptions["mrr"], dtype=float) * 100).astype(np.int64)
    start = np.asarray(subscriptions["valid_from"], dtype="datetime64[D]")
    end = np.asarray(subscriptions["valid_to"], dtype="datetime64[D]")
    out: dict[str, tuple[int, list[Version]]] = {}
    for k in np.lexsort((start, number)):
        key = f"sub_{int(number[k]):06d}"
        version = Version(
            plan[k],
            int(cents[k]),
            str(currency[k]),
            start[k].item(),
            None if np.isnat(end[k]) else end[k].item(),
        )
        out.setdefault(key, (int(lead[k]), []))[1].append(version)
    return out


def _ids(column: object) -> Ids:
    if not isinstance(column, Ids):
        raise TypeError(f"expected an id column, got {type(column).__name__}")
    return column


def _labels(column: object) -> list[str | None]:
    if not isinstance(column, Labels):
        raise TypeError(f"expected a label column, got {type(column).__name__}")
    return [None if code < 0 else column.labels[code] for code in column.codes]


def build_stripe(
    subscriptions: TableData,
    contact_ids: np.ndarray,
    contact_emails: dict[int, str | None],
    span: DateRange,
    rng: np.random.Generator,
) -> Stripe:
    """The Stripe landing of the contract subscriptions; leads are HubSpot contacts."""
    builder = _Builder(span, rng)
    versions = _versions(subscriptions)
    ids: dict[str, str] = {}
    customers: dict[int, str] = {}  # lead index -> customer id
    history: list[tuple[str, str, str, datetime | None, bool, int]] = []
    currency: dict[str, str] = {}
    for contract_id, (lead, lead_versions) in versions.items():
        stripe_id = builder.new_id("sub_")
        ids[contract_id] = stripe_id
        customer = customers.setdefault(lead, builder.new_id("cus_"))
        anchor = timedelta(seconds=int(rng.integers(0, 86_400)))
        builder.bill(stripe_id, lead_versions, anchor)
        currency[stripe_id] = lead_versions[-1].currency
        last = lead_versions[-1]
        if last.valid_to is None:
            status = "past_due" if rng.random() < 0.05 else "active"
            history.append((stripe_id, customer, status, None, True, 0))
        else:
            ended = datetime.combine(last.valid_to, datetime.min.time()) + anchor
            history.append((stripe_id, customer, "active", None, False, 1))
            history.append((stripe_id, customer, "canceled", ended, True, 0))
    builder.warts(list(ids.values()), currency)
    tables = (
        builder.line_table(),
        builder.invoice_table(),
        _history_table(builder, history),
        builder.price_table(),
        _customer_table(builder, customers, contact_ids, contact_emails),
    )
    return Stripe(ids, tables)


def _history_table(builder: _Builder, rows: list[tuple]) -> LandedTable:
    export = np.datetime64(builder.export, "s")
    table = LandedTable("subscription_history")
    table.add("id", "text", [r[0] for r in rows])
    table.add("customer_id", "text", [r[1] for r in rows])
    table.add("status", "text", [r[2] for r in rows])
    ended = np.array(
        [np.datetime64("NaT") if r[3] is None else r[3] for r in rows], "datetime64[s]"
    )
    table.add("ended_at", "timestamp", list(format_timestamps(ended, ZULU)))
    table.add("_fivetran_active", "boolean", [boolean_text(r[4]) for r in rows])
    synced = np.array([export - np.timedelta64(86_400 * 30 * r[5], "s") for r in rows])
    table.add("_fivetran_synced", "timestamp", list(format_timestamps(synced, SPACE)))
    return table


def _customer_table(
    builder: _Builder,
    customers: dict[int, str],
    contact_ids: np.ndarray,
    contact_emails: dict[int, str | None],
) -> LandedTable:
    """Metadata lead id for most; email only where the contact's email names it alone."""
    counts: dict[str, int] = {}
    for email in contact_emails.values():
        if email and email.strip():
            counts[email.strip().lower()] = counts.get(email.strip().lower(), 0) + 1
    ids: list[str] = []
    emails: list[str | None] = []
    metadata: list[str | None] = []
    ordered = sorted(customers.items(), key=lambda item: item[1])
    unique = [
        bool(email and email.strip()) and counts[str(email).strip().lower()] == 1
        for email in (contact_emails.get(int(contact_ids[lead])) for lead, _ in ordered)
    ]
    email_only = [u and builder.rng.random() < EMAIL_ONLY_SHARE for u in unique]
    if any(unique) and not any(email_only):  # at least one customer found by email
        email_only[unique.index(True)] = True
    for (lead, customer), by_email in zip(ordered, email_only, strict=True):
        contact = int(contact_ids[lead])
        email = contact_emails.get(contact)
        ids.append(customer)
        if by_email:
            emails.append(str(email).strip())
            metadata.append(json.dumps({"signup": "web"}) if builder.rng.random() < 0.5 else None)
        else:
            emails.append(email.strip() if email and email.strip() else None)
            metadata.append(json.dumps({"lead_id": str(contact), "source": "hubspot"}))
    table = LandedTable("customer")
    table.add("id", "text", ids)
    table.add("email", "text", emails)
    table.add("metadata", "text", metadata)
    table.add("_fivetran_synced", "timestamp", builder.synced(len(ids)))
    return table
