"""An independent reference of the Stripe connector (connectors spec, sections 3 and 4.5).

Plain Python over the landed CSV files (`<root>/stripe/<table>.csv`), Decimal arithmetic: invoice
lines -> versions of the contract's `subscriptions` table, the lines rejected at the connector and
the reconciliation of `stripe.invoice_line_item`. It shares no code with the dbt models.

Choices the spec leaves open, made as the dbt model makes them:
- period_start / period_end / ended_at read as Unix epoch seconds when they are 1-12 digits
  (optionally `.0`), else as ISO 8601 text; the UTC date counts.
- MRR is rounded half away from zero to 12 decimals and written without trailing zeros.
- Lines are ordered by (start, line id as text). A collapsed line counts in the version of the
  surviving line before it (else after it); a subscription whose every line collapses gives one
  version valid on no day (valid_to = valid_from) that carries them.
- A line whose period does not read is its own contract row with valid_from NULL.
- The metadata lead id wins whenever present (clean lead or not); email matching compares
  lower(trim(email)); ties: earliest created_at, then the smallest id (shorter first, then text).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SOURCE_TABLE = "stripe.invoice_line_item"
ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}
# months per interval: MRR = price per period x PER_YEAR / (12 n)
PER_YEAR = {"month": 12, "year": 1, "week": 52, "day": 365}
OPEN_STATUSES = {"active", "trialing", "past_due"}
EPOCH = re.compile(r"^[0-9]{1,12}(\.0*)?$")
SCALE = Decimal("0.000000000001")

Row = dict[str, str]


@dataclass(frozen=True, order=True)
class Rejected:
    source_table: str
    landed_key: str | None
    reject_reason: str


@dataclass(frozen=True)
class Reconciliation:
    input_name: str
    landed_table: str
    landed_rows: int
    contract_rows: int
    collapsed_rows: int
    rejected_rows: int


@dataclass
class Result:
    subscriptions: list[dict[str, str | None]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    reconciliation: list[Reconciliation] = field(default_factory=list)


@dataclass(frozen=True)
class Lead:
    lead_id: str
    email: str | None
    created_at: datetime | None


def text(value: str | None) -> str | None:
    """Trimmed text; empty = None."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def flag(value: str | None) -> bool:
    return (text(value) or "").lower() in {"true", "t", "1", "yes"}


def integer(value: str | None) -> int | None:
    value = text(value)
    if value is None or not re.fullmatch(r"[+-]?[0-9]{1,18}(\.0*)?", value):
        return None
    return int(value.split(".")[0])


def instant(value: str | None) -> datetime | None:
    """A landed time as naive UTC: epoch seconds, or ISO 8601 (`T` or space, offset or UTC)."""
    value = text(value)
    if value is None:
        return None
    if EPOCH.match(value):
        return datetime(1970, 1, 1) + timedelta(seconds=int(value.split(".")[0]))
    normalized = value.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} ", value) else value
    normalized = re.sub(r"\s+(?=[+-Zz])", "", normalized)
    normalized = re.sub(r"[Zz]$", "+00:00", normalized)
    normalized = re.sub(r"([+-]\d{2})$", r"\1:00", normalized)
    try:
        parsed = datetime.fromisoformat(normalized)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def day(value: str | None) -> date | None:
    parsed = instant(value)
    return None if parsed is None else parsed.date()


def minor_units(currency: str | None) -> int:
    if currency in ZERO_DECIMAL:
        return 1
    if currency in THREE_DECIMAL:
        return 1000
    return 100


def mrr(
    unit_amount: int | None,
    quantity: int | None,
    interval: str | None,
    interval_count: int | None,
    currency: str | None,
) -> Decimal | None:
    """unit_amount x quantity / minor x f, rounded half up to 12 decimals; None when unknown."""
    count = 1 if interval_count is None else interval_count
    if unit_amount is None or interval not in PER_YEAR or count < 1:
        return None
    value = (
        Decimal(unit_amount)
        * Decimal(1 if quantity is None else quantity)
        * PER_YEAR[interval]
        / (Decimal(minor_units(currency)) * 12 * count)
    )
    return value.quantize(SCALE, rounding=ROUND_HALF_UP)


def mrr_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    digits = f"{value.quantize(SCALE):f}"
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def read(path: Path) -> list[Row]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def metadata_value(metadata: str | None, key: str) -> str | None:
    if metadata is None:
        return None
    try:
        parsed = json.loads(metadata)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or key not in parsed or parsed[key] is None:
        return None
    value = parsed[key]
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = json.dumps(value)
    value = text(value)
    return None if value is None else re.sub(r"^([0-9]+)\.0*$", r"\1", value)


