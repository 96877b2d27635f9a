"""Google Ads, Meta Ads and LinkedIn Ads as Fivetran lands them.

Each contract media cost line of a platform campaign becomes the platform's stats rows for that
campaign and day: split over devices and networks (Google) or over the campaign's ads (Meta), with
integer splits that sum back exactly; a NULL count stays NULL in every row of the day. Campaigns
and accounts land as history tables with older versions; only the latest carries the contract's
name, dates and currency.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange, days_as_seconds
from mkpi.devtools.sampling.landing.campaigns import (
    FACEBOOK_ADS,
    GOOGLE_ADS,
    LINKEDIN_ADS,
    Account,
    CampaignPlan,
    IdPool,
    accounts_of,
)
from mkpi.devtools.sampling.landing.source import MediaRows
from mkpi.devtools.sampling.landing.tables import (
    MINUS_FIVE,
    PLUS_ONE,
    SPACE,
    UTC_OFFSET,
    ZULU,
    ZULU_MILLIS,
    LandedTable,
    cents_text,
    format_dates,
    format_timestamps,
    int_text,
    pick_styles,
)

NO_END = "2037-12-30"  # Google Ads' end_date of a campaign that never ends
DEVICES = ("DESKTOP", "MOBILE", "TABLET")
NETWORKS = {"SEARCH": ("SEARCH", "SEARCH_PARTNERS"), "DISPLAY": ("CONTENT",)}
TIME_ZONES = {"EUR": "Europe/Berlin", "SEK": "Europe/Stockholm", "NOK": "Europe/Oslo"}
USD_PER_UNIT_E4 = {
    "USD": 10_000,
    "EUR": 10_900,
    "GBP": 12_700,
    "SEK": 950,
    "NOK": 930,
    "DKK": 1_460,
}
DAY_STYLES = {SPACE: 0.5, ZULU_MILLIS: 0.3, UTC_OFFSET: 0.2}  # midnight: no shifted offsets
TIME_STYLES = {
    SPACE: 0.3,
    ZULU_MILLIS: 0.25,
    UTC_OFFSET: 0.15,
    ZULU: 0.1,
    PLUS_ONE: 0.1,
    MINUS_FIVE: 0.1,
}

MediaOf = Callable[[CampaignPlan], MediaRows]
Row = dict[str, object]


def split(total: int | None, weights: np.ndarray) -> list[int | None]:
    """Integer parts of `total` in proportion to integer `weights`, summing exactly to it."""
    if total is None:
        return [None] * len(weights)
    weights = np.asarray(weights, dtype=np.int64)
    parts = [int(total) * int(w) // int(weights.sum()) for w in weights]
    parts[0] += int(total) - sum(parts)
    return parts


def _count(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def _weights(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = rng.integers(0, 100, n)
    weights[0] += 1
    return weights


def _table(name: str, rows: list[Row], columns: list[tuple[str, str]]) -> LandedTable:
    table = LandedTable(name)
    for column, kind in columns:
        table.add(column, kind, [_text(row.get(column)) for row in rows])
    return table


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Platforms:
    def __init__(
        self,
        plans: tuple[CampaignPlan, ...],
        media: MediaOf,
        campaigns: dict[str, np.ndarray],
        span: DateRange,
        ids: IdPool,
        rng: np.random.Generator,
    ) -> None:
        self.plans, self.media, self.span, self.ids, self.rng = plans, media, span, ids, rng
        self.started_on = campaigns["started_on"]
        self.ended_on = campaigns["ended_on"]
        self.export = span.end_s + np.timedelta64(2 * 3600, "s")
        self._synced_step = 0

    def of(self, platform: str) -> list[CampaignPlan]:
        return [plan for plan in self.plans if plan.platform == platform]

    def synced(self) -> str:
        """A distinct _fivetran_synced per call (later calls sync later)."""
        self._synced_step += 1
        instant = self.export + np.timedelta64(7 * self._synced_step, "s")
        return f"{instant}.000Z"  # ZULU_MILLIS

    def stamp(self, instant: np.datetime64, styles: dict[int, float] = TIME_STYLES) -> str:
        style = pick_styles(self.rng, 1, styles)
        return str(format_timestamps(np.array([instant], dtype="datetime64[s]"), style)[0])

    def day_at(self, day: np.datetime64, hours: float) -> str | None:
        """A time on `day` (UTC), spelled so that its date is `day` in UTC and as written: the
        spellings shift the clock by +1 or -5 hours, so `hours` stays within 5..23."""
        if not 5 <= hours < 22.9:
            raise ValueError(f"{hours} h could move the written date off the day")
        if np.isnat(day):
            return None
        instant = day.astype("datetime64[s]") + np.timedelta64(int(hours * 3600), "s")
        return self.stamp(instant)

    def edits(self, versions: int) -> list[np.datetime64]:
        """Edit times of a campaign's versions, oldest first; the last one is recent."""
        latest = self.span.end_s - days_as_seconds(self.rng.uniform(1, 60))
        gaps = days_as_seconds(self.rng.uniform(10, 90, versions - 1))
        times = [latest]
        for gap in gaps:
            times.insert(0, times[0] - gap)
        return times

    def dates(self, plan: CampaignPlan) -> tuple[np.datetime64, np.datetime64]:
        return self.started_on[plan.index], self.ended_on[plan.index]

    # -- Google Ads -----------------------------------------------------------------------------

    def google(self) -> tuple[LandedTable, ...]:
        rng = self.rng
        history: list[Row] = []
        stats: list[Row] = []
        for position, plan in enumerate(self.of(GOOGLE_ADS)):
            start, end = self.dates(plan)
            versions = int(rng.integers(1, 4)) if position else 3
            edits = self.edits(versions)
            if position == 0:  # a tie on updated_at: the later sync is the current row
                edits[-2] = edits[-1]
            for v, edited in enumerate(edits):
                latest = v == versions - 1
                channel_type = plan.channel_type
                if not latest and channel_type == "PERFORMANCE_MAX":
                    channel_type = "SEARCH"  # upgraded to Performance Max later
                history.append(
                    {
                        "id": plan.platform_id,
                        "updated_at": self.stamp(edited),
                        "customer_id": plan.ad_account.account_id,
                        "name": plan.name if latest else f"{plan.name} (v{v + 1})",
                        "status": "ENABLED" if latest and np.isnat(end) else "PAUSED",
                        "advertising_channel_type": channel_type,
                        "start_date": format_dates(np.array([start]))[0],
                        "end_date": (
                            NO_END if np.isnat(end) or not latest else format_dates([end])[0]
                        ),
                        "_fivetran_synced": self.synced(),
                    }
                )
            stats += self._google_stats(plan)
        columns = [
            ("id", "bigint"),
            ("updated_at", "timestamp"),
            ("customer_id", "bigint"),
            ("name", "text"),
            ("status", "text"),
            ("advertising_channel_type", "text"),
            ("start_date", "date"),
            ("end_date", "date"),
            ("_fivetran_synced", "timestamp"),
        ]
        accounts = self._accounts(
            GOOGLE_ADS,
            lambda account, edited, latest: {
                "id": account.account_id,
                "updated_at": self.stamp(edited),
                "currency_code": account.currency if latest else "USD",
                "descriptive_name": f"Example {account.currency}" + ("" if latest else " (setup)"),
                "time_zone": TIME_ZONES.get(account.currency, "Europe/Copenhagen"),
                "_fivetran_synced": self.synced(),
            },
        )
        stats.sort(key=lambda row: (row["date"], row["id"], row["ad_network_type"], row["device"]))
        return (
            _table(
                "campaign_stats",
                stats,
                [
                    ("_fivetran_id", "text"),
                    ("customer_id", "bigint"),
                    ("date", "date"),
                    ("id", "bigint"),
                    ("ad_network_type", "text"),
                    ("device", "text"),
                    ("impressions", "bigint"),
                    ("clicks", "bigint"),
                    ("cost_micros", "bigint"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table("campaign_history", history, columns),
            _table(
                "account_history",
                accounts,
                [
                    ("id", "bigint"),
                    ("updated_at", "timestamp"),
                    ("currency_code", "text"),
                    ("descriptive_name", "text"),
                    ("time_zone", "text"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
        )

    def _google_stats(self, plan: CampaignPlan) -> list[Row]:
        rng = self.rng
        media = self.media(plan)
        networks = NETWORKS.get(str(plan.channel_type), ("MIXED",))
        rows: list[Row] = []
        for day, cents, impressions, clicks in zip(
            format_dates(media.cost_date),
            media.amount_cents,
            media.impressions,
            media.clicks,
            strict=True,
        ):
            used_networks = networks[: 1 + int(rng.random() < 0.4) * (len(networks) - 1)]
            devices = [d for d in DEVICES if rng.random() < 0.7] or [DEVICES[1]]
            segments = [(n, d) for n in used_networks for d in devices]
            weights = _weights(rng, len(segments))
            micros = split(int(cents) * 10_000, weights)
            shown = split(_count(impressions), weights)
            clicked = split(_count(clicks), weights)
            for k, (network, device) in enumerate(segments):
                rows.append(
                    {
                        "_fivetran_id": format(int(rng.integers(0, 2**62)), "x"),
                        "customer_id": plan.ad_account.account_id,
                        "date": day,
                        "id": plan.platform_id,
                        "ad_network_type": network,
                        "device": device,
                        "impressions": shown[k],
                        "clicks": clicked[k],
                        "cost_micros": micros[k],
                        "_fivetran_synced": self.synced(),
                    }
                )
        return rows

    def _accounts(
        self, platform: str, row: Callable[[Account, np.datetime64, bool], Row]
    ) -> list[Row]:
        """Account history: one or two versions per account, the latest row last."""
        rows = []
        for position, account in enumerate(accounts_of(self.plans, platform)):
            versions = 2 if position == 0 or self.rng.random() < 0.5 else 1
            for v, edited in enumerate(self.edits(versions)):
                rows.append(row(account, edited, v == versions - 1))
        return rows

    # -- Meta Ads -------------------------------------------------------------------------------

    def facebook(self) -> tuple[LandedTable, ...]:
        rng = self.rng
        plans = self.of(FACEBOOK_ADS)
        campaign_rows: list[Row] = []
        ad_rows: list[Row] = []
        stats: list[Row] = []
        for position, plan in enumerate(plans):
            start, end = self.dates(plan)
            versions = 2 if position == 0 else int(rng.integers(1, 3))
            for v, edited in enumerate(self.edits(versions)):
                latest = v == versions - 1
                campaign_rows.append(
                    {
                        "id": plan.platform_id,
                        "account_id": plan.ad_account.account_id,
                        "name": plan.name if latest else f"{plan.name} - draft",
                        "updated_time": self.stamp(edited),
                        "start_time": self.day_at(start, rng.uniform(6, 17)),
                        "stop_time": (
                            self.day_at(end, rng.uniform(17, 22))
                            if latest
                            else self.day_at(start + 30, 20)
                        ),
                        "status": "ACTIVE" if latest else "PAUSED",
                        "objective": "OUTCOME_LEADS",
                        "_fivetran_synced": self.synced(),
                    }
                )
            ads = [self.ids.draw(13) for _ in range(int(rng.integers(2, 4)))]
            for number, ad in enumerate(ads):
                edits = self.edits(2 if number == 0 else 1)
                if number == 0 and len(plans) > 1:  # first built in another campaign, moved here
                    elsewhere = plans[(position + 1) % len(plans)].platform_id
                    ad_rows.append(self._ad_row(ad, elsewhere, plan, edits[0], number))
                elif len(edits) > 1:
                    ad_rows.append(self._ad_row(ad, plan.platform_id, plan, edits[0], number))
                ad_rows.append(self._ad_row(ad, plan.platform_id, plan, edits[-1], number))
            stats += self._facebook_stats(plan, ads)
        accounts = self._accounts(
            FACEBOOK_ADS,
            lambda account, edited, latest: {
                "id": account.account_id,
                "name": f"Example Ads {account.currency}" + ("" if latest else " (old)"),
                "currency": account.currency.lower()
                if account.currency == "NOK"
                else (account.currency if latest else "USD"),
                "account_status": 1,
                "timezone_name": TIME_ZONES.get(account.currency, "Europe/Copenhagen"),
                "_fivetran_synced": self.stamp(edited, {SPACE: 1.0}),
            },
        )
        stats.sort(key=lambda row: (row["date"], row["ad_id"]))
        return (
            _table(
                "basic_ad",
                stats,
                [
                    ("ad_id", "bigint"),
                    ("ad_name", "text"),
                    ("adset_name", "text"),
                    ("account_id", "bigint"),
                    ("date", "date"),
                    ("impressions", "bigint"),
                    ("inline_link_clicks", "bigint"),
                    ("spend", "money"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table(
                "ad_history",
                ad_rows,
                [
                    ("id", "bigint"),
                    ("account_id", "bigint"),
                    ("campaign_id", "bigint"),
                    ("ad_set_id", "bigint"),
                    ("name", "text"),
                    ("updated_time", "timestamp"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table(
                "campaign_history",
                campaign_rows,
                [
                    ("id", "bigint"),
                    ("account_id", "bigint"),
                    ("name", "text"),
                    ("updated_time", "timestamp"),
                    ("start_time", "timestamp"),
                    ("stop_time", "timestamp"),
                    ("status", "text"),
                    ("objective", "text"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table(
                "account_history",
                accounts,
                [
                    ("id", "bigint"),
                    ("name", "text"),
                    ("currency", "text"),
                    ("account_status", "bigint"),
                    ("timezone_name", "text"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
        )

    def _ad_row(
        self, ad: int, campaign: int | None, plan: CampaignPlan, edited: np.datetime64, n: int
    ) -> Row:
        return {
            "id": ad,
            "account_id": plan.ad_account.account_id,
            "campaign_id": campaign,
            "ad_set_id": int(plan.platform_id or 0) + 1 + n,
            "name": f"{plan.name} - ad {n + 1}",
            "updated_time": self.stamp(edited),
            "_fivetran_synced": self.synced(),
        }

    def _facebook_stats(self, plan: CampaignPlan, ads: list[int]) -> list[Row]:
        rng = self.rng
        media = self.media(plan)
        # ad 1 runs from the first day, the others start later
        starts = [0, *sorted(int(s) for s in rng.integers(0, max(1, len(media)), len(ads) - 1))]
        rows: list[Row] = []
        for k, (day, cents, impressions, clicks) in enumerate(
            zip(
                format_dates(media.cost_date),
                media.amount_cents,
                media.impressions,
                media.clicks,
                strict=True,
            )
        ):
            running = [number for number, first in enumerate(starts) if first <= k]
            weights = _weights(rng, len(running))
            spend = split(int(cents), weights)
            shown = split(_count(impressions), weights)
            clicked = split(_count(clicks), weights)
            for i, number in enumerate(running):
                rows.append(
                    {
                        "ad_id": ads[number],
                        "ad_name": f"{plan.name} - ad {number + 1}",
                        "adset_name": f"{plan.name} - ad set",
                        "account_id": plan.ad_account.account_id,
                        "date": day,
                        "impressions": shown[i],
                        "inline_link_clicks": clicked[i],
                        "spend": cents_text(int(spend[i] or 0), trim=rng.random() < 0.5),
                        "_fivetran_synced": self.synced(),
                    }
                )
        return rows

    # -- LinkedIn Ads ---------------------------------------------------------------------------

    def linkedin(self) -> tuple[LandedTable, ...]:
        rng = self.rng
        campaign_rows: list[Row] = []
        stats: list[Row] = []
        for plan in self.of(LINKEDIN_ADS):
            start, end = self.dates(plan)
            versions = int(rng.integers(1, 4))
            group = self.ids.draw(9)
            for v, edited in enumerate(self.edits(versions)):
                latest = v == versions - 1
                campaign_rows.append(
                    {
                        "id": plan.platform_id,
                        "account_id": plan.ad_account.account_id,
                        "campaign_group_id": group,
                        "name": plan.name if latest else f"{plan.name} [{v + 1}]",
                        "last_modified_time": self.stamp(edited),
                        "run_schedule_start": self.day_at(start, rng.uniform(7, 12)),
                        "run_schedule_end": self.day_at(end, rng.uniform(12, 22))
                        if latest
                        else None,
                        "status": "ACTIVE" if latest else "DRAFT",
                        "type": "SPONSORED_UPDATES",
                        "cost_type": "CPM",
                        "_fivetran_synced": self.synced(),
                    }
                )
            media = self.media(plan)
            days = format_timestamps(
                media.cost_date.astype("datetime64[s]"),
                pick_styles(rng, len(media), DAY_STYLES),
            )
            rate = USD_PER_UNIT_E4[plan.ad_account.currency]
            for day, cents, impressions, clicks in zip(
                days, media.amount_cents, media.impressions, media.clicks, strict=True
            ):
                usd = int(cents) * rate  # in 1e-6 USD
                stats.append(
                    {
                        "campaign_id": plan.platform_id,
                        "day": day,
                        "cost_in_local_currency": cents_text(int(cents)),
                        "cost_in_usd": f"{usd // 10**6}.{usd % 10**6:06d}",
                        "impressions": int_text(impressions),
                        "clicks": int_text(clicks),
                        "_fivetran_synced": self.synced(),
                    }
                )
        accounts = self._accounts(
            LINKEDIN_ADS,
            lambda account, edited, latest: {
                "id": account.account_id,
                "name": f"Example {account.currency}" + ("" if latest else " (trial)"),
                "currency": account.currency,
                "status": "ACTIVE" if latest else "DRAFT",
                "type": "BUSINESS",
                "last_modified_time": self.stamp(edited),
                "_fivetran_synced": self.synced(),
            },
        )
        stats.sort(key=lambda row: (str(row["day"])[:10], row["campaign_id"]))
        return (
            _table(
                "ad_analytics_by_campaign",
                stats,
                [
                    ("campaign_id", "bigint"),
                    ("day", "timestamp"),
                    ("cost_in_local_currency", "money"),
                    ("cost_in_usd", "money6"),
                    ("impressions", "bigint"),
                    ("clicks", "bigint"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table(
                "campaign_history",
                campaign_rows,
                [
                    ("id", "bigint"),
                    ("account_id", "bigint"),
                    ("campaign_group_id", "bigint"),
                    ("name", "text"),
                    ("last_modified_time", "timestamp"),
                    ("run_schedule_start", "timestamp"),
                    ("run_schedule_end", "timestamp"),
                    ("status", "text"),
                    ("type", "text"),
                    ("cost_type", "text"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
            _table(
                "account_history",
                accounts,
                [
                    ("id", "bigint"),
                    ("name", "text"),
                    ("currency", "text"),
                    ("status", "text"),
                    ("type", "text"),
                    ("last_modified_time", "timestamp"),
                    ("_fivetran_synced", "timestamp"),
                ],
            ),
        )


def build_ad_platforms(
    plans: tuple[CampaignPlan, ...],
    media: MediaOf,
    campaigns: dict[str, np.ndarray],
    span: DateRange,
    ids: IdPool,
    rng: np.random.Generator,
) -> dict[str, tuple[LandedTable, ...]]:
    """Landed tables per platform input name."""
    platforms = _Platforms(plans, media, campaigns, span, ids, rng)
    return {
        GOOGLE_ADS: platforms.google(),
        FACEBOOK_ADS: platforms.facebook(),
        LINKEDIN_ADS: platforms.linkedin(),
    }
