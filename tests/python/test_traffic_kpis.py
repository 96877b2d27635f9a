"""Traffic and search KPIs of the built sample, recomputed independently with pandas from clean
staging, and the scorecard's threshold resolution checked against the Python catalog loader.

`make test` builds the sample on DuckDB (target/ci.duckdb) before pytest. Outside it the
build-dependent tests skip; under CI=true they fail when the build is missing.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mkpi.catalog import load_catalog
from mkpi.paths import project_root

TRAFFIC_KPIS = (
    "sessions",
    "session_conversion_rate",
    "avg_engaged_seconds",
    "pages_per_session",
    "organic_sessions",
    "organic_traffic_growth_mom",
    "organic_traffic_growth_yoy",
    "organic_conversion_rate",
    "repeat_visitor_rate",
    "money_keyword_avg_position",
    "money_keyword_page_one_share",
)

Key = tuple[str, date, str, str]


def built_duckdb() -> Path:
    return Path(os.environ.get("MKPI_CI_DUCKDB", project_root() / "target" / "ci.duckdb"))


@pytest.fixture(scope="module")
def connection():
    path = built_duckdb()
    if not path.exists():
        message = f"no DuckDB build at {path} (run `make build-duckdb` first)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with duckdb.connect(str(path), read_only=True) as opened:
        yield opened


def _month(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.to_period("M").dt.to_timestamp().dt.date


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def expected_values(connection: duckdb.DuckDBPyConnection) -> dict[Key, float]:
    """Every traffic KPI row, from clean touchpoints and rankings, by pandas group-bys."""
    months = sorted(
        _month(connection.execute("select month from intermediate.int_months_spined").df()["month"])
    )
    sessions = connection.execute(
        "select visitor_id, channel, is_lead_creation, engaged_seconds, pageviews, occurred_at "
        "from staging.stg_marketing__touchpoints"
    ).df()
    sessions["month"] = _month(sessions["occurred_at"])
    rankings = connection.execute(
        "select keyword, ranking_position, ranked_on from staging.stg_marketing__keyword_rankings "
        "where is_money_keyword"
    ).df()
    rankings["month"] = _month(rankings["ranked_on"])

    expected: dict[Key, float] = {}
    slices = [("total", "all", sessions)] + [
        ("channel", channel, group) for channel, group in sessions.groupby("channel")
    ]
    for dimension, member, frame in slices:
        for month in months:
            rows = frame[frame["month"] == month]
            key = (month, dimension, member)
            expected[("sessions", *key)] = float(len(rows))
            expected[("session_conversion_rate", *key)] = _ratio(
                rows["is_lead_creation"].sum(), len(rows)
            )
            engaged = rows["engaged_seconds"].dropna()
            expected[("avg_engaged_seconds", *key)] = _ratio(engaged.sum(), len(engaged))
            pages = rows["pageviews"].dropna()
            expected[("pages_per_session", *key)] = _ratio(pages.sum(), len(pages))

    organic = sessions[sessions["channel"] == "organic_search"]
    organic_counts = {month: float((organic["month"] == month).sum()) for month in months}
    for index, month in enumerate(months):
        key = (month, "total", "all")
        now = organic_counts[month]
        expected[("organic_sessions", *key)] = now
        rows = organic[organic["month"] == month]
        expected[("organic_conversion_rate", *key)] = _ratio(rows["is_lead_creation"].sum(), now)
        previous = organic_counts.get(months[index - 1]) if index > 0 else None
        year_ago = organic_counts.get(date(month.year - 1, month.month, 1))
        for kpi, then in (
            ("organic_traffic_growth_mom", previous),
            ("organic_traffic_growth_yoy", year_ago),
        ):
            expected[(kpi, *key)] = math.nan if not then else (now - then) / then
        visits = sessions[sessions["month"] == month].groupby("visitor_id").size()
        expected[("repeat_visitor_rate", *key)] = _ratio(float((visits >= 2).sum()), len(visits))
        ranked = rankings[rankings["month"] == month]
        expected[("money_keyword_avg_position", *key)] = (
            float(ranked["ranking_position"].mean()) if len(ranked) else math.nan
        )
        per_keyword = ranked.groupby("keyword")["ranking_position"].mean()
        expected[("money_keyword_page_one_share", *key)] = _ratio(
            float((per_keyword <= 10).sum()), len(per_keyword)
        )
    return expected


def test_traffic_kpis_match_an_independent_pandas_computation(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    marks = ", ".join("?" for _ in TRAFFIC_KPIS)
    actual_rows = connection.execute(
        "select kpi, month, dimension, dimension_value, value from marts.fct_kpis "
        f"where kpi in ({marks})",
        list(TRAFFIC_KPIS),
    ).fetchall()
    actual = {
        (kpi, month, dimension, member): (math.nan if value is None else value)
        for kpi, month, dimension, member, value in actual_rows
    }
    assert len(actual) == len(actual_rows), "duplicate KPI rows"
    expected = expected_values(connection)
    assert set(actual) == set(expected)
    mismatches = [
        (key, actual[key], expected[key])
        for key in expected
        if not (
            (math.isnan(actual[key]) and math.isnan(expected[key]))
            or math.isclose(actual[key], expected[key], rel_tol=1e-9, abs_tol=1e-12)
        )
    ]
    assert mismatches == []
    # the sample exercises every branch: growth NULL at the start of the range, values later
    assert any(
        math.isnan(expected[key]) for key in expected if key[0].startswith("organic_traffic")
    )
    assert any(not math.isnan(expected[key]) for key in expected if key[0].endswith("_yoy"))


# ------------------------------------------------------------------ thresholds (dbt compile)
def _compiled_dim_kpis(tmp_path: Path, dbt_vars: dict) -> list[dict]:
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_root()),
        "DBT_DUCKDB_PATH": str(tmp_path / "compile.duckdb"),
    }
    target = tmp_path / "target"
    result = subprocess.run(
        [
            str(dbt if dbt.exists() else "dbt"),
            "compile",
            "--select",
            "dim_kpis",
            "--target",
            "duckdb",
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps(dbt_vars),
        ],
        cwd=project_root(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    sql = (target / "compiled/marketing_kpis/models/marts/scorecard/dim_kpis.sql").read_text()
    with duckdb.connect() as memory:
        cursor = memory.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _level(row: dict, level: str) -> tuple[str, float] | None:
    operator = row[f"{level}_operator"]
    return None if operator is None else (operator, float(row[f"{level}_threshold"]))


@pytest.mark.dbt
@pytest.mark.parametrize("business_model", ["ecommerce", "services"])
def test_dim_kpis_thresholds_follow_business_model_and_overrides(
    tmp_path: Path, business_model: str
) -> None:
    overrides = {"cac_payback_months": {"healthy": {"op": "lte", "value": 9}, "critical": None}}
    rows = _compiled_dim_kpis(
        tmp_path, {"business_model": business_model, "kpi_threshold_overrides": overrides}
    )
    catalog = load_catalog()
    assert [row["kpi"] for row in rows] == [kpi.name for kpi in catalog.kpis]
    for row, kpi in zip(rows, catalog.kpis, strict=True):
        if kpi.name == "cac_payback_months":
            expected = {"healthy": ("lte", 9.0), "critical": None}
        elif kpi.thresholds is None:
            expected = {"healthy": None, "critical": None}
        else:
            expected = kpi.thresholds.resolved(business_model)
        assert {level: _level(row, level) for level in ("healthy", "critical")} == expected, (
            kpi.name
        )
        assert row["has_thresholds"] == any(expected.values())
        assert row["business_model"] == business_model
        assert (row["label"], row["unit"], row["funnel_tier"]) == (
            kpi.label,
            kpi.unit,
            kpi.funnel_tier,
        )
    roas = next(row for row in rows if row["kpi"] == "roas")
    assert roas["healthy_threshold"] == {"ecommerce": 3.0, "services": 5.0}[business_model]
