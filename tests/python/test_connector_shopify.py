"""Shopify -> `orders` (docs/connectors.md section 10): hand-written landings with the expected
orders worked out by hand, held against the Python reference (reference/shopify.py) and the dbt
build (DuckDB, and PostgreSQL through `mkpi load-postgres`); the rejects and the reconciliation
of `shopify.order` and `shopify.order_line`; and the sample landing (`mkpi sample --shape
connectors`) giving back exactly the contract sample's orders.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from reference.connectors import (
    ConnectorInputError,
    Reconciliation,
    Rejected,
    landing_to_contract,
    parse_timestamp,
)
from reference.shopify import (
    CleanLead,
    ShopifyResult,
    clean_leads,
    clean_leads_from_files,
    shopify_orders,
)

from mkpi.pg import PgSettings, connect
from mkpi.raw_contract import load_contract

RAW_INPUTS = {"raw_inputs": {"orders": ["shopify"]}}
ORDER_HEADER = (
    "id,email,customer_id,created_at,processed_at,currency,subtotal_price,taxes_included,test,"
    "cancelled_at,_fivetran_deleted,_fivetran_synced"
)
GRAPHQL_ORDER_HEADER = ORDER_HEADER.replace(",currency,", ",currency_code,").replace(
    ",subtotal_price,", ",subtotal_price_set_shop_amount,"
)
D = Decimal


def write(root: Path, name: str, header: str, rows: list[list[str]]) -> None:
    path = root / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)


def contract_files(root: Path, leads: list[list[str]]) -> None:
    """The contract's own tables under files/: the leads given, every other table empty."""
    for name, table in load_contract().items():
        header = ",".join(column.name for column in table.columns)
        write(root, f"files/{name}", header, leads if name == "leads" else [])


def lead(lead_id: str, created_at: str, email: str) -> list[str]:
    return [lead_id, created_at, email, "direct", "", "", "", ""]


def order(
    order_id: str,
    email: str = "",
    customer_id: str = "",
    created_at: str = "2024-03-01 10:00:00",
    processed_at: str = "",
    currency: str = "EUR",
    subtotal: str = "100.00",
    taxes_included: str = "false",
    test: str = "false",
    cancelled_at: str = "",
    deleted: str = "false",
) -> list[str]:
    return [
        order_id, email, customer_id, created_at, processed_at, currency, subtotal,
        taxes_included, test, cancelled_at, deleted, "2024-06-01 00:00:00",
    ]  # fmt: skip


