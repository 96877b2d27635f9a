"""`mkpi dirty`: a small raw directory seeded with every kind of bad row, plus exact manifests.

It starts from a small clean generated sample, then injects rows that each have exactly one
problem (per the reject precedence of the raw contract), exact duplicates, odd-but-valid values
that must stay clean, an unknown extra column (`leads._fivetran_synced`) and one table written as
parquet with all-VARCHAR columns (`keyword_rankings.parquet`). It writes the manifests
`expected_rejects.csv` (source_table, reason, count) and `expected_counts.csv` (source_table,
raw_rows, clean_rows, rejected_rows, collapsed_duplicates), computed with the reference rules in
`mkpi.devtools.sampling.reject_rules` and checked row by row against the reason each row was
injected for.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from mkpi.devtools.sample_data import write_sample
from mkpi.devtools.sampling.frame import write_text_parquet
from mkpi.devtools.sampling.generator import SampleConfig
from mkpi.devtools.sampling.reject_rules import (
    CLEAN,
    COLLAPSED,
    REASONS,
    RawTable,
    TableOutcome,
    classify,
    load_fx,
)
from mkpi.paths import project_root
from mkpi.raw_contract import load_contract, raw_table_names

CLEAN_BASE = SampleConfig(leads=300, months=4, start="2025-01-01", seed=20250101)
PARQUET_TABLES = frozenset({"keyword_rankings"})
EXTRA_COLUMN = ("leads", "_fivetran_synced")
ODD_CHANNEL = "  GOOGLE / CPC "
# Email-shaped values that staging masks (docs/raw-data.md, Personal data), joins intact
EMAIL_LEAD_ID = "Anna.Virtanen@Example.com"
EMAIL_CAMPAIGN_NAME = "Webinar follow-up jane.doe@example.org"
EMAIL_LANDING_PAGE = "https://example.com/webinar?email=mikko%40example.fi"
EMAIL_CHANNEL = "newsletter@example.com / email"
REJECTS_FILE = "expected_rejects.csv"
COUNTS_FILE = "expected_counts.csv"


@dataclass
class DirtyTable:
    """Text rows and, per row, the outcome it was built for (CLEAN, COLLAPSED or a reason)."""

    header: list[str]
    rows: list[list[str]]
    intents: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.intents:
            self.intents = [CLEAN] * len(self.rows)

    def value(self, i: int, column: str) -> str:
        return self.rows[i][self.header.index(column)]

    def set(self, i: int, **values: str) -> None:
        for column, value in values.items():
            self.rows[i][self.header.index(column)] = value
        self.used.add(i)

    def pick(self, predicate: Callable[[int], bool] = lambda i: True) -> int:
        """The first clean row not used yet that satisfies `predicate` (marked used)."""
        for i in range(len(self.rows)):
            if i not in self.used and self.intents[i] == CLEAN and predicate(i):
                self.used.add(i)
                return i
        raise LookupError("no suitable clean row to build on; change CLEAN_BASE")

    def add(self, template: int, intent: str, **values: str) -> int:
        """Append a copy of row `template` with `values` changed, built to end as `intent`."""
        row = list(self.rows[template])
        for column, value in values.items():
            row[self.header.index(column)] = value
        self.rows.append(row)
        self.intents.append(intent)
        self.used.add(len(self.rows) - 1)
        return len(self.rows) - 1

    def duplicate(self, i: int) -> None:
        """An exact copy of a clean row: collapsed, the original stays clean."""
        self.rows.append(list(self.rows[i]))
        self.intents.append(COLLAPSED)
        self.used.update({i, len(self.rows) - 1})


Tables = dict[str, DirtyTable]


def _shift(timestamp: str, hours: int, suffix: str) -> str:
    """The same instant written with a UTC offset of `hours` (suffix 'Z' or '+02:00')."""
    moment = datetime.fromisoformat(timestamp) + timedelta(hours=hours)
    return f"{moment:%Y-%m-%dT%H:%M:%S}{suffix}"


def _read_clean_base() -> Tables:
    with tempfile.TemporaryDirectory() as folder:
        write_sample(CLEAN_BASE, Path(folder), "csv")
        tables: Tables = {}
        for name in raw_table_names():
            with (Path(folder) / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
                header, *rows = list(csv.reader(handle))
            tables[name] = DirtyTable(header=header, rows=rows)
    leads = tables["leads"]
    leads.header.append(EXTRA_COLUMN[1])
    for i, row in enumerate(leads.rows):
        row.append(f"2025-05-0{1 + i % 3}T02:{i // 60 % 60:02d}:{i % 60:02d}Z")
    return tables


def _children(tables: Tables, lead_id: str) -> dict[str, list[int]]:
    return {
        name: [
            i for i in range(len(tables[name].rows)) if tables[name].value(i, "lead_id") == lead_id
        ]
        for name in ("deals", "subscriptions", "orders", "touchpoints")
    }


def _reject_lead_with_children(tables: Tables) -> None:
    """duplicate_key on a lead that has deals and subscriptions or orders: all its children, and
    the touchpoints that carry its id, become orphans (their lead exists but is rejected)."""
    leads = tables["leads"]

    def has_family(i: int) -> bool:
        family = _children(tables, leads.value(i, "lead_id"))
        return bool(family["deals"]) and bool(family["subscriptions"] or family["orders"])

    target = leads.pick(has_family)
    leads.add(target, "duplicate_key", email="changed.address@example.com")
    leads.intents[target] = "duplicate_key"
    for name, rows in _children(tables, leads.value(target, "lead_id")).items():
        for i in rows:
            tables[name].intents[i] = "orphan_lead_id"
            tables[name].used.add(i)


def _inject_emails(tables: Tables) -> None:
    """Personal data in clean rows: a lead whose id is an address in every table that names it
    (with a won EUR deal and touchpoints, all kept clean), a campaign named after an address, a
    landing page and a raw channel string that carry one. No reject count changes."""
    leads, deals, touch = tables["leads"], tables["deals"], tables["touchpoints"]

    def touches_of(lead_id: str) -> list[int]:
        return [i for i in range(len(touch.rows)) if touch.value(i, "lead_id") == lead_id]

    def fits(i: int) -> bool:
        lead_id = leads.value(i, "lead_id")
        won = [
            d
            for d in _children(tables, lead_id)["deals"]
            if deals.value(d, "stage") == "won" and deals.value(d, "currency") == "EUR"
        ]
        return bool(won) and bool(touches_of(lead_id))

    target = leads.pick(fits)
    lead_id = leads.value(target, "lead_id")
    family = {**_children(tables, lead_id), "touchpoints": touches_of(lead_id)}
    leads.set(target, lead_id=EMAIL_LEAD_ID)
    for name, rows in family.items():
        for i in rows:
            tables[name].set(i, lead_id=EMAIL_LEAD_ID)
    campaigns = tables["campaigns"]
    named = campaigns.pick(lambda i: campaigns.value(i, "started_on") != "")
    campaigns.set(named, campaign_name=EMAIL_CAMPAIGN_NAME)
    touch.set(
        touch.pick(lambda i: touch.value(i, "landing_page") != ""), landing_page=EMAIL_LANDING_PAGE
    )
    touch.set(touch.pick(lambda i: touch.value(i, "lead_id") != ""), channel=EMAIL_CHANNEL)


def _inject_leads(tables: Tables) -> None:
    leads = tables["leads"]
    template = leads.pick()
    leads.add(template, "missing_key", lead_id="")
    leads.add(template, "missing_value", lead_id="ld_9000001", created_at="")
    leads.add(template, "bad_timestamp", lead_id="ld_9000002", created_at="2025-02-30T10:00:00")
    leads.add(template, "bad_timestamp", lead_id="ld_9000003", mql_at="yesterday")
    # a CRM sentinel date: rejected, so it cannot stretch the month range back to 1900
    leads.add(template, "implausible_date", lead_id="ld_9000005", mql_at="1900-01-01T00:00:00")
    leads.add(template, CLEAN, lead_id="ld_9000004", original_channel="", email="")
    leads.duplicate(leads.pick())
    _reject_lead_with_children(tables)
    odd = leads.pick(lambda i: leads.value(i, "original_channel") == "google / cpc")
    leads.set(
        odd,
        original_channel=ODD_CHANNEL,
        created_at=_shift(leads.value(odd, "created_at"), 2, "+02:00"),
    )
    zulu = leads.pick()
    leads.set(zulu, created_at=leads.value(zulu, "created_at") + "Z")


def _inject_campaigns(tables: Tables) -> None:
    campaigns = tables["campaigns"]
    base = campaigns.pick(lambda i: campaigns.value(i, "started_on") != "")
    campaigns.add(base, "missing_key", campaign_id="")
    campaigns.add(base, "missing_value", campaign_id="cmp_9001", campaign_name="")
    campaigns.add(base, "bad_timestamp", campaign_id="cmp_9002", started_on="2025-13-01")
    campaigns.add(
        base,
        "end_before_start",
        campaign_id="cmp_9003",
        started_on="2025-03-01",
        ended_on="2025-02-01",
    )
    # a far-future "open" marker is no end, never a reject
    campaigns.add(base, CLEAN, campaign_id="cmp_9004", ended_on="9999-12-31")
    campaigns.duplicate(campaigns.pick())


def _inject_costs(tables: Tables) -> None:
    costs = tables["costs"]
    media = costs.pick(
        lambda i: costs.value(i, "impressions") != "" and costs.value(i, "currency") == "EUR"
    )
    cases = [
        ("missing_value", {"amount": ""}),
        ("missing_value", {"currency": ""}),
        ("bad_timestamp", {"cost_date": "yesterday"}),
        ("bad_timestamp", {"cost_date": "2025-02-30"}),
        ("implausible_date", {"cost_date": "1900-01-01"}),
        ("bad_number", {"amount": "12,50"}),
        ("bad_number", {"clicks": "3.5"}),
        ("negative_amount", {"amount": "-50.00"}),
        ("negative_amount", {"impressions": "-100"}),
        ("invalid_category", {"cost_category": "travel"}),
        ("invalid_category", {"cost_category": "events"}),
        ("unknown_currency", {"currency": "XYZ"}),
        ("unknown_currency", {"currency": "USD", "cost_date": "2019-06-15"}),
        (CLEAN, {"channel": ODD_CHANNEL, "amount": "77.70"}),
        (CLEAN, {"channel": "", "amount": "12.34"}),
    ]
    for intent, values in cases:
        costs.add(media, intent, **values)
    costs.duplicate(costs.pick())


def _inject_touchpoints(tables: Tables) -> None:
    touch = tables["touchpoints"]
    base = touch.pick(lambda i: touch.value(i, "pageviews") != "")
    cases = [
        ("missing_key", {"touchpoint_id": ""}),
        ("missing_value", {"visitor_id": ""}),
        ("missing_value", {"occurred_at": ""}),
        ("bad_timestamp", {"occurred_at": "03/01/2025 10:00"}),
        ("bad_number", {"pageviews": "3.5"}),
        ("bad_number", {"engaged_seconds": "abc"}),
        ("bad_boolean", {"created_lead": "maybe"}),
        ("negative_amount", {"pageviews": "-1"}),
        ("negative_amount", {"engaged_seconds": "-30"}),
        ("orphan_lead_id", {"lead_id": "ld_6666666"}),
        ("orphan_lead_id", {"lead_id": "ld_9000003"}),  # a rejected lead
        (CLEAN, {"lead_id": ""}),  # anonymous: no lead is no orphan
        (CLEAN, {"created_lead": "", "channel": ""}),
        (CLEAN, {"channel": ODD_CHANNEL}),
    ]
    for k, (intent, values) in enumerate(cases):
        touch.add(base, intent, **{"touchpoint_id": f"tp_9{k:08d}", **values})
    conflict = touch.pick()
    touch.add(conflict, "duplicate_key", pageviews="99")
    touch.intents[conflict] = "duplicate_key"
    touch.duplicate(touch.pick())
    touch.duplicate(touch.pick())
    _odd_touch_values(touch)


def _odd_touch_values(touch: DirtyTable) -> None:
    """Valid spellings that must not be rejected: booleans YES / t / 0, offsets and Z."""
    for flag, spelling in (("true", "YES"), ("true", "t"), ("false", "0"), ("false", "No")):
        touch.set(
            touch.pick(lambda i, f=flag: touch.value(i, "created_lead") == f), created_lead=spelling
        )
    shifted = touch.pick()
    touch.set(shifted, occurred_at=_shift(touch.value(shifted, "occurred_at"), 2, "+02:00"))
    zulu = touch.pick()
    touch.set(zulu, occurred_at=touch.value(zulu, "occurred_at") + "Z")


def _inject_deals(tables: Tables) -> None:
    deals = tables["deals"]
    won = deals.pick(lambda i: deals.value(i, "stage") == "won")
    lost = deals.pick(lambda i: deals.value(i, "stage") == "lost")
    cases = [
        (won, "missing_key", {"deal_id": ""}),
        (won, "missing_value", {"closed_at": ""}),
        (won, "invalid_stage", {"stage": ""}),
        (won, "bad_timestamp", {"created_at": "03/01/2025"}),
        (won, "bad_number", {"amount": "abc"}),
        (won, "negative_amount", {"amount": "-1000.00"}),
        (lost, "end_before_start", {"closed_at": "2024-12-01T00:00:00"}),
        (lost, "invalid_stage", {"stage": "pending"}),
        (lost, "invalid_stage", {"stage": "closed-won"}),
        (won, "unknown_currency", {"currency": "XYZ"}),
        (
            lost,
            "unknown_currency",
            {
                "currency": "USD",
                "created_at": "2019-04-02T10:00:00",
                "closed_at": "",
                "stage": "open",
            },
        ),
        (won, "orphan_lead_id", {"lead_id": "ld_9999999"}),
        (won, "orphan_lead_id", {"lead_id": "ld_9000001"}),  # a rejected lead
        (won, CLEAN, {"stage": "Won ", "closed_at": deals.value(won, "closed_at") + "Z"}),
    ]
    for k, (template, intent, values) in enumerate(cases):
        deals.add(template, intent, **{"deal_id": f"deal_9{k:05d}", **values})
    conflict = deals.pick()
    deals.add(conflict, "duplicate_key", amount="1.00")
    deals.intents[conflict] = "duplicate_key"


def _inject_subscriptions(tables: Tables) -> None:
    subs = tables["subscriptions"]
    base = subs.pick(lambda i: subs.value(i, "valid_to") == "")
    valid_from = subs.value(base, "valid_from")
    cases = [
        ("missing_key", {"valid_from": ""}),
        ("missing_key", {"subscription_id": ""}),
        ("missing_value", {"mrr": ""}),
        ("orphan_lead_id", {"lead_id": ""}),
        ("bad_timestamp", {"valid_to": "2025-02-30"}),
        ("bad_number", {"mrr": "99,00"}),
        ("negative_amount", {"mrr": "-49.00"}),
        ("end_before_start", {"valid_to": "2024-12-31"}),
        ("implausible_date", {"valid_from": "1970-01-01"}),
        (CLEAN, {"valid_to": "9999-12-31"}),  # an "open" marker: still active
        ("unknown_currency", {"currency": "XYZ"}),
        ("unknown_currency", {"currency": "USD", "valid_from": "2019-05-01"}),
        ("orphan_lead_id", {"lead_id": "ld_9000002"}),  # a rejected lead
        ("orphan_lead_id", {"lead_id": "ld_8888888"}),
    ]
    for k, (intent, values) in enumerate(cases):
        subs.add(
            base, intent, **{"subscription_id": f"sub_9{k:05d}", "valid_from": valid_from, **values}
        )
    conflict = subs.pick()
    subs.add(conflict, "duplicate_key", mrr="1.00")
    subs.intents[conflict] = "duplicate_key"
    _overlapping_subscription(subs, base)


def _overlapping_subscription(subs: DirtyTable, base: int) -> None:
    """Versions of one subscription valid on common days are all overlapping_version; the version
    that follows them and one valid on no day inside it are clean."""
    start = date.fromisoformat(subs.value(base, "valid_from")[:10])
    versions = [
        ("overlapping_version", start, start + timedelta(days=60)),
        ("overlapping_version", start + timedelta(days=30), start + timedelta(days=90)),
        (CLEAN, start + timedelta(days=90), None),
        (CLEAN, start + timedelta(days=100), start + timedelta(days=100)),
    ]
    for intent, valid_from, valid_to in versions:
        subs.add(
            base,
            intent,
            subscription_id="sub_8overlap",
            currency="EUR",
            valid_from=valid_from.isoformat(),
            valid_to="" if valid_to is None else valid_to.isoformat(),
        )


def _inject_orders(tables: Tables) -> None:
    orders = tables["orders"]
    base = orders.pick(lambda i: orders.value(i, "cogs") != "")
    cases = [
        ("missing_key", {"order_id": ""}),
        ("missing_value", {"revenue": ""}),
        ("bad_timestamp", {"ordered_at": "2025-01-32T10:00:00"}),
        ("bad_number", {"revenue": "abc"}),
        ("negative_amount", {"revenue": "-20.00"}),
        ("negative_amount", {"cogs": "-5.00"}),
        ("unknown_currency", {"currency": "XYZ"}),
        ("unknown_currency", {"currency": "USD", "ordered_at": "2019-03-10T12:00:00"}),
        ("orphan_lead_id", {"lead_id": "ld_7777777"}),
        (CLEAN, {"cogs": ""}),
    ]
    for k, (intent, values) in enumerate(cases):
        orders.add(base, intent, **{"order_id": f"ord_9{k:06d}", **values})
    orders.duplicate(orders.pick())


def _inject_rankings(tables: Tables) -> None:
    ranks = tables["keyword_rankings"]
    base = ranks.pick(lambda i: ranks.value(i, "search_volume") != "")
    cases = [
        ("missing_key", {"keyword": ""}),
        ("missing_key", {"ranked_on": ""}),
        ("missing_value", {"position": ""}),
        ("bad_timestamp", {"ranked_on": "2025-02-30"}),
        ("bad_number", {"position": "0"}),
        ("bad_number", {"position": "abc"}),
        ("bad_number", {"position": "2.5"}),
        ("bad_boolean", {"is_money_keyword": "maybe"}),
        ("negative_amount", {"search_volume": "-10"}),
        (CLEAN, {"is_money_keyword": ""}),
        (CLEAN, {"is_money_keyword": "YES"}),
    ]
    for k, (intent, values) in enumerate(cases):
        ranks.add(base, intent, **{"keyword": f"dirty keyword {k:02d}", **values})
    conflict = ranks.pick()
    ranks.add(conflict, "duplicate_key", position=str(int(ranks.value(conflict, "position")) + 1))
    ranks.intents[conflict] = "duplicate_key"
    ranks.duplicate(ranks.pick())


def build_dirty_tables() -> Tables:
    tables = _read_clean_base()
    for inject in (
        _inject_emails,
        _inject_leads,
        _inject_campaigns,
        _inject_costs,
        _inject_touchpoints,
        _inject_deals,
        _inject_subscriptions,
        _inject_orders,
        _inject_rankings,
    ):
        inject(tables)
    return tables


def _fx() -> set[tuple[str, str]]:
    with (project_root() / "seeds" / "fx_rates.csv").open(encoding="utf-8", newline="") as handle:
        return load_fx(csv.DictReader(handle))


def check_intents(tables: Tables, outcomes: dict[str, TableOutcome]) -> None:
    """Every row ends where it was built to end, and every reason occurs at least twice."""
    problems = [
        f"{name} row {i + 2}: built as {intent}, rules say {verdict}"
        for name, table in tables.items()
        for i, (intent, verdict) in enumerate(
            zip(table.intents, outcomes[name].verdicts, strict=True)
        )
        if intent != verdict
    ]
    totals = {reason: sum(o.counts[reason] for o in outcomes.values()) for reason in REASONS}
    problems += [f"reason {r} occurs {n} times (< 2)" for r, n in totals.items() if n < 2]
    if problems:
        raise RuntimeError("dirty data set is inconsistent:\n" + "\n".join(problems))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_tables(tables: Tables, out_dir: Path) -> None:
    con = duckdb.connect()
    try:
        for name, table in tables.items():
            fmt = "parquet" if name in PARQUET_TABLES else "csv"
            for stale in (out_dir / f"{name}.csv", out_dir / f"{name}.parquet"):
                stale.unlink(missing_ok=True)
            path = out_dir / f"{name}.{fmt}"
            if fmt == "parquet":
                write_text_parquet(con, table.header, table.rows, path)
            else:
                _write_csv(path, table.header, table.rows)
    finally:
        con.close()


def _write_manifests(outcomes: dict[str, TableOutcome], out_dir: Path) -> None:
    rejects = [
        [name, reason, str(count)]
        for name, outcome in outcomes.items()
        for reason, count in outcome.rejects().items()
    ]
    _write_csv(out_dir / REJECTS_FILE, ["source_table", "reason", "count"], rejects)
    counts = [
        [name, str(o.raw_rows), str(o.clean_rows), str(o.rejected), str(o.collapsed)]
        for name, o in outcomes.items()
    ]
    header = ["source_table", "raw_rows", "clean_rows", "rejected_rows", "collapsed_duplicates"]
    _write_csv(out_dir / COUNTS_FILE, header, counts)


def write_dirty(out_dir: Path) -> dict[str, TableOutcome]:
    """Write the dirty raw directory and its manifests; returns the expected outcome per table."""
    tables = build_dirty_tables()
    contract = load_contract()
    raw = {name: RawTable(table.header, table.rows) for name, table in tables.items()}
    outcomes = classify(contract, raw, _fx())
    check_intents(tables, outcomes)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_tables(tables, out_dir)
    _write_manifests(outcomes, out_dir)
    return outcomes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="directory to write to")


def run(args: argparse.Namespace) -> int:
    try:
        outcomes = write_dirty(args.out)
    except (LookupError, RuntimeError) as error:
        print(f"mkpi dirty: {error}", file=sys.stderr)
        return 1
    for name, o in outcomes.items():
        print(
            f"{name:>17}: {o.raw_rows:>6} raw = {o.clean_rows} clean + {o.rejected} rejected"
            f" + {o.collapsed} collapsed"
        )
    print(f"wrote {args.out}/ with {REJECTS_FILE} and {COUNTS_FILE}")
    return 0
