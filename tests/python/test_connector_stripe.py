"""The Stripe connector (connectors spec 4.5): invoice lines -> `subscriptions` versions.

A hand-written landing (CSV in tmp_path) with the expected versions, rejects and counts worked out
by hand below; the Python reference (reference/stripe.py) and the dbt build (DuckDB, and
PostgreSQL with the landing loaded by `mkpi load-postgres`) must both give them. Then the sample
company's Stripe landing (`mkpi sample --shape connectors`) must give back exactly the contract
sample's subscription versions, ids mapped.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from reference.stripe import (
    Lead,
    Reconciliation,
    Rejected,
    instant,
    landing_to_subscriptions,
    leads_from_hubspot,
    mrr,
    mrr_text,
)

from mkpi.pg import PgSettings, connect

RAW_INPUTS = {"raw_inputs": {"subscriptions": ["stripe"]}}
# the models the checks read and their upstream, with the tests of those models only
BUILD = [
    "build",
    "--indirect-selection",
    "buildable",
    "--select",
    "+stg_marketing__rejected_rows",
    "+fct_connector_reconciliation",
    "+stg_marketing__subscriptions",
]
CONTRACT_FILES = {
    "campaigns": "campaign_id,campaign_name,channel,started_on,ended_on",
    "costs": "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks",
    "touchpoints": (
        "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,pageviews,"
        "engaged_seconds,created_lead"
    ),
    "deals": "deal_id,lead_id,created_at,closed_at,stage,amount,currency",
    "orders": "order_id,lead_id,ordered_at,revenue,cogs,currency",
    "keyword_rankings": "ranked_on,keyword,position,is_money_keyword,search_volume",
}
LEADS = "lead_id,created_at,email,original_channel,original_campaign_id,mql_at,sql_at,customer_at"
LINE = (
    "id,invoice_id,subscription_id,price_id,plan_id,type,proration,amount,currency,quantity,"
    "period_start,period_end"
)
COLUMNS = ["subscription_id", "lead_id", "plan", "mrr", "currency", "valid_from", "valid_to"]
ACCOUNTING = ["landed_key", "landed_rows"]
CONTRACT_ROWS = (
    f"select {', '.join([*COLUMNS, *ACCOUNTING])} from staging.contract_stripe__subscriptions"
    " where reject_reason is null"
)
REJECTED_ROWS = (
    "select source_table, raw_row, reject_reason from staging.stg_marketing__rejected_rows"
)


def write(root: Path, name: str, header: str, rows: list[list[str]]) -> None:
    path = root / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)


def epoch(text: str) -> str:
    """ISO UTC text as Unix epoch seconds (how Stripe's API gives times)."""
    moment = instant(text)
    assert moment is not None
    return str(int((moment - instant("1970-01-01T00:00:00")).total_seconds()))  # type: ignore[operator]


def line(
    line_id: str,
    invoice: str,
    subscription: str,
    price: str,
    start: str,
    end: str,
    amount: str,
    quantity: str = "",
    *,
    kind: str = "subscription",
    proration: str = "false",
    currency: str = "eur",
    plan_id: str = "",
) -> list[str]:
    return [
        line_id, invoice, subscription, price, plan_id, kind, proration, amount, currency,
        quantity, start, end,
    ]  # fmt: skip


def hand_landing(root: Path) -> None:
    """Six subscriptions, by hand (expected values in EXPECTED below):

    A (cus_a: metadata lead 101, active): Starter monthly 49 EUR for Jan, Feb, March (periods as
      epoch seconds and ISO text), upgraded on 03-15 to a yearly Growth price of 1188 EUR (99 a
      month): the March line ends at 03-15. A proration and a one-off setup fee are rejected.
    B (cus_b: no metadata key, email Bob -> leads 102 and 103, 103 created earlier; canceled on
      03-20 per the current history row): a 3-monthly USD price of 100 (33.333333333333 a month),
      clipped at 03-20; later lines on void, draft, deleted and missing invoices are rejected.
    C (cus_a, trialing): JPY (zero-decimal) 5000 x 2 after a 0-amount trial line.
    D (cus_d: numeric metadata lead 104, past_due): weekly KWD (three decimals) 12.5, three lines
      merged: 12.5 x 52 / 12 = 54.166666666667.
    E (cus_a, canceled on the day its only line starts): collapsed; one version valid on no day.
    F (cus_c: metadata not JSON, no lead with its email, active): lead NULL -> orphan_lead_id.
    """
    for name, header in CONTRACT_FILES.items():
        write(root, f"files/{name}", header, [])
    write(
        root,
        "files/leads",
        LEADS,
        [
            ["101", "2024-01-01T00:00:00", "ann@example.com", "direct", "", "", "", ""],
            ["102", "2024-01-02T00:00:00", "bob@example.com", "direct", "", "", "", ""],
            ["103", "2024-01-01T00:00:00", "bob@example.com", "direct", "", "", "", ""],
            ["104", "2024-01-03T00:00:00", "carl@example.com", "direct", "", "", "", ""],
        ],
    )
    write(
        root,
        "stripe/customer",
        "id,email,metadata",
        [
            ["cus_a", "other@example.com", '{"lead_id": "101", "tier": "gold"}'],
            ["cus_b", " Bob@Example.com ", '{"plan": "x"}'],
            ["cus_c", "nobody@example.com", "{not json"],
            ["cus_d", "", '{"lead_id": 104}'],
        ],
    )
    write(
        root,
        "stripe/price",
        "id,unit_amount,recurring_interval,recurring_interval_count,nickname",
        [
            ["price_starter", "4900", "month", "1", "Starter"],
            ["price_growth_y", "118800", "year", "", "Growth yearly"],
            ["price_quarter", "10000", "month", "3", ""],
            ["price_jpy", "5000", "month", "1", "Tokyo"],
            ["price_kwd_w", "12500", "week", "1", "Kuwait weekly"],
        ],
    )
    write(
        root,
        "stripe/invoice",
        "id,status,is_deleted",
        [
            ["in_1", "paid", "false"],
            ["in_2", "paid", ""],
            ["in_3", "open", "false"],
            ["in_void", "void", "false"],
            ["in_draft", "draft", "false"],
            ["in_deleted", "paid", "true"],
        ],
    )
    synced = "2024-06-01T00:00:00Z"
    write(
        root,
        "stripe/subscription_history",
        "id,customer_id,status,ended_at,_fivetran_active,_fivetran_synced",
        [
            ["sub_A", "cus_a", "active", "", "true", synced],
            ["sub_B", "cus_b", "active", "", "false", "2024-03-01T00:00:00Z"],
            ["sub_B", "cus_b", "canceled", epoch("2024-03-20T12:00"), "true", "2024-03-21 00:00"],
            ["sub_C", "cus_a", "trialing", "", "true", synced],
            ["sub_D", "cus_d", "past_due", "", "true", synced],
            ["sub_E", "cus_a", "canceled", "2024-05-01T08:00:00+02:00", "true", synced],
            ["sub_F", "cus_c", "active", "", "true", synced],
        ],
    )
    starter, quarter, jpy, kwd = "price_starter", "price_quarter", "price_jpy", "price_kwd_w"
    usd = {"currency": "usd"}
    write(
        root,
        "stripe/invoice_line_item",
        LINE,
        [
            line("a1", "in_1", "sub_A", starter, epoch("2024-01-01"), epoch("2024-02-01"), "4900"),
            line(
                "a2", "in_1", "sub_A", starter, "2024-02-01T00:00:00Z", "2024-03-01 00:00", "4900"
            ),
            line(
                "a3", "in_2", "sub_A", starter, "2024-03-01T01:00+01:00", "2024-04-01", "4900", "1"
            ),
            line(
                "a4",
                "in_3",
                "sub_A",
                "price_growth_y",
                "2024-03-15T10:30Z",
                "2025-03-15T10:30Z",
                "118800",
            ),
            line(
                "a5",
                "in_3",
                "sub_A",
                starter,
                "2024-03-15T10:30Z",
                "2024-04-01",
                "-1343",
                proration="true",
            ),
            line("a6", "in_1", "", "", "2024-01-01", "2024-01-01", "25000", kind="invoiceitem"),
            line(
                "b1",
                "in_1",
                "sub_B",
                "",
                "2024-01-10",
                "2024-04-10",
                "10000",
                plan_id=quarter,
                **usd,
            ),
            line("b2", "in_void", "sub_B", quarter, "2024-04-10", "2024-07-10", "10000", **usd),
            line("b3", "in_draft", "sub_B", quarter, "2024-04-10", "2024-07-10", "10000", **usd),
            line("b4", "in_deleted", "sub_B", quarter, "2024-04-10", "2024-07-10", "10000", **usd),
            line("b5", "in_missing", "sub_B", quarter, "2024-04-10", "2024-07-10", "10000", **usd),
            line("c1", "in_1", "sub_C", jpy, "2024-02-01", "2024-02-15", "0", currency="jpy"),
            line(
                "c2", "in_1", "sub_C", jpy, "2024-02-15", "2024-03-15", "10000", "2", currency="jpy"
            ),
            line(
                "c3", "in_2", "sub_C", jpy, "2024-03-15", "2024-04-15", "10000", "2", currency="jpy"
            ),
            line("d1", "in_1", "sub_D", kwd, "2024-04-01", "2024-04-08", "12500", currency="kwd"),
            line("d2", "in_1", "sub_D", kwd, "2024-04-08", "2024-04-15", "12500", currency="kwd"),
            line("d3", "in_2", "sub_D", kwd, "2024-04-15", "2024-04-22", "12500", currency="kwd"),
            line("e1", "in_1", "sub_E", starter, "2024-05-01T00:00:00Z", "2024-06-01", "4900"),
            line("f1", "in_1", "sub_F", starter, "2024-06-01", "2024-07-01T00:00:00Z", "4900"),
        ],
    )


# (subscription_id, lead_id, plan, mrr, currency, valid_from, valid_to, landed_key, landed_rows)
EXPECTED = [
    ("sub_A", "101", "Starter", "49", "EUR", "2024-01-01", "2024-03-15", "a1", 3),
    ("sub_A", "101", "Growth yearly", "99", "EUR", "2024-03-15", None, "a4", 1),
    ("sub_B", "103", "price_quarter", "33.333333333333", "USD", "2024-01-10", "2024-03-20", "b1", 1),  # noqa: E501
    ("sub_C", "101", "Tokyo", "0", "JPY", "2024-02-01", "2024-02-15", "c1", 1),
    ("sub_C", "101", "Tokyo", "10000", "JPY", "2024-02-15", None, "c2", 2),
    ("sub_D", "104", "Kuwait weekly", "54.166666666667", "KWD", "2024-04-01", None, "d1", 3),
    ("sub_E", "101", "Starter", "49", "EUR", "2024-05-01", "2024-05-01", "e1", 1),
    ("sub_F", None, "Starter", "49", "EUR", "2024-06-01", None, "f1", 1),
]  # fmt: skip
EXPECTED_REJECTS = [
    ("stripe.invoice_line_item", "a5", "proration_line"),
    ("stripe.invoice_line_item", "a6", "not_subscription_line"),
    ("stripe.invoice_line_item", "b2", "void_invoice"),
    ("stripe.invoice_line_item", "b3", "void_invoice"),
    ("stripe.invoice_line_item", "b4", "void_invoice"),
    ("stripe.invoice_line_item", "b5", "void_invoice"),
]
# 19 lines = 8 versions + 5 collapsed (A 2, C 1, D 2) + 6 rejected
EXPECTED_RECONCILIATION = ("stripe", "invoice_line_item", 19, 8, 5, 6)
# the contract's own rejects of the connector's rows: no FX rate for JPY and KWD in the seed,
# no lead for sub_F
EXPECTED_CONTRACT_REJECTS = [
    ("sub_C", "2024-02-01", "unknown_currency"),
    ("sub_C", "2024-02-15", "unknown_currency"),
    ("sub_D", "2024-04-01", "unknown_currency"),
    ("sub_F", "2024-06-01", "orphan_lead_id"),
]


def reference_rows(rows: list[dict]) -> list[tuple]:
    return sorted((tuple(row[c] for c in [*COLUMNS, *ACCOUNTING]) for row in rows), key=repr)


def by_repr(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(row) for row in rows), key=repr)