def hand_landing(root: Path, graphql: bool = False) -> None:
    """Orders 1001-1010 (see test_hand_landing_by_hand for each one's story)."""
    contract_files(
        root,
        [
            lead("101", "2024-01-01 00:00:00", "a@example.com"),
            lead("102", "2024-01-02 00:00:00", "shared@example.com"),
            lead("103", "2024-01-01 12:00:00", "Shared@Example.com"),
            lead("1000", "2024-01-05 00:00:00", "Twin@Example.com"),
            lead("999", "2024-01-05 00:00:00", "twin@example.com"),
            lead("106", "2024-01-06 00:00:00", "cust@example.com"),
        ],
    )
    orders = [
        # note attribute 101 beats the email (which matches 102/103)
        order("1001", email="shared@example.com", created_at="2024-02-01T10:00:00+01:00",
              currency="eur", subtotal="100.00"),
        # email match: 102 and 103 share it, 103 is created earlier; taxes included
        order("1002", email=" SHARED@example.com ", customer_id="502",
              created_at="2024-02-02 08:00:00", processed_at="2024-02-03T12:00:00Z",
              subtotal="119.00", taxes_included="TRUE"),
        # no email: the customer's email; no lines; taxes included without tax lines
        order("1003", customer_id="501.0", currency="usd", subtotal="50", taxes_included="t"),
        # the order's email matches nobody: the customer's (999 and 1000 tie: smallest id)
        order("1004", email="nobody@example.com", customer_id="502", subtotal="20.5"),
        # an empty note attribute lead_id is no lead id: email match
        order("1005", email="A@example.com", subtotal="60.00"),
        # test and cancelled: test_order wins
        order("1006", email="a@example.com", test="true", cancelled_at="2024-03-02 00:00:00"),
        order("1007", email="a@example.com", cancelled_at="2024-03-02 00:00:00"),
        # deleted (and test): deleted_in_source wins
        order("1008", email="a@example.com", test="1", deleted="true"),
        # no lead at all: lead_id NULL (the contract rejects orphan_lead_id)
        order("1009", customer_id="503", subtotal="10"),
        # a note attribute naming a lead that is not clean: no fallback to the email
        order("1010", email="a@example.com", subtotal="30"),
    ]  # fmt: skip
    write(root, "shopify/order", GRAPHQL_ORDER_HEADER if graphql else ORDER_HEADER, orders)
    write(
        root,
        "shopify/order_line",
        "id,order_id,variant_id,quantity,price",
        [
            ["1", "1001", "11", "2", "40"],
            ["2", "1001", "12", "1", "20"],
            ["3", "1002", "11", "1", "50"],
            ["4", "1002", "13", "3", "20"],
            ["5", "1004", "19", "1", "20.5"],
            ["6", "1005", "11", "4", "15"],
            ["7", "1006", "11", "1", "100"],
            ["8", "1007", "11", "1", "50"],
            ["9", "1007", "12", "2", "25"],
            ["10", "1008", "11", "1", "100"],
            ["11", "1009", "12", "1", "10"],
            ["12", "9999", "11", "1", "10"],
            ["13", "1010", "12.0", "2", "15"],
        ],
    )
    write(
        root,
        "shopify/product_variant",
        "id,inventory_item_id,product_id",
        [["11", "21", "1"], ["12", "22", "1"], ["13", "23", "2"]],
    )
    write(
        root,
        "shopify/inventory_item",
        "id,unit_cost_amount,cost",
        [["21", "10.50", "9.99"], ["22", "", "5.25"], ["23", "", ""]],
    )
    write(
        root,
        "shopify/customer",
        "id,email",
        [["501", "cust@example.com"], ["502", "twin@example.com"]],
    )
    write(
        root,
        "shopify/tax_line",
        "order_line_id,price,title",
        [["1", "3.00", "VAT"], ["3", "15.00", "VAT"], ["3", "4.00", "city"], ["4", "1.50", "VAT"]],
    )
    write(
        root,
        "shopify/order_note_attribute",
        "order_id,key,value" if graphql else "order_id,name,value",
        [
            ["1001", "lead_id", "101"],
            ["1001", "gift_note", "for Anna"],
            ["1004", "other", "999"],
            ["1005", "lead_id", ""],
            ["1010", "lead_id", "555"],
        ],
    )


# expected by hand (section 10)
EXPECTED_ORDERS = {
    # ordered_at: created_at 10:00+01:00 in UTC; cogs 2 x 10.50 (unit_cost_amount) + 1 x 5.25
    # (item 22 has only the older cost); taxes not included: revenue = subtotal
    "1001": ("101", datetime(2024, 2, 1, 9), D("100.00"), D("26.25"), "EUR"),
    # processed_at wins; 119.00 - (15.00 + 4.00 + 1.50); line 4's item has no cost -> NULL
    "1002": ("103", datetime(2024, 2, 3, 12), D("98.50"), None, "EUR"),
    # the customer's email -> 106; no lines -> cogs NULL; nothing to subtract
    "1003": ("106", datetime(2024, 3, 1, 10), D("50"), None, "USD"),
    # customer 502 -> 999 and 1000 tie on created_at -> 999; variant 19 not landed -> NULL
    "1004": ("999", datetime(2024, 3, 1, 10), D("20.5"), None, "EUR"),
    "1005": ("101", datetime(2024, 3, 1, 10), D("60.00"), D("42.00"), "EUR"),
    "1009": (None, datetime(2024, 3, 1, 10), D("10"), D("5.25"), "EUR"),
    "1010": ("555", datetime(2024, 3, 1, 10), D("30"), D("10.50"), "EUR"),
}
EXPECTED_REJECTED = [
    Rejected("shopify.order", "1006", "test_order"),
    Rejected("shopify.order", "1007", "cancelled_order"),
    Rejected("shopify.order", "1008", "deleted_in_source"),
    Rejected("shopify.order_line", "7", "test_order"),
    Rejected("shopify.order_line", "8", "cancelled_order"),
    Rejected("shopify.order_line", "9", "cancelled_order"),
    Rejected("shopify.order_line", "10", "deleted_in_source"),
    Rejected("shopify.order_line", "12", "orphan_order_line"),
]
EXPECTED_RECONCILIATION = [
    Reconciliation("shopify", "order", 10, 7, 0, 3),
    Reconciliation("shopify", "order_line", 13, 0, 8, 5),
]


