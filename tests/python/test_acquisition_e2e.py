"""End to end: `dbt build` on a small hand-made raw directory, then every acquisition KPI row of
fct_kpis is compared with values worked out by hand from fixtures/acquisition_raw.

The raw data, in UTC (L09 has a bad timestamp and is rejected; one cost line is an exact duplicate
and counts once; the -50 cost line is rejected):

    lead  channel         campaign    created     mql     sql     customer   days to customer
    L01   paid_search     cmp_search  Jan 05 09h  Jan 10  Jan 20  Feb 04 21h  30.5
    L02   paid_search     cmp_search  Jan 12      Feb 02  -       -
    L03   organic_search  -           Jan 20      -       -       -
    L04   organic_search  -           Jan 25 06h  -       -       Feb 09 18h  15.5 (no mql/sql)
    L05   paid_social     cmp_social  Feb 01 01:30 Feb 03  Mar 05  Mar 10 01:30  37
          (L05 is created at Jan 31 23:30 -02:00, i.e. in February UTC)
    L06   other           -           Feb 14      -       -       -
    L07   paid_search     -           Feb 20      Feb 21  -       Mar 02      10
    L08   paid_search     cmp_search  Mar 03      -       -       Mar 04 12h  1.5 (no mql/sql)
    L10   email           -           Mar 15      Mar 16  -       -

    costs  Jan: paid_search/cmp_search media 300, paid_search/(none) media 100,
                organic_search/(none) marketing_other 250, direct/(none) sales 1000
           Feb: paid_social/cmp_social media 400, paid_search/cmp_search media 200,
                direct/(none) sales 1200, display/cmp_display media 150,
                direct/cmp_sales sales 30 (a campaign with sales cost only: CAC rows, no others)
           Mar: paid_search/cmp_search marketing_other 50, direct/(none) sales 0,
                paid_social/cmp_social sales 90 (a cost line's campaign is its own, whatever its
                category: sales cost with a campaign id counts in that campaign's CAC; the
                sales_cost KPI has no campaign rows)

The data range is Jan-Apr 2026 (a keyword ranking on Apr 2): April has no acquisition activity.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt

RAW_DIR = Path(__file__).resolve().parent / "fixtures" / "acquisition_raw"
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
NAN = None  # a ratio over a 0 denominator, a median over nothing

Key = tuple[str, date, str, str]
Count = float
Ratio = tuple[float, float, float | None]

# (kpi, dimension, dimension_value) -> the four months Jan..Apr.
# Counts, sums and medians: the value. Ratios: (numerator, denominator, value).
# fmt: off
COUNTS: dict[tuple[str, str, str], list[float | None]] = {
    ("leads", "total", "all"): [4, 3, 2, 0],
    ("leads", "channel", "paid_search"): [2, 1, 1, 0],
    ("leads", "channel", "organic_search"): [2, 0, 0, 0],
    ("leads", "channel", "paid_social"): [0, 1, 0, 0],
    ("leads", "channel", "other"): [0, 1, 0, 0],
    ("leads", "channel", "email"): [0, 0, 1, 0],
    ("leads", "campaign", "cmp_search"): [2, 0, 1, 0],
    ("leads", "campaign", "cmp_social"): [0, 1, 0, 0],
    ("mqls", "total", "all"): [1, 3, 1, 0],
    ("mqls", "channel", "paid_search"): [1, 2, 0, 0],
    ("mqls", "channel", "paid_social"): [0, 1, 0, 0],
    ("mqls", "channel", "email"): [0, 0, 1, 0],
    ("mqls", "campaign", "cmp_search"): [1, 1, 0, 0],
    ("mqls", "campaign", "cmp_social"): [0, 1, 0, 0],
    ("sqls", "total", "all"): [1, 0, 1, 0],
    ("sqls", "channel", "paid_search"): [1, 0, 0, 0],
    ("sqls", "channel", "paid_social"): [0, 0, 1, 0],
    ("sqls", "campaign", "cmp_search"): [1, 0, 0, 0],
    ("sqls", "campaign", "cmp_social"): [0, 0, 1, 0],
    ("new_customers", "total", "all"): [0, 2, 3, 0],
    ("new_customers", "channel", "paid_search"): [0, 1, 2, 0],
    ("new_customers", "channel", "organic_search"): [0, 1, 0, 0],
    ("new_customers", "channel", "paid_social"): [0, 0, 1, 0],
    ("new_customers", "campaign", "cmp_search"): [0, 1, 1, 0],
    ("new_customers", "campaign", "cmp_social"): [0, 0, 1, 0],
    ("marketing_cost", "total", "all"): [650, 750, 50, 0],
    ("marketing_cost", "channel", "paid_search"): [400, 200, 50, 0],
    ("marketing_cost", "channel", "organic_search"): [250, 0, 0, 0],
    ("marketing_cost", "channel", "paid_social"): [0, 400, 0, 0],
    ("marketing_cost", "channel", "display"): [0, 150, 0, 0],
    ("marketing_cost", "campaign", "cmp_search"): [300, 200, 50, 0],
    ("marketing_cost", "campaign", "cmp_social"): [0, 400, 0, 0],
    ("marketing_cost", "campaign", "cmp_display"): [0, 150, 0, 0],
    ("media_cost", "total", "all"): [400, 750, 0, 0],
    ("media_cost", "channel", "paid_search"): [400, 200, 0, 0],
    ("media_cost", "channel", "paid_social"): [0, 400, 0, 0],
    ("media_cost", "channel", "display"): [0, 150, 0, 0],
    ("media_cost", "campaign", "cmp_search"): [300, 200, 0, 0],
    ("media_cost", "campaign", "cmp_social"): [0, 400, 0, 0],
    ("media_cost", "campaign", "cmp_display"): [0, 150, 0, 0],
    ("sales_cost", "total", "all"): [1000, 1230, 90, 0],
    ("sales_cost", "channel", "direct"): [1000, 1230, 0, 0],
    ("sales_cost", "channel", "paid_social"): [0, 0, 90, 0],
    # medians: Feb {30.5, 15.5} (even), Mar {37, 10, 1.5} (odd); paid_search Mar {10, 1.5}
    ("days_to_customer", "total", "all"): [NAN, 23.0, 10.0, NAN],
    ("days_to_customer", "channel", "paid_search"): [NAN, 30.5, 5.75, NAN],
    ("days_to_customer", "channel", "organic_search"): [NAN, 15.5, NAN, NAN],
    ("days_to_customer", "channel", "paid_social"): [NAN, NAN, 37.0, NAN],
}

RATIOS: dict[tuple[str, str, str], list[Ratio]] = {
    ("cpl", "total", "all"): [(650, 4, 162.5), (750, 3, 250.0), (50, 2, 25.0), (0, 0, NAN)],
    ("cpl", "channel", "paid_search"): [
        (400, 2, 200.0), (200, 1, 200.0), (50, 1, 50.0), (0, 0, NAN),
    ],
    ("cpl", "channel", "organic_search"): [(250, 2, 125.0), (0, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cpl", "channel", "paid_social"): [(0, 0, NAN), (400, 1, 400.0), (0, 0, NAN), (0, 0, NAN)],
    ("cpl", "channel", "display"): [(0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cpl", "channel", "other"): [(0, 0, NAN), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN)],
    ("cpl", "channel", "email"): [(0, 0, NAN), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN)],
    ("cpl", "campaign", "cmp_search"): [(300, 2, 150.0), (200, 0, NAN), (50, 1, 50.0), (0, 0, NAN)],
    ("cpl", "campaign", "cmp_social"): [(0, 0, NAN), (400, 1, 400.0), (0, 0, NAN), (0, 0, NAN)],
    ("cpl", "campaign", "cmp_display"): [(0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cost_per_mql", "total", "all"): [
        (650, 1, 650.0), (750, 3, 250.0), (50, 1, 50.0), (0, 0, NAN),
    ],
    ("cost_per_mql", "channel", "paid_search"): [
        (400, 1, 400.0), (200, 2, 100.0), (50, 0, NAN), (0, 0, NAN),
    ],
    ("cost_per_mql", "channel", "organic_search"): [
        (250, 0, NAN), (0, 0, NAN), (0, 0, NAN), (0, 0, NAN),
    ],
    ("cost_per_mql", "channel", "paid_social"): [
        (0, 0, NAN), (400, 1, 400.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("cost_per_mql", "channel", "display"): [(0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cost_per_mql", "channel", "email"): [(0, 0, NAN), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN)],
    ("cost_per_mql", "campaign", "cmp_search"): [
        (300, 1, 300.0), (200, 1, 200.0), (50, 0, NAN), (0, 0, NAN),
    ],
    ("cost_per_mql", "campaign", "cmp_social"): [
        (0, 0, NAN), (400, 1, 400.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("cost_per_mql", "campaign", "cmp_display"): [
        (0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN),
    ],
    # (marketing + sales) / new customers; a campaign's own sales cost lines count in its CAC
    ("cac", "total", "all"): [(1650, 0, NAN), (1980, 2, 990.0), (140, 3, 140 / 3), (0, 0, NAN)],
    ("cac", "channel", "paid_search"): [(400, 0, NAN), (200, 1, 200.0), (50, 2, 25.0), (0, 0, NAN)],
    ("cac", "channel", "organic_search"): [(250, 0, NAN), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN)],
    ("cac", "channel", "paid_social"): [(0, 0, NAN), (400, 0, NAN), (90, 1, 90.0), (0, 0, NAN)],
    ("cac", "channel", "display"): [(0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cac", "channel", "direct"): [(1000, 0, NAN), (1230, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cac", "campaign", "cmp_search"): [(300, 0, NAN), (200, 1, 200.0), (50, 1, 50.0), (0, 0, NAN)],
    ("cac", "campaign", "cmp_social"): [(0, 0, NAN), (400, 0, NAN), (90, 1, 90.0), (0, 0, NAN)],
    ("cac", "campaign", "cmp_display"): [(0, 0, NAN), (150, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    ("cac", "campaign", "cmp_sales"): [(0, 0, NAN), (30, 0, NAN), (0, 0, NAN), (0, 0, NAN)],
    # cohorts: leads created in the month that have an mql_at at any time
    ("lead_to_mql_rate", "total", "all"): [(2, 4, 0.5), (2, 3, 2 / 3), (1, 2, 0.5), (0, 0, NAN)],
    ("lead_to_mql_rate", "channel", "paid_search"): [
        (2, 2, 1.0), (1, 1, 1.0), (0, 1, 0.0), (0, 0, NAN),
    ],
    ("lead_to_mql_rate", "channel", "organic_search"): [
        (0, 2, 0.0), (0, 0, NAN), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_mql_rate", "channel", "paid_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_mql_rate", "channel", "other"): [(0, 0, NAN), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN)],
    ("lead_to_mql_rate", "channel", "email"): [(0, 0, NAN), (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN)],
    ("lead_to_mql_rate", "campaign", "cmp_search"): [
        (2, 2, 1.0), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN),
    ],
    ("lead_to_mql_rate", "campaign", "cmp_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "total", "all"): [
        (2, 4, 0.5), (2, 3, 2 / 3), (1, 2, 0.5), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "channel", "paid_search"): [
        (1, 2, 0.5), (1, 1, 1.0), (1, 1, 1.0), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "channel", "organic_search"): [
        (1, 2, 0.5), (0, 0, NAN), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "channel", "paid_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "channel", "other"): [
        (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "channel", "email"): [
        (0, 0, NAN), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "campaign", "cmp_search"): [
        (1, 2, 0.5), (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN),
    ],
    ("lead_to_customer_rate", "campaign", "cmp_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    # cohorts: leads with mql_at in the month that have an sql_at / customer_at at any time
    ("mql_to_sql_rate", "total", "all"): [(1, 1, 1.0), (1, 3, 1 / 3), (0, 1, 0.0), (0, 0, NAN)],
    ("mql_to_sql_rate", "channel", "paid_search"): [
        (1, 1, 1.0), (0, 2, 0.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_sql_rate", "channel", "paid_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_sql_rate", "channel", "email"): [(0, 0, NAN), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN)],
    ("mql_to_sql_rate", "campaign", "cmp_search"): [
        (1, 1, 1.0), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_sql_rate", "campaign", "cmp_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "total", "all"): [
        (1, 1, 1.0), (2, 3, 2 / 3), (0, 1, 0.0), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "channel", "paid_search"): [
        (1, 1, 1.0), (1, 2, 0.5), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "channel", "paid_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "channel", "email"): [
        (0, 0, NAN), (0, 0, NAN), (0, 1, 0.0), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "campaign", "cmp_search"): [
        (1, 1, 1.0), (0, 1, 0.0), (0, 0, NAN), (0, 0, NAN),
    ],
    ("mql_to_customer_rate", "campaign", "cmp_social"): [
        (0, 0, NAN), (1, 1, 1.0), (0, 0, NAN), (0, 0, NAN),
    ],
}
# fmt: on

ACQUISITION_KPIS = sorted({kpi for kpi, _, _ in COUNTS} | {kpi for kpi, _, _ in RATIOS})


def _expected() -> dict[Key, tuple[float | None, float | None, float | None]]:
    """(kpi, month, dimension, dimension_value) -> (numerator, denominator, value)."""
    rows: dict[Key, tuple[float | None, float | None, float | None]] = {}
    for (kpi, dimension, value), series in COUNTS.items():
        for month, count in zip(MONTHS, series, strict=True):
            rows[(kpi, month, dimension, value)] = (None, None, count)
    for (kpi, dimension, value), ratios in RATIOS.items():
        for month, ratio in zip(MONTHS, ratios, strict=True):
            rows[(kpi, month, dimension, value)] = ratio
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    work = tmp_path_factory.mktemp("acquisition_e2e")
    selection = "+fct_kpis +fct_acquisition_monthly +dim_campaigns +dim_channels +dim_months"
    # tests run when all their parents are built (skips tests of unselected models)
    arguments = ["build", "--select", selection, "--indirect-selection", "cautious"]
    result, database = run_dbt(arguments, RAW_DIR, work, "acquisition")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


def _actual(connection: duckdb.DuckDBPyConnection) -> dict[Key, tuple]:
    placeholders = ", ".join("?" for _ in ACQUISITION_KPIS)
    rows = connection.execute(
        f"""
        select kpi, month, dimension, dimension_value, attribution_model,
            numerator, denominator, value
        from marts.fct_kpis
        where kpi in ({placeholders})
        """,
        ACQUISITION_KPIS,
    ).fetchall()
    actual: dict[Key, tuple] = {}
    for kpi, month, dimension, value, model, numerator, denominator, kpi_value in rows:
        key = (kpi, month, dimension, value)
        assert key not in actual, f"duplicate row {key}"
        assert model is None, f"{key}: attribution_model should be NULL"
        actual[key] = (numerator, denominator, kpi_value)
    return actual


def _same(actual: float | None, expected: float | None) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.dbt
def test_every_acquisition_row_is_present_and_nothing_else(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    expected = _expected()
    actual = _actual(warehouse)
    assert sorted(set(expected) - set(actual)) == [], "rows missing from fct_kpis"
    assert sorted(set(actual) - set(expected)) == [], "unexpected rows in fct_kpis"


@pytest.mark.dbt
def test_every_acquisition_value_matches_the_hand_computed_one(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    actual = _actual(warehouse)
    mismatches = []
    for key, (numerator, denominator, value) in sorted(_expected().items()):
        if key not in actual:
            continue
        got = actual[key]
        if not (_same(got[0], numerator) and _same(got[1], denominator) and _same(got[2], value)):
            mismatches.append(f"{key}: expected {(numerator, denominator, value)}, got {got}")
    assert mismatches == []


@pytest.mark.dbt
def test_acquisition_mart_adds_up_and_keeps_costs_without_campaign(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    totals = warehouse.execute(
        """
        select sum(leads), sum(new_customers), sum(marketing_cost), sum(sales_cost), count(*)
        from marts.fct_acquisition_monthly
        """
    ).fetchone()
    # 9 clean leads, 5 customers, marketing 650 + 750 + 50, sales 1000 + 1230 + 0 + 90;
    # pairs: paid_search x {cmp_search, none}, organic_search/none, paid_social/cmp_social,
    # other/none, email/none, direct x {none, cmp_sales}, display/cmp_display = 9 pairs x 4 months
    assert totals == (9, 5, 1450.0, 2320.0, 36)
    without_campaign = warehouse.execute(
        """
        select month, marketing_cost, leads
        from marts.fct_acquisition_monthly
        where channel = 'paid_search' and campaign_id is null
        order by month
        """
    ).fetchall()
    assert without_campaign == [
        (MONTHS[0], 100.0, 0),
        (MONTHS[1], 0.0, 1),
        (MONTHS[2], 0.0, 0),
        (MONTHS[3], 0.0, 0),
    ]


@pytest.mark.dbt
def test_dim_campaigns_holds_listed_and_referenced_only_campaigns(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    campaigns = warehouse.execute(
        "select campaign_id, campaign_label, channel, has_campaign_record from marts.dim_campaigns"
        " order by campaign_id"
    ).fetchall()
    assert campaigns == [
        ("cmp_display", "cmp_display", None, False),
        ("cmp_partner", "cmp_partner", None, False),
        ("cmp_sales", "cmp_sales", None, False),
        ("cmp_search", "Brand search", "paid_search", True),
        ("cmp_social", "Spring social", "paid_social", True),
        ("cmp_unused", "Never ran", "display", True),
    ]