# --- the reference, by hand --------------------------------------------------------------------


def test_mrr_is_exact() -> None:
    assert mrr_text(mrr(58800, None, "year", 1, "EUR")) == "49"
    assert mrr_text(mrr(10000, 1, "month", 3, "USD")) == "33.333333333333"
    assert mrr_text(mrr(20000, 1, "month", 3, "USD")) == "66.666666666667"
    assert mrr_text(mrr(1200, 1, "week", None, "EUR")) == "52"
    assert mrr_text(mrr(100, 1, "day", 1, "EUR")) == "30.416666666667"
    assert mrr_text(mrr(5000, 3, "month", 1, "JPY")) == "15000"
    assert mrr_text(mrr(12345, 1, "month", 1, "KWD")) == "12.345"
    assert mrr(4900, 1, "fortnight", 1, "EUR") is None
    assert mrr(4900, 1, "month", 0, "EUR") is None
    assert mrr(58800, None, "year", 1, "EUR") == Decimal(49)


def test_reference_on_the_hand_landing(tmp_path: Path) -> None:
    hand_landing(tmp_path)
    result = landing_to_subscriptions(tmp_path)
    assert reference_rows(result.subscriptions) == by_repr(EXPECTED)
    assert sorted(result.rejected) == [Rejected(*row) for row in EXPECTED_REJECTS]
    assert result.reconciliation == [Reconciliation(*EXPECTED_RECONCILIATION)]


