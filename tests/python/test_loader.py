"""`mkpi load-postgres`: raw files land in PostgreSQL as text, NULLs and extra columns intact."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from mkpi import loader
from mkpi.pg import PgSettings, connect
from mkpi.raw_contract import raw_table_names

RAW_TABLES = raw_table_names()

# Hand-written raw files: header + rows, exactly as they go to disk.
RAW_CSV = {
    # extra column `utm_source`; empty cells; quoted comma, quote and newline; spaces kept;
    # a quoted empty string (NULL, like DuckDB's reader); non-ASCII text; `\.` (COPY's end marker)
    "campaigns": (
        "campaign_id,campaign_name,channel,started_on,ended_on,utm_source\n"
        "c1,Brand,Google Ads,2026-03-01,,newsletter\n"
        'c2,"Spring, ""big"" sale\nline 2",  LinkedIn  ,,2026-04-30,\n'
        'c3,"",Météo,2026-13-45,not a date,\\.\n'
    ),
    "costs": "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks\n",
    # mixed-case header: lower-cased like an EL tool does
    "leads": (
        "Lead_ID,created_at,email,original_channel,original_campaign_id,mql_at,sql_at,customer_at\n"
        "l1,2026-03-01T09:15:00,a@example.com,Google Ads,c1,,,\n"
        "l2,2026-03-02T10:00:00+02:00,,Direct,,2026-03-05T00:00:00,,\n"
    ),
    "touchpoints": (
        "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,"
        "pageviews,engaged_seconds,created_lead\n"
        "t1,v1,,2026-03-01T09:00:00,Google Ads,c1,/pricing?a=1&b=2,3,45,false\n"
        "t2,v1,l1,2026-03-01T09:15:00,Direct,,/,,,TRUE\n"
    ),
    "deals": (
        "deal_id,lead_id,created_at,closed_at,stage,amount,currency\n"
        "d1,l1,2026-03-03T00:00:00,,open,1000.50,EUR\n"
    ),
    "subscriptions": (
        "subscription_id,lead_id,plan,mrr,currency,valid_from,valid_to\n"
        "s1,l1,pro,99.00,EUR,2026-03-01,\n"
    ),
    "orders": (
        "order_id,lead_id,ordered_at,revenue,cogs,currency\no1,l1,2026-03-04T12:00:00,-5,,USD\n"
    ),
    # keyword_rankings comes as Parquet below; this CSV must be ignored (Parquet wins)
    "keyword_rankings": "ranked_on,keyword,position,is_money_keyword,search_volume\n",
}

KEYWORD_RANKINGS_PARQUET_SQL = """
    select * from (values
        (date '2026-03-01', 'crm software', 3, true, 1200::bigint, '', 1.5::double),
        (date '2026-03-02', 'crm software', 4, false, null, null, null)
    ) as t(ranked_on, keyword, position, is_money_keyword, search_volume, note, score)
