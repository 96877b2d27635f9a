"""End to end: every retention and order KPI row of fct_kpis against an independent reference.

A seeded generator (reference/raw_data.py) writes a raw directory full of nasty subscription
cases (mid-month plan changes, versions inside one month, zero-length versions, overlapping
versions that staging rejects, mrr-0 versions, gaps and reactivation, several subscriptions per
customer, USD money) plus
orders, costs and customers for CAC. One `dbt build` runs on it; reference/retention.py works
the KPIs out from the same files day by day, straight from catalog/kpis.yml.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from reference.raw_data import write_raw_dir
from reference.retention import KpiRow, overlapping_versions, read_table, reference_kpis

PROJECT_DIR = Path(__file__).resolve().parents[2]
FX_RATES = PROJECT_DIR / "seeds" / "fx_rates.csv"
SEED = 20240611
TOLERANCE = 1e-9
KPIS = [
    "mrr", "arr", "active_customers", "new_mrr", "reactivation_mrr", "expansion_mrr",
    "contraction_mrr", "churned_mrr", "logo_churn_rate", "annual_logo_churn_rate",
    "gross_mrr_churn_rate", "net_revenue_retention", "arpa", "ltv", "ltv_cac_ratio",
    "cac_payback_months", "aov", "purchase_frequency_12m", "repeat_customer_rate",
]  # fmt: skip
Key = tuple[str, date]


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("retention_raw")
    write_raw_dir(directory, SEED)
    return directory


@pytest.fixture(scope="module")
def warehouse(
    raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    work = tmp_path_factory.mktemp("retention_dbt")
    arguments = ["build", "--select", "+fct_kpis +stg_marketing__rejected_rows"]
    result, database = run_dbt(
        [*arguments, "--indirect-selection", "cautious"], raw_dir, work, "retention"
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def reference(raw_dir: Path) -> tuple[list[date], dict[Key, KpiRow]]:
    return reference_kpis(raw_dir, FX_RATES)


def _rows(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    placeholders = ", ".join("?" for _ in KPIS)
    return connection.execute(
        f"""
        select kpi, month, dimension, dimension_value, attribution_model,
            numerator, denominator, value
        from marts.fct_kpis
        where kpi in ({placeholders})
        order by kpi, month, dimension, dimension_value
        """,
        KPIS,
    ).fetchall()


def _same(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return actual == pytest.approx(expected, rel=TOLERANCE, abs=TOLERANCE)


def test_reference_data_covers_the_nasty_cases(
    reference: tuple[list[date], dict[Key, KpiRow]],
) -> None:
    """The generated data exercises every branch the comparison is meant to check."""
    months, rows = reference
    assert (months[0], months[-1]) == (date(2023, 12, 1), date(2025, 8, 1))

    def values(kpi: str) -> list[float | None]:
        return [rows[(kpi, month)][2] for month in months]

    for kpi in ["new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]:
        assert any(value for value in values(kpi)), f"no {kpi} in the generated data"
    for kpi in ["logo_churn_rate", "ltv", "ltv_cac_ratio", "cac_payback_months", "aov"]:
        assert None in values(kpi), f"{kpi} is never NULL"
        assert any(value for value in values(kpi)), f"{kpi} is never above 0"
    # a month with customers won and no cost: CAC 0, so LTV/CAC NULL and payback 0
    assert 0.0 in values("cac_payback_months")
    # the August 2025 churn of C11 is reported
    assert rows[("churned_mrr", date(2025, 8, 1))][2] == 75.0


def test_reference_rejects_exactly_c06s_overlapping_versions(raw_dir: Path) -> None:
    """The day-by-day overlap finder of the reference on the generated data: C06's two versions
    that share May 1-19 and nothing else (hand-overs, zero-length versions and the random
    population, whose versions follow each other, do not overlap)."""
    subscriptions = read_table(raw_dir, "subscriptions")
    assert overlapping_versions(subscriptions) == {("S06", "2024-03-01"), ("S06", "2024-05-01")}


@pytest.mark.dbt
def test_only_the_overlapping_versions_are_rejected(
    warehouse: duckdb.DuckDBPyConnection, raw_dir: Path
) -> None:
    """Staging keeps every generated row but the versions the reference finds overlapping, and
    rejects those as overlapping_version (before this reject they were summed: C06 had 220 of MRR
    from May 1 to May 19, a fake expansion in May and contraction in June)."""
    rejected = warehouse.execute(
        "select source_table, reject_reason,"
        " json_extract_string(raw_row, '$.subscription_id'),"
        " json_extract_string(raw_row, '$.valid_from')"
        " from staging.stg_marketing__rejected_rows"
    ).fetchall()
    expected = overlapping_versions(read_table(raw_dir, "subscriptions"))
    assert sorted(rejected) == sorted(
        ("subscriptions", "overlapping_version", subscription, valid_from)
        for subscription, valid_from in expected
    )


@pytest.mark.dbt
def test_one_total_row_per_month_for_every_kpi(
    warehouse: duckdb.DuckDBPyConnection, reference: tuple[list[date], dict[Key, KpiRow]]
) -> None:
    months, _ = reference
    rows = _rows(warehouse)
    for kpi in KPIS:
        kpi_rows = [row for row in rows if row[0] == kpi]
        assert len(kpi_rows) == len(months), f"{kpi}: {len(kpi_rows)} rows, {len(months)} months"
        assert [row[1] for row in kpi_rows] == months, f"{kpi}: months differ from the range"
        assert {(row[2], row[3], row[4]) for row in kpi_rows} == {("total", "all", None)}, kpi


@pytest.mark.dbt
def test_every_row_matches_the_reference(
    warehouse: duckdb.DuckDBPyConnection, reference: tuple[list[date], dict[Key, KpiRow]]
) -> None:
    _, expected = reference
    actual = {(row[0], row[1]): tuple(row[5:]) for row in _rows(warehouse) if row[2] == "total"}
    mismatches = []
    for key in sorted(expected):
        got = actual.get(key)
        want = expected[key]
        if got is None:
            mismatches.append(f"{key}: missing, expected {want}")
        elif not all(_same(part, other) for part, other in zip(got, want, strict=True)):
            mismatches.append(f"{key}: expected (num, den, value) {want}, got {got}")
    if mismatches:
        shown = "\n".join(mismatches[:10])
        pytest.fail(f"{len(mismatches)} of {len(expected)} rows differ; first 10:\n{shown}")
