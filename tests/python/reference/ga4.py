"""Reference: the GA4 connector of docs/connectors.md (section 7), in plain Python over the flat
table `ga4/events_flat.csv` of a landing (the contract's other tables in `files/`).

One touchpoint per session (user_pseudo_id, ga_session_id); exact duplicate events collapsed
first; cookieless events (no user_pseudo_id) and events without ga_session_id rejected, one
reject per distinct event. A session value is the value on the session's earliest event (by
event_timestamp, then event_name) where it is not empty.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from reference.connectors import CampaignMatcher, _clean_campaigns, clean_utm
from reference.privacy import mask

EPOCH = datetime(1970, 1, 1)
INTEGER = re.compile(r"^[+-]?[0-9]{1,18}(\.0*)?$")


@dataclass
class Result:
    touchpoints: list[dict] = field(default_factory=list)
    # (source_table, reject_reason, landed_rows) per distinct rejected event
    rejected: list[tuple[str, str, int]] = field(default_factory=list)
    # (input, landed_table, landed_rows, contract_rows, collapsed_rows, rejected_rows)
    reconciliation: tuple[str, str, int, int, int, int] | None = None
    # (utm_id, utm_campaign) -> sessions, for sessions whose UTM values matched no campaign
    unmatched: Counter = field(default_factory=Counter)


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _integer(value: str | None) -> int | None:
    text = _text(value)
    if text is None or not INTEGER.match(text):
        return None
    return int(text.split(".")[0])


def _read_csv(path: Path) -> list[dict[str, str | None]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [{key: _text(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def _order(event: dict) -> tuple:
    micros, name = event["micros"], event["event_name"]
    return (micros is None, micros or 0, name is None, name or "")


def _session_value(events: list[dict], column: str) -> str | None:
    candidates = [event for event in events if event.get(column) is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda event: (*_order(event), event[column]))[column]


def _pair(source: str | None, medium: str | None) -> str:
    return f"{source.lower()} / {(medium or '(not set)').lower()}"


def landing_path(url: str) -> str:
    """The page's path: scheme and host, query and fragment removed; '' is '/'."""
    return urlsplit(url).path or "/"


def landing_to_touchpoints(
    landing: Path,
    lead_events: tuple[str, ...] = ("generate_lead",),
    clean_campaigns: dict[str, str] | None = None,
) -> Result:
    """`clean_campaigns` (campaign_id -> name): what campaign matching matches against, when
    campaigns come from more than `files` (reference.connectors' Result.clean_campaigns)."""
    result = Result()
    raw = _read_csv(landing / "ga4" / "events_flat.csv")
    copies = Counter(tuple(sorted(row.items())) for row in raw)
    campaigns = clean_campaigns
    if campaigns is None:
        campaigns = _clean_campaigns([], _read_csv(landing / "files" / "campaigns.csv"))
    matcher = CampaignMatcher(campaigns, _read_csv(landing / "files" / "campaign_mapping.csv"))

    sessions: dict[tuple[str, str], list[dict]] = defaultdict(list)
    landed = collapsed = rejected = 0
    for items, count in copies.items():
        event = dict(items)
        event["micros"] = _integer(event["event_timestamp"])
        event["msec"] = _integer(event.get("engagement_time_msec"))
        event["copies"] = count
        session_id = _integer(event["ga_session_id"])
        landed += count
        if event["user_pseudo_id"] is None or session_id is None:
            reason = "no_visitor_id" if event["user_pseudo_id"] is None else "no_session_id"
            result.rejected.append(("ga4.events_flat", reason, count))
            rejected += count
            continue
        sessions[(event["user_pseudo_id"], str(session_id))].append(event)

    for (visitor, session_id), events in sorted(sessions.items()):
        value = {column: _session_value(events, column) for column in events[0]}
        if value["session_manual_source"] is not None:
            channel = _pair(value["session_manual_source"], value["session_manual_medium"])
        elif value["session_cross_channel_source"] is not None:
            channel = _pair(
                value["session_cross_channel_source"], value["session_cross_channel_medium"]
            )
        else:
            with_source = [event for event in events if event["param_source"] is not None]
            if with_source:
                first = min(
                    with_source,
                    key=lambda e: (*_order(e), e["param_source"], e["param_medium"] or ""),
                )
                channel = _pair(first["param_source"], first["param_medium"])
            else:
                channel = "(direct) / (none)"
        utm_id = next(
            (
                clean_utm(value[column])
                for column in (
                    "session_manual_campaign_id",
                    "session_google_ads_campaign_id",
                    "param_campaign_id",
                )
                if clean_utm(value[column]) is not None
            ),
            None,
        )
        utm_campaign = next(
            (
                clean_utm(value[column])
                for column in ("session_manual_campaign_name", "param_campaign")
                if clean_utm(value[column]) is not None
            ),
            None,
        )
        utm_id, utm_campaign = mask(utm_id), mask(utm_campaign)
        campaign_id = matcher.match(utm_id, utm_campaign)
        if campaign_id is None and (utm_id or utm_campaign):
            result.unmatched[(utm_id, utm_campaign)] += 1
        pageviews = sum(1 for event in events if event["event_name"] == "page_view")
        engagement = [event["msec"] for event in events if event["msec"] is not None]
        micros = [event["micros"] for event in events if event["micros"] is not None]
        location = value["page_location"]
        result.touchpoints.append(
            {
                "touchpoint_id": mask(f"ga4:{visitor}:{session_id}"),
                "visitor_id": mask(visitor),
                "lead_id": mask(value["user_id"]),
                "occurred_at": EPOCH + timedelta(microseconds=min(micros)) if micros else None,
                "channel": mask(channel),
                "campaign_id": campaign_id,
                "landing_page": mask(landing_path(location)) if location is not None else None,
                "pageviews": pageviews or None,
                "engaged_seconds": sum(engagement) // 1000 if engagement else None,
                "created_lead": any(event["event_name"] in lead_events for event in events),
                "landed_rows": sum(event["copies"] for event in events),
            }
        )
        collapsed += sum(event["copies"] for event in events) - 1
    result.reconciliation = (
        "ga4",
        "events_flat",
        landed,
        len(result.touchpoints),
        collapsed,
        rejected,
    )
    return result
