"""GA4's BigQuery event export of the simulated company's web sessions.

Every contract touchpoint becomes one GA4 session of events (`user_pseudo_id`, `ga_session_id`)
such that the connector rules (GA4 export -> touchpoints) give the touchpoint back: the same
visitor, lead, instant (to the microsecond), canonical channel, campaign, landing page, pageviews,
engaged seconds and form fill. The export carries the usual warts, none of which changes a
touchpoint: exact duplicate events, cookieless consent pings (no `user_pseudo_id`), an event
logged before `session_start`, sessions over midnight, scroll / user_engagement events and a
`user_id` that appears only once the visitor logs in or fills a form.

Sessions and events stay numeric (codes into small label lists) until DuckDB renders them into the
nested export `ga4/events.parquet` (BigQuery schema) and the flat one-row-per-event table
`ga4/events_flat.<fmt>` (the connector spec's flat columns).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from mkpi.devtools.sampling.channels import UNMAPPED_RAW_CHANNEL
from mkpi.devtools.sampling.frame import Ids, Labels, TableData
from mkpi.devtools.sampling.landing.campaigns import FILES, GOOGLE_ADS, CampaignPlan
from mkpi.devtools.sampling.landing.source import id_numbers, raw_channel_of
from mkpi.devtools.sampling.landing.urls import CAMPAIGN_PAIRS, CHANNEL_PAIRS, HOSTS
from mkpi.devtools.sampling.web import LANDING_PAGES

GA4 = "ga4"
GA4_STREAM = (8, 1)  # seed spawn key: the landing's own stream is (8,)
MICROS = 1_000_000
DAY_US = 86_400 * MICROS

# (source, medium) pairs sessions carry; `DIRECT` is GA4's own spelling of no source
DIRECT = ("(direct)", "(none)")
OTHER_PAIRS: tuple[tuple[str, str], ...] = (("sms", "sms"), ("firebase", "push"))
UNMAPPED_PAIR = ("word-of-mouth", "offline")  # no rule classifies it, as the contract's label
LABEL_PAIRS: dict[str, tuple[str, str]] = {  # contract labels that are no pair
    "Organic Search": ("google", "organic"),
    "LinkedIn": ("linkedin", "social"),
    "Organic Social": ("facebook", "social"),
    "Email": ("hubspot", "email"),
    "Referral": ("partner", "referral"),
    "Direct": DIRECT,
    "(other)": OTHER_PAIRS[0],
    "(not set)": OTHER_PAIRS[1],
    "Google Ads": ("google", "cpc"),
    "adwords": ("google", "cpc"),
    "Paid Social": ("facebook", "cpc"),
    "LinkedIn Ads": ("linkedin", "cpc"),
    "Display": ("google", "display"),
    "Affiliates": ("awin", "affiliate"),
    UNMAPPED_RAW_CHANNEL: UNMAPPED_PAIR,
}
# where a session's source and medium are: nowhere (direct), session_traffic_source_last_click
# .manual_campaign, its .cross_channel_campaign only, or only event params of session_start
NO_SOURCE, MANUAL, CROSS, PARAM = range(4)
# campaign-less sessions' manual campaign_name: values the rules treat as empty, and names that
# match no campaign (reported unmatched, the touch keeps no campaign)
EMPTY_NAMES: tuple[str, ...] = ("(organic)", "(referral)", "(direct)", "(not set)")
UNMATCHED_NAMES: tuple[str, ...] = ("weekly-digest", "product-update-2025")
EVENT_NAMES: tuple[str, ...] = (
    "session_start",
    "page_view",
    "user_engagement",
    "scroll",
    "generate_lead",
)
START, PAGE, ENGAGE, SCROLL, LEAD = range(5)
QUERIES: tuple[str, ...] = ("", "?ref=nav", "#pricing-table", "?utm_content=hero&x=1")
EARLY_SHARE = 0.08  # sessions whose first page_view is logged before session_start
DUPLICATE_SHARE = 0.02
PING_SHARE = 0.03


@dataclass(frozen=True)
class Sessions:
    """One row per contract touchpoint (its position), ready to render as GA4 sessions."""

    visitor: np.ndarray  # contract visitor number
    pseudo_random: np.ndarray  # first part of user_pseudo_id, per session (of its visitor)
    first_seen: np.ndarray  # second part: the visitor's first session, epoch seconds
    user_id: np.ndarray  # HubSpot contact id or -1
    session_id: np.ndarray  # ga_session_id
    session_number: np.ndarray
    start_us: np.ndarray  # occurred_at, microseconds since the epoch
    mode: np.ndarray  # NO_SOURCE, MANUAL, CROSS, PARAM
    pair: np.ndarray  # code into `pairs`, -1 = none
    shout: np.ndarray  # source spelled in capitals (the rules lower-case it)
    campaign: np.ndarray  # index into the campaign plans or -1
    empty_name: np.ndarray  # code into EMPTY_NAMES + UNMATCHED_NAMES or -1
    landing: np.ndarray  # code into LANDING_PAGES or -1
    host: np.ndarray  # code into HOSTS
    query: np.ndarray  # code into QUERIES
    pageviews: np.ndarray  # 0 = NULL
    engaged_ms: np.ndarray  # total engagement_time_msec or -1
    created: np.ndarray
    early: np.ndarray  # first page_view before session_start

    def __len__(self) -> int:
        return len(self.start_us)


@dataclass(frozen=True)
class Events:
    """One row per landed event (duplicates and consent pings included), ordered by time."""

    session: np.ndarray
    kind: np.ndarray  # START .. LEAD
    offset_us: np.ndarray  # after the session's start
    page: np.ndarray  # LANDING (-2) = the landing URL, else a code into LANDING_PAGES, -1 none
    engagement_ms: np.ndarray  # -1 = no param
    has_user: np.ndarray
    ping: np.ndarray  # cookieless: no user_pseudo_id, no user_id

    def __len__(self) -> int:
        return len(self.session)


LANDING = -2


def ga4_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=GA4_STREAM))


# ------------------------------------------------------------------------------------ channels
def session_pairs() -> tuple[tuple[str, str], ...]:
    """Every (source, medium) a session may carry: the seed pairs, the label pairs, direct."""
    pairs: dict[tuple[str, str], None] = {DIRECT: None}
    for options in (*CAMPAIGN_PAIRS.values(), *CHANNEL_PAIRS.values()):
        pairs.update(dict.fromkeys(options))
    pairs.update(dict.fromkeys(LABEL_PAIRS.values()))
    pairs.update(dict.fromkeys(OTHER_PAIRS))
    for raw in raw_channel_of():
        split = _split_pair(raw)
        if split is not None:
            pairs[split] = None
    return tuple(pairs)


def _split_pair(raw: str) -> tuple[str, str] | None:
    if " / " not in raw:
        return None
    source, medium = raw.split(" / ", 1)
    return source.strip().lower(), medium.strip().lower()


def pair_choices(
    labels: Sequence[str], plans: tuple[CampaignPlan, ...], pairs: tuple[tuple[str, str], ...]
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Pair codes a touch may use: per raw channel code, and per campaign (campaign wins)."""
    code = {pair: k for k, pair in enumerate(pairs)}
    by_raw: dict[int, np.ndarray] = {}
    for k, raw in enumerate(labels):
        split = _split_pair(raw)
        pair = split if split is not None else LABEL_PAIRS.get(raw)
        if pair is None:
            raise ValueError(f"raw channel {raw!r} has no GA4 source / medium")
        by_raw[k] = np.array([code[pair]])
    by_campaign = {
        plan.index: np.array([code[pair] for pair in CAMPAIGN_PAIRS[plan.name]]) for plan in plans
    }
    return by_raw, by_campaign