def expected_rows() -> dict[str, tuple]:
    return EXPECTED_ORDERS


def reference_rows(root: Path) -> dict[str, tuple]:
    return rows_of(shopify_orders(root, clean_leads_from_files(root)))


def rows_of(result: ShopifyResult) -> dict[str, tuple]:
    return {
        row["order_id"]: (
            row["lead_id"],
            row["ordered_at"],
            row["revenue"],
            row["cogs"],
            row["currency"],
        )
        for row in result.orders
    }


# ---------------------------------------------------------------------------------------------
# reference against the hand-worked values


@pytest.mark.parametrize("graphql", [False, True], ids=["rest", "graphql"])
def test_hand_landing_by_hand(tmp_path: Path, graphql: bool) -> None:
    hand_landing(tmp_path, graphql)
    result = shopify_orders(tmp_path, clean_leads_from_files(tmp_path))
    assert reference_rows(tmp_path) == EXPECTED_ORDERS
    assert result.rejected == EXPECTED_REJECTED
    assert result.reconciliation == EXPECTED_RECONCILIATION


def test_email_match_earliest_then_smallest_numeric_id(tmp_path: Path) -> None:
    hand_landing(tmp_path)
    leads = {
        "20": CleanLead(parse_timestamp("2024-01-01 00:00:00"), "x@example.com"),
        "100": CleanLead(parse_timestamp("2024-01-01 00:00:00"), "X@example.com "),
        "3": CleanLead(parse_timestamp("2024-01-02 00:00:00"), "x@example.com"),
    }
    write(tmp_path, "shopify/order", ORDER_HEADER, [order("1", email="x@EXAMPLE.com")])
    # 20 and 100 tie on created_at: 20 is the smaller id (by number, not by text)
    assert shopify_orders(tmp_path, leads).order("1")["lead_id"] == "20"


def test_missing_currency_in_both_spellings_is_an_error(tmp_path: Path) -> None:
    hand_landing(tmp_path)
    header = ORDER_HEADER.replace(",currency,", ",currency_x,")
    write(tmp_path, "shopify/order", header, [order("1")])
    with pytest.raises(ConnectorInputError, match="currency"):
        shopify_orders(tmp_path, {})


# ---------------------------------------------------------------------------------------------
# dbt


def dbt_contract_rows(database: Path) -> tuple[dict[str, tuple], list[Rejected], list]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select order_id, lead_id, ordered_at, revenue, cogs, currency, source_table,"
            " landed_key, reject_reason from staging.contract_shopify__orders"
        ).fetchall()
        reconciliation = connection.sql(
            "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
            " rejected_rows, is_reconciled from marts.fct_connector_reconciliation"
        ).fetchall()
    return split_rows(rows), rejected_of(rows), sorted(reconciliation)


def split_rows(rows: list[tuple]) -> dict[str, tuple]:
    return {
        row[0]: (
            row[1],
            parse_timestamp(row[2]),
            Decimal(row[3]) if row[3] is not None else None,
            Decimal(row[4]) if row[4] is not None else None,
            row[5],
        )
        for row in rows
        if row[6] == "shopify.order" and row[8] is None
    }


def rejected_of(rows: list[tuple]) -> list[Rejected]:
    rejected = [Rejected(row[6], row[7], row[8]) for row in rows if row[8] is not None]
    return sorted(rejected, key=lambda r: (r.source_table, len(r.key or ""), r.key, r.reason))