def leads_from_files(root: Path) -> list[Lead]:
    """The clean leads of a hand-written landing: every row of files/leads.csv."""
    return [
        Lead(row["lead_id"], text(row["email"]), instant(row["created_at"]))
        for row in read(root / "files" / "leads.csv")
    ]


def leads_from_hubspot(root: Path) -> list[Lead]:
    """The clean leads of a landing whose leads come from HubSpot: contacts neither deleted nor
    merged away (listed in another live contact's property_hs_merged_object_ids)."""
    contacts = read(root / "hubspot" / "contact.csv")
    live = [row for row in contacts if not flag(row["_fivetran_deleted"])]
    merged = {
        merged_id.strip()
        for row in live
        for merged_id in (row["property_hs_merged_object_ids"] or "").split(";")
        if merged_id.strip()
    }
    return [
        Lead(row["id"], text(row["property_email"]), instant(row["property_createdate"]))
        for row in live
        if row["id"] not in merged
    ]


def _prices(root: Path) -> dict[str, tuple[str | None, int | None, str | None, int | None]]:
    """price id -> (nickname, unit_amount, interval, interval_count): `price`, else `plan`."""
    price_path = root / "stripe" / "price.csv"
    if price_path.exists():
        columns = ("unit_amount", "recurring_interval", "recurring_interval_count")
        rows = read(price_path)
    else:
        columns = ("amount", "interval", "interval_count")
        rows = read(root / "stripe" / "plan.csv")
    prices = {}
    for row in sorted(rows, key=lambda r: (text(r["nickname"]) or "", text(r[columns[0]]) or "")):
        price_id = text(row["id"])
        if price_id is not None and price_id not in prices:
            prices[price_id] = (
                text(row["nickname"]),
                integer(row[columns[0]]),
                (text(row[columns[1]]) or "").lower() or None,
                integer(row[columns[2]]),
            )
    return prices


def _current_subscriptions(root: Path) -> dict[str, Row]:
    rows = read(root / "stripe" / "subscription_history.csv")
    has_active = bool(rows) and "_fivetran_active" in rows[0]

    def rank(row: Row) -> tuple:
        synced = instant(row.get("_fivetran_synced"))
        return (
            flag(row.get("_fivetran_active")) if has_active else False,
            synced is not None,
            synced or datetime.min,
        )

    current: dict[str, Row] = {}
    for row in sorted(rows, key=rank):
        subscription_id = text(row["id"])
        if subscription_id is not None:
            current[subscription_id] = row
    return current


def _customer_leads(root: Path, leads: list[Lead], metadata_key: str) -> dict[str, str | None]:
    by_email: dict[str, list[Lead]] = defaultdict(list)
    for lead in leads:
        if lead.email is not None:
            by_email[lead.email.strip().lower()].append(lead)
    out: dict[str, str | None] = {}
    for row in read(root / "stripe" / "customer.csv"):
        customer_id = text(row["id"])
        if customer_id is None:
            continue
        lead_id = metadata_value(text(row["metadata"]), metadata_key)
        email = text(row["email"])
        if lead_id is None and email is not None:
            candidates = sorted(
                by_email.get(email.lower(), []),
                key=lambda lead: (
                    lead.created_at is None,
                    lead.created_at or datetime.min,
                    len(lead.lead_id),
                    lead.lead_id,
                ),
            )
            lead_id = candidates[0].lead_id if candidates else None
        if out.get(customer_id) is None:
            out[customer_id] = lead_id
    return out


def _reject_reason(line: Row, void_invoices: set[str], known_invoices: set[str]) -> str | None:
    invoice_id = text(line["invoice_id"])
    if invoice_id is None or invoice_id not in known_invoices or invoice_id in void_invoices:
        return "void_invoice"
    if flag(line["proration"]):
        return "proration_line"
    if (text(line["type"]) or "").lower() != "subscription" or text(
        line["subscription_id"]
    ) is None:
        return "not_subscription_line"
    return None


@dataclass
class _Line:
    line_id: str
    plan: str | None
    mrr: Decimal | None
    currency: str | None
    start: date | None
    end: date | None


