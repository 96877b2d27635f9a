"""Connector inputs: the same company landed by Fivetran (HubSpot + Google, Meta and LinkedIn Ads,
plus files for what no connector holds) gives the same KPIs as its contract files, on DuckDB and
PostgreSQL; the connector models' contract rows, rejects and reconciliation equal an independent
Python implementation of the mapping rules (reference/connectors.py); and the lifecycle dates
read from the property history when the contact table lacks them.

The landing comes from `mkpi sample --shape connectors`, with its warts: deleted and merged
contacts, deals with several contacts, merged and deleted deals, history versions, cost rows
split over devices and ads, a LinkedIn account in USD.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from compare_builds import same_number
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from reference.connectors import (
    Options,
    landing_to_contract,
    parse_date,
    parse_decimal,
    parse_int,
    parse_timestamp,
)
from reference.ga4 import landing_to_touchpoints
from reference.search_console import search_console_to_contract
from reference.shopify import clean_leads, shopify_orders
from reference.stripe import landing_to_subscriptions, leads_from_hubspot

from mkpi.pg import PgSettings, connect

pytestmark = pytest.mark.dbt

SAMPLE = ["--leads", "600", "--months", "8", "--seed", "7"]
# `dbt build` of the models and seeds a selection needs (no data tests)
BUILD_UPSTREAM = ["build", "--resource-type", "model", "--resource-type", "seed", "--select"]
KPI_KEY = ["kpi", "month", "dimension", "dimension_value", "attribution_model"]
CONTRACT_TABLES = {
    "leads": ("hubspot",),
    "deals": ("hubspot",),
    "campaigns": ("google_ads", "facebook_ads", "linkedin_ads"),
    "costs": ("google_ads", "facebook_ads", "linkedin_ads"),
}
# how each contract column is compared: parsed from the text both sides hold
PARSERS = {
    "created_at": parse_timestamp,
    "mql_at": parse_timestamp,
    "sql_at": parse_timestamp,
    "customer_at": parse_timestamp,
    "closed_at": parse_timestamp,
    "started_on": parse_date,
    "ended_on": parse_date,
    "cost_date": parse_date,
    "amount": parse_decimal,
    "impressions": parse_int,
    "clicks": parse_int,
}


def raw_inputs(landing: Path) -> dict:
    return yaml.safe_load((landing / "raw_inputs.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("connectors")
    mkpi("sample", *SAMPLE, "--out", str(folder / "contract"))
    mkpi("sample", *SAMPLE, "--shape", "connectors", "--out", str(folder / "landing"))
    return folder


@pytest.fixture(scope="module")
def connector_build(work: Path) -> Path:
    """The landing built with every model and test (the connector unit tests included)."""
    landing = work / "landing"
    result, database = run_dbt(
        ["build", "--full-refresh"], landing, work, "landing", extra_vars=raw_inputs(landing)
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return database


@pytest.fixture(scope="module")
def contract_build(work: Path) -> Path:
    result, database = run_dbt(
        [*BUILD_UPSTREAM, "+fct_kpis"],
        work / "contract",
        work,
        "contract",
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return database


def campaign_id_map(landing: Path) -> dict[str, str]:
    with (landing / "campaign_id_map.csv").open(encoding="utf-8", newline="") as handle:
        return {row["contract_campaign_id"]: row["campaign_id"] for row in csv.DictReader(handle)}


def kpis_by_key(rows: list[tuple], id_map: dict[str, str] | None = None) -> dict[tuple, tuple]:
    """fct_kpis rows by key; campaign ids translated with `id_map`."""
    keyed = {}
    for kpi, month, dimension, value, model, numerator, denominator, kpi_value in rows:
        if id_map and dimension == "campaign" and value is not None:
            value = id_map.get(value, value)
        keyed[(kpi, str(month), dimension, value, model)] = (numerator, denominator, kpi_value)
    return keyed


def duckdb_kpis(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(
            f"select {', '.join(KPI_KEY)}, numerator, denominator, value from marts.fct_kpis"
        ).fetchall()


def assert_same_kpis(actual: dict[tuple, tuple], expected: dict[tuple, tuple]) -> None:
    assert actual.keys() == expected.keys(), (
        sorted(actual.keys() - expected.keys())[:5],
        sorted(expected.keys() - actual.keys())[:5],
    )
    different = [
        (key, actual[key], expected[key])
        for key in expected
        if not all(same_number(a, b) for a, b in zip(actual[key], expected[key], strict=True))
    ]
    assert not different, different[:5]


def test_connector_landing_gives_the_kpis_of_the_contract_files(
    work: Path, connector_build: Path, contract_build: Path
) -> None:
    expected = kpis_by_key(duckdb_kpis(contract_build), campaign_id_map(work / "landing"))
    actual = kpis_by_key(duckdb_kpis(connector_build))
    assert len(expected) > 5000
    assert any(key[2] == "campaign" and key[3].startswith("google_ads:") for key in actual)
    assert_same_kpis(actual, expected)


def normalized(table: str, row: dict) -> tuple:
    return tuple(
        PARSERS[column](row[column]) if column in PARSERS and isinstance(row[column], str)
        # the reference keeps integers and decimals typed; compare numbers as Decimal
        else Decimal(row[column]) if column in ("amount",) and row[column] is not None
        else row[column]
        for column in row
    )  # fmt: skip


def dbt_contract_rows(database: Path, table: str, columns: list[str]) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = []
        for input_name in CONTRACT_TABLES[table]:
            relation = f"staging.contract_{input_name}__{table}"
            result = connection.sql(
                f"select {', '.join(columns)} from {relation} where reject_reason is null"
            )
            rows += [dict(zip(columns, values, strict=True)) for values in result.fetchall()]
    return sorted((normalized(table, row) for row in rows), key=repr)


def test_contract_rows_equal_the_reference(work: Path, connector_build: Path) -> None:
    reference = landing_to_contract(work / "landing", Options())
    for table in CONTRACT_TABLES:
        expected = sorted((normalized(table, row) for row in getattr(reference, table)), key=repr)
        columns = list(getattr(reference, table)[0])
        actual = dbt_contract_rows(connector_build, table, columns)
        assert len(actual) == len(expected) > 0, table
        different = [(a, e) for a, e in zip(actual, expected, strict=True) if a != e]
        assert not different, (table, different[:3])


def test_rejects_and_reconciliation_equal_the_reference(work: Path, connector_build: Path) -> None:
    reference = landing_to_contract(work / "landing", Options())
    with duckdb.connect(str(connector_build), read_only=True) as connection:
        rejected = connection.sql(
            "select source_table, raw_row, reject_reason from staging.stg_marketing__rejected_rows"
            " where source_table like '%.%'"
        ).fetchall()
        reconciliation = connection.sql(
            "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
            " rejected_rows from marts.fct_connector_reconciliation"
        ).fetchall()
        unmatched = connection.sql(
            "select input_name, utm_id, utm_campaign, unmatched_rows"
            " from marts.fct_connector_unmatched_campaigns"
        ).fetchall()
    # Stripe's lines: their own reference (reference/stripe.py)
    stripe = landing_to_subscriptions(work / "landing", leads_from_hubspot(work / "landing"))
    rejects = sorted(
        (table, json.loads(raw_row)["landed_key"], reason) for table, raw_row, reason in rejected
    )
    shopify = shopify_orders(work / "landing", clean_leads(reference))
    # GA4 and Search Console reject per distinct landed row: compared as counts per reason
    ga4 = landing_to_touchpoints(work / "landing", clean_campaigns=reference.clean_campaigns)
    search_console = search_console_to_contract(work / "landing")
    counted = ("ga4.", "search_console.")
    assert [row for row in rejects if not row[0].startswith(counted)] == sorted(
        [tuple(row) for row in reference.rejected]
        + [(r.source_table, r.landed_key, r.reject_reason) for r in stripe.rejected]
        + [tuple(row) for row in shopify.rejected]
    )
    assert Counter((row[0], row[2]) for row in rejects if row[0].startswith(counted)) == Counter(
        [(table, reason) for table, reason, _ in ga4.rejected]
        + [(row.source_table, row.reason) for row in search_console.rejected]
    )
    assert {row[2] for row in rejects} == {
        "deleted_in_source",
        "merged_away",
        "no_visitor_id",
        "anonymised_query",
        "not_web_search",
        "void_invoice",
        "proration_line",
        "not_subscription_line",
        "test_order",
        "cancelled_order",
    }
    assert sorted(reconciliation) == sorted(
        [tuple(row) for row in reference.reconciliation]
        + [tuple(row.__dict__.values()) for row in stripe.reconciliation]
        + [tuple(row) for row in shopify.reconciliation]
        + [ga4.reconciliation, tuple(search_console.reconciliation)]
    )
    assert sorted(unmatched, key=repr) == sorted(
        [tuple(row) for row in reference.unmatched_campaigns]
        + [("ga4", *values, rows) for values, rows in ga4.unmatched.items()],
        key=repr,
    )


def test_lifecycle_dates_from_the_property_history(work: Path, connector_build: Path) -> None:
    """Without the lifecycle date columns, the dates come from contact_property_history: the
    earliest change to a stage at or above MQL, SQL and customer. The landing's history holds
    each lead's stages at the column dates, so a skipped stage takes the later stage's time
    (a customer with no MQL date is an MQL and an SQL when it became a customer)."""
    landing = work / "landing_history"
    source = work / "landing"
    for path in source.rglob("*"):
        target = landing / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    with duckdb.connect() as connection:
        contact = str(landing / "hubspot" / "contact.csv")
        connection.execute(
            f"copy (select * exclude (property_hs_lifecyclestage_marketingqualifiedlead_date,"
            f" property_hs_lifecyclestage_salesqualifiedlead_date,"
            f" property_hs_lifecyclestage_customer_date)"
            f" from read_csv('{contact}', all_varchar = true)) to '{contact}' (header)"
        )
    result, database = run_dbt(
        [*BUILD_UPSTREAM, "+contract_hubspot__leads"],
        landing,
        work,
        "history",
        extra_vars=raw_inputs(landing),
    )
    assert result.returncode == 0, result.stdout[-3000:]
    query = (
        "select lead_id, mql_at, sql_at, customer_at from staging.contract_hubspot__leads"
        " where reject_reason is null order by lead_id"
    )
    with duckdb.connect(str(database), read_only=True) as connection:
        from_history = connection.sql(query).fetchall()
        counts = connection.sql(
            "select count(mql_at), count(sql_at), count(customer_at)"
            " from staging.contract_hubspot__leads"
        ).fetchall()[0]
    with duckdb.connect(str(connector_build), read_only=True) as connection:
        from_columns = connection.sql(query).fetchall()
    expected = [
        (lead_id, mql or sql or customer, sql or customer, customer)
        for lead_id, mql, sql, customer in from_columns
    ]
    assert all(count > 10 for count in counts)
    assert sum(row[1] is None and row[3] is not None for row in from_columns) > 0
    assert from_history == expected


# what a landed text column becomes, as Fivetran types it: the first type every value reads as
FIVETRAN_TYPES = [
    ("bigint", r"^-?[0-9]+$"),
    ("numeric", r"^-?[0-9]+(\.[0-9]+)?$"),
    ("boolean", r"^(true|false)$"),
    ("date", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    ("timestamptz", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]+)?$"),
]


def type_landed_columns(settings: PgSettings) -> dict[str, str]:
    """Give the connector schemas' text columns the types Fivetran lands (bigint ids, booleans,
    timestamptz, numeric, date); returns column -> type for the columns changed."""
    changed = {}
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select table_schema, table_name, column_name from information_schema.columns"
                " where table_schema in ('hubspot', 'google_ads', 'facebook_ads', 'linkedin_ads',"
                " 'ga4', 'search_console', 'stripe', 'shopify')"
            )
            for schema, table, column in cursor.fetchall():
                relation, name = f'"{schema}"."{table}"', f'"{column}"'
                for type_name, pattern in FIVETRAN_TYPES:
                    cursor.execute(
                        f"select count(*), count(*) filter (where {name} ~ %s)"
                        f" from {relation} where {name} is not null",
                        (pattern,),
                    )
                    total, matching = cursor.fetchone()
                    if total and total == matching:
                        cursor.execute(
                            f"alter table {relation} alter column {name}"
                            f" type {type_name} using {name}::{type_name}"
                        )
                        changed[f"{schema}.{table}.{column}"] = type_name
                        break
        connection.commit()
    finally:
        connection.close()
    return changed


def test_connector_landing_on_postgres(
    work: Path, connector_build: Path, pg_settings: PgSettings
) -> None:
    """Loaded into one schema per connector with the column types Fivetran lands (ids bigint,
    flags boolean, times timestamptz, money numeric), PostgreSQL builds the same fct_kpis as
    DuckDB on the text files."""
    settings, env = fresh_pg_database(pg_settings, "marketing_connectors_test")
    landing = work / "landing"
    mkpi("load-postgres", "--dir", str(landing), extra_env=env)
    typed = type_landed_columns(settings)
    assert typed["hubspot.contact.id"] == "bigint"
    assert typed["hubspot.contact._fivetran_deleted"] == "boolean"
    assert typed["hubspot.deal.property_createdate"] == "timestamptz"
    assert typed["google_ads.campaign_stats.cost_micros"] == "bigint"
    result, _ = run_dbt(
        ["build", "--full-refresh", "--target", "postgres"],
        landing,
        work,
        "pg",
        env,
        extra_vars=raw_inputs(landing),
    )
    assert result.returncode == 0, result.stdout[-4000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"select {', '.join(KPI_KEY)}, numerator::float8, denominator::float8,"
                " value::float8 from marts.fct_kpis"
            )
            postgres = kpis_by_key(cursor.fetchall())
    finally:
        connection.close()
    assert_same_kpis(postgres, kpis_by_key(duckdb_kpis(connector_build)))
