"""A small hand-written GA4 landing (tests/python/test_connector_ga4.py): the flat table, and the
same events as the nested export (Parquet written with DuckDB SQL, and newline-delimited JSON)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import yaml

from mkpi.paths import project_root


def declared_flat_columns() -> list[str]:
    """The columns of GA4's flat events table as its sources YAML declares them."""
    path = project_root() / "models" / "staging" / "ga4" / "_ga4__sources.yml"
    (source,) = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    (table,) = [table for table in source["tables"] if table["name"] == "events_flat"]
    return [column["name"] for column in table["columns"]]


FLAT_COLUMNS = declared_flat_columns()

# 2024-06-01 10:00:00 UTC in microseconds
T0 = 1717236000000000


def event(date: str, micros: int, name: str, visitor: str, session: str, **values: str) -> dict:
    row = dict.fromkeys(FLAT_COLUMNS, "")
    row.update(event_date=date, event_timestamp=str(micros), event_name=name)
    row.update(user_pseudo_id=visitor, ga_session_id=session, **values)
    return row


SESSION_B = {
    "session_manual_source": "Newsletter",
    "session_manual_medium": "",
    "session_manual_campaign_id": "(not set)",
    "session_google_ads_campaign_id": "9001",
    "session_cross_channel_source": "google",
    "session_cross_channel_medium": "organic",
}

EVENTS = [
    # session A (v1, 100): a page_view before session_start; a copy of the third event
    event("20240601", T0, "page_view", "v1.1", "100",
          page_location="https://www.example.com/pricing?utm_source=x#top",
          engagement_time_msec="1500"),
    event("20240601", T0 + 1, "session_start", "v1.1", "100",
          page_location="https://www.example.com/other", param_source="Google",
          param_medium="CPC", param_campaign="Spring Sale"),
    event("20240601", T0 + 2_000_000, "page_view", "v1.1", "100", user_id="ld_1",
          page_location="https://www.example.com/pricing", engagement_time_msec="2600"),
    event("20240601", T0 + 2_000_000, "page_view", "v1.1", "100", user_id="ld_1",
          page_location="https://www.example.com/pricing", engagement_time_msec="2600"),
    event("20240601", T0 + 3_000_000, "generate_lead", "v1.1", "100", user_id="ld_1",
          engagement_time_msec="0"),
    # session B (v1, 200): over midnight; manual pair with an empty medium; utm_id from Google Ads
    event("20240601", 1717286399123456, "session_start", "v1.1", "200",
          page_location="https://www.example.com", **SESSION_B),
    event("20240602", 1717286410000000, "user_engagement", "v1.1", "200",
          engagement_time_msec="999", **SESSION_B),
    # session C (v2, 300): two events at one time (page_view sorts before session_start)
    event("20240601", T0 + 5, "session_start", "v2.2", "300",
          page_location="https://shop.example.com/start", session_cross_channel_source="Bing",
          param_source="facebook", param_medium="social", user_id="ld_9"),
    event("20240601", T0 + 5, "page_view", "v2.2", "300",
          page_location="https://shop.example.com/a/b?x=1", session_cross_channel_source="Bing"),
    # session D (v3, 400): no pair at all; an unknown campaign id; an address in the path
    event("20240601", T0 + 7, "scroll", "v3.3", "400",
          page_location="https://x.example.com/u/jane@example.com?a=1", param_campaign_id="zzz"),
    # rejects: cookieless pings (one landed twice), an event without a session id
    event("20240601", T0 + 9, "page_view", "", "500"),
    event("20240601", T0 + 9, "page_view", "", "500"),
    event("20240601", T0 + 11, "page_view", "v4.4", ""),
    event("20240601", T0 + 12, "page_view", "", ""),
]  # fmt: skip

