"""`mkpi dashboard`: the page built from a small hand-made DuckDB fixture (no dbt build needed),
checked as text and in a real headless Chromium (console errors, charts and their data points,
tabs, health colours, screenshot).

Chromium: scripts/install_chromium.sh installs Debian's package. Without it this module's browser
tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import re
import struct
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from mkpi.cli import main
from mkpi.dashboard import build_dashboard
from mkpi.dashboard.browser import find_chromium, inspect_page
from mkpi.dashboard.data import load_dashboard_data
from mkpi.dashboard.formatting import format_value, style_of
from mkpi.dashboard.render import Options, Page, campaign_roi, model_comparison

MONTHS = [date(2025, month, 1) for month in range(1, 7)]
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = (1400, 2400)

# ------------------------------------------------------------------------------- the fixture
TOTALS: dict[str, list[float | None]] = {
    "sessions": [100, 120, 90, 130, 150, 160],
    "organic_sessions": [60, 70, 50, 80, 90, 100],
    "session_conversion_rate": [0.10, 0.12, 0.10, 0.11, 0.09, 0.10],
    "leads": [10, 12, 9, 13, 15, 16],
    "mqls": [5, 6, 4, 6, 7, 8],
    "sqls": [2, 3, 2, 3, 3, 4],
    "new_customers": [1, 1, 1, 2, 2, 2],
    "cac": [500, 450, 520, 400, 380, 350],
    "ltv_cac_ratio": [2.5, 2.8, 3.1, 3.3, 3.0, 3.4],
    "roas": [4.0, 4.5, 3.8, 4.2, 4.4, 4.0],
    "romi": [-0.2, 0.1, -0.4, -0.55, -0.5, -0.6],
    "mrr": [100, 190, 230, 295, 385, 405],
    "new_mrr": [100, 80, 60, 90, 70, 50],
    "expansion_mrr": [0, 20, 10, 0, 30, 10],
    "reactivation_mrr": [0, 0, 0, 0, 0, 0],
    "contraction_mrr": [0, 10, 0, 5, 0, 0],
    "churned_mrr": [0, 0, 30, 20, 10, 40],
}
CHANNELS: dict[str, dict[str, list[float]]] = {
    "sessions": {
        "organic_search": [60, 70, 50, 80, 90, 100],
        "paid_search": [40, 50, 40, 50, 60, 60],
    },
    "leads": {"organic_search": [6, 7, 5, 8, 9, 10], "paid_search": [4, 5, 4, 5, 6, 6]},
    "session_conversion_rate": {
        "organic_search": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        "paid_search": [0.1, 0.14, 0.1, 0.12, 0.08, 0.1],
    },
}
# campaign romi per month: (numerator, denominator) by model; ROI over the window is
# sum(numerator) / sum(denominator): c1 w_shaped 300/600 = 0.5, linear 120/600 = 0.2;
# c2 w_shaped -150/300 = -0.5, linear -60/300 = -0.2; c3 has no cost: NULL for both models.
CAMPAIGNS = {
    "c1": {"w_shaped": (50.0, 100.0), "linear": (20.0, 100.0)},
    "c2": {"w_shaped": (-25.0, 50.0), "linear": (-10.0, 50.0)},
    "c3": {"w_shaped": (10.0, 0.0), "linear": (10.0, 0.0)},
}
DEFINITIONS = [
    # kpi, label, family, kind, unit, direction, tier, healthy (op, value), critical (op, value)
    ("sessions", "Sessions", "traffic", "count", "count", "higher_is_better", "top", None, None),
    (
        "organic_sessions",
        "Organic sessions",
        "traffic",
        "count",
        "count",
        "higher_is_better",
        "top",
        None,
        None,
    ),
    (
        "session_conversion_rate",
        "Session conversion rate",
        "traffic",
        "ratio",
        "rate",
        "higher_is_better",
        "middle",
        None,
        None,
    ),
    ("leads", "Leads", "acquisition", "count", "count", "higher_is_better", "middle", None, None),
    ("mqls", "MQLs", "acquisition", "count", "count", "higher_is_better", "middle", None, None),
    ("sqls", "SQLs", "acquisition", "count", "count", "higher_is_better", "middle", None, None),
    (
        "new_customers",
        "New customers",
        "acquisition",
        "count",
        "count",
        "higher_is_better",
        "bottom",
        None,
        None,
    ),
    ("cac", "CAC", "acquisition", "ratio", "currency", "lower_is_better", "bottom", None, None),
    (
        "ltv_cac_ratio",
        "LTV / CAC",
        "retention",
        "ratio",
        "ratio",
        "higher_is_better",
        "bottom",
        ("gte", 3.0),
        ("lt", 1.0),
    ),
    (
        "roas",
        "ROAS",
        "attribution",
        "ratio",
        "ratio",
        "higher_is_better",
        "bottom",
        ("gte", 5.0),
        ("lt", 1.0),
    ),
    (
        "romi",
        "ROMI",
        "attribution",
        "ratio",
        "ratio",
        "higher_is_better",
        "bottom",
        ("gte", 0.0),
        ("lt", -0.5),
    ),
    ("mrr", "MRR", "retention", "sum", "currency", "higher_is_better", "bottom", None, None),
    (
        "attributed_revenue",
        "Attributed revenue",
        "attribution",
        "sum",
        "currency",
        "higher_is_better",
        "bottom",
        None,
        None,
    ),
]
# attributed revenue by channel in June under two models: both share out the same 1,000
MODEL_REVENUE = {
    "w_shaped": {"organic_search": 300.0, "paid_search": 700.0},
    "linear": {"organic_search": 500.0, "paid_search": 500.0},
}
# the scorecard's latest month (June), written by hand: the page must show these statuses
LATEST_STATUS = {
    "sessions": "no_threshold",
    "leads": "no_threshold",
    "cac": "no_threshold",
    "ltv_cac_ratio": "healthy",
    "roas": "warning",
    "romi": "critical",
}


def _kpi_rows() -> list[tuple]:
    rows = []
    for kpi, values in TOTALS.items():
        for month, value in zip(MONTHS, values, strict=True):
            rows.append((kpi, month, "total", "all", None, None, None, value))
    for kpi, channels in CHANNELS.items():
        for channel, values in channels.items():
            for month, value in zip(MONTHS, values, strict=True):
                rows.append((kpi, month, "channel", channel, None, None, None, value))
    for channel in ("organic_search", "paid_search"):
        for model in ("w_shaped", "linear"):
            for month in MONTHS:
                rows.append(("romi", month, "channel", channel, model, 1.0, 2.0, 0.5))
    for model, channels in MODEL_REVENUE.items():
        for channel, value in channels.items():
            rows.append(
                ("attributed_revenue", MONTHS[-1], "channel", channel, model, None, None, value)
            )
    for campaign, models in CAMPAIGNS.items():
        for model, (numerator, denominator) in models.items():
            for month in MONTHS:
                value = numerator / denominator if denominator else None
                rows.append(
                    ("romi", month, "campaign", campaign, model, numerator, denominator, value)
                )
    return rows


def _scorecard_rows() -> list[tuple]:
    labels = {row[0]: row for row in DEFINITIONS}
    rows = []
    for kpi, status in LATEST_STATUS.items():
        _, label, family, _, unit, direction, tier, healthy, critical = labels[kpi]
        for index in (4, 5):
            value, previous = TOTALS[kpi][index], TOTALS[kpi][index - 1]
            rows.append(
                (
                    kpi,
                    MONTHS[index],
                    "total",
                    "all",
                    None,
                    label,
                    family,
                    unit,
                    tier,
                    list(labels).index(kpi) + 1,
                    value,
                    previous,
                    value - previous,
                    (value - previous) / abs(previous),
                    "better",
                    direction,
                    healthy[0] if healthy else None,
                    healthy[1] if healthy else None,
                    critical[0] if critical else None,
                    critical[1] if critical else None,
                    status if index == 5 else "no_threshold",
                    index == 5,
                )
            )
    return rows


def _create(connection: duckdb.DuckDBPyConnection, table: str, columns: str, rows: list) -> None:
    connection.execute(f"create table {table} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in columns.split(","))
        connection.executemany(f"insert into {table} values ({marks})", rows)


KPI_COLUMNS = (
    "kpi varchar, month date, dimension varchar, dimension_value varchar, "
    "attribution_model varchar, numerator double, denominator double, value double"
)


def make_fixture(path: Path, *, full: bool = True) -> Path:
    """A DuckDB file with the marts the page reads; `full=False`: traffic rows of fct_kpis only."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create schema staging")
        rows = _kpi_rows()
        if not full:
            rows = [row for row in rows if row[0] in ("sessions", "organic_sessions")]
        _create(connection, "marts.fct_kpis", KPI_COLUMNS, rows)
        if not full:
            return path
        _create(
            connection,
            "marts.fct_kpi_scorecard",
            "kpi varchar, month date, dimension varchar, dimension_value varchar, "
            "attribution_model varchar, label varchar, family varchar, unit varchar, "
            "funnel_tier varchar, kpi_order integer, value double, previous_value double, "
            "change_absolute double, change_relative double, change_assessment varchar, "
            "direction varchar, healthy_operator varchar, healthy_threshold double, "
            "critical_operator varchar, critical_threshold double, health_status varchar, "
            "is_latest_month boolean",
            _scorecard_rows(),
        )
        _create(
            connection,
            "marts.dim_kpis",
            "kpi_order integer, kpi varchar, label varchar, family varchar, kind varchar, "
            "unit varchar, direction varchar, funnel_tier varchar, healthy_operator varchar, "
            "healthy_threshold double, critical_operator varchar, critical_threshold double, "
            "business_model varchar",
            [
                (
                    index + 1,
                    kpi,
                    label,
                    family,
                    kind,
                    unit,
                    direction,
                    tier,
                    healthy[0] if healthy else None,
                    healthy[1] if healthy else None,
                    critical[0] if critical else None,
                    critical[1] if critical else None,
                    "services",
                )
                for index, (
                    kpi,
                    label,
                    family,
                    kind,
                    unit,
                    direction,
                    tier,
                    healthy,
                    critical,
                ) in enumerate(DEFINITIONS)
            ],
        )
        _create(
            connection,
            "marts.dim_campaigns",
            "campaign_id varchar, campaign_name varchar",
            [("c1", "Spring search push")],
        )
        # the dashboard reads marts only: a name that only staging knows never shows
        _create(
            connection,
            "staging.stg_marketing__campaigns",
            "campaign_id varchar, campaign_name varchar",
            [("c1", "Spring search push"), ("c2", "LinkedIn webinar")],
        )
        _create(
            connection,
            "marts.data_validation_results",
            "suite varchar, expectation varchar, kpi varchar, success boolean, "
            "unexpected_count bigint, example varchar, run_at timestamp",
            [
                (
                    "fct_kpis",
                    "expect_column_values_to_not_be_null",
                    "kpi",
                    True,
                    0,
                    None,
                    datetime(2026, 1, 1, 9),
                ),
                (
                    "fct_kpis",
                    "expect_column_values_to_be_between",
                    "cac",
                    False,
                    2,
                    "-5.0",
                    datetime(2026, 1, 1, 9),
                ),
                (
                    "fct_kpis",
                    "expect_column_values_to_be_unique",
                    "kpi",
                    True,
                    0,
                    None,
                    datetime(2026, 1, 1, 9),
                ),
            ],
        )
        _create(
            connection,
            "marts.fct_data_quality_issues",
            "source_table varchar, issue_type varchar, issue varchar, affected_rows bigint",
            [
                ("costs", "rejected_row", "unknown_currency", 3),
                ("touchpoints", "unmapped_channel", "tiktok", 7),
            ],
        )
        _create(
            connection,
            "marts.fct_raw_row_reconciliation",
            "source_table varchar, raw_rows bigint, clean_rows bigint, rejected_rows bigint, "
            "collapsed_duplicates bigint, is_reconciled boolean",
            [("costs", 10, 7, 3, 0, True), ("touchpoints", 20, 20, 0, 0, True)],
        )
    return path


