"""`mkpi sample --shape connectors`: the GA4 event export gives back the contract touchpoints.

The landed flat events are sessionised here with plain Python by the rules of the connector spec
(GA4 export -> touchpoints), independently of the dbt models, and every column must equal the
contract shape's touchpoint of the same seed with touchpoint, visitor, lead and campaign ids
mapped (channels compared as the canonical channel the contract gives them). The nested export,
flattened with DuckDB, must equal the flat table row for row.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from ga4_landing import declared_flat_columns
from reference.channels import classify

from mkpi.devtools.sample_data import write_sample
from mkpi.devtools.sampling.generator import SampleConfig
from mkpi.devtools.sampling.landing.ga4 import FLAT_COLUMNS, session_ids
from mkpi.devtools.sampling.landing.writer import write_landing

CONFIG = SampleConfig(leads=300, months=6, seed=11)
Rows = list[dict[str, str]]
EMPTY_UTM = {"", "(not set)", "(none)", "(direct)", "(organic)", "(referral)"}
FLAT = tuple(declared_flat_columns())


def _rows(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _id_map(root: Path, kind: str) -> dict[str, str]:
    rows = _rows(root / f"{kind}_id_map.csv")
    mapped = {row[f"contract_{kind}_id"]: row[f"{kind}_id"] for row in rows}
    assert len(set(mapped.values())) == len(mapped) == len(rows), kind
    return mapped


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    contract = tmp_path_factory.mktemp("contract")
    landing = tmp_path_factory.mktemp("landing")
    write_sample(CONFIG, contract, "csv")
    write_landing(CONFIG, landing, "csv")
    return contract, landing


@pytest.fixture(scope="module")
def events(folders: tuple[Path, Path]) -> Rows:
    return _rows(folders[1] / "ga4" / "events_flat.csv")


# ---------------------------------------------------------------- sessionising (spec 4.3)
class Campaigns:
    """match_campaign(utm_id, utm_campaign) over the landing's campaigns (spec section 3)."""

    def __init__(self, root: Path) -> None:
        self.ids = list(_id_map(root, "campaign").values())
        names = {row["campaign_id"]: row["campaign_name"] for row in self._campaign_rows(root)}
        self.names = names
        self.mapping = {
            row["utm_value"].strip().lower(): row["campaign_id"]
            for row in _rows(root / "files" / "campaign_mapping.csv")
        }

    @staticmethod
    def _campaign_rows(root: Path) -> Rows:
        rows = _rows(root / "files" / "campaigns.csv")
        for platform, table in (
            ("google_ads", "campaign_history"),
            ("facebook_ads", "campaign_history"),
            ("linkedin_ads", "campaign_history"),
        ):
            for row in _rows(root / platform / f"{table}.csv"):
                rows.append(
                    {"campaign_id": f"{platform}:{row['id']}", "campaign_name": row["name"]}
                )
        return rows

    def match(self, utm_id: str, utm_campaign: str) -> str:
        utm_id = "" if utm_id.strip() in EMPTY_UTM else utm_id.strip()
        utm_campaign = "" if utm_campaign.strip() in EMPTY_UTM else utm_campaign.strip()
        for value in (utm_id, utm_campaign):
            if value and value.lower() in self.mapping:
                return self.mapping[value.lower()]
        if utm_id:
            hits = [c for c in self.ids if c == utm_id or c.split(":")[-1] == utm_id]
            if len(hits) == 1:
                return hits[0]
        if utm_campaign:
            hits = [c for c, n in self.names.items() if n.lower() == utm_campaign.lower()]
            if len(set(hits)) == 1:
                return hits[0]
        return ""


def _session_value(events: Rows, column: str) -> str:
    return next((e[column] for e in events if e[column]), "")


def _channel(events: Rows) -> str:
    for source, medium in (
        ("session_manual_source", "session_manual_medium"),
        ("session_cross_channel_source", "session_cross_channel_medium"),
    ):
        if _session_value(events, source):
            pair = (_session_value(events, source), _session_value(events, medium))
            return f"{pair[0]} / {pair[1] or '(not set)'}".lower()
    first = next((e for e in events if e["param_source"]), None)
    if first is not None:
        return f"{first['param_source']} / {first['param_medium'] or '(not set)'}".lower()
    return "(direct) / (none)"


