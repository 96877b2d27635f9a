"""The DuckDB and PostgreSQL builds of the sample agree: staging row counts and money sums are
identical, and every fct_kpis row (medians, cohort rates, attribution, retention) matches.

`make test` builds the sample on both targets (target/ci.duckdb and PostgreSQL's `analytics`
database objects) before pytest runs; outside it this test skips, unless MKPI_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import duckdb
import pytest

from mkpi.paths import project_root
from mkpi.pg import PgSettings, connect

REQUIRED = os.environ.get("MKPI_REQUIRE_POSTGRES") == "1"

STAGING_SUMS = {
    "stg_marketing__campaigns": [],
    "stg_marketing__costs": ["amount", "original_amount"],
    "stg_marketing__leads": [],
    "stg_marketing__touchpoints": ["pageviews", "engaged_seconds"],
    "stg_marketing__deals": ["amount"],
    "stg_marketing__subscriptions": ["mrr"],
    "stg_marketing__orders": ["revenue", "cogs"],
    "stg_marketing__keyword_rankings": ["ranking_position"],
    "stg_marketing__rejected_rows": [],
}


def ci_duckdb() -> Path:
    return Path(os.environ.get("MKPI_CI_DUCKDB", project_root() / "target" / "ci.duckdb"))


@pytest.fixture(scope="module")
def connections(pg_settings: PgSettings):
    path = ci_duckdb()
    if not path.exists():
        message = f"no DuckDB build at {path} (run `make build-duckdb` first)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    duck = duckdb.connect(str(path), read_only=True)
    pg = connect(pg_settings)
    with pg.cursor() as cursor:
        cursor.execute("select to_regclass('marts.fct_kpis') is not null")
        if not cursor.fetchone()[0]:
            message = "no PostgreSQL build (run `make load-and-build-postgres` first)"
            if REQUIRED:
                pytest.fail(message)
            pytest.skip(message)
    yield duck, pg
    duck.close()
    pg.close()


def _query_both(connections, sql: str) -> tuple[list[tuple], list[tuple]]:
    duck, pg = connections
    duck_rows = duck.sql(sql).fetchall()
    with pg.cursor() as cursor:
        cursor.execute(sql)
        pg_rows = cursor.fetchall()
    return duck_rows, pg_rows


@pytest.mark.parametrize("model", sorted(STAGING_SUMS))
def test_staging_counts_and_money_sums_are_identical(connections, model: str) -> None:
    sums = "".join(f", cast(sum({column}) as decimal(38, 6))" for column in STAGING_SUMS[model])
    duck_rows, pg_rows = _query_both(connections, f"select count(*){sums} from staging.{model}")
    assert duck_rows[0][0] > 0 or model == "stg_marketing__rejected_rows"
    assert [tuple(map(float, row)) for row in duck_rows] == [
        tuple(map(float, row)) for row in pg_rows
    ]


def test_every_kpi_value_is_the_same_on_both_databases(connections) -> None:
    sql = """
        select kpi, cast(month as varchar) as month, dimension, dimension_value,
               coalesce(attribution_model, '-') as model, numerator, denominator, value
        from marts.fct_kpis
    """
    duck_rows, pg_rows = _query_both(connections, sql)
    assert len(duck_rows) == len(pg_rows) > 0
    duck_by_key = {row[:5]: row[5:] for row in duck_rows}
    pg_by_key = {row[:5]: row[5:] for row in pg_rows}
    assert duck_by_key.keys() == pg_by_key.keys()
    mismatches = []
    for key, duck_values in duck_by_key.items():
        for name, left, right in zip(
            ("numerator", "denominator", "value"), duck_values, pg_by_key[key], strict=True
        ):
            if left is None or right is None:
                same = left is None and right is None
            else:
                same = math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9)
            if not same:
                mismatches.append((key, name, left, right))
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:5]}"