@pytest.fixture
def full_db(tmp_path: Path) -> Path:
    return make_fixture(tmp_path / "full.duckdb")


@pytest.fixture
def partial_db(tmp_path: Path) -> Path:
    return make_fixture(tmp_path / "partial.duckdb", full=False)


def _build(database: Path, out: Path) -> str:
    build_dashboard(database, out, Options(generated_at=FIXED_TIME))
    return out.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- text checks
def test_page_is_self_contained(full_db: Path, tmp_path: Path) -> None:
    html = _build(full_db, tmp_path / "index.html")
    assert "<svg" in html and "<style>" in html and "<script>" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!#)[a-z]+:""", html, re.IGNORECASE)
    assert not re.search(r"<link\b|@import|url\(", html, re.IGNORECASE)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}


def test_campaign_roi_is_the_ratio_of_summed_parts(full_db: Path) -> None:
    page = Page(load_dashboard_data(full_db), Options())
    frame, models = campaign_roi(page)
    assert models == ["linear", "w_shaped"]  # the catalog's model order
    assert frame["campaign_id"].tolist() == ["c1", "c2", "c3"]  # by marketing cost, descending
    by_campaign = frame.set_index("campaign_id")
    assert by_campaign.loc["c1", "w_shaped"] == pytest.approx(0.5)
    assert by_campaign.loc["c1", "linear"] == pytest.approx(0.2)
    assert by_campaign.loc["c2", "w_shaped"] == pytest.approx(-0.5)
    assert by_campaign.loc["c2", "linear"] == pytest.approx(-0.2)
    assert by_campaign.loc["c1", "cost"] == pytest.approx(600.0)
    assert by_campaign[["w_shaped", "linear"]].loc["c3"].isna().all()


