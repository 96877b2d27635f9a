"""GA4 sessionisation benchmark: a synthetic nested GA4 export of N events, and the floor.

Child-process entry points (run by `mkpi benchmark --ga4-events N` under os.wait4, so their wall
time and peak memory are measured like a dbt invocation):

    python -m mkpi.devtools.bench.ga4 write N SEED PATH   # the nested export, DuckDB SQL only
    python -m mkpi.devtools.bench.ga4 baseline PATH       # flatten + one group-by: the floor
    python -m mkpi.devtools.bench.ga4 rows DATABASE TABLE # rows of a built relation

The synthetic export has the BigQuery schema of `mkpi sample --shape connectors` (same nested
columns, built by `mkpi.devtools.sampling.landing.ga4.nested_sql`): eight events per session
(session_start, page views, user_engagement, scroll, a form fill in one session of 25), three
sessions per visitor, a user_id on a quarter of the visitors, 1% consent pings without
user_pseudo_id and 1% exact duplicates, two years of timestamps.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

EVENTS_PER_SESSION = 8
SESSIONS_PER_VISITOR = 3
START_US = 1_704_067_200_000_000  # 2024-01-01 UTC
SPAN_SECONDS = 730 * 86_400
PAIRS = (
    ("google", "organic"),
    ("google", "cpc"),
    ("facebook", "paid_social"),
    ("newsletter", "email"),
    ("partner", "referral"),
    ("(direct)", "(none)"),
    ("linkedin", "social"),
    ("gdn", "display"),
)
PAGES = ("/", "/pricing", "/demo", "/blog/marketing-kpis", "/lp/free-trial", "/shop")
NAMES = (
    "session_start",
    "page_view",
    "page_view",
    "page_view",
    "user_engagement",
    "scroll",
    "page_view",
    "user_engagement",
)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def synthetic_flat_sql(n_events: int, seed: int) -> str:
    """The flat columns (as `mkpi.devtools.sampling.landing.ga4.flat_sql` names them)."""
    per = EVENTS_PER_SESSION
    return f"""
    WITH slots AS (
        SELECT i, i // {per} AS s, i % {per} AS k FROM range({n_events}) AS t(i)
    ),
    sessions AS (
        SELECT
            i, s, k,
            s // {SESSIONS_PER_VISITOR} AS v,
            {START_US} + CAST(hash(s, {seed}) % {SPAN_SECONDS} AS BIGINT) * 1000000 AS start_us,
            CAST(hash(s, {seed} + 1) % {len(PAIRS)} AS INTEGER) AS pair,
            CAST(hash(s, {seed} + 2) % 4 AS INTEGER) AS mode,
            CAST(hash(i, {seed} + 3) % 100 AS INTEGER) AS roll
        FROM slots
    ),
    events AS (
        SELECT
            i,
            start_us + k * CAST(7000000 + hash(i, {seed} + 4) % 5000000 AS BIGINT)
                AS event_timestamp,
            CASE WHEN k = 7 AND s % 25 = 0 THEN 'generate_lead'
                 ELSE {_list(NAMES)}[k + 1] END AS event_name,
            CASE WHEN roll > 0 THEN
                CAST(1000000000 + hash(v, {seed} + 5) % 1000000000 AS VARCHAR) || '.'
                || CAST(({START_US} + CAST(hash(v * 3, {seed}) % {SPAN_SECONDS} AS BIGINT)
                    * 1000000) // 1000000 AS VARCHAR)
            END AS user_pseudo_id,
            CASE WHEN roll > 0 AND v % 4 = 0 AND k >= 2 THEN CAST(v AS VARCHAR) END AS user_id,
            start_us // 1000000 AS ga_session_id,
            CAST(s % 7 + 1 AS BIGINT) AS ga_session_number,
            CASE WHEN k IN (0, 1, 2, 3, 6) THEN 'https://www.example.com'
                || {_list(PAGES)}[CAST(hash(i, {seed} + 6) % {len(PAGES)} AS INTEGER) + 1]
                || '?utm_content=x' END AS page_location,
            CASE WHEN k IN (4, 5, 7) THEN CAST(hash(i, {seed} + 7) % 60000 AS BIGINT) END
                AS engagement_time_msec,
            CASE WHEN k = 0 AND mode = 3 THEN {_list(tuple(p[0] for p in PAIRS))}[pair + 1] END
                AS param_source,
            CASE WHEN k = 0 AND mode = 3 THEN {_list(tuple(p[1] for p in PAIRS))}[pair + 1] END
                AS param_medium,
            CAST(NULL AS VARCHAR) AS param_campaign,
            CASE WHEN k = 0 AND mode = 3 AND pair = 1 THEN '1234567890' END AS param_campaign_id,
            CASE WHEN mode = 1 THEN {_list(tuple(p[0] for p in PAIRS))}[pair + 1] END
                AS session_manual_source,
            CASE WHEN mode = 1 THEN {_list(tuple(p[1] for p in PAIRS))}[pair + 1] END
                AS session_manual_medium,
            CASE WHEN mode = 1 AND pair = 1 THEN '1234567890' END AS session_manual_campaign_id,
            CASE WHEN mode = 1 THEN '(organic)' END AS session_manual_campaign_name,
            CASE WHEN mode IN (1, 2) THEN {_list(tuple(p[0] for p in PAIRS))}[pair + 1] END
                AS session_cross_channel_source,
            CASE WHEN mode IN (1, 2) THEN {_list(tuple(p[1] for p in PAIRS))}[pair + 1] END
                AS session_cross_channel_medium,
            CASE WHEN mode = 2 AND pair = 1 THEN '1234567890' END
                AS session_google_ads_campaign_id,
            CASE WHEN mode = 2 AND pair = 1 THEN 'Google Ads - Brand' END
                AS session_google_ads_campaign_name,
            CASE WHEN k = 5 THEN CAST(90 AS BIGINT) END AS percent_scrolled
        FROM sessions
    ),
    with_duplicates AS (
        SELECT * FROM events
        UNION ALL
        SELECT * FROM events WHERE hash(i, {seed} + 8) % 100 = 0
    )
    SELECT strftime(make_timestamp(event_timestamp), '%Y%m%d') AS event_date, *
    FROM with_duplicates
    """


def write_events(n_events: int, seed: int, path: Path) -> int:
    """Write the synthetic nested export to `path`; its rows."""
    import duckdb

    from mkpi.devtools.sampling.landing.ga4 import nested_sql

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    flat = f"({synthetic_flat_sql(n_events, seed)})"
    target = str(path).replace("'", "''")
    con.execute(
        f"COPY ({nested_sql(flat)}) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD, "
        "ROW_GROUP_SIZE 122880)"
    )
    rows = con.execute(f"SELECT count(*) FROM '{target}'").fetchall()
    return int(rows[0][0])


def _param(key: str, value: str) -> str:
    return f"list_extract(list_filter(event_params, lambda p: p.key = '{key}'), 1).value.{value}"


def baseline_sql(path: Path) -> str:
    """Flatten the nested export and make one row per session with the connector's columns:
    what any sessionisation must at least do (exact duplicates out, pings out, one group-by)."""
    source = str(path).replace("'", "''")
    traffic = "session_traffic_source_last_click"
    order = "(event_timestamp, event_name)"
    return f"""
    WITH flat AS (
        SELECT DISTINCT
            event_timestamp,
            event_name,
            user_pseudo_id,
            user_id,
            {_param("ga_session_id", "int_value")} AS ga_session_id,
            {_param("page_location", "string_value")} AS page_location,
            {_param("engagement_time_msec", "int_value")} AS engagement_time_msec,
            {_param("source", "string_value")} AS param_source,
            {_param("medium", "string_value")} AS param_medium,
            {_param("campaign_id", "string_value")} AS param_campaign_id,
            {traffic}.manual_campaign.source AS manual_source,
            {traffic}.manual_campaign.medium AS manual_medium,
            {traffic}.manual_campaign.campaign_id AS manual_campaign_id,
            {traffic}.cross_channel_campaign.source AS cross_source,
            {traffic}.cross_channel_campaign.medium AS cross_medium,
            {traffic}.google_ads_campaign.campaign_id AS google_campaign_id
        FROM read_parquet('{source}')
        WHERE user_pseudo_id IS NOT NULL
    )
    SELECT
        'ga4:' || user_pseudo_id || ':' || CAST(ga_session_id AS VARCHAR) AS touchpoint_id,
        user_pseudo_id AS visitor_id,
        arg_min(user_id, {order}) FILTER (WHERE user_id IS NOT NULL) AS lead_id,
        make_timestamp(min(event_timestamp)) AS occurred_at,
        lower(coalesce(
            arg_min(manual_source || ' / ' || coalesce(manual_medium, '(not set)'), {order})
                FILTER (WHERE manual_source IS NOT NULL),
            arg_min(cross_source || ' / ' || coalesce(cross_medium, '(not set)'), {order})
                FILTER (WHERE cross_source IS NOT NULL),
            arg_min(param_source || ' / ' || coalesce(param_medium, '(not set)'), {order})
                FILTER (WHERE param_source IS NOT NULL),
            '(direct) / (none)'
        )) AS channel,
        coalesce(
            arg_min(manual_campaign_id, {order}) FILTER (WHERE manual_campaign_id IS NOT NULL),
            arg_min(google_campaign_id, {order}) FILTER (WHERE google_campaign_id IS NOT NULL),
            arg_min(param_campaign_id, {order}) FILTER (WHERE param_campaign_id IS NOT NULL)
        ) AS utm_id,
        arg_min(page_location, {order}) FILTER (WHERE page_location IS NOT NULL) AS landing_url,
        nullif(count(*) FILTER (WHERE event_name = 'page_view'), 0) AS pageviews,
        sum(engagement_time_msec) // 1000 AS engaged_seconds,
        bool_or(event_name = 'generate_lead') AS created_lead
    FROM flat
    WHERE ga_session_id IS NOT NULL
    GROUP BY user_pseudo_id, ga_session_id
    """


def run_baseline(path: Path) -> dict[str, float | int]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    con.execute(f"CREATE TABLE sessions AS {baseline_sql(path)}")
    rows = con.execute("SELECT count(*) FROM sessions").fetchall()
    return {"rows": int(rows[0][0]), "seconds": time.perf_counter() - started}


def count_rows(database: Path, table: str) -> int | None:
    """Rows of the relation named `table` (any schema) in a DuckDB file; None when absent."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    found = con.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall()
    if not found:
        return None
    rows = con.execute(f'SELECT count(*) FROM "{found[0][0]}"."{table}"').fetchall()
    return int(rows[0][0])


def main(argv: list[str]) -> int:
    command, *rest = argv
    if command == "write":
        n_events, seed, path = int(rest[0]), int(rest[1]), Path(rest[2])
        result: dict[str, object] = {"rows": write_events(n_events, seed, path)}
    elif command == "baseline":
        result = dict(run_baseline(Path(rest[0])))
    elif command == "rows":
        result = {"rows": count_rows(Path(rest[0]), rest[1])}
    else:
        raise SystemExit(f"unknown command {command!r}")
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def result_of(log: Path) -> dict[str, object]:
    """The RESULT line a child printed to its log (empty when none)."""
    if not log.is_file():
        return {}
    for line in reversed(log.read_text(encoding="utf-8", errors="replace").splitlines()):
        if line.startswith("RESULT "):
            parsed: dict[str, object] = json.loads(line[len("RESULT ") :])
            return parsed
    return {}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
