"""Dates and timestamps do not depend on the server's time zone.

A date-only value (`2026-01-02`) is a date, never a timestamp at midnight of the session's time
zone (its `-02` is no UTC offset); a timestamp with an offset is converted to UTC; one without is
UTC already; an impossible offset (`+25:00`) is a `bad_timestamp`. The same raw rows are built on
DuckDB (with the project's UTC profile, and with a profile whose time zone is Europe/Helsinki)
and on a PostgreSQL database whose default time zone is Europe/Helsinki (UTC+2), and all must give
the values worked out here by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from test_raw_contract_errors import TABLES, write_raw

from mkpi.paths import project_root
from mkpi.pg import PgSettings, connect

pytestmark = pytest.mark.dbt

BUILD = [
    "build",
    "--resource-type",
    "model",
    "--resource-type",
    "seed",
    "--select",
    "+stg_marketing__costs",
    "+stg_marketing__leads",
    "+stg_marketing__rejected_rows",
]
LEADS = (
    "lead_id,created_at,email,original_channel,original_campaign_id,mql_at,sql_at,customer_at\n"
    "L1,2026-01-02T10:00:00,,Google Ads,c1,,,\n"
    "L2,2026-01-02T10:00:00+02:00,,Google Ads,,2026-01-03,,\n"
    "L3,2026-01-02 23:30:00-01:00,,Google Ads,,,,\n"
    "L4,2026-01-02T10:00:00+25:00,,Google Ads,,,,\n"
)
COSTS = (
    "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks\n"
    "2026-01-02,Google Ads,c1,media,10,EUR,,\n"
    "2026-01-01,Google Ads,c1,media,20,EUR,,\n"
)
EXPECTED_LEADS = {
    "L1": (datetime(2026, 1, 2, 10, 0), None),
    "L2": (datetime(2026, 1, 2, 8, 0), datetime(2026, 1, 3, 0, 0)),
    "L3": (datetime(2026, 1, 3, 0, 30), None),
}
EXPECTED_COSTS = [date(2026, 1, 1), date(2026, 1, 2)]
EXPECTED_REJECTS = [("leads", "bad_timestamp")]
QUERIES = {
    "leads": "select lead_id, created_at, mql_at from staging.stg_marketing__leads",
    "costs": "select cost_date from staging.stg_marketing__costs order by cost_date",
    "rejects": "select source_table, reject_reason from staging.stg_marketing__rejected_rows",
}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("time_zones")
    write_raw(folder / "raw", {**TABLES, "leads": LEADS, "costs": COSTS})
    return folder


def check(results: dict[str, list[tuple]]) -> None:
    leads = {lead_id: (created, mql) for lead_id, created, mql in results["leads"]}
    assert leads == EXPECTED_LEADS
    assert [row[0] for row in results["costs"]] == EXPECTED_COSTS
    assert sorted(results["rejects"]) == EXPECTED_REJECTS


def test_duckdb_reads_dates_and_offsets_exactly(raw: Path) -> None:
    result, database = run_dbt(BUILD, raw / "raw", raw, "duckdb")
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        check({name: connection.sql(query).fetchall() for name, query in QUERIES.items()})


def test_a_non_utc_duckdb_session_changes_nothing(raw: Path) -> None:
    profiles = raw / "helsinki_profile"
    profiles.mkdir()
    profile = (project_root() / "profiles.yml").read_text()
    assert "TimeZone: UTC" in profile
    (profiles / "profiles.yml").write_text(
        profile.replace("TimeZone: UTC", "TimeZone: Europe/Helsinki")
    )
    env = {"DBT_PROFILES_DIR": str(profiles)}
    result, database = run_dbt(BUILD, raw / "raw", raw, "duckdb_helsinki", env)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        check({name: connection.sql(query).fetchall() for name, query in QUERIES.items()})


def test_a_non_utc_postgres_server_changes_nothing(raw: Path, pg_settings: PgSettings) -> None:
    settings, env = fresh_pg_database(pg_settings, "marketing_time_zone_test")
    admin = connect(pg_settings)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"alter database {settings.database} set timezone to 'Europe/Helsinki'")
    admin.close()
    mkpi("load-postgres", "--dir", str(raw / "raw"), extra_env=env)
    result, _ = run_dbt([*BUILD, "--target", "postgres"], raw / "raw", raw, "pg", env)
    assert result.returncode == 0, result.stdout[-3000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute("show timezone")
            assert cursor.fetchone()[0] == "Europe/Helsinki"
            results = {}
            for name, query in QUERIES.items():
                cursor.execute(query)
                results[name] = cursor.fetchall()
    finally:
        connection.close()
    check(results)