def test_rates_and_shares_read_as_percentages(full_db: Path, tmp_path: Path) -> None:
    # the catalog's unit `rate` (lead-to-MQL rate, logo churn) is a percentage, never 0.36
    assert style_of("lead_to_mql_rate", "rate") == "percent"
    assert format_value(0.36, style_of("lead_to_mql_rate", "rate")) == "36.0%"
    assert format_value(0.004, style_of("logo_churn_rate", "rate")) == "0.40%"
    assert format_value(0.0, "percent") == "0.0%"
    assert style_of("roas", "ratio") == "multiple"
    html = _build(full_db, tmp_path / "index.html")
    # June's session conversion rate (0.10) and its channel value (0.1) read as percentages
    assert "10.0%" in html
    assert not re.search(r">0\.10?<", html)


def test_models_compared_side_by_side_for_one_month(full_db: Path, tmp_path: Path) -> None:
    page = Page(load_dashboard_data(full_db), Options())
    frame, models = model_comparison(page, MONTHS[-1])
    assert models == ["linear", "w_shaped"]
    by_channel = frame.set_index("channel")
    for model, channels in MODEL_REVENUE.items():
        for channel, value in channels.items():
            assert by_channel.loc[channel, model] == pytest.approx(value)
    assert frame[models].sum().tolist() == pytest.approx([1000.0, 1000.0])
    assert model_comparison(page, MONTHS[0])[0].empty  # no attributed rows in January
    html = _build(full_db, tmp_path / "index.html")
    assert "Revenue by channel under each attribution model, Jun 25" in html
    assert html.count("model-comparison") >= 1 and "<td>Total</td>" in html