CAMPAIGNS = [
    ["campaign_id", "campaign_name", "channel", "started_on", "ended_on"],
    ["cmp_spring", "Spring Sale", "paid_search", "2024-05-01", ""],
    ["google_ads:9001", "Brand", "paid_search", "2024-05-01", ""],
]
LEADS = [
    ["lead_id", "created_at", "email", "original_channel", "original_campaign_id", "mql_at",
     "sql_at", "customer_at"],
    ["ld_1", "2024-06-01T10:00:03", "one@example.com", "paid_search", "", "", "", ""],
]  # fmt: skip
OTHER_FILES = {
    "costs": "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks",
    "deals": "deal_id,lead_id,stage,created_at,closed_at,amount,currency",
    "subscriptions": "subscription_id,lead_id,plan,mrr,currency,valid_from,valid_to",
    "orders": "order_id,lead_id,ordered_at,revenue,cogs,currency",
    "keyword_rankings": "ranked_on,keyword,position,is_money_keyword,search_volume",
}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def write_files(landing: Path) -> None:
    write_csv(landing / "files" / "campaigns.csv", CAMPAIGNS)
    write_csv(landing / "files" / "leads.csv", LEADS)
    for table, header in OTHER_FILES.items():
        (landing / "files" / f"{table}.csv").write_text(header + "\n", encoding="utf-8")


def write_flat(path: Path, events: list[dict]) -> None:
    write_csv(path, [FLAT_COLUMNS] + [[row[column] for column in FLAT_COLUMNS] for row in events])


def nested_select(flat_csv: Path) -> str:
    """The export's shape from the flat CSV: event_params (only the params an event has;
    ga_session_id and engagement_time_msec as int_value) and session_traffic_source_last_click."""

    def param(key: str, column: str, integer: bool = False) -> str:
        value = (
            f"{{'string_value': null::varchar, 'int_value': {column}::bigint,"
            " 'float_value': null::double, 'double_value': null::double}"
            if integer
            else f"{{'string_value': {column}, 'int_value': null::bigint,"
            " 'float_value': null::double, 'double_value': null::double}"
        )
        return f"case when {column} is not null then {{'key': '{key}', 'value': {value}}} end"

    params = [
        param("ga_session_id", "ga_session_id", integer=True),
        param("page_location", "page_location"),
        param("engagement_time_msec", "engagement_time_msec", integer=True),
        param("page_title", "'A title'"),
        param("source", "param_source"),
        param("medium", "param_medium"),
        param("campaign", "param_campaign"),
        param("campaign_id", "param_campaign_id"),
    ]
    return f"""
        select
            event_date,
            event_timestamp::bigint as event_timestamp,
            event_name,
            user_pseudo_id,
            user_id,
            list_filter([{", ".join(params)}], lambda p: p is not null) as event_params,
            {{
                'manual_campaign': {{
                    'campaign_id': session_manual_campaign_id,
                    'campaign_name': session_manual_campaign_name,
                    'source': session_manual_source,
                    'medium': session_manual_medium,
                    'term': null::varchar
                }},
                'google_ads_campaign': {{
                    'customer_id': null::varchar,
                    'campaign_id': session_google_ads_campaign_id
                }},
                'cross_channel_campaign': {{
                    'source': session_cross_channel_source,
                    'medium': session_cross_channel_medium,
                    'default_channel_group': null::varchar
                }}
            }} as session_traffic_source_last_click,
            {{'category': 'desktop'}} as device
        from read_csv('{flat_csv}', all_varchar = true)
    """


def write_landing(landing: Path, form: str, events: list[dict] | None = None) -> Path:
    """`form`: flat (ga4/events_flat.csv), parquet (ga4/events.parquet), folder
    (ga4/events/part-*.parquet) or jsonl (ga4/events.jsonl)."""
    write_files(landing)
    rows = EVENTS if events is None else events
    ga4 = landing / "ga4"
    ga4.mkdir(parents=True, exist_ok=True)
    if form == "flat":
        write_flat(ga4 / "events_flat.csv", rows)
        return landing
    scratch = landing / "scratch_events_flat.csv"
    write_flat(scratch, rows)
    with duckdb.connect() as connection:
        select = nested_select(scratch)
        if form == "parquet":
            connection.execute(f"copy ({select}) to '{ga4 / 'events.parquet'}' (format parquet)")
        elif form == "folder":
            (ga4 / "events").mkdir(exist_ok=True)
            connection.execute(f"create table e as {select}")
            connection.execute(
                f"copy (select * from e where event_date = '20240601')"
                f" to '{ga4 / 'events' / 'part-1.parquet'}' (format parquet)"
            )
            connection.execute(
                f"copy (select * from e where event_date <> '20240601')"
                f" to '{ga4 / 'events' / 'part-2.parquet'}' (format parquet)"
            )
        elif form == "jsonl":
            connection.execute(f"copy ({select}) to '{ga4 / 'events.jsonl'}' (format json)")
        else:
            raise ValueError(form)
    scratch.unlink()
    return landing
