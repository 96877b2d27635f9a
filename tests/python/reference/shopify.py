"""Reference: a Shopify landing -> contract `orders` rows, in plain Python (no dbt, no SQL).

Written straight from docs/connectors.md (sections 1-3 and 4.6), so the tests can hold
contract_shopify__orders against it. Call

    result = shopify_orders(landing_dir, clean_leads)

on a directory laid out as the spec's DuckDB files (`<dir>/shopify/order.csv|.parquet`,
`order_line`, `product_variant`, `inventory_item`, `customer`, optional `tax_line` and
`order_note_attribute`). `clean_leads` are the leads the contract keeps (lead_id -> created_at
and email, the address or its `email_<hash>` token); `clean_leads_from_files` reads them from
`<dir>/files/leads.csv` for landings whose leads are all clean. Email matching compares salted
hashes (`salt`: var email_hash_salt, default the public one). Values are read as text, trimmed,
`''` = None, then typed here; numbers are Decimals (exact), timestamps naive UTC.

`result.orders`: one dict per landed order that is not rejected here (order_id, lead_id,
ordered_at, revenue, cogs, currency); `.rejected` the landed orders and order lines that are
(`Rejected(source_table, key, reason)`); `.reconciliation` one row for `shopify.order` and one for
`shopify.order_line`. The contract's own staging is not applied: an order whose lead is not a
clean lead is still an order row here (the contract rejects it as `orphan_lead_id`).

Decisions where the spec leaves room are marked "Decision:".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from reference.connectors import (
    ConnectorInputError,
    LandedRow,
    Reconciliation,
    Rejected,
    _Landing,
    parse_bool,
    parse_decimal,
    parse_timestamp,
    plain_id,
)
from reference.connectors import (
    Result as ConnectorResult,
)
from reference.privacy import DEFAULT_SALT, email_hash, mask, salted_hash

INPUT = "shopify"
# section 3: the first reason that applies wins
DELETED, TEST, CANCELLED = "deleted_in_source", "test_order", "cancelled_order"
# Decision: a line whose order is not landed at all is rejected with this reason
ORPHAN_LINE = "orphan_order_line"
# REST-API column name -> the GraphQL connector's name of the same column
GRAPHQL_NAMES = {
    "currency": "currency_code",
    "subtotal_price": "subtotal_price_set_shop_amount",
    "name": "key",  # of order_note_attribute
}
LEAD_ID_ATTRIBUTE = "lead_id"
ORDER_COLUMNS = [
    "id", "email", "customer_id", "created_at", "processed_at", "taxes_included", "test",
    "cancelled_at", "_fivetran_deleted",
]  # fmt: skip


class CleanLead(NamedTuple):
    created_at: datetime | None
    email: str | None


@dataclass
class ShopifyResult:
    orders: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    reconciliation: list[Reconciliation] = field(default_factory=list)

    def order(self, order_id: str) -> dict[str, Any]:
        (row,) = [row for row in self.orders if row["order_id"] == order_id]
        return row

    def reconciliation_for(self, landed_table: str) -> Reconciliation:
        (row,) = [row for row in self.reconciliation if row.landed_table == landed_table]
        return row


def clean_leads(connectors: ConnectorResult) -> dict[str, CleanLead]:
    """The clean leads of reference.connectors' result (HubSpot leads the contract keeps)."""
    return {
        str(row["lead_id"]): CleanLead(row["created_at"], row["email"])
        for row in connectors.leads
        if row["lead_id"] in connectors.clean_lead_ids
    }


def clean_leads_from_files(landing_dir: Path) -> dict[str, CleanLead]:
    """Leads of `<dir>/files/leads.csv` (assumed clean: the test landings write clean leads)."""
    table = _Landing(Path(landing_dir)).read("files", "leads", ["lead_id", "created_at", "email"])
    assert table is not None
    return {
        str(row["lead_id"]): CleanLead(parse_timestamp(row["created_at"]), row["email"])
        for row in table.rows
    }


def _names(column: str) -> list[str]:
    return [column, GRAPHQL_NAMES[column]]