def landing_to_subscriptions(
    root: Path, leads: list[Lead] | None = None, metadata_key: str = "lead_id"
) -> Result:
    """Contract subscription rows, connector rejects and reconciliation of a Stripe landing."""
    stripe = root / "stripe"
    invoices = read(stripe / "invoice.csv")
    known_invoices = {text(row["id"]) for row in invoices} - {None}
    void_invoices = {
        str(text(row["id"]))
        for row in invoices
        if flag(row["is_deleted"])
        or flag(row.get("_fivetran_deleted"))
        or (text(row["status"]) or "").lower() in {"draft", "void"}
    }
    prices = _prices(root)
    current = _current_subscriptions(root)
    customer_leads = _customer_leads(
        root, leads_from_files(root) if leads is None else leads, metadata_key
    )
    result = Result()
    lines = read(stripe / "invoice_line_item.csv")
    by_subscription: dict[str, list[_Line]] = defaultdict(list)
    for line in lines:
        reason = _reject_reason(line, void_invoices, known_invoices)
        if reason is not None:
            result.rejected.append(Rejected(SOURCE_TABLE, text(line["id"]), reason))
            continue
        currency = (text(line["currency"]) or "").upper() or None
        price_id = text(line.get("price_id")) or text(line.get("plan_id"))
        nickname, unit_amount, interval, count = prices.get(str(price_id), (None, None, None, None))
        amount = integer(line["amount"])
        value = (
            Decimal(0)
            if amount == 0
            else mrr(unit_amount, integer(line["quantity"]), interval, count, currency)
        )
        by_subscription[str(text(line["subscription_id"]))].append(
            _Line(
                str(text(line["id"])),
                nickname or price_id,
                value,
                currency,
                day(line["period_start"]),
                day(line["period_end"]),
            )
        )
    for subscription_id, sub_lines in by_subscription.items():
        history = current.get(subscription_id)
        lead_id = customer_leads.get(str(text(history["customer_id"]))) if history else None
        status = (text(history["status"]) or "").lower() if history else ""
        ended = day(history["ended_at"]) if history else None
        for version in _versions(sub_lines, ended, status in OPEN_STATUSES):
            result.subscriptions.append(
                {"subscription_id": subscription_id, "lead_id": lead_id, **version}
            )
    contract_rows = len(result.subscriptions)
    result.reconciliation.append(
        Reconciliation(
            "stripe",
            "invoice_line_item",
            len(lines),
            contract_rows,
            len(lines) - contract_rows - len(result.rejected),
            len(result.rejected),
        )
    )
    return result


def _versions(lines: list[_Line], ended: date | None, is_open: bool) -> list[dict]:
    unplaced = [line for line in lines if line.start is None or line.end is None]
    placed = sorted(
        (line for line in lines if line.start is not None and line.end is not None),
        key=lambda line: (line.start, line.line_id),
    )
    # each line ends at the earlier of its end, the next line's start and the subscription's end
    ends: list[date] = []
    for i, line in enumerate(placed):
        end = line.end
        if i + 1 < len(placed) and placed[i + 1].start < end:  # type: ignore[operator]
            end = placed[i + 1].start
        if ended is not None and ended < end:  # type: ignore[operator]
            end = ended
        ends.append(end)  # type: ignore[arg-type]
    surviving = [i for i, line in enumerate(placed) if line.start < ends[i]]  # type: ignore[operator]
    groups: list[list[int]] = []  # surviving line positions per version
    for i in surviving:
        line = placed[i]
        if groups:
            last = groups[-1][-1]
            previous = placed[last]
            if (previous.plan, previous.mrr, previous.currency) == (
                line.plan,
                line.mrr,
                line.currency,
            ) and ends[last] == line.start:
                groups[-1].append(i)
                continue
        groups.append([i])
    versions: list[dict] = []
    if placed and not groups:  # every line collapsed: one version valid on no day
        first = placed[0]
        versions.append(_row(first, first.start, first.start, len(placed)))
    else:
        counts = [len(group) for group in groups]
        collapsed = [i for i in range(len(placed)) if i not in set(surviving)]
        for i in collapsed:
            before = [g for g, group in enumerate(groups) if group[0] < i]
            counts[before[-1] if before else 0] += 1
        for g, group in enumerate(groups):
            last = g == len(groups) - 1
            valid_to = None if last and is_open else ends[group[-1]]
            versions.append(_row(placed[group[0]], placed[group[0]].start, valid_to, counts[g]))
    for line in unplaced:
        versions.append(_row(line, None, line.end, 1))
    return versions


def _row(line: _Line, valid_from: date | None, valid_to: date | None, landed_rows: int) -> dict:
    return {
        "plan": line.plan,
        "mrr": mrr_text(line.mrr),
        "currency": line.currency,
        "valid_from": None if valid_from is None else valid_from.isoformat(),
        "valid_to": None if valid_to is None else valid_to.isoformat(),
        "landed_key": line.line_id,
        "landed_rows": landed_rows,
    }