def _pick_codes(options: dict[int, np.ndarray], keys: np.ndarray, u: np.ndarray) -> np.ndarray:
    out = np.full(len(keys), -1, dtype=np.int64)
    for key, codes in options.items():
        mask = keys == key
        out[mask] = codes[np.minimum((u[mask] * len(codes)).astype(np.int64), len(codes) - 1)]
    return out


# ------------------------------------------------------------------------------------ sessions
def _visitor_ids(
    visitor: np.ndarray, start_s: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """user_pseudo_id parts per session: a distinct random number per visitor, first seen."""
    used, inverse = np.unique(visitor, return_inverse=True)
    draws = rng.integers(100_000_000, 2_147_483_647, len(used))
    while len(np.unique(draws)) < len(draws):
        _, first = np.unique(draws, return_index=True)
        again = np.setdiff1d(np.arange(len(draws)), first)
        draws[again] = rng.integers(100_000_000, 2_147_483_647, len(again))
    first_seen = np.full(len(used), np.iinfo(np.int64).max)
    np.minimum.at(first_seen, inverse, start_s)
    return draws[inverse], first_seen[inverse]


def session_ids(visitor: np.ndarray, start_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ga_session_id, ga_session_number): the start second, moved on while a visitor already has
    it (touches of one visitor in the same second keep their contract order); number = rank."""
    order = np.lexsort((np.arange(len(visitor)), start_s, visitor))
    sid = start_s.astype(np.int64).copy()
    sorted_v = visitor[order]
    same_visitor = np.r_[False, sorted_v[1:] == sorted_v[:-1]]
    while True:
        ordered = sid[order]
        clash = same_visitor & np.r_[False, ordered[1:] <= ordered[:-1]]
        if not clash.any():
            break
        fixed = ordered.copy()
        fixed[clash] = np.r_[0, ordered[:-1]][clash] + 1
        sid[order] = fixed
    starts = np.r_[0, np.flatnonzero(~same_visitor[1:]) + 1] if len(visitor) else np.array([], int)
    rank = np.arange(len(visitor)) - np.repeat(starts, np.diff(np.r_[starts, len(visitor)]))
    number = np.empty(len(visitor), dtype=np.int64)
    number[order] = rank + 1
    return sid, number


def _modes(pair: np.ndarray, direct_code: int, u: np.ndarray) -> np.ndarray:
    mode = np.where(u < 0.6, MANUAL, np.where(u < 0.85, CROSS, PARAM))
    direct = pair == direct_code
    return np.where(direct & (u < 0.5), NO_SOURCE, mode)


def _empty_names(
    campaign: np.ndarray, mode: np.ndarray, email: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Campaign-less manual sessions: a name the rules treat as empty, or (newsletters) a name
    matching no campaign."""
    empty = np.minimum((u * 10 * len(EMPTY_NAMES)).astype(np.int64), len(EMPTY_NAMES) - 1)
    unmatched = len(EMPTY_NAMES) + (u > 0.05).astype(np.int64)
    names = np.where(u < 0.1, empty, -1)
    names = np.where(email & (u < 0.1), unmatched, names)
    return np.where((campaign < 0) & (mode == MANUAL), names, -1)


def plan_sessions(
    touchpoints: TableData,
    contact_ids: np.ndarray,
    plans: tuple[CampaignPlan, ...],
    pairs: tuple[tuple[str, str], ...],
    rng: np.random.Generator,
) -> Sessions:
    """The GA4 session of every contract touchpoint, in contract order."""
    n = len(np.asarray(touchpoints["occurred_at"]))
    channel = touchpoints["channel"]
    landing = touchpoints["landing_page"]
    if not isinstance(channel, Labels) or not isinstance(landing, Labels):
        raise TypeError("touchpoints: channel and landing_page must be labels")
    if tuple(landing.labels) != LANDING_PAGES:
        raise ValueError("touchpoints: landing pages differ from the generator's")
    start_s = np.asarray(touchpoints["occurred_at"], dtype="datetime64[s]").astype(np.int64)
    visitor = id_numbers(touchpoints["visitor_id"])
    lead = id_numbers(touchpoints["lead_id"])
    campaign = id_numbers(touchpoints["campaign_id"]) - 1
    campaign[campaign < 0] = -1
    raw = np.asarray(channel.codes, dtype=np.int64)
    u = rng.random((12, n))
    by_raw, by_campaign = pair_choices(channel.labels, plans, pairs)
    pair = np.where(
        campaign >= 0, _pick_codes(by_campaign, campaign, u[0]), _pick_codes(by_raw, raw, u[0])
    )
    mode = _modes(pair, pairs.index(DIRECT), u[1])
    canonical = raw_channel_of()
    email = np.array([canonical.get(label) == "email" for label in channel.labels])[raw]
    pageviews = np.nan_to_num(np.asarray(touchpoints["pageviews"], dtype=float), nan=0)
    seconds = np.asarray(touchpoints["engaged_seconds"], dtype=float)
    engaged = np.where(
        np.isnan(seconds), -1, np.nan_to_num(seconds) * 1000 + (u[2] * 1000).astype(np.int64)
    )
    pseudo_random, first_seen = _visitor_ids(visitor, start_s, rng)
    sid, number = session_ids(visitor, start_s)
    return Sessions(
        visitor=visitor,
        pseudo_random=pseudo_random,
        first_seen=first_seen,
        user_id=np.where(lead > 0, contact_ids[np.clip(lead - 1, 0, None)], -1),
        session_id=sid,
        session_number=number,
        start_us=start_s * MICROS,
        mode=mode,
        pair=pair,
        shout=u[3] < 0.05,
        campaign=campaign,
        empty_name=_empty_names(campaign, mode, email, u[4]),
        landing=np.asarray(landing.codes, dtype=np.int64),
        host=np.minimum((u[5] * len(HOSTS)).astype(np.int64), len(HOSTS) - 1),
        query=np.minimum((u[6] * len(QUERIES)).astype(np.int64), len(QUERIES) - 1),
        pageviews=pageviews.astype(np.int64),
        engaged_ms=engaged.astype(np.int64),
        created=np.asarray(touchpoints["created_lead"], dtype=bool),
        early=(pageviews > 0) & (u[7] < EARLY_SHARE),
    )


# -------------------------------------------------------------------------------------- events
def _flat(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, position within owner) of `counts` items per owner."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _later(session: np.ndarray, span_us: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Offsets of events after the landing ones: at least two seconds in."""
    return 2 * MICROS + (rng.random(len(session)) * span_us[session]).astype(np.int64)


def _split_engagement(
    session: np.ndarray, total: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Integer parts of each session's `total` over its carrier events (grouped by session)."""
    if len(session) == 0:
        return np.zeros(0, dtype=np.int64)
    weights = rng.random(len(session)) + 0.1
    first = np.r_[True, session[1:] != session[:-1]]
    last = np.r_[first[1:], True]
    group = np.cumsum(first) - 1
    running = np.cumsum(weights)
    within = running - (running - weights)[first][group]
    whole = within[last][group]
    upto = np.floor(total[session] * within / whole).astype(np.int64)
    upto[last] = total[session][last]
    before = np.r_[0, upto[:-1]]
    before[first] = 0
    return upto - before


def _spans(sessions: Sessions, rng: np.random.Generator) -> np.ndarray:
    """How long after its landing events a session's other events spread: by its engagement;
    half of the sessions starting in the last half hour of a UTC day run past midnight."""
    n = len(sessions)
    span = (np.maximum(sessions.engaged_ms, 5_000) * 1_500).astype(np.int64)
    to_midnight = DAY_US - sessions.start_us % DAY_US
    late = (to_midnight < 1_800 * MICROS) & (rng.random(n) < 0.5)
    overrun = to_midnight + rng.integers(60, 900, n) * MICROS
    return np.where(late, np.maximum(span, overrun), span)


def build_events(sessions: Sessions, rng: np.random.Generator) -> Events:
    n = len(sessions)
    early_us = np.where(sessions.early, rng.integers(1_000, 1_500_000, n), 0)
    span_us = _spans(sessions, rng)
    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
    # session_start, with the landing URL
    everyone = np.arange(n)
    parts.append((everyone, START, early_us, np.full(n, LANDING)))
    # page views: the first one lands (before session_start when early), the others follow
    owner, position = _flat(sessions.pageviews)
    page = rng.integers(0, len(LANDING_PAGES), len(owner))
    offset = np.where(position == 0, 0, early_us[owner] + _later(owner, span_us, rng))
    offset = np.where((position == 0) & ~sessions.early[owner], early_us[owner], offset)
    parts.append((owner, PAGE, offset, np.where(position == 0, LANDING, page)))
    # engagement carriers: one or two user_engagement events, a scroll in some sessions
    engaged = sessions.engaged_ms >= 0
    carriers = np.where(engaged, 1 + (rng.random(n) < 0.4), 0)
    owner, _ = _flat(carriers)
    parts.append((owner, ENGAGE, _later(owner, span_us, rng), np.full(len(owner), LANDING)))
    scrolled = np.flatnonzero((sessions.pageviews > 0) & (rng.random(n) < 0.3))
    scroll_page = rng.integers(0, len(LANDING_PAGES), len(scrolled))
    parts.append((scrolled, SCROLL, _later(scrolled, span_us, rng), scroll_page))
    leads = np.flatnonzero(sessions.created)
    lead_page = rng.integers(0, len(LANDING_PAGES), len(leads))
    parts.append((leads, LEAD, _later(leads, span_us, rng), lead_page))
    session = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    offset = np.concatenate([p[2] for p in parts])
    page = np.concatenate([p[3] for p in parts])
    order = np.lexsort((kind, offset, session))
    session, kind, offset, page = session[order], kind[order], offset[order], page[order]
    page = np.where(sessions.landing[session] < 0, -1, page)
    carries = engaged[session] & ((kind == ENGAGE) | (kind == SCROLL))
    engagement = np.full(len(session), -1, dtype=np.int64)
    engagement[carries] = _split_engagement(
        session[carries], sessions.engaged_ms.astype(np.int64), rng
    )
    has_user = _user_events(sessions, session, kind, offset, rng)
    events = Events(session, kind, offset, page, engagement, has_user, np.zeros(len(session), bool))
    return _with_warts(events, rng)


def _user_events(
    sessions: Sessions,
    session: np.ndarray,
    kind: np.ndarray,
    offset: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Events that carry user_id: all events of most identified sessions; in the others only the
    events from a login on (always including the form fill and the session's last event)."""
    n = len(sessions)
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, session, offset)
    form = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(form, session[kind == LEAD], offset[kind == LEAD])
    login = np.minimum((rng.random(n) * last).astype(np.int64), form)
    login = np.where(rng.random(n) < 0.55, -1, login)
    return (sessions.user_id[session] >= 0) & (offset >= login[session])


def _with_warts(events: Events, rng: np.random.Generator) -> Events:
    """Exact duplicates of some events, and cookieless copies (consent pings) of others."""
    n = len(events)
    copies = 1 + (rng.random(n) < DUPLICATE_SHARE)
    pinged = np.flatnonzero(rng.random(n) < PING_SHARE)
    index = np.concatenate([np.repeat(np.arange(n), copies), pinged])
    ping = np.r_[np.zeros(int(copies.sum()), bool), np.ones(len(pinged), bool)]
    shift = np.where(ping, 1_000, 0)
    out = Events(
        session=events.session[index],
        kind=events.kind[index],
        offset_us=events.offset_us[index] + shift,
        page=events.page[index],
        engagement_ms=events.engagement_ms[index],
        has_user=events.has_user[index] & ~ping,
        ping=ping,
    )
    return out


# ------------------------------------------------------------------------------------ rendering
def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _campaign_lists(plans: tuple[CampaignPlan, ...]) -> dict[str, list[str]]:
    """Per campaign plan: the utm_id the sessions carry, the utm_campaign, Google Ads' id/name."""
    return {
        "utm_id": [
            plan.contract_id if plan.platform == FILES else str(plan.platform_id) for plan in plans
        ],
        "utm_name": [plan.mapping_value for plan in plans],
        "name": [plan.name for plan in plans],
        "is_google": ["1" if plan.platform == GOOGLE_ADS else "" for plan in plans],
    }


def event_frame(sessions: Sessions, events: Events) -> pd.DataFrame:
    """One row per event with its session's codes, in the export's order (time, then position),
    so DuckDB renders it with projections only: no join, no sort."""
    session = events.session
    timestamp = sessions.start_us[session] + events.offset_us
    order = np.argsort(timestamp, kind="stable")
    columns = {
        "event_timestamp": timestamp,
        "kind": events.kind,
        "page": events.page,
        "engagement_ms": events.engagement_ms,
        "has_user": events.has_user,
        "ping": events.ping,
        "pseudo_random": sessions.pseudo_random[session],
        "first_seen": sessions.first_seen[session],
        "user_id": sessions.user_id[session],
        "sid": sessions.session_id[session],
        "snum": sessions.session_number[session],
        "mode": sessions.mode[session],
        "pair": sessions.pair[session],
        "shout": sessions.shout[session],
        "campaign": sessions.campaign[session],
        "empty_name": sessions.empty_name[session],
        "landing": sessions.landing[session],
        "host": sessions.host[session],
        "query": sessions.query[session],
    }
    return pd.DataFrame({name: values[order] for name, values in columns.items()}, copy=False)


def flat_sql(plans: tuple[CampaignPlan, ...], pairs: tuple[tuple[str, str], ...]) -> str:
    """One row per event with the flat columns plus what the nested export needs; reads the
    registered frame `ga4_events` (see `event_frame`)."""
    lists = _campaign_lists(plans)
    sources = _sql_list([p[0] for p in pairs])
    media = _sql_list([p[1] for p in pairs])
    names = _sql_list([*EMPTY_NAMES, *UNMATCHED_NAMES])
    pages = _sql_list(LANDING_PAGES)

    def pick(values: str, code: str) -> str:
        return f"CASE WHEN {code} >= 0 THEN ({values})[{code} + 1] END"

    return f"""
    WITH session_text AS (
        SELECT
            *,
            CAST(pseudo_random AS VARCHAR) || '.' || CAST(first_seen AS VARCHAR) AS visitor,
            CASE WHEN shout THEN upper({pick(sources, "pair")}) ELSE {pick(sources, "pair")} END
                AS source,
            {pick(media, "pair")} AS medium,
            {pick(_sql_list(lists["utm_id"]), "campaign")} AS utm_id,
            {pick(_sql_list(lists["utm_name"]), "campaign")} AS utm_name,
            {pick(_sql_list(lists["name"]), "campaign")} AS campaign_name,
            {pick(_sql_list(lists["is_google"]), "campaign")} = '1' AS is_google,
            {pick(names, "empty_name")} AS empty_name_text,
            {_sql_list(HOSTS)}[host + 1] AS host_text,
            CASE WHEN landing = 0 AND query = 0 AND host = 1 THEN ''
                 ELSE {pick(pages, "landing")} END
                || {_sql_list(QUERIES)}[query + 1] AS landing_tail
        FROM ga4_events
    ),
    events AS (
        SELECT
            s.event_timestamp,
            {_sql_list(EVENT_NAMES)}[s.kind + 1] AS event_name,
            CASE WHEN NOT s.ping THEN s.visitor END AS user_pseudo_id,
            CASE WHEN s.has_user THEN CAST(s.user_id AS VARCHAR) END AS user_id,
            s.sid AS ga_session_id,
            s.snum AS ga_session_number,
            CASE
                WHEN s.page = -2 THEN s.host_text || s.landing_tail
                WHEN s.page >= 0 THEN s.host_text || {pages}[s.page + 1]
            END AS page_location,
            CASE WHEN s.engagement_ms >= 0 THEN s.engagement_ms END AS engagement_time_msec,
            CASE WHEN s.kind = 0 AND (s.mode = {PARAM}
                    OR (s.mode = {MANUAL} AND s.utm_id IS NOT NULL)) THEN s.source END
                AS param_source,
            CASE WHEN s.kind = 0 AND (s.mode = {PARAM}
                    OR (s.mode = {MANUAL} AND s.utm_id IS NOT NULL)) THEN s.medium END
                AS param_medium,
            CASE WHEN s.kind = 0 AND s.mode IN ({PARAM}, {CROSS})
                    AND NOT (s.mode = {CROSS} AND s.is_google) THEN s.utm_name END
                AS param_campaign,
            CASE WHEN s.kind = 0 AND s.mode IN ({PARAM}, {CROSS})
                    AND NOT (s.mode = {CROSS} AND s.is_google) THEN s.utm_id END
                AS param_campaign_id,
            CASE WHEN s.mode = {MANUAL} THEN s.source END AS session_manual_source,
            CASE WHEN s.mode = {MANUAL} THEN s.medium END AS session_manual_medium,
            CASE WHEN s.mode = {MANUAL} THEN s.utm_id END AS session_manual_campaign_id,
            CASE WHEN s.mode = {MANUAL} THEN coalesce(s.utm_name, s.empty_name_text) END
                AS session_manual_campaign_name,
            CASE WHEN s.mode IN ({MANUAL}, {CROSS}) THEN s.source END
                AS session_cross_channel_source,
            CASE WHEN s.mode IN ({MANUAL}, {CROSS}) THEN s.medium END
                AS session_cross_channel_medium,
            CASE WHEN s.mode = {CROSS} AND s.is_google THEN s.utm_id END
                AS session_google_ads_campaign_id,
            CASE WHEN s.mode = {CROSS} AND s.is_google THEN s.campaign_name END
                AS session_google_ads_campaign_name,
            CASE WHEN s.kind = 3 THEN 90 END AS percent_scrolled
        FROM session_text AS s
    )
    SELECT
        strftime(make_timestamp(event_timestamp), '%Y%m%d') AS event_date,
        *
    FROM events
    """


FLAT_COLUMNS: tuple[str, ...] = (
    "event_date",
    "event_timestamp",
    "event_name",
    "user_pseudo_id",
    "user_id",
    "ga_session_id",
    "page_location",
    "engagement_time_msec",
    "param_source",
    "param_medium",
    "param_campaign",
    "param_campaign_id",
    "session_manual_source",
    "session_manual_medium",
    "session_manual_campaign_id",
    "session_manual_campaign_name",
    "session_cross_channel_source",
    "session_cross_channel_medium",
    "session_google_ads_campaign_id",
)


def _param(key: str, value: str, kind: str) -> str:
    """One event_params entry; NULL when the value is."""
    typed = {
        "string": f"{value}, NULL::BIGINT",
        "int": f"NULL::VARCHAR, {value}",
    }[kind]
    string_value, int_value = typed.split(", ")
    return (
        f"CASE WHEN {value} IS NOT NULL THEN {{'key': '{key}', 'value': {{"
        f"'string_value': {string_value}, 'int_value': {int_value}, "
        "'float_value': NULL::DOUBLE, 'double_value': NULL::DOUBLE}} END"
    )


PARAMS: tuple[tuple[str, str, str], ...] = (
    ("ga_session_id", "ga_session_id", "int"),
    ("ga_session_number", "ga_session_number", "int"),
    ("page_location", "page_location", "string"),
    ("engagement_time_msec", "engagement_time_msec", "int"),
    ("source", "param_source", "string"),
    ("medium", "param_medium", "string"),
    ("campaign", "param_campaign", "string"),
    ("campaign_id", "param_campaign_id", "string"),
    ("percent_scrolled", "percent_scrolled", "int"),
)


def nested_sql(flat: str) -> str:
    """The BigQuery export's columns from the flat rows (`flat`: a relation)."""
    params = ", ".join(_param(key, column, kind) for key, column, kind in PARAMS)
    manual = (
        "{'campaign_id': session_manual_campaign_id, 'campaign_name': session_manual_campaign_name,"
        " 'source': session_manual_source, 'medium': session_manual_medium,"
        " 'term': NULL::VARCHAR, 'content': NULL::VARCHAR, 'source_platform': NULL::VARCHAR,"
        " 'creative_format': NULL::VARCHAR, 'marketing_tactic': NULL::VARCHAR}"
    )
    google = (
        "{'customer_id': NULL::VARCHAR, 'account_name': NULL::VARCHAR,"
        " 'campaign_id': session_google_ads_campaign_id,"
        " 'campaign_name': session_google_ads_campaign_name,"
        " 'ad_group_id': NULL::VARCHAR, 'ad_group_name': NULL::VARCHAR}"
    )
    cross = (
        "{'campaign_id': NULL::VARCHAR, 'campaign_name': NULL::VARCHAR,"
        " 'source': session_cross_channel_source, 'medium': session_cross_channel_medium,"
        " 'source_platform': NULL::VARCHAR, 'default_channel_group': NULL::VARCHAR,"
        " 'primary_channel_group': NULL::VARCHAR}"
    )
    return f"""
    SELECT
        event_date,
        event_timestamp,
        event_name,
        list_filter([{params}], lambda p: p IS NOT NULL) AS event_params,
        CAST(NULL AS BIGINT) AS event_previous_timestamp,
        user_id,
        user_pseudo_id,
        {{'analytics_storage': CASE WHEN user_pseudo_id IS NULL THEN 'No' ELSE 'Yes' END,
          'ads_storage': CASE WHEN user_pseudo_id IS NULL THEN 'No' ELSE 'Yes' END}}
            AS privacy_info,
        'WEB' AS platform,
        '4123456789' AS stream_id,
        {{'manual_campaign': {manual}, 'google_ads_campaign': {google},
          'cross_channel_campaign': {cross}}} AS session_traffic_source_last_click
    FROM {flat}
    """


def write_ga4(
    con: duckdb.DuckDBPyConnection,
    sessions: Sessions,
    events: Events,
    plans: tuple[CampaignPlan, ...],
    pairs: tuple[tuple[str, str], ...],
    folder: Path,
    fmt: str,
) -> dict[str, int]:
    """Write `events.parquet` (nested) and `events_flat.<fmt>`; rows of each."""
    folder.mkdir(parents=True, exist_ok=True)
    for other in ("csv", "parquet"):
        stale = folder / f"events_flat.{other}"
        if other != fmt and stale.exists():
            stale.unlink()
    con.register("ga4_events", event_frame(sessions, events))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ga4_flat AS {flat_sql(plans, pairs)}")
        ordered = "ga4_flat"
        columns = ", ".join(FLAT_COLUMNS)
        options = "HEADER" if fmt == "csv" else "FORMAT PARQUET, COMPRESSION ZSTD"
        flat_path = folder / f"events_flat.{fmt}"
        con.execute(f"COPY (SELECT {columns} FROM {ordered}) TO '{_path(flat_path)}' ({options})")
        nested_path = folder / "events.parquet"
        con.execute(
            f"COPY ({nested_sql(ordered)}) TO '{_path(nested_path)}'"
            " (FORMAT PARQUET, COMPRESSION ZSTD)"
        )
        rows = con.execute("SELECT count(*) FROM ga4_flat").fetchall()[0]
    finally:
        con.unregister("ga4_events")
        con.execute("DROP TABLE IF EXISTS ga4_flat")
    count = int(rows[0]) if rows else 0
    return {f"{GA4}/events": count, f"{GA4}/events_flat": count}


def touchpoint_id_maps(
    touchpoints: TableData, sessions: Sessions
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(contract touchpoint id, GA4 touchpoint id) and (contract visitor id, user_pseudo_id)."""
    touch_ids, visitor_ids = touchpoints["touchpoint_id"], touchpoints["visitor_id"]
    if not isinstance(touch_ids, Ids) or not isinstance(visitor_ids, Ids):
        raise TypeError("touchpoints: touchpoint_id and visitor_id must be ids")
    numbers = id_numbers(touch_ids)
    visitor = [f"{r}.{t}" for r, t in zip(sessions.pseudo_random, sessions.first_seen, strict=True)]
    touch_rows = [
        (_id_text(touch_ids, number), f"ga4:{v}:{sid}")
        for number, v, sid in zip(numbers, visitor, sessions.session_id, strict=True)
    ]
    visitors = dict(zip((_id_text(visitor_ids, v) for v in sessions.visitor), visitor, strict=True))
    return touch_rows, sorted(visitors.items())


def build_ga4(
    touchpoints: TableData,
    contact_ids: np.ndarray,
    plans: tuple[CampaignPlan, ...],
    seed: int,
) -> tuple[Sessions, Events, tuple[tuple[str, str], ...]]:
    rng = ga4_rng(seed)
    pairs = session_pairs()
    sessions = plan_sessions(touchpoints, contact_ids, plans, pairs, rng)
    return sessions, build_events(sessions, rng), pairs


def _id_text(ids: Ids, number: int) -> str:
    return f"{ids.prefix}{str(int(number)).rjust(ids.width, '0')}{ids.suffix}"


def _path(path: Path) -> str:
    return str(path).replace("'", "''")