def _either(row: LandedRow, columns: list[str], name: str, table: str) -> str | None:
    """The first of `columns` that has a value (REST name first, then GraphQL name)."""
    landed = [column for column in columns if column in row]
    if not landed:
        raise ConnectorInputError(f"{INPUT}.{table}: missing column {name}")
    return next((row[column] for column in landed if row[column] is not None), None)


def _normalised_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return email.strip().lower()


def _id_order(lead_id: str) -> tuple[int, str]:
    """Decision: "smallest lead_id" compares numeric ids by number (shorter text first)."""
    return (len(lead_id), lead_id)


class _EmailMatcher:
    """Leads by the hash of their email (raw-data.md: `email_hash`, salted md5 of the trimmed,
    lower-cased address; a lead email already masked by a connector keeps its hash)."""

    def __init__(self, clean_leads: dict[str, CleanLead], salt: str) -> None:
        self.salt = salt
        self.by_hash: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        for lead_id, lead in clean_leads.items():
            key = email_hash(lead.email, salt)
            if key is not None and lead.created_at is not None:
                self.by_hash[key].append((lead.created_at, lead_id))

    def match(self, emails: list[str | None]) -> str | None:
        """The earliest created (then smallest id) clean lead with any of the emails."""
        candidates = [
            lead
            for email in emails
            if _normalised_email(email) is not None
            for lead in self.by_hash.get(salted_hash(str(email), self.salt), [])
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda lead: (lead[0], _id_order(lead[1])))[1]


def _reason(row: LandedRow) -> str | None:
    if parse_bool(row["_fivetran_deleted"]):
        return DELETED
    if parse_bool(row["test"]):
        return TEST
    if row["cancelled_at"] is not None:
        return CANCELLED
    return None


