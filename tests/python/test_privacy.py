"""Personal data (docs/raw-data.md, "Personal data"): no email address leaves staging.

The dirty data set holds an address as a lead id (in the lead's row and in every deal, order,
subscription and touchpoint of that lead), in a campaign name, in a landing page (URL-encoded)
and in a raw channel string. Built on DuckDB and on PostgreSQL, no column of any relation the
project writes holds an email-shaped value (the scan finds every one of them in the raw tables,
so it can fail); the lead keeps its deals, orders, subscription and touchpoints under its token;
and the salt var changes every hash, with a warning only while it is left at its default.
Expected tokens and hashes are md5 computed here with hashlib; the scan uses Python's `re`.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from reference.privacy import EMAIL

from mkpi.devtools.dirty_data import (
    EMAIL_CAMPAIGN_NAME,
    EMAIL_CHANNEL,
    EMAIL_LANDING_PAGE,
    EMAIL_LEAD_ID,
)
from mkpi.pg import PgSettings, connect

pytestmark = pytest.mark.dbt

DEFAULT_SALT = "mkpi-public-default-salt"
OWN_SALT = "a secret salt, with a 'quote'"
WARNING = "var email_hash_salt is not set"
PROJECT_SCHEMAS = ("staging", "intermediate", "marts")
LOOKBACK = timedelta(days=90)  # var attribution_lookback_days
# seeds and models, no data tests: the scan needs the relations
BUILD_MODELS_PG = ["build", "--target", "postgres", "--exclude-resource-type", "test", "unit_test"]


def md5_token(value: str, salt: str = DEFAULT_SALT) -> str:
    return hashlib.md5(f"{salt}|{value.strip().lower()}".encode()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("privacy")
    mkpi("dirty", "--out", str(work / "raw"))
    return work


@pytest.fixture(scope="module")
def duck_build(raw: Path) -> tuple[Path, str]:
    result, database = run_dbt(["build"], raw / "raw", raw, "duckdb")
    assert result.returncode == 0, result.stdout[-3000:]
    return database, result.stdout


def scan(rows: Iterable[tuple[str, str, str, object]]) -> dict[tuple[str, str], set[str]]:
    """(relation, column) -> the email-shaped values among `rows` of (schema, table, column,
    value)."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for schema, table, column, value in rows:
        if value is not None and EMAIL.search(str(value)):
            found[(f"{schema}.{table}", column)].add(str(value))
    return dict(found)


def duckdb_values(database: Path, schemas: tuple[str, ...]) -> tuple[set[str], list[tuple]]:
    """Every relation of `schemas` and every distinct value of each of its columns, as text."""
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            f" where table_schema in ({', '.join('?' for _ in schemas)})",
            list(schemas),
        ).fetchall()
        values = [
            (schema, table, column, value)
            for schema, table, column in columns
            for (value,) in connection.sql(
                f'select distinct cast("{column}" as varchar) from {schema}."{table}"'
            ).fetchall()
        ]
    return {f"{schema}.{table}" for schema, table, _ in columns}, values


def test_the_scan_finds_the_addresses_in_the_raw_tables(duck_build) -> None:
    database, _ = duck_build
    _, values = duckdb_values(database, ("raw",))
    found = scan(values)
    assert {EMAIL_LEAD_ID} <= found[("raw.leads", "lead_id")]
    assert {EMAIL_LEAD_ID} <= found[("raw.touchpoints", "lead_id")]
    for table in ("deals", "orders", "subscriptions"):
        assert found[(f"raw.{table}", "lead_id")] == {EMAIL_LEAD_ID}
    assert found[("raw.campaigns", "campaign_name")] == {EMAIL_CAMPAIGN_NAME}
    assert found[("raw.touchpoints", "landing_page")] == {EMAIL_LANDING_PAGE}
    assert found[("raw.touchpoints", "channel")] == {EMAIL_CHANNEL}
    assert len(found[("raw.leads", "email")]) > 250


def test_no_relation_the_project_builds_holds_an_address_duckdb(duck_build) -> None:
    database, _ = duck_build
    relations, values = duckdb_values(database, PROJECT_SCHEMAS)
    marts = {relation for relation in relations if relation.startswith("marts.")}
    assert {"marts.fct_attribution_credits", "marts.dim_campaigns", "marts.fct_kpis"} <= marts
    assert len(marts) >= 18
    assert "staging.stg_marketing__rejected_rows" in relations
    assert scan(values) == {}