def _path(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    path = rest[rest.find("/") :] if "/" in rest else ""
    for mark in ("?", "#"):
        path = path.split(mark, 1)[0]
    return path or "/"


def sessionise(events: Rows, campaigns: Campaigns) -> tuple[dict[str, dict[str, str]], Counter]:
    """Touchpoints by the spec's rules; and the rejected events per reason."""
    rejected: Counter[str] = Counter()
    unique = {tuple(e[c] for c in FLAT): e for e in events}
    sessions: dict[tuple[str, str], Rows] = defaultdict(list)
    for event in unique.values():
        if not event["user_pseudo_id"]:
            rejected["no_visitor_id"] += 1
        elif not event["ga_session_id"]:
            rejected["no_session_id"] += 1
        else:
            sessions[(event["user_pseudo_id"], event["ga_session_id"])].append(event)
    out = {}
    for (visitor, session), rows in sessions.items():
        rows.sort(key=lambda e: (int(e["event_timestamp"]), e["event_name"]))
        start = int(rows[0]["event_timestamp"])
        assert start % 1_000_000 == 0
        utm_id = next(
            (
                v
                for c in (
                    "session_manual_campaign_id",
                    "session_google_ads_campaign_id",
                    "param_campaign_id",
                )
                if (v := _session_value(rows, c))
            ),
            "",
        )
        utm_campaign = next(
            (
                v
                for c in ("session_manual_campaign_name", "param_campaign")
                if (v := _session_value(rows, c))
            ),
            "",
        )
        pages = sum(e["event_name"] == "page_view" for e in rows)
        engaged = [int(e["engagement_time_msec"]) for e in rows if e["engagement_time_msec"]]
        landing = _session_value(rows, "page_location")
        touchpoint_id = f"ga4:{visitor}:{session}"
        out[touchpoint_id] = {
            "visitor_id": visitor,
            "lead_id": _session_value(rows, "user_id"),
            "occurred_at": datetime.fromtimestamp(start // 1_000_000, UTC).strftime(
                "%Y-%m-%dT%H:%M:%S"
            ),
            "channel": _channel(rows),
            "campaign_id": campaigns.match(utm_id, utm_campaign),
            "landing_page": _path(landing) if landing else "",
            "pageviews": str(pages) if pages else "",
            "engaged_seconds": str(sum(engaged) // 1000) if engaged else "",
            "created_lead": "true"
            if any(e["event_name"] == "generate_lead" for e in rows)
            else "false",
        }
    return out, rejected


# ---------------------------------------------------------------------------------- tests
def test_the_generator_writes_the_declared_flat_columns() -> None:
    assert FLAT_COLUMNS == FLAT


def test_sessions_give_back_the_contract_touchpoints(
    folders: tuple[Path, Path], events: Rows
) -> None:
    contract, landing = folders
    sessions, rejected = sessionise(events, Campaigns(landing))
    touch_ids = _id_map(landing, "touchpoint")
    visitors = _id_map(landing, "visitor")
    leads = {**_id_map(landing, "lead"), "": ""}
    campaigns = {**_id_map(landing, "campaign"), "": ""}
    expected = _rows(contract / "touchpoints.csv")
    assert len(expected) > 1000
    assert set(sessions) == {touch_ids[row["touchpoint_id"]] for row in expected}
    for row in expected:
        got = sessions[touch_ids[row["touchpoint_id"]]]
        want = {
            "visitor_id": visitors[row["visitor_id"]],
            "lead_id": leads[row["lead_id"]],
            "occurred_at": row["occurred_at"],
            "channel": classify(row["channel"]),
            "campaign_id": campaigns[row["campaign_id"]],
            "landing_page": row["landing_page"],
            "pageviews": row["pageviews"],
            "engaged_seconds": row["engaged_seconds"],
            "created_lead": row["created_lead"],
        }
        assert {**got, "channel": classify(got["channel"])} == want, row["touchpoint_id"]
    assert rejected["no_visitor_id"] > 0 and rejected["no_session_id"] == 0


def test_channels_are_pairs_and_some_stay_unmapped(
    folders: tuple[Path, Path], events: Rows
) -> None:
    sessions, _ = sessionise(events, Campaigns(folders[1]))
    channels = Counter(s["channel"] for s in sessions.values())
    assert all(" / " in channel for channel in channels)
    assert classify("word-of-mouth / offline") == ("other", False)
    assert channels["word-of-mouth / offline"] > 0
    assert channels["(direct) / (none)"] > 0


def test_the_export_carries_its_warts(events: Rows) -> None:
    keys = Counter(tuple(e[c] for c in FLAT) for e in events)
    assert sum(n - 1 for n in keys.values()) > 50  # exact duplicates
    pings = [e for e in events if not e["user_pseudo_id"]]
    assert pings and all(not e["user_id"] for e in pings)
    by_session: dict[tuple[str, str], Rows] = defaultdict(list)
    for event in events:
        if event["user_pseudo_id"]:
            by_session[(event["user_pseudo_id"], event["ga_session_id"])].append(event)
    early = midnight = late_user = 0
    for rows in by_session.values():
        rows.sort(key=lambda e: (int(e["event_timestamp"]), e["event_name"]))
        start = next(e for e in rows if e["event_name"] == "session_start")
        early += int(rows[0]["event_timestamp"]) < int(start["event_timestamp"])
        midnight += len({e["event_date"] for e in rows}) > 1
        late_user += not rows[0]["user_id"] and any(e["user_id"] for e in rows)
        assert all(e["event_date"] == _date(e["event_timestamp"]) for e in rows)
    assert early > 20 and midnight > 0 and late_user > 20
    names = Counter(e["event_name"] for e in events)
    assert names["scroll"] > 0 and names["user_engagement"] > 0 and names["generate_lead"] > 0


def _date(micros: str) -> str:
    return datetime.fromtimestamp(int(micros) // 1_000_000, UTC).strftime("%Y%m%d")


def test_nested_export_flattens_to_the_flat_table(folders: tuple[Path, Path]) -> None:
    folder = folders[1] / "ga4"
    param = "list_extract(list_filter(event_params, lambda p: p.key = '{k}'), 1).value.{v}"
    columns = {
        "ga_session_id": param.format(k="ga_session_id", v="int_value"),
        "page_location": param.format(k="page_location", v="string_value"),
        "engagement_time_msec": param.format(k="engagement_time_msec", v="int_value"),
        "param_source": param.format(k="source", v="string_value"),
        "param_medium": param.format(k="medium", v="string_value"),
        "param_campaign": param.format(k="campaign", v="string_value"),
        "param_campaign_id": param.format(k="campaign_id", v="string_value"),
    }
    traffic = "session_traffic_source_last_click"
    for part, fields in (
        ("manual_campaign", ("source", "medium", "campaign_id", "campaign_name")),
        ("cross_channel_campaign", ("source", "medium")),
        ("google_ads_campaign", ("campaign_id",)),
    ):
        short = {"manual_campaign": "manual", "cross_channel_campaign": "cross_channel"}
        for field in fields:
            name = f"session_{short.get(part, 'google_ads')}_{field}"
            columns[name] = f"{traffic}.{part}.{field}"
    selects = ", ".join(f"CAST({columns.get(c, c)} AS VARCHAR) AS {c}" for c in FLAT)
    con = duckdb.connect()
    described = con.sql(f"DESCRIBE SELECT * FROM '{folder}/events.parquet'").fetchall()
    types = {row[0]: row[1] for row in described}
    assert {k: types[k] for k in ("event_date", "event_timestamp", "event_name")} == {
        "event_date": "VARCHAR",
        "event_timestamp": "BIGINT",
        "event_name": "VARCHAR",
    }
    assert types["event_params"] == (
        'STRUCT("key" VARCHAR, "value" STRUCT(string_value VARCHAR, int_value BIGINT,'
        " float_value DOUBLE, double_value DOUBLE))[]"
    )
    nested = con.sql(f"SELECT {selects} FROM '{folder}/events.parquet'").fetchall()
    flat = con.sql(
        f"SELECT {', '.join(FLAT)} FROM read_csv('{folder}/events_flat.csv', all_varchar = true)"
    ).fetchall()
    assert len(nested) == len(flat) > 0
    assert nested == flat


def test_ties_order_as_in_the_contract(folders: tuple[Path, Path]) -> None:
    """Touches of one visitor or lead ordered by (occurred_at, touchpoint_id) keep their order."""
    contract, landing = folders
    touch_ids = _id_map(landing, "touchpoint")
    rows = _rows(contract / "touchpoints.csv")
    for key in ("visitor_id", "lead_id"):
        groups: dict[str, Rows] = defaultdict(list)
        for row in rows:
            if row[key]:
                groups[row[key]].append(row)
        for group in groups.values():
            by_contract = sorted(group, key=lambda r: (r["occurred_at"], r["touchpoint_id"]))
            by_ga4 = sorted(
                group, key=lambda r: (r["occurred_at"], touch_ids[r["touchpoint_id"]].encode())
            )
            assert by_contract == by_ga4


def test_session_ids_of_one_visitor_in_one_second_stay_distinct_and_ordered() -> None:
    visitor = np.array([7, 7, 7, 8, 7])
    start = np.array([100, 100, 101, 100, 50])
    sid, number = session_ids(visitor, start)
    # visitor 7: 50, then 100 (touch 0), 101 (touch 1, moved on), 102 (touch 2, moved on)
    assert sid.tolist() == [100, 101, 102, 100, 50]
    assert number.tolist() == [2, 3, 4, 1, 1]