def shopify_orders(
    landing_dir: Path, clean_leads: dict[str, CleanLead], salt: str = DEFAULT_SALT
) -> ShopifyResult:
    landing = _Landing(Path(landing_dir))
    read = landing.read
    orders = read(
        INPUT,
        "order",
        ORDER_COLUMNS,
    )
    lines = read(INPUT, "order_line", ["id", "order_id", "variant_id", "quantity"])
    variants = read(INPUT, "product_variant", ["id", "inventory_item_id"])
    items = read(INPUT, "inventory_item", ["id"])
    customers = read(INPUT, "customer", ["id", "email"])
    taxes = read(INPUT, "tax_line", ["order_line_id", "price"], optional=True)
    notes = read(INPUT, "order_note_attribute", ["order_id", "value"], optional=True)
    assert orders and lines and variants and items and customers

    # lookups by id (Decision: an id landed twice takes its smallest value)
    item_of_variant: dict[str, str] = {}
    for row in variants.rows:
        variant, item = plain_id(row["id"]), plain_id(row["inventory_item_id"])
        if variant is not None and item is not None:
            known = item_of_variant.get(variant)
            item_of_variant[variant] = item if known is None else min(known, item)
    if not {"unit_cost_amount", "cost"} & set(items.columns):
        raise ConnectorInputError(f"{INPUT}.inventory_item: missing column unit_cost_amount")
    cost_of_item: dict[str, Decimal] = {}
    for row in items.rows:
        item = plain_id(row["id"])
        cost = parse_decimal(row.get("unit_cost_amount"))
        cost = cost if cost is not None else parse_decimal(row.get("cost"))
        if item is not None and cost is not None:
            known_cost = cost_of_item.get(item)
            cost_of_item[item] = cost if known_cost is None else min(known_cost, cost)
    emails_of_customer: dict[str, list[str | None]] = defaultdict(list)
    for row in customers.rows:
        customer = plain_id(row["id"])
        if customer is not None:
            emails_of_customer[customer].append(row["email"])

    # the lines of each order: cost (None: unknown) and taxes
    lines_of_order: dict[str | None, list[LandedRow]] = defaultdict(list)
    order_of_line: dict[str, str | None] = {}
    for row in lines.rows:
        lines_of_order[plain_id(row["order_id"])].append(row)
        line_id = plain_id(row["id"])
        if line_id is not None:
            order_of_line[line_id] = plain_id(row["order_id"])
    taxes_of_order: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in taxes.rows if taxes else []:
        line_id = plain_id(row["order_line_id"])
        price = parse_decimal(row["price"])
        if line_id in order_of_line and price is not None:
            taxes_of_order[order_of_line[line_id]] += price

    def cogs(order_id: str | None) -> Decimal | None:
        total = Decimal(0)
        order_lines = lines_of_order.get(order_id, [])
        if not order_lines:
            return None
        for line in order_lines:
            item = item_of_variant.get(plain_id(line["variant_id"]) or "")
            cost = cost_of_item.get(item) if item is not None else None
            quantity = parse_decimal(line["quantity"])
            if cost is None or quantity is None:  # Decision: no quantity is no cost too
                return None
            total += quantity * cost
        return total

    note_lead: dict[str | None, str] = {}
    for row in notes.rows if notes else []:
        name = _either(row, _names("name"), "name", "order_note_attribute")
        value = row["value"]
        if name is not None and name.lower() == LEAD_ID_ATTRIBUTE and value is not None:
            order_id = plain_id(row["order_id"])
            known = note_lead.get(order_id)
            note_lead[order_id] = value if known is None else min(known, value)

    matcher = _EmailMatcher(clean_leads, salt)
    result = ShopifyResult()
    fate: dict[str | None, str | None] = {}  # order id -> None kept, else the reason
    precedence = [DELETED, TEST, CANCELLED]
    for row in orders.rows:
        order_id = plain_id(row["id"])
        reason = _reason(row)
        if order_id in fate:  # Decision: an id landed twice is kept when any of its rows is
            known = fate[order_id]
            fate[order_id] = (
                None
                if known is None or reason is None
                else min(known, reason, key=precedence.index)
            )
        else:
            fate[order_id] = reason
        if reason is not None:
            result.rejected.append(Rejected(f"{INPUT}.order", order_id, reason))
            continue
        lead_id = note_lead.get(order_id)
        if lead_id is None:
            lead_id = matcher.match([row["email"]])
        if lead_id is None:
            lead_id = matcher.match(emails_of_customer.get(plain_id(row["customer_id"]) or "", []))
        subtotal = parse_decimal(_either(row, _names("subtotal_price"), "subtotal_price", "order"))
        revenue = subtotal
        if subtotal is not None and parse_bool(row["taxes_included"]):
            revenue = subtotal - taxes_of_order.get(order_id, Decimal(0))
        currency = _either(row, _names("currency"), "currency", "order")
        ordered_at = parse_timestamp(row["processed_at"]) or parse_timestamp(row["created_at"])
        result.orders.append(
            {
                "order_id": mask(order_id),
                "lead_id": mask(lead_id),
                "ordered_at": ordered_at,
                "revenue": revenue,
                "cogs": cogs(order_id),
                "currency": mask(currency.upper()) if currency else None,
            }
        )

    kept_lines = 0
    for order_id, order_lines in lines_of_order.items():
        for line in order_lines:
            if order_id not in fate:
                result.rejected.append(
                    Rejected(f"{INPUT}.order_line", plain_id(line["id"]), ORPHAN_LINE)
                )
            elif fate[order_id] is not None:
                result.rejected.append(
                    Rejected(f"{INPUT}.order_line", plain_id(line["id"]), str(fate[order_id]))
                )
            else:
                kept_lines += 1
    rejected_orders = sum(1 for r in result.rejected if r.source_table == f"{INPUT}.order")
    rejected_lines = sum(1 for r in result.rejected if r.source_table == f"{INPUT}.order_line")
    result.reconciliation = [
        Reconciliation(INPUT, "order", len(orders.rows), len(result.orders), 0, rejected_orders),
        Reconciliation(INPUT, "order_line", len(lines.rows), 0, kept_lines, rejected_lines),
    ]
    result.orders.sort(key=lambda row: _sort_id(row["order_id"]))
    result.rejected.sort(key=lambda r: (r.source_table, _sort_id(r.key), r.reason))
    return result


def _sort_id(value: str | None) -> tuple[int, int, str]:
    if value is None:
        return (1, 0, "")
    return (0, len(value), value)
