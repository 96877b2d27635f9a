"""Shopify as Fivetran lands it: orders with their lines, variants, inventory items, customers, tax
lines and note attributes.

Every contract order is one kept Shopify order (docs/connectors.md section 10 gives it back
exactly): its lead by the note attribute `lead_id` (the HubSpot contact id) for most orders, by
the order's email or its customer's email for some; its lines' quantity x unit cost sum exactly to
the contract cogs (a NULL cogs: a line whose cost is unknown, or no lines); its subtotal is the
revenue, plus the line taxes when the prices include taxes. Around them sit what the rules must
drop: test orders, cancelled orders and deleted orders, each with lines of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mkpi.devtools.sampling.frame import Ids, Labels, TableData
from mkpi.devtools.sampling.landing.tables import (
    MINUS_FIVE,
    PLUS_ONE,
    SPACE,
    UTC_OFFSET,
    ZULU,
    LandedTable,
    boolean_text,
    cents_text,
    format_timestamps,
    pick_styles,
)

ORDER_BASE = 5_500_000_000_000  # contract order n (1-based) is ORDER_BASE + ID_STEP n
ID_STEP = 10
TEST_OFFSET, CANCELLED_OFFSET, DELETED_OFFSET = 3, 4, 5  # extra orders next to order n
LINE_BASE = 13_600_000_000_000
VARIANT_BASE = 41_000_000_000_000
ITEM_BASE = 43_000_000_000_000
CUSTOMER_BASE = 6_900_000_000_000
CATALOG_SIZE = 40
TIMESTAMP_STYLES = {SPACE: 0.3, ZULU: 0.1, UTC_OFFSET: 0.4, PLUS_ONE: 0.1, MINUS_FIVE: 0.1}
NOTE_NAMES = ("gift_message", "delivery_window", "utm_source")


@dataclass(frozen=True)
class OrderRows:
    """The contract orders, unpacked: lead index, time, money in cents (cogs -1 = NULL)."""

    lead: np.ndarray
    ordered_at: np.ndarray  # datetime64[s]
    revenue_cents: np.ndarray
    cogs_cents: np.ndarray
    currency: list[str]

    def __len__(self) -> int:
        return len(self.lead)


def order_rows(orders: TableData) -> OrderRows:
    lead_ids = orders["lead_id"]
    currency = orders["currency"]
    if not isinstance(lead_ids, Ids) or not isinstance(currency, Labels):
        raise TypeError("orders: lead_id must be ids and currency labels")
    cogs = np.asarray(orders["cogs"], dtype=float)
    return OrderRows(
        lead=np.asarray(lead_ids.values, dtype=np.int64) - 1,
        ordered_at=np.asarray(orders["ordered_at"], dtype="datetime64[s]"),
        revenue_cents=np.rint(np.asarray(orders["revenue"], dtype=float) * 100).astype(np.int64),
        cogs_cents=np.where(np.isnan(cogs), -1, np.rint(np.nan_to_num(cogs) * 100)).astype(
            np.int64
        ),
        currency=[str(currency.labels[code]) for code in np.asarray(currency.codes)],
    )


@dataclass
class _Order:
    order_id: int
    lead: int
    ordered_at: np.datetime64
    subtotal_cents: int
    currency: str
    email: str | None
    customer_id: int | None
    taxes_included: bool = False
    test: bool | None = False
    cancelled_at: np.datetime64 | None = None
    deleted: bool | None = False
    has_processed_at: bool = True


@dataclass
class _Tables:
    orders: list[_Order] = field(default_factory=list)
    lines: list[tuple[int, int, int | None, int]] = field(default_factory=list)  # id, order, var, q
    variants: list[tuple[int, int | None]] = field(default_factory=list)  # variant, item
    items: list[tuple[int, int | None, bool]] = field(default_factory=list)  # id, cents, older
    taxes: list[tuple[int, int]] = field(default_factory=list)  # line id, cents
    notes: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Shopify:
    order_ids: np.ndarray  # per contract order
    tables: tuple[LandedTable, ...]


class _Builder:
    def __init__(
        self,
        orders: OrderRows,
        lead_emails: list[str | None],
        contact_ids: np.ndarray,
        synced_at: np.datetime64,
        rng: np.random.Generator,
    ) -> None:
        self.orders, self.lead_emails, self.contact_ids = orders, lead_emails, contact_ids
        self.synced_at, self.rng = synced_at, rng
        self.out = _Tables()
        self.next_line = LINE_BASE
        self.next_variant = VARIANT_BASE + 1000
        counts: dict[str, int] = {}
        for email in lead_emails:
            if email:
                counts[email] = counts.get(email, 0) + 1
        self.unique_email = [bool(e) and counts[str(e)] == 1 for e in lead_emails]
        # the catalog: shared variants with known costs (some inventory items land only `cost`)
        self.catalog_cents = rng.integers(150, 2500, CATALOG_SIZE)
        for k, cents in enumerate(self.catalog_cents):
            self.out.variants.append((VARIANT_BASE + k, ITEM_BASE + k))
            self.out.items.append((ITEM_BASE + k, int(cents), rng.random() < 0.2))
        # a variant whose item has no cost, and one whose item is not landed
        self.no_cost_variant = VARIANT_BASE + CATALOG_SIZE
        self.out.variants.append((self.no_cost_variant, ITEM_BASE + CATALOG_SIZE))
        self.out.items.append((ITEM_BASE + CATALOG_SIZE, None, False))
        self.no_item_variant = VARIANT_BASE + CATALOG_SIZE + 1
        self.out.variants.append((self.no_item_variant, ITEM_BASE + CATALOG_SIZE + 1))

    # -- ids ------------------------------------------------------------------------------------

    def order_id(self, n: int) -> int:
        return ORDER_BASE + ID_STEP * (n + 1)

    def customer_id(self, lead: int) -> int:
        return CUSTOMER_BASE + lead

    def _line(self, order_id: int, variant: int | None, quantity: int) -> int:
        self.next_line += 1
        self.out.lines.append((self.next_line, order_id, variant, quantity))
        return self.next_line

    def _own_variant(self, cents: int) -> int:
        """A variant of its own whose item costs exactly `cents` (the line that closes the sum)."""
        self.next_variant += 1
        item = ITEM_BASE + (self.next_variant - VARIANT_BASE)
        self.out.variants.append((self.next_variant, item))
        self.out.items.append((item, cents, self.rng.random() < 0.2))
        return self.next_variant

    # -- lines ----------------------------------------------------------------------------------

    def costed_lines(self, order_id: int, cogs_cents: int) -> list[int]:
        """1-3 lines whose quantity x unit cost sums to `cogs_cents`."""
        rng = self.rng
        lines: list[int] = []
        remaining = cogs_cents
        for _ in range(int(rng.integers(0, 3))):
            k = int(rng.integers(CATALOG_SIZE))
            quantity = int(rng.integers(1, 4))
            cost = int(self.catalog_cents[k])
            if quantity * cost < remaining:
                lines.append(self._line(order_id, VARIANT_BASE + k, quantity))
                remaining -= quantity * cost
        divisors = [q for q in (3, 2) if remaining % q == 0 and remaining > 0]
        quantity = divisors[0] if divisors and rng.random() < 0.5 else 1
        lines.append(self._line(order_id, self._own_variant(remaining // quantity), quantity))
        return lines

    def uncosted_lines(self, order_id: int) -> list[int]:
        """Lines of an order without a cogs: none, or one whose cost cannot be known."""
        rng = self.rng
        u = rng.random()
        if u < 0.2:
            return []
        lines = [
            self._line(order_id, VARIANT_BASE + int(rng.integers(CATALOG_SIZE)), 1)
            for _ in range(int(rng.integers(0, 2)))
        ]
        unknown = self.no_cost_variant if u < 0.6 else (self.no_item_variant if u < 0.85 else None)
        lines.append(self._line(order_id, unknown, int(rng.integers(1, 3))))
        return lines

    def extra_lines(self, order_id: int) -> None:
        for _ in range(int(self.rng.integers(1, 3))):
            k = int(self.rng.integers(CATALOG_SIZE))
            self._line(order_id, VARIANT_BASE + k, int(self.rng.integers(1, 3)))

    # -- orders ---------------------------------------------------------------------------------

    def _lead_email(self, lead: int) -> str | None:
        email = self.lead_emails[lead]
        return str(email) if email else None

    def _matched_order_email(self, lead: int) -> str:
        email = str(self._lead_email(lead))
        u = self.rng.random()
        return email.upper() if u < 0.15 else (f" {email} " if u < 0.25 else email)

    def build_orders(self) -> None:
        orders, rng = self.orders, self.rng
        for n in range(len(orders)):
            lead = int(orders.lead[n])
            order_id = self.order_id(n)
            email = self._lead_email(lead)
            customer: int | None = self.customer_id(lead)
            u = rng.random(4)
            by_email = self.unique_email[lead] and u[0] < 0.25
            if not by_email:
                self.out.notes.append((order_id, "lead_id", str(self.contact_ids[lead])))
                if email and u[1] < 0.05 and n > 0:  # someone else's email: the note wins
                    email = self._lead_email(int(orders.lead[n - 1])) or email
            elif u[1] < 0.6:  # the order's own email
                email = self._matched_order_email(lead)
                if u[2] < 0.2:
                    self.out.notes.append((order_id, "lead_id", ""))  # empty: not a lead id
            else:  # a checkout email that matches nobody, or none: the customer's email
                email = f"checkout{n}@shop.example.org" if u[2] < 0.5 else None
            if u[3] < 0.3:
                name = NOTE_NAMES[int(rng.integers(len(NOTE_NAMES)))]
                self.out.notes.append((order_id, name, f"note {n}"))
            if not by_email and u[2] < 0.1:
                customer = None  # a guest checkout: the note attribute carries the lead
            cogs = int(orders.cogs_cents[n])
            lines = (
                self.costed_lines(order_id, cogs) if cogs >= 0 else self.uncosted_lines(order_id)
            )
            subtotal = int(orders.revenue_cents[n])
            taxes_included = lines != [] and rng.random() < 0.15
            if taxes_included:
                for line in lines:
                    if rng.random() < 0.8:
                        tax = int(rng.integers(50, 3000))
                        self.out.taxes.append((line, tax))
                        subtotal += tax
            elif lines and rng.random() < 0.1:  # tax lines on a price without taxes: not subtracted
                self.out.taxes.append((lines[0], int(rng.integers(50, 3000))))
            currency = orders.currency[n]
            self.out.orders.append(
                _Order(
                    order_id,
                    lead,
                    orders.ordered_at[n],
                    subtotal,
                    currency.lower() if rng.random() < 0.1 else currency,
                    email,
                    customer,
                    taxes_included=taxes_included,
                    test=None if rng.random() < 0.05 else False,
                    deleted=None if rng.random() < 0.05 else False,
                    has_processed_at=rng.random() >= 0.3,
                )
            )

    def add_rejected(self) -> None:
        """Test orders, cancelled orders and deleted orders next to some orders."""
        orders, rng = self.orders, self.rng
        n = len(orders)
        if n == 0:
            return
        for offset, share, minimum in (
            (TEST_OFFSET, 0.03, 2),
            (CANCELLED_OFFSET, 0.04, 2),
            (DELETED_OFFSET, 0.01, 1),
        ):
            count = min(n, max(minimum, round(share * n)))
            for k in sorted(int(i) for i in rng.choice(n, size=count, replace=False)):
                lead = int(orders.lead[k])
                order_id = self.order_id(k) + offset
                ordered = orders.ordered_at[k] + np.timedelta64(int(rng.integers(60, 86_400)), "s")
                order = _Order(
                    order_id,
                    lead,
                    ordered,
                    int(orders.revenue_cents[k]),
                    orders.currency[k],
                    self._lead_email(lead),
                    self.customer_id(lead),
                )
                if offset == TEST_OFFSET:
                    order.test = True
                elif offset == CANCELLED_OFFSET:
                    order.cancelled_at = ordered + np.timedelta64(
                        int(rng.integers(600, 5 * 86_400)), "s"
                    )
                    order.test = rng.random() < 0.2 and None  # NULL test: not a test order
                else:
                    order.deleted = True
                    order.cancelled_at = ordered if rng.random() < 0.5 else None
                self.out.orders.append(order)
                self.out.notes.append((order_id, "lead_id", str(self.contact_ids[lead])))
                self.extra_lines(order_id)

    # -- tables ---------------------------------------------------------------------------------

    def _stamps(self, values: list[np.datetime64 | None]) -> list[str | None]:
        array = np.array(
            [np.datetime64("NaT") if v is None else v for v in values], "datetime64[s]"
        )
        styles = pick_styles(self.rng, len(values), TIMESTAMP_STYLES)
        return list(format_timestamps(array, styles))

    def _synced(self, n: int) -> list[str | None]:
        offsets = self.rng.integers(0, 3600, n).astype("timedelta64[s]")
        return list(format_timestamps(self.synced_at + offsets, SPACE))

    def order_table(self) -> LandedTable:
        rows = sorted(self.out.orders, key=lambda o: o.order_id)
        rng = self.rng
        n = len(rows)
        # created a little before processing; a third have no processed_at (created = ordered)
        created = [
            o.ordered_at - np.timedelta64(int(rng.integers(0, 900)), "s")
            if o.has_processed_at
            else o.ordered_at
            for o in rows
        ]
        table = LandedTable("order")
        table.add("id", "bigint", [str(o.order_id) for o in rows])
        table.add("name", "text", [f"#{1000 + i}" for i in range(n)])
        table.add("email", "text", [o.email for o in rows])
        table.add(
            "customer_id",
            "bigint",
            [None if o.customer_id is None else str(o.customer_id) for o in rows],
        )
        table.add("created_at", "timestamp", self._stamps(list(created)))
        table.add(
            "processed_at",
            "timestamp",
            self._stamps([o.ordered_at if o.has_processed_at else None for o in rows]),
        )
        table.add("currency", "text", [o.currency for o in rows])
        table.add("subtotal_price", "money", [cents_text(o.subtotal_cents) for o in rows])
        table.add(
            "total_price",
            "money",
            [cents_text(o.subtotal_cents + int(rng.integers(0, 900))) for o in rows],
        )
        table.add("financial_status", "text", ["paid"] * n)
        table.add("taxes_included", "boolean", [boolean_text(o.taxes_included) for o in rows])
        table.add("test", "boolean", [boolean_text(o.test) for o in rows])
        table.add("cancelled_at", "timestamp", self._stamps([o.cancelled_at for o in rows]))
        table.add("_fivetran_deleted", "boolean", [boolean_text(o.deleted) for o in rows])
        table.add("_fivetran_synced", "timestamp", self._synced(n))
        return table

    def line_table(self) -> LandedTable:
        rows = sorted(self.out.lines)
        table = LandedTable("order_line")
        table.add("id", "bigint", [str(r[0]) for r in rows])
        table.add("order_id", "bigint", [str(r[1]) for r in rows])
        table.add("variant_id", "bigint", [None if r[2] is None else str(r[2]) for r in rows])
        table.add("quantity", "bigint", [str(r[3]) for r in rows])
        table.add("_fivetran_synced", "timestamp", self._synced(len(rows)))
        return table

    def variant_table(self) -> LandedTable:
        rows = sorted(self.out.variants)
        table = LandedTable("product_variant")
        table.add("id", "bigint", [str(r[0]) for r in rows])
        table.add(
            "inventory_item_id", "bigint", [None if r[1] is None else str(r[1]) for r in rows]
        )
        table.add("title", "text", ["Default Title"] * len(rows))
        table.add("_fivetran_synced", "timestamp", self._synced(len(rows)))
        return table

    def item_table(self) -> LandedTable:
        rows = sorted(self.out.items)
        # newer connections land unit_cost_amount; some items still carry only the older `cost`
        table = LandedTable("inventory_item")
        table.add("id", "bigint", [str(r[0]) for r in rows])
        table.add(
            "unit_cost_amount",
            "money",
            [None if r[1] is None or r[2] else cents_text(r[1], trim=True) for r in rows],
        )
        table.add(
            "cost", "money", [cents_text(r[1]) if r[1] is not None and r[2] else None for r in rows]
        )
        table.add("tracked", "boolean", ["true"] * len(rows))
        table.add("_fivetran_synced", "timestamp", self._synced(len(rows)))
        return table

    def customer_table(self) -> LandedTable:
        leads = sorted({o.lead for o in self.out.orders})
        table = LandedTable("customer")
        table.add("id", "bigint", [str(self.customer_id(lead)) for lead in leads])
        table.add("email", "text", [self._lead_email(lead) for lead in leads])
        table.add("_fivetran_synced", "timestamp", self._synced(len(leads)))
        return table

    def tax_table(self) -> LandedTable:
        rows = sorted(self.out.taxes)
        table = LandedTable("tax_line")
        table.add("order_line_id", "bigint", [str(r[0]) for r in rows])
        table.add("index", "bigint", ["1"] * len(rows))
        table.add("title", "text", ["VAT"] * len(rows))
        table.add("price", "money", [cents_text(r[1]) for r in rows])
        return table

    def note_table(self) -> LandedTable:
        rows = sorted(self.out.notes)
        table = LandedTable("order_note_attribute")
        table.add("order_id", "bigint", [str(r[0]) for r in rows])
        table.add("name", "text", [r[1] for r in rows])
        table.add("value", "text", [r[2] for r in rows])
        table.add("_fivetran_synced", "timestamp", self._synced(len(rows)))
        return table


def build_shopify(
    orders: TableData,
    lead_emails: list[str | None],
    contact_ids: np.ndarray,
    synced_at: np.datetime64,
    rng: np.random.Generator,
) -> Shopify:
    """The Shopify tables of the contract orders; `lead_emails` per lead index (the HubSpot
    contact's email), `contact_ids` the leads' contact ids."""
    rows = order_rows(orders)
    builder = _Builder(rows, lead_emails, contact_ids, synced_at, rng)
    builder.build_orders()
    builder.add_rejected()
    return Shopify(
        order_ids=np.array([builder.order_id(n) for n in range(len(rows))], dtype=np.int64),
        tables=(
            builder.order_table(),
            builder.line_table(),
            builder.variant_table(),
            builder.item_table(),
            builder.customer_table(),
            builder.tax_table(),
            builder.note_table(),
        ),
    )