def test_campaign_names_come_from_the_marts_only(full_db: Path, tmp_path: Path) -> None:
    assert load_dashboard_data(full_db).campaign_names == {"c1": "Spring search push"}
    html = _build(full_db, tmp_path / "index.html")
    assert "Spring search push (c1)" in html
    assert "LinkedIn webinar" not in html


def test_campaign_roi_window_is_the_last_months(full_db: Path) -> None:
    page = Page(load_dashboard_data(full_db), Options(campaign_window_months=2))
    frame, _ = campaign_roi(page)
    by_campaign = frame.set_index("campaign_id")
    assert by_campaign.loc["c1", "cost"] == pytest.approx(200.0)  # 2 months x 100
    assert by_campaign.loc["c1", "w_shaped"] == pytest.approx(0.5)


def test_page_degrades_without_other_families(partial_db: Path, tmp_path: Path) -> None:
    html = _build(partial_db, tmp_path / "index.html")
    assert "Not in this database yet" in html
    assert "No validation results yet" in html
    assert "marts.fct_data_quality_issues is not in this database" in html
    assert "MRR KPIs not built yet" in html
    assert "No bottom of the funnel KPIs in this database yet" in html
    assert 'data-chart="top-channel-sessions"' in html  # the traffic family is there: drawn
    assert 'data-chart="top-trend-0"' in html