def test_an_address_lead_id_keeps_its_deals_touchpoints_and_subscription(
    raw: Path, duck_build
) -> None:
    database, _ = duck_build
    token = "email_" + md5_token(EMAIL_LEAD_ID)
    folder = raw / "raw"
    touches = read_csv(folder / "touchpoints.csv")
    visitors = {t["visitor_id"] for t in touches if t["lead_id"] == EMAIL_LEAD_ID}
    # the lead's path: its own touches and its visitors' anonymous ones (identity stitching)
    path = {
        t["touchpoint_id"]: utc(t["occurred_at"])
        for t in touches
        if t["lead_id"] == EMAIL_LEAD_ID or (t["lead_id"] == "" and t["visitor_id"] in visitors)
    }
    conversions = {
        f"deal:{d['deal_id']}": (utc(d["closed_at"]), Decimal(d["amount"]))
        for d in read_csv(folder / "deals.csv")
        if d["lead_id"] == EMAIL_LEAD_ID and d["stage"] == "won"
    } | {
        f"order:{o['order_id']}": (utc(o["ordered_at"]), Decimal(o["revenue"]))
        for o in read_csv(folder / "orders.csv")
        if o["lead_id"] == EMAIL_LEAD_ID
    }
    assert len(conversions) == 3 and len(path) == 5
    [subscription] = [
        s for s in read_csv(folder / "subscriptions.csv") if s["lead_id"] == EMAIL_LEAD_ID
    ]
    [lead] = [row for row in read_csv(folder / "leads.csv") if row["lead_id"] == EMAIL_LEAD_ID]

    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(
            "select email_hash from staging.stg_marketing__leads where lead_id = ?", [token]
        ).fetchall() == [(md5_token(lead["email"]),)]
        credits = connection.execute(
            "select conversion_id, attribution_model, sum(credit_share),"
            " sum(attributed_revenue), list(distinct touchpoint_id)"
            " from marts.fct_attribution_credits where lead_id = ? group by all",
            [token],
        ).fetchall()
        mrr = connection.execute(
            "select distinct end_mrr from marts.fct_customer_mrr_monthly"
            " where lead_id = ? and is_active_at_end",
            [token],
        ).fetchall()
    assert {row[0] for row in credits} == set(conversions)
    assert len(credits) == 3 * 8  # eight attribution models
    for conversion_id, _, share, revenue, touch_ids in credits:
        converted_at, amount = conversions[conversion_id]
        assert share == pytest.approx(1)
        assert revenue == pytest.approx(float(amount))
        assert set(touch_ids) == {
            touch_id
            for touch_id, occurred_at in path.items()
            if converted_at - LOOKBACK <= occurred_at <= converted_at
        }
    deal_revenue = sum(row[3] for row in credits if row[0].startswith("deal:"))
    assert deal_revenue == pytest.approx(8 * 10382.00)
    assert mrr == [(float(subscription["mrr"]),)] == [(314.10,)]


def test_a_campaign_named_after_an_address_shows_its_token(duck_build) -> None:
    database, _ = duck_build
    with duckdb.connect(str(database), read_only=True) as connection:
        names = connection.sql(
            "select campaign_name from marts.dim_campaigns where campaign_name like 'email_%'"
        ).fetchall()
    assert names == [("email_" + md5_token(EMAIL_CAMPAIGN_NAME),)]


def test_the_default_salt_warns_once_per_run(duck_build) -> None:
    _, output = duck_build
    assert output.count(WARNING) == 1


def test_an_own_salt_changes_every_hash_and_silences_the_warning(raw: Path) -> None:
    result, database = run_dbt(
        ["build", "--select", "+stg_marketing__leads", "--exclude-resource-type", "test"],
        raw / "raw",
        raw,
        "own_salt",
        extra_vars={"email_hash_salt": OWN_SALT},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert WARNING not in result.stdout
    [lead] = [r for r in read_csv(raw / "raw" / "leads.csv") if r["lead_id"] == EMAIL_LEAD_ID]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select lead_id, email_hash from staging.stg_marketing__leads where lead_id = ?",
            ["email_" + md5_token(EMAIL_LEAD_ID, OWN_SALT)],
        ).fetchall()
    assert rows == [
        ("email_" + md5_token(EMAIL_LEAD_ID, OWN_SALT), md5_token(lead["email"], OWN_SALT))
    ]
    assert md5_token(lead["email"], OWN_SALT) != md5_token(lead["email"])


def test_postgres_masks_as_duckdb_does(raw: Path, pg_settings: PgSettings) -> None:
    """The same build on PostgreSQL: no address in any relation, the same tokens."""
    settings, env = fresh_pg_database(pg_settings, "marketing_privacy_test")
    mkpi("load-postgres", "--dir", str(raw / "raw"), extra_env=env)
    result, _ = run_dbt(BUILD_MODELS_PG, raw / "raw", raw, "pg", env)
    assert result.returncode == 0, result.stdout[-3000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select table_schema, table_name, column_name from information_schema.columns"
                " where table_schema in ('staging', 'intermediate', 'marts')"
            )
            columns = cursor.fetchall()
            values = []
            for schema, table, column in columns:
                cursor.execute(f'select distinct cast("{column}" as text) from {schema}."{table}"')
                values += [(schema, table, column, value) for (value,) in cursor.fetchall()]
            cursor.execute(
                "select lead_id from staging.stg_marketing__leads where lead_id like 'email\\_%'"
            )
            pg_tokens = cursor.fetchall()
    finally:
        connection.close()
    assert len({(schema, table) for schema, table, _ in columns}) > 40
    assert scan(values) == {}
    assert pg_tokens == [("email_" + md5_token(EMAIL_LEAD_ID),)]