# the Shopify models with their tests and unit tests, and what the checks below read
BUILD = [
    "build",
    "--indirect-selection",
    "cautious",
    "--select",
    "+contract_shopify__orders",
    "+fct_connector_reconciliation",
    "+stg_marketing__rejected_rows",
    "+stg_marketing__orders",
]
EXPECTED_DBT_RECONCILIATION = sorted((*row, True) for row in EXPECTED_RECONCILIATION)


@pytest.mark.dbt
@pytest.mark.parametrize("graphql", [False, True], ids=["rest", "graphql"])
def test_dbt_equals_hand_and_reference(tmp_path: Path, graphql: bool) -> None:
    landing = tmp_path / "landing"
    hand_landing(landing, graphql)
    result, database = run_dbt(
        BUILD,
        landing,
        tmp_path,
        extra_vars=RAW_INPUTS,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    orders, rejected, reconciliation = dbt_contract_rows(database)
    assert orders == EXPECTED_ORDERS == reference_rows(landing)
    assert rejected == EXPECTED_REJECTED
    assert reconciliation == EXPECTED_DBT_RECONCILIATION
    with duckdb.connect(str(database), read_only=True) as connection:
        staged = connection.sql(
            "select order_id, lead_id, revenue, cogs from staging.stg_marketing__orders"
        ).fetchall()
        orphan = connection.sql(
            "select count(*) from staging.stg_marketing__rejected_rows"
            " where source_table = 'orders' and reject_reason = 'orphan_lead_id'"
        ).fetchall()
    # the contract keeps the orders whose lead is clean: 1009 (no lead) and 1010 (555) go
    assert sorted(row[0] for row in staged) == ["1001", "1002", "1003", "1004", "1005"]
    assert orphan == [(2,)]


@pytest.mark.dbt
def test_dbt_stops_when_neither_currency_column_is_landed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    hand_landing(landing)
    header = ORDER_HEADER.replace(",currency,", ",presentment_currency,")
    write(landing, "shopify/order", header, [order("1")])
    result, _ = run_dbt(
        ["run", "--select", "stg_shopify__orders"], landing, tmp_path, extra_vars=RAW_INPUTS
    )
    assert result.returncode != 0
    assert "shopify: table 'order' is missing column 'currency' (or 'currency_code')" in (
        result.stdout
    )


LANDED_TYPES = [
    ("order", "id", "bigint"),
    ("order", "subtotal_price", "numeric"),
    ("order", "test", "boolean"),
    ("order", "created_at", "timestamptz"),
    ("order_line", "quantity", "bigint"),
    ("order_line", "order_id", "bigint"),
    ("inventory_item", "unit_cost_amount", "numeric"),
    ("tax_line", "price", "numeric"),
]


@pytest.mark.dbt
def test_postgres_equals_hand(tmp_path: Path, pg_settings: PgSettings) -> None:
    """`mkpi load-postgres` lands the table named `order` (a reserved word) and the build reads
    it quoted: the same orders, rejects and reconciliation as by hand (unit tests run there too)."""
    landing = tmp_path / "landing"
    hand_landing(landing)
    settings, env = fresh_pg_database(pg_settings, "marketing_shopify_test")
    mkpi("load-postgres", "--dir", str(landing), extra_env=env)
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            # the types Fivetran lands: bigint ids and quantities, numeric money, booleans,
            # timestamptz (staging reads every column as text whatever its type)
            for table, column, kind in LANDED_TYPES:
                cursor.execute(
                    f'alter table shopify."{table}" alter column "{column}" type {kind}'
                    f' using "{column}"::{kind}'
                )
        connection.commit()
    finally:
        connection.close()
    result, _ = run_dbt(
        [*BUILD[:1], "--target", "postgres", *BUILD[1:]],
        landing,
        tmp_path,
        "pg",
        env,
        extra_vars=RAW_INPUTS,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute('select count(*) from shopify."order"')
            assert cursor.fetchall() == [(10,)]
            cursor.execute(
                "select order_id, lead_id, ordered_at, revenue, cogs, currency, source_table,"
                " landed_key, reject_reason from staging.contract_shopify__orders"
            )
            rows = cursor.fetchall()
            cursor.execute(
                "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
                " rejected_rows, is_reconciled from marts.fct_connector_reconciliation"
            )
            reconciliation = sorted(cursor.fetchall())
    finally:
        connection.close()
    assert split_rows(rows) == EXPECTED_ORDERS
    assert rejected_of(rows) == EXPECTED_REJECTED
    assert reconciliation == EXPECTED_DBT_RECONCILIATION


# ---------------------------------------------------------------------------------------------
# the sample landing

SAMPLE = ["--leads", "300", "--months", "6"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.dbt
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_sample_landing_gives_back_the_contract_orders(tmp_path: Path, fmt: str) -> None:
    """Every contract order of the sample comes back from the Shopify tables exactly (ids mapped
    by order_id_map.csv and lead_id_map.csv), with its warts rejected and reconciled; Parquet
    lands typed columns (bigint ids, decimal money, timestamps)."""
    mkpi("sample", *SAMPLE, "--out", str(tmp_path / "contract"), extra_env=_env())
    landing = tmp_path / "landing"
    mkpi(
        "sample", *SAMPLE, "--shape", "connectors", "--format", fmt, "--out", str(landing),
        extra_env=_env(),
    )  # fmt: skip
    assert not (landing / "files" / f"orders.{fmt}").exists()
    assert (landing / "shopify" / f"order.{fmt}").exists()
    raw_inputs = yaml.safe_load((landing / "raw_inputs.yml").read_text(encoding="utf-8"))
    assert raw_inputs["raw_inputs"]["orders"] == ["shopify"]
    order_ids = {
        r["contract_order_id"]: r["order_id"] for r in read_csv(landing / "order_id_map.csv")
    }
    lead_ids = {r["contract_lead_id"]: r["lead_id"] for r in read_csv(landing / "lead_id_map.csv")}
    expected = {
        order_ids[row["order_id"]]: (
            lead_ids[row["lead_id"]],
            parse_timestamp(row["ordered_at"]),
            Decimal(row["revenue"]),
            Decimal(row["cogs"]) if row["cogs"] else None,
            row["currency"],
        )
        for row in read_csv(tmp_path / "contract" / "orders.csv")
    }
    assert len(expected) == len(read_csv(tmp_path / "contract" / "orders.csv")) > 5
    assert any(value[3] is None for value in expected.values())

    result, database = run_dbt(BUILD, landing, tmp_path, extra_vars=raw_inputs)
    assert result.returncode == 0, result.stdout[-4000:]
    orders, rejected, reconciliation = dbt_contract_rows(database)
    assert orders == expected
    # and the reference agrees (its clean leads: reference/connectors.py's HubSpot leads)
    reference = shopify_orders(landing, clean_leads(landing_to_contract(landing)))
    assert rows_of(reference) == expected
    assert rejected == reference.rejected
    reasons = {r.reason for r in rejected if r.source_table == "shopify.order"}
    assert reasons == {"test_order", "cancelled_order", "deleted_in_source"}
    shopify = [row for row in reconciliation if row[0] == "shopify"]
    assert [row[1] for row in shopify] == ["order", "order_line"]
    assert all(row[-1] for row in shopify)
    assert shopify[0][3] == len(expected)
    # orders whose prices include taxes, and costs in both spellings, really are there
    with duckdb.connect(str(database), read_only=True) as connection:
        (counts,) = connection.sql(
            "select (select count(*) from shopify.\"order\" where taxes_included = 'true'),"
            " (select count(*) from shopify.tax_line),"
            " (select count(*) from shopify.inventory_item where cost is not null),"
            " (select count(*) from shopify.inventory_item where unit_cost_amount is not null)"
        ).fetchall()
    assert all(count > 0 for count in counts), counts


def _env() -> dict[str, str]:
    """The CLI runs this worktree's package."""
    source = str(Path(__file__).resolve().parents[2] / "src")
    return {"PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
