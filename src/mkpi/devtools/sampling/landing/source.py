"""The generated contract tables, unpacked into the arrays the landing builders read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.channels import CAMPAIGNS, GENERIC_RAW
from mkpi.devtools.sampling.frame import Ids, Labels, TableData


def raw_channel_of() -> dict[str, str]:
    """Raw channel string -> canonical channel, as the generator assigns them."""
    channel: dict[str, str] = {}
    pairs = [(raw, name) for name, variants in GENERIC_RAW.items() for raw, _ in variants]
    for campaign in CAMPAIGNS:
        pairs += [(raw, campaign.channel) for raw in (campaign.raw_channel, *campaign.touch_raw)]
    for raw, name in pairs:
        if channel.setdefault(raw, name) != name:
            raise ValueError(f"raw channel {raw!r} means both {channel[raw]} and {name}")
    return channel


def id_numbers(column: object) -> np.ndarray:
    """The numbers of an id column (cmp_0003 -> 3; NULL -> -1)."""
    if not isinstance(column, Ids):
        raise TypeError(f"expected an id column, got {type(column).__name__}")
    return np.asarray(column.values, dtype=np.int64)


def _labels(column: object) -> list[str | None]:
    if not isinstance(column, Labels):
        raise TypeError(f"expected a label column, got {type(column).__name__}")
    return [None if code < 0 else column.labels[code] for code in column.codes]


def _cents(amounts: object) -> np.ndarray:
    return np.rint(np.asarray(amounts, dtype=float) * 100).astype(np.int64)


@dataclass(frozen=True)
class LeadRows:
    created_at: np.ndarray  # datetime64[s]
    email: list[str | None]
    channel: list[str]  # canonical channel of original_channel
    campaign: np.ndarray  # campaign index or -1
    mql_at: np.ndarray
    sql_at: np.ndarray
    customer_at: np.ndarray

    def __len__(self) -> int:
        return len(self.created_at)


@dataclass(frozen=True)
class DealRows:
    lead: np.ndarray  # lead index
    created_at: np.ndarray
    closed_at: np.ndarray
    stage: list[str]
    amount_cents: np.ndarray
    currency: list[str]

    def __len__(self) -> int:
        return len(self.lead)


@dataclass(frozen=True)
class MediaRows:
    """Media cost lines of one campaign, by day."""

    cost_date: np.ndarray  # datetime64[D]
    amount_cents: np.ndarray
    impressions: np.ndarray  # float, NaN = NULL
    clicks: np.ndarray

    def __len__(self) -> int:
        return len(self.cost_date)


def lead_rows(leads: TableData) -> LeadRows:
    channel_of = raw_channel_of()
    email = id_numbers(leads["email"])
    return LeadRows(
        created_at=np.asarray(leads["created_at"], dtype="datetime64[s]"),
        email=[f"lead{n}@example.com" if n >= 0 else None for n in email],
        channel=[channel_of[raw] for raw in _labels(leads["original_channel"])],
        campaign=np.where(
            id_numbers(leads["original_campaign_id"]) > 0,
            id_numbers(leads["original_campaign_id"]) - 1,
            -1,
        ),
        mql_at=np.asarray(leads["mql_at"], dtype="datetime64[s]"),
        sql_at=np.asarray(leads["sql_at"], dtype="datetime64[s]"),
        customer_at=np.asarray(leads["customer_at"], dtype="datetime64[s]"),
    )


def deal_rows(deals: TableData) -> DealRows:
    return DealRows(
        lead=id_numbers(deals["lead_id"]) - 1,
        created_at=np.asarray(deals["created_at"], dtype="datetime64[s]"),
        closed_at=np.asarray(deals["closed_at"], dtype="datetime64[s]"),
        stage=[str(s) for s in _labels(deals["stage"])],
        amount_cents=_cents(deals["amount"]),
        currency=[str(c) for c in _labels(deals["currency"])],
    )


def media_mask(costs: TableData, campaigns: set[int]) -> np.ndarray:
    """Cost lines that are media of one of `campaigns` (indexes)."""
    media = np.array(_labels(costs["cost_category"])) == "media"
    return media & np.isin(id_numbers(costs["campaign_id"]) - 1, list(campaigns))


def media_rows(costs: TableData, campaign: int) -> MediaRows:
    mask = media_mask(costs, {campaign})
    return MediaRows(
        cost_date=np.asarray(costs["cost_date"], dtype="datetime64[D]")[mask],
        amount_cents=_cents(costs["amount"])[mask],
        impressions=np.asarray(costs["impressions"], dtype=float)[mask],
        clicks=np.asarray(costs["clicks"], dtype=float)[mask],
    )


def media_currency(costs: TableData, campaign: int) -> set[str]:
    mask = media_mask(costs, {campaign})
    return {str(code) for code in np.array(_labels(costs["currency"]), dtype=object)[mask]}