"""


def write_raw_dir(folder: Path, skip: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, text in RAW_CSV.items():
        if table not in skip:
            (folder / f"{table}.csv").write_text(text, encoding="utf-8", newline="")
    if "keyword_rankings" not in skip:
        target = str(folder / "keyword_rankings.parquet").replace("'", "''")
        duckdb.sql(f"copy ({KEYWORD_RANKINGS_PARQUET_SQL}) to '{target}' (format parquet)")
    return folder


def run_loader(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    loader.add_arguments(parser)
    return loader.run(parser.parse_args(list(argv)))


@pytest.fixture
def pg_schema(pg_settings: PgSettings, request: pytest.FixtureRequest) -> Iterator[str]:
    """A schema of its own for the test (dropped before and after), never the real `raw`."""
    name = f"raw_test_loader_{request.node.name.removeprefix('test_')[:30]}_{os.getpid()}"
    drop = f'drop schema if exists "{name}" cascade'
    execute(pg_settings, drop)
    yield name
    execute(pg_settings, drop)


def execute(settings: PgSettings, sql: str) -> None:
    connection = connect(settings)
    try:
        with connection, connection.cursor() as cursor:  # commits
            cursor.execute(sql)
    finally:
        connection.close()


def query(settings: PgSettings, sql: str) -> list[tuple]:
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        connection.close()


def columns_of(settings: PgSettings, schema: str, table: str) -> list[tuple[str, str]]:
    return query(
        settings,
        "select column_name, data_type from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
    )


def test_loads_every_table_as_text_with_nulls_and_extra_columns(
    tmp_path: Path, pg_settings: PgSettings, pg_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_dir = write_raw_dir(tmp_path / "raw")

    assert run_loader("--dir", str(raw_dir), "--schema", pg_schema) == 0

    expected_counts = {
        "campaigns": 3,
        "costs": 0,
        "leads": 2,
        "touchpoints": 2,
        "deals": 1,
        "subscriptions": 1,
        "orders": 1,
        "keyword_rankings": 2,
    }
    out = capsys.readouterr().out.splitlines()
    assert out[: len(RAW_TABLES)] == [
        f"{pg_schema}.{table}: {expected_counts[table]} rows from {raw_dir / table}."
        + ("parquet" if table == "keyword_rankings" else "csv")
        for table in RAW_TABLES
    ]
    assert out[len(RAW_TABLES)].startswith(f"loaded 8 raw tables into {pg_schema} at ")
    for table, count in expected_counts.items():
        assert query(pg_settings, f"select count(*) from {pg_schema}.{table}") == [(count,)]

    # every column of the file, in file order, as text; the extra column is kept; a CSV file
    # also gets mkpi_malformed_row (NULL: no malformed rows here; docs/raw-data.md)
    campaign_columns = ["campaign_id", "campaign_name", "channel", "started_on", "ended_on"]
    assert columns_of(pg_settings, pg_schema, "campaigns") == [
        (name, "text") for name in [*campaign_columns, "utm_source", "mkpi_malformed_row"]
    ]
    assert query(pg_settings, f"select * from {pg_schema}.campaigns order by campaign_id") == [
        ("c1", "Brand", "Google Ads", "2026-03-01", None, "newsletter", None),
        ("c2", 'Spring, "big" sale\nline 2', "  LinkedIn  ", None, "2026-04-30", None, None),
        ("c3", None, "Météo", "2026-13-45", "not a date", "\\.", None),
    ]
    assert [c for c, _ in columns_of(pg_settings, pg_schema, "leads")][:2] == [
        "lead_id",
        "created_at",
    ]
    assert query(pg_settings, f"select * from {pg_schema}.leads order by lead_id") == [
        ("l1", "2026-03-01T09:15:00", "a@example.com", "Google Ads", "c1", None, None, None, None),
        (
            "l2",
            "2026-03-02T10:00:00+02:00",
            None,
            "Direct",
            None,
            "2026-03-05T00:00:00",
            None,
            None,
            None,
        ),
    ]
    assert query(
        pg_settings,
        f"select pageviews, engaged_seconds, created_lead from {pg_schema}.touchpoints"
        " order by touchpoint_id",
    ) == [("3", "45", "false"), (None, None, "TRUE")]
    assert query(pg_settings, f"select revenue, cogs from {pg_schema}.orders") == [("-5", None)]
    assert columns_of(pg_settings, pg_schema, "costs")[0] == ("cost_date", "text")

    # Parquet: typed values cast to text; NULL stays NULL, an empty string stays ''
    assert [
        c for c, t in columns_of(pg_settings, pg_schema, "keyword_rankings") if t == "text"
    ] == [
        "ranked_on",
        "keyword",
        "position",
        "is_money_keyword",
        "search_volume",
        "note",
        "score",
    ]
    assert query(pg_settings, f"select * from {pg_schema}.keyword_rankings order by ranked_on") == [
        ("2026-03-01", "crm software", "3", "true", "1200", "", "1.5"),
        ("2026-03-02", "crm software", "4", "false", None, None, None),
    ]


def test_reload_replaces_rows_and_follows_column_changes(
    tmp_path: Path, pg_settings: PgSettings, pg_schema: str
) -> None:
    raw_dir = write_raw_dir(tmp_path / "raw")
    assert run_loader("--dir", str(raw_dir), "--schema", pg_schema) == 0
    execute(
        pg_settings,
        f"create view {pg_schema}.order_ids as select order_id from {pg_schema}.orders",
    )

    # same columns: rows are replaced and a view on the table survives
    (raw_dir / "orders.csv").write_text(
        "order_id,lead_id,ordered_at,revenue,cogs,currency\no2,l1,2026-03-05,10,1,EUR\n"
        "o3,l2,2026-03-06,20,,EUR\n"
    )
    assert run_loader("--dir", str(raw_dir), "--schema", pg_schema) == 0
    assert query(pg_settings, f"select * from {pg_schema}.order_ids order by 1") == [
        ("o2",),
        ("o3",),
    ]

    # changed columns: the table is recreated with the file's columns
    (raw_dir / "orders.csv").write_text("currency,order_id,new_col\nEUR,o4,x\n")
    assert run_loader("--dir", str(raw_dir), "--schema", pg_schema) == 0
    assert columns_of(pg_settings, pg_schema, "orders") == [
        ("currency", "text"),
        ("order_id", "text"),
        ("new_col", "text"),
        ("mkpi_malformed_row", "text"),
    ]
    assert query(pg_settings, f"select * from {pg_schema}.orders") == [("EUR", "o4", "x", None)]


def test_missing_table_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_dir = write_raw_dir(tmp_path / "raw", skip=("deals",))

    assert run_loader("--dir", str(raw_dir), "--schema", "raw_test_loader_unused") == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"raw table 'deals' not found: expected {raw_dir}/deals.csv or .parquet\n"
    )


def test_unreachable_server_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_dir = write_raw_dir(tmp_path / "raw")
    monkeypatch.setenv("MKPI_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("MKPI_PG_PORT", "1")

    assert run_loader("--dir", str(raw_dir)) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cannot connect to PostgreSQL at postgres@127.0.0.1:1/")


def test_settings_come_from_env() -> None:
    assert PgSettings.from_env({}) == PgSettings(
        "localhost", 55432, "postgres", "postgres", "marketing"
    )
    env = {
        "MKPI_PG_HOST": "db",
        "MKPI_PG_PORT": "6543",
        "MKPI_PG_USER": "u",
        "MKPI_PG_PASSWORD": "p",
        "MKPI_PG_DATABASE": "d",
    }
    assert PgSettings.from_env(env) == PgSettings("db", 6543, "u", "p", "d")
    assert PgSettings.from_env(env).describe() == "u@db:6543/d"  # never the password
