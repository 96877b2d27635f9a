"""Attribution end to end against an independent Python implementation of the spec.

A generated sample (plus hand-placed edge touches: exactly at the conversion, exactly at the start
of the lookback window, one second outside it, ties in time, a visitor seen with two leads) is
built with dbt on DuckDB. From the clean staging tables this file recomputes, in plain Python and
straight from catalog/kpis.yml, identity stitching, revenue events, paths, all eight models'
credit shares (Markov with exact fractions) and the attribution KPIs, and compares them with
fct_attribution_credits and fct_kpis.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from reference.markov import removal_effects

from mkpi.devtools.sample_data import write_sample
from mkpi.devtools.sampling.generator import SampleConfig

pytestmark = pytest.mark.dbt

LOOKBACK = timedelta(days=90)
HALF_LIFE_DAYS = 7.0
GROSS_MARGIN = 0.75
MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "markov",
)


@dataclass(frozen=True)
class Touch:
    touchpoint_id: str
    visitor_id: str
    lead_id: str | None
    channel: str
    campaign_id: str | None
    is_lead_creation: bool
    occurred_at: datetime

    def order_key(self) -> tuple[datetime, bytes]:
        return (self.occurred_at, self.touchpoint_id.encode())


@dataclass(frozen=True)
class Conversion:
    conversion_id: str
    lead_id: str
    converted_at: datetime
    opportunity_at: datetime
    revenue: float
    gross_profit: float

    @property
    def month(self) -> str:
        return self.converted_at.strftime("%Y-%m-01")


# ------------------------------------------------------------------------------ the raw data


def add_edge_touches(raw: Path) -> str:
    """Touches at the edges of the first order's window, a tie, and a visitor with two leads."""
    with (raw / "orders.csv").open(encoding="utf-8", newline="") as handle:
        order = next(csv.DictReader(handle))
    lead = order["lead_id"]
    at = datetime.fromisoformat(order["ordered_at"].replace("Z", ""))
    start = at - LOOKBACK
    with (raw / "leads.csv").open(encoding="utf-8", newline="") as handle:
        leads = [row["lead_id"] for row in csv.DictReader(handle)]
    other_lead = next(lead_id for lead_id in leads if lead_id != lead)
    tie = at - timedelta(days=3)
    rows = [
        ("edge_at", "edge_v1", lead, at, "display", "", "false"),
        ("edge_start", "edge_v1", lead, start, "affiliate", "", "false"),
        ("edge_out", "edge_v1", lead, start - timedelta(seconds=1), "referral", "", "false"),
        ("edge_after", "edge_v1", lead, at + timedelta(seconds=1), "referral", "", "false"),
        ("edge_tie_b", "edge_v1", lead, tie, "email", "", "true"),
        ("edge_tie_A", "edge_v1", lead, tie, "direct", "", "false"),
        ("edge_anon", "edge_v1", "", tie - timedelta(hours=1), "paid_social", "", "false"),
        ("edge_other", "edge_v1", other_lead, start + timedelta(days=1), "email", "", "false"),
    ]
    with (raw / "touchpoints.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for touch_id, visitor, lead_id, when, channel, campaign, created in rows:
            writer.writerow(
                [
                    touch_id,
                    visitor,
                    lead_id,
                    when.isoformat(),
                    channel,
                    campaign,
                    "/",
                    1,
                    1,
                    created,
                ]
            )
    return f"order:{order['order_id']}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, str]:
    """The built DuckDB database and the conversion whose window has the edge touches."""
    folder = tmp_path_factory.mktemp("attribution_reference")
    raw = folder / "raw"
    write_sample(SampleConfig(leads=700, months=12, start="2025-01-01", seed=7), raw)
    edge_conversion = add_edge_touches(raw)
    # models only: the data tests of every family run in the project build, not here
    for command in (["seed"], ["run"]):
        result, database = run_dbt(command, raw, folder, "reference")
        assert result.returncode == 0, result.stdout[-4000:]
    return duckdb.connect(str(database), read_only=True), edge_conversion


def load_touches(connection: duckdb.DuckDBPyConnection) -> list[Touch]:
    rows = connection.sql(
        "select touchpoint_id, visitor_id, lead_id, channel, campaign_id, is_lead_creation,"
        " occurred_at from staging.stg_marketing__touchpoints"
    ).fetchall()
    return [Touch(*row) for row in rows]


def load_conversions(connection: duckdb.DuckDBPyConnection) -> list[Conversion]:
    deals = connection.sql(
        "select deal_id, lead_id, closed_at, created_at, amount from staging.stg_marketing__deals"
        " where stage = 'won'"
    ).fetchall()
    orders = connection.sql(
        "select order_id, lead_id, ordered_at, revenue, cogs from staging.stg_marketing__orders"
    ).fetchall()
    conversions = [
        Conversion(f"deal:{i}", lead, closed, created, float(amount), float(amount) * GROSS_MARGIN)
        for i, lead, closed, created, amount in deals
    ]
    for order_id, lead, at, revenue, cogs in orders:
        profit = float(revenue) * GROSS_MARGIN if cogs is None else float(revenue - cogs)
        conversions.append(Conversion(f"order:{order_id}", lead, at, at, float(revenue), profit))
    return conversions


# ------------------------------------------------------------------ the spec, in plain Python


def stitch(touches: list[Touch]) -> dict[str, str | None]:
    visitor_lead: dict[str, str] = {}
    for touch in sorted((t for t in touches if t.lead_id), key=Touch.order_key):
        visitor_lead.setdefault(touch.visitor_id, touch.lead_id)
    return {t.touchpoint_id: t.lead_id or visitor_lead.get(t.visitor_id) for t in touches}


def rule_shares(path: list[Touch], conversion: Conversion) -> dict[str, list[float]]:
    n = len(path)
    days = [(conversion.converted_at - t.occurred_at).total_seconds() / 86400 for t in path]
    non_direct = [i for i, t in enumerate(path) if t.channel != "direct"]
    last_non_direct = non_direct[-1] if non_direct else n - 1
    weights = [2 ** (-d / HALF_LIFE_DAYS) for d in days]
    if n == 1:
        position = [1.0]
    elif n == 2:
        position = [0.5, 0.5]
    else:
        position = [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    roles = [0] * n
    roles[0] += 1
    creations = [i for i, t in enumerate(path) if t.is_lead_creation]
    if creations:
        roles[creations[-1]] += 1
    opportunities = [i for i, t in enumerate(path) if t.occurred_at <= conversion.opportunity_at]
    if opportunities:
        roles[opportunities[-1]] += 1
    roleless = roles.count(0)
    points = [30.0 * r if r else 10.0 / roleless for r in roles]
    return {
        "first_touch": [1.0 if i == 0 else 0.0 for i in range(n)],
        "last_touch": [1.0 if i == n - 1 else 0.0 for i in range(n)],
        "last_non_direct": [1.0 if i == last_non_direct else 0.0 for i in range(n)],
        "linear": [1.0 / n] * n,
        "time_decay": [w / sum(weights) for w in weights],
        "position_based": position,
        "w_shaped": [p / sum(points) for p in points],
    }


def reference_credits(
    touches: list[Touch], conversions: list[Conversion]
) -> tuple[dict[tuple[str, str, str | None], float], dict[str, str], dict[str, Touch]]:
    """{(conversion_id, model, touchpoint_id): share}, {conversion_id: month}, touches by id."""
    lead_of = stitch(touches)
    by_id = {t.touchpoint_id: t for t in touches}
    by_lead: dict[str, list[Touch]] = defaultdict(list)
    by_visitor: dict[str, list[Touch]] = defaultdict(list)
    for touch in touches:
        lead = lead_of[touch.touchpoint_id]
        if lead is None:
            by_visitor[touch.visitor_id].append(touch)
        else:
            by_lead[lead].append(touch)
    paths: dict[str, list[Touch]] = {}
    for conversion in conversions:
        paths[conversion.conversion_id] = sorted(
            (
                t
                for t in by_lead.get(conversion.lead_id, [])
                if conversion.converted_at - LOOKBACK <= t.occurred_at <= conversion.converted_at
            ),
            key=Touch.order_key,
        )
    converting_leads = {c.lead_id for c in conversions}
    chain_paths = [([t.channel for t in p], True) for p in paths.values() if p]
    for lead, lead_touches in by_lead.items():
        if lead not in converting_leads:
            chain_paths.append(
                ([t.channel for t in sorted(lead_touches, key=Touch.order_key)], False)
            )
    for visitor_touches in by_visitor.values():
        chain_paths.append(
            ([t.channel for t in sorted(visitor_touches, key=Touch.order_key)], False)
        )
    effects = removal_effects(chain_paths)

    credits: dict[tuple[str, str, str | None], float] = {}
    for conversion in conversions:
        path = paths[conversion.conversion_id]
        if not path:
            for model in MODELS:
                credits[(conversion.conversion_id, model, None)] = 1.0
            continue
        shares = rule_shares(path, conversion)
        distinct = sorted({t.channel for t in path})
        total_effect = sum(effects[c] for c in distinct)
        touches_of = Counter(t.channel for t in path)
        if total_effect > 0:
            shares["markov"] = [
                float(effects[t.channel] / total_effect / touches_of[t.channel]) for t in path
            ]
        else:
            shares["markov"] = [1.0 / len(path)] * len(path)
        for model in MODELS:
            for touch, share in zip(path, shares[model], strict=True):
                credits[(conversion.conversion_id, model, touch.touchpoint_id)] = share
    return credits, {c.conversion_id: c.month for c in conversions}, by_id


# ------------------------------------------------------------------------------------- tests


def test_credits_match_the_reference(built: tuple[duckdb.DuckDBPyConnection, str]) -> None:
    connection, edge_conversion = built
    touches = load_touches(connection)
    conversions = load_conversions(connection)
    expected, _, by_id = reference_credits(touches, conversions)
    rows = connection.sql(
        "select conversion_id, attribution_model, touchpoint_id, channel, credit_share"
        " from marts.fct_attribution_credits"
    ).fetchall()
    actual = {(c, m, t): share for c, m, t, _, share in rows}
    assert actual.keys() == expected.keys()
    wrong = [(key, actual[key], value) for key, value in expected.items()
             if abs(actual[key] - value) > 1e-9]  # fmt: skip
    assert not wrong, f"{len(wrong)} shares differ, e.g. {wrong[:5]}"
    for conversion_id, _, touchpoint_id, channel, _ in rows:
        expected_channel = "unattributed" if touchpoint_id is None else by_id[touchpoint_id].channel
        assert channel == expected_channel, conversion_id
    # the edge touches: at the conversion and at the window start are on the path, the others not
    edge = {
        touch
        for (conversion_id, model, touch) in expected
        if conversion_id == edge_conversion and model == "linear" and touch.startswith("edge")
    }
    assert edge == {"edge_at", "edge_start", "edge_tie_b", "edge_tie_A", "edge_anon"}


def test_attribution_kpis_match_the_reference(
    built: tuple[duckdb.DuckDBPyConnection, str],
) -> None:
    connection, _ = built
    touches = load_touches(connection)
    conversions = load_conversions(connection)
    credits, month_of, by_id = reference_credits(touches, conversions)
    revenue_of = {c.conversion_id: c.revenue for c in conversions}
    profit_of = {c.conversion_id: c.gross_profit for c in conversions}
    attributed: dict[tuple[str, str, str, str], float] = defaultdict(float)
    profit: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for (conversion_id, model, touchpoint_id), share in credits.items():
        month = month_of[conversion_id]
        touch = by_id.get(touchpoint_id) if touchpoint_id else None
        values = [("channel", touch.channel if touch else "unattributed")]
        if touch and touch.campaign_id:
            values.append(("campaign", touch.campaign_id))
        for dimension, value in values:
            key = (month, dimension, value, model)
            attributed[key] += share * revenue_of[conversion_id]
            profit[key] += share * profit_of[conversion_id]
    revenue: dict[str, float] = defaultdict(float)
    for conversion in conversions:
        revenue[conversion.month] += conversion.revenue

    rows = connection.sql(
        "select kpi, cast(month as varchar), dimension, dimension_value, attribution_model,"
        " numerator, denominator, value from marts.fct_kpis"
        " where kpi in ('revenue', 'attributed_revenue', 'roas', 'poas', 'romi',"
        " 'media_cost', 'marketing_cost')"
    ).fetchall()
    kpis = {(k, m, d, v, a): (num, den, val) for k, m, d, v, a, num, den, val in rows}
    months = sorted({m for _, m, _, _, _ in kpis})

    for month in months:
        assert kpis[("revenue", month, "total", "all", None)][2] == pytest.approx(
            revenue.get(month, 0.0), abs=1e-6
        )
    values = {(d, v) for (_, d, v, _) in attributed}
    for month in months:
        for dimension, value in values:
            for model in MODELS:
                key = (month, dimension, value, model)
                found = kpis[("attributed_revenue", month, dimension, value, model)][2]
                assert found == pytest.approx(attributed.get(key, 0.0), abs=1e-6), key

    def cost(kpi: str, month: str, dimension: str, value: str) -> float:
        row = kpis.get((kpi, month, dimension, value, None))
        return row[2] if row else 0.0

    def ratio(numerator: float, denominator: float) -> float | None:
        return None if denominator == 0 else numerator / denominator

    for (kpi, month, dimension, value, model), (num, den, val) in kpis.items():
        if kpi not in ("roas", "poas", "romi"):
            continue
        if dimension == "total":
            assert model is None
            gross = sum(c.gross_profit for c in conversions if c.month == month)
            amount = {
                "roas": revenue.get(month, 0.0),
                "poas": gross,
                "romi": revenue.get(month, 0.0),
            }[kpi]
        else:
            source = profit if kpi == "poas" else attributed
            amount = source.get((month, dimension, value, model), 0.0)
        spend = cost("marketing_cost" if kpi == "romi" else "media_cost", month, dimension, value)
        expected_num = amount - spend if kpi == "romi" else amount
        assert num == pytest.approx(expected_num, abs=1e-6)
        assert den == pytest.approx(spend, abs=1e-6)
        expected_value = ratio(expected_num, spend)
        if expected_value is None:
            assert val is None
        else:
            assert val == pytest.approx(expected_value, rel=1e-9, abs=1e-9)