def test_cli_writes_the_page_and_prints_its_path(
    full_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nested" / "dash.html"
    assert main(["dashboard", "--db", str(full_db), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_cli_fails_cleanly_without_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["dashboard", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.html")]
    )
    assert code == 1
    assert "no DuckDB database" in capsys.readouterr().err


def test_database_is_opened_read_only(full_db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(full_db), read_only=True):  # another reader holds it meanwhile
        _build(full_db, tmp_path / "index.html")


# ------------------------------------------------------------------------------- browser
def _chromium() -> str:
    found = find_chromium()
    if found is None:
        message = "chromium not found: run `bash scripts/install_chromium.sh`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the browser test must run)")
        pytest.skip(message)
    return found


CHART_FACTS = """JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(
function (s) {
  return {id: s.getAttribute('data-chart'), declared: Number(s.getAttribute('data-points')),
          points: s.querySelectorAll('.point, .bar').length,
          circles: s.querySelectorAll('circle.point').length,
          bars: s.querySelectorAll('rect.bar').length,
          cells: s.querySelectorAll('rect.cell.point').length};
}))"""
TILE_STATUS = """JSON.stringify(Array.from(document.querySelectorAll('.tile')).map(function (t) {
  return [t.getAttribute('data-kpi'), t.getAttribute('data-status'),
          getComputedStyle(t).borderLeftColor];
}))"""
SWITCH_TAB = """(function () {
  var groups = Array.from(document.querySelectorAll('[data-tabs]')).filter(function (g) {
    return g.querySelectorAll('.tab').length > 1; });
  var group = groups[0]; var second = group.querySelectorAll('.tab')[1];
  second.click();
  return JSON.stringify({clicked: second.getAttribute('data-tab'),
    visible: Array.from(group.querySelectorAll('.tab-panel')).filter(function (p) {
      return getComputedStyle(p).display !== 'none'; }).map(function (p) {
      return p.getAttribute('data-panel'); })});
})()"""


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_dashboard_renders_in_headless_chromium(full_db: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "index.html"
    _build(full_db, page)
    report = inspect_page(
        page.resolve().as_uri(),
        chromium=chromium,
        window=WINDOW,
        screenshot=True,
        expressions={
            "ready": "document.documentElement.getAttribute('data-dashboard-ready')",
            "charts": CHART_FACTS,
            "tiles": TILE_STATUS,
            "tab": SWITCH_TAB,
        },
    )
    assert report.console_errors == []
    assert report.values["ready"] == "true"

    charts = {chart["id"]: chart for chart in json.loads(report.values["charts"])}
    for chart in charts.values():
        assert chart["declared"] == chart["points"] > 0, chart
    # counts from the fixture, by hand: 6 months x 2 channels; 16 non-zero MRR movements
    # (new 6, expansion 4, contraction 2, churned 4); c1 and c2 x 2 models (c3 has no cost);
    # 5 funnel stages; conversion-rate heatmap 2 channels x 6 months
    assert charts["top-channel-sessions"]["bars"] == 12
    assert charts["middle-channel-leads"]["bars"] == 12
    assert charts["middle-channel-session_conversion_rate"]["cells"] == 12
    assert charts["mrr-movements"]["bars"] == 16
    assert charts["campaign-roi"]["circles"] == 4
    assert charts["funnel"]["bars"] == 5
    assert charts["top-trend-0"]["circles"] == 12  # sessions and organic sessions, 6 months

    tiles = {kpi: (status, color) for kpi, status, color in json.loads(report.values["tiles"])}
    for kpi, status in LATEST_STATUS.items():
        assert tiles[kpi][0] == status
    assert tiles["ltv_cac_ratio"][1] == "rgb(26, 127, 55)"  # healthy green
    assert tiles["roas"][1] == "rgb(191, 135, 0)"  # warning amber
    assert tiles["romi"][1] == "rgb(207, 34, 46)"  # critical red

    tab = json.loads(report.values["tab"])
    assert tab["visible"] == [tab["clicked"]]

    assert report.screenshot is not None
    assert _png_size(report.screenshot) == WINDOW
    (tmp_path / "dashboard.png").write_bytes(report.screenshot)


def test_partial_dashboard_renders_without_errors(partial_db: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "index.html"
    _build(partial_db, page)
    report = inspect_page(
        page.resolve().as_uri(),
        chromium=chromium,
        window=WINDOW,
        expressions={
            "ready": "document.documentElement.getAttribute('data-dashboard-ready')",
            "charts": CHART_FACTS,
        },
    )
    assert report.console_errors == []
    assert report.values["ready"] == "true"
    charts = json.loads(report.values["charts"])
    assert charts and all(chart["declared"] == chart["points"] > 0 for chart in charts)


def test_browser_check_catches_script_errors(tmp_path: Path) -> None:
    """The console capture itself works: a broken page is reported (guards the checks above)."""
    chromium = _chromium()
    page = tmp_path / "broken.html"
    page.write_text(
        "<!doctype html><html><body><img src='missing.png'>"
        "<script>console.error('boom'); undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    report = inspect_page(page.resolve().as_uri(), chromium=chromium, window=(800, 600))
    joined = "\n".join(report.console_errors)
    assert "boom" in joined
    assert "undefinedFunction" in joined
    assert "missing.png" in joined