def test_reference_reads_plan_table_and_metadata_key(tmp_path: Path) -> None:
    """Older connections land `plan` (amount, interval, interval_count); another metadata key."""
    hand_landing(tmp_path)
    prices = tmp_path / "stripe" / "price.csv"
    with prices.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    prices.unlink()
    write(tmp_path, "stripe/plan", "id,amount,interval,interval_count,nickname", rows)
    leads = [Lead("101", "ann@example.com", instant("2024-01-01"))]
    result = landing_to_subscriptions(tmp_path, leads, metadata_key="tier")
    by_key = {row["landed_key"]: row for row in result.subscriptions}
    assert by_key["a1"]["lead_id"] == "gold"  # the key `tier` of cus_a
    assert by_key["b1"]["lead_id"] is None  # no lead with Bob's email among these leads
    assert by_key["d1"]["mrr"] == "54.166666666667"


# --- dbt ---------------------------------------------------------------------------------------


def dbt_rows(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    return by_repr(connection.sql(CONTRACT_ROWS).fetchall())


def dbt_rejects(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(connector rejects, the contract's rejects of subscriptions) from stg rejected rows."""
    connector, contract = [], []
    for source_table, raw_row, reason in rows:
        values = json.loads(raw_row)
        if source_table == "subscriptions":
            contract.append((values["subscription_id"], values["valid_from"], reason))
        elif source_table.startswith("stripe."):
            connector.append((source_table, values["landed_key"], reason))
    return sorted(connector), sorted(contract)


@pytest.mark.dbt
def test_dbt_on_the_hand_landing(tmp_path: Path) -> None:
    hand_landing(tmp_path / "landing")
    result, database = run_dbt(BUILD, tmp_path / "landing", tmp_path, extra_vars=RAW_INPUTS)
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = dbt_rows(connection)
        rejected = connection.sql(REJECTED_ROWS).fetchall()
        reconciliation = connection.sql(
            "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
            " rejected_rows from marts.fct_connector_reconciliation"
        ).fetchall()
    assert rows == by_repr(EXPECTED)
    assert rows == reference_rows(landing_to_subscriptions(tmp_path / "landing").subscriptions)
    connector, contract = dbt_rejects(rejected)
    assert connector == EXPECTED_REJECTS
    assert contract == EXPECTED_CONTRACT_REJECTS
    assert reconciliation == [EXPECTED_RECONCILIATION]


@pytest.mark.dbt
def test_dbt_reads_plan_table_and_metadata_key(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    hand_landing(landing)
    prices = landing / "stripe" / "price.csv"
    with prices.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    prices.unlink()
    write(landing, "stripe/plan", "id,amount,interval,interval_count,nickname", rows)
    extra = {**RAW_INPUTS, "stripe_lead_id_metadata_key": "tier"}
    result, database = run_dbt(
        [
            "build",
            "--indirect-selection",
            "buildable",
            "--select",
            "+contract_stripe__subscriptions",
        ],
        landing,
        tmp_path,
        extra_vars=extra,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = dbt_rows(connection)
    reference = landing_to_subscriptions(landing, metadata_key="tier")
    assert rows == reference_rows(reference.subscriptions)
    by_key = {row[7]: row for row in rows}
    assert by_key["a1"][1] == "gold"
    assert by_key["b1"][1] == "103"  # email match still applies
    assert by_key["d1"][1] is None  # cus_d has no `tier` and no email
    assert by_key["d1"][3] == "54.166666666667"


@pytest.mark.dbt
def test_dbt_on_postgres(tmp_path: Path, pg_settings: PgSettings) -> None:
    """The same landing loaded into PostgreSQL (schema stripe, text columns) gives the same rows,
    the MRR text exact (numeric, never a double)."""
    landing = tmp_path / "landing"
    hand_landing(landing)
    settings, env = fresh_pg_database(pg_settings, "marketing_stripe_test")
    mkpi("load-postgres", "--dir", str(landing), extra_env=env)
    result, _ = run_dbt(
        [*BUILD, "--target", "postgres"], landing, tmp_path, "pg", env, extra_vars=RAW_INPUTS
    )
    assert result.returncode == 0, result.stdout[-4000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(CONTRACT_ROWS)
            rows = by_repr(cursor.fetchall())
            cursor.execute(REJECTED_ROWS)
            rejected = cursor.fetchall()
            cursor.execute(
                "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
                " rejected_rows from marts.fct_connector_reconciliation"
            )
            reconciliation = cursor.fetchall()
    finally:
        connection.close()
    assert rows == by_repr(EXPECTED)
    connector, contract = dbt_rejects(rejected)
    assert connector == EXPECTED_REJECTS
    assert contract == EXPECTED_CONTRACT_REJECTS
    assert [tuple(row) for row in reconciliation] == [EXPECTED_RECONCILIATION]


# --- the sample company ------------------------------------------------------------------------

SAMPLE = ["--leads", "300", "--months", "6"]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stripe_sample")
    mkpi("sample", *SAMPLE, "--out", str(folder / "contract"))
    mkpi("sample", *SAMPLE, "--shape", "connectors", "--out", str(folder / "landing"))
    return folder


def expected_sample_versions(folder: Path) -> list[tuple]:
    """The contract sample's subscriptions, lead and subscription ids mapped to the landing's."""
    landing = folder / "landing"
    leads = {r["contract_lead_id"]: r["lead_id"] for r in _csv(landing / "lead_id_map.csv")}
    subs = {
        r["contract_subscription_id"]: r["subscription_id"]
        for r in _csv(landing / "subscription_id_map.csv")
    }
    assert len(set(subs.values())) == len(subs)
    return by_repr(
        [
            (
                subs[row["subscription_id"]],
                leads[row["lead_id"]],
                row["plan"] or None,
                mrr_text(Decimal(row["mrr"])),
                row["currency"],
                row["valid_from"],
                row["valid_to"] or None,
            )
            for row in _csv(folder / "contract" / "subscriptions.csv")
        ]
    )


@pytest.mark.dbt
def test_sample_landing_gives_back_the_contract_subscriptions(sample: Path) -> None:
    landing = sample / "landing"
    raw_inputs = yaml.safe_load((landing / "raw_inputs.yml").read_text(encoding="utf-8"))
    assert raw_inputs["raw_inputs"]["subscriptions"] == ["stripe"]
    assert not (landing / "files" / "subscriptions.csv").exists()
    result, database = run_dbt(BUILD, landing, sample, "sample", extra_vars=raw_inputs)
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(CONTRACT_ROWS).fetchall()
        reasons = dict(
            connection.sql(
                "select reject_reason, count(*) from staging.contract_stripe__subscriptions"
                " group by 1"
            ).fetchall()
        )
        reconciliation = connection.sql(
            "select landed_rows, contract_rows, collapsed_rows, rejected_rows"
            " from marts.fct_connector_reconciliation where input_name = 'stripe'"
        ).fetchall()
        contract_rejects = connection.sql(
            "select count(*) from staging.stg_marketing__rejected_rows"
            " where source_table = 'subscriptions'"
        ).fetchall()[0]
    nicknames = {r["id"]: r["nickname"] or None for r in _csv(landing / "stripe" / "price.csv")}
    # a contract version without a plan is billed with a price without a nickname: its price id
    actual = by_repr(
        [
            (s, lead, None if plan in nicknames and nicknames[plan] is None else plan, *rest)
            for s, lead, plan, *rest in (row[:7] for row in rows)
        ]
    )
    assert actual == expected_sample_versions(sample)
    assert len(actual) >= 5
    # every wart is there, and rejected or collapsed
    assert {"void_invoice", "proration_line", "not_subscription_line"} <= set(reasons)
    lines = _csv(landing / "stripe" / "invoice_line_item.csv")
    landed, contract, collapsed, rejected = reconciliation[0]
    assert (landed, contract) == (len(lines), len(rows))
    assert landed == contract + collapsed + rejected and collapsed > 0
    assert contract_rejects == (0,)
    customers = _csv(landing / "stripe" / "customer.csv")
    assert any("lead_id" not in (c["metadata"] or "") for c in customers)
    assert sum("lead_id" in (c["metadata"] or "") for c in customers) > len(customers) / 2
    periods = {
        r["recurring_interval"] + r["recurring_interval_count"]
        for r in _csv(landing / "stripe" / "price.csv")
    }
    assert {"month1", "year1"} <= periods or {"month1", "month3"} <= periods
    # the reference reads the same landing the same way
    reference = landing_to_subscriptions(landing, leads_from_hubspot(landing))
    assert reference_rows(reference.subscriptions) == by_repr(rows)
