"""Traffic sources: which raw channel string and campaign a touch (or a cost line) carries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange
from mkpi.devtools.sampling.channels import (
    CAMPAIGN_CHANNELS,
    CAMPAIGNS,
    CANONICAL_CHANNELS,
    GENERIC_RAW,
    raw_channel_strings,
)

RAW_LABELS: tuple[str, ...] = raw_channel_strings()
RAW_CODE: dict[str, int] = {raw: code for code, raw in enumerate(RAW_LABELS)}
CHANNEL_CODE: dict[str, int] = {name: code for code, name in enumerate(CANONICAL_CHANNELS)}
EMAIL_CAMPAIGN_SHARE = 0.8  # email touches that carry a campaign id
NO_START = -1_000_000
NO_END = 1_000_000


@dataclass(frozen=True)
class CampaignWindows:
    """Per campaign: first and last active day as offsets from the range start (inclusive)."""

    first_day: np.ndarray
    last_day: np.ndarray

    @classmethod
    def for_range(cls, span: DateRange) -> CampaignWindows:
        first = [
            NO_START if c.start_frac is None else round(c.start_frac * span.n_days)
            for c in CAMPAIGNS
        ]
        last = [
            NO_END if c.end_frac is None else round(c.end_frac * span.n_days) for c in CAMPAIGNS
        ]
        return cls(np.array(first, dtype=np.int64), np.array(last, dtype=np.int64))

    def active(self, campaign: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (self.first_day[campaign] <= day) & (day <= self.last_day[campaign])


def channel_probabilities(weights: dict[str, float]) -> np.ndarray:
    """A probability vector over CANONICAL_CHANNELS from a (partial) weight dict."""
    vector = np.array([weights.get(name, 0.0) for name in CANONICAL_CHANNELS], dtype=float)
    return vector / vector.sum()


def pick_campaigns(
    channel: str, day: np.ndarray, windows: CampaignWindows, rng: np.random.Generator
) -> np.ndarray:
    """A campaign index active on `day` for each touch of `channel` (weighted by campaign weight).

    The first campaign of every campaign channel is always on, so rejection sampling ends.
    """
    candidates = np.array([k for k, c in enumerate(CAMPAIGNS) if c.channel == channel])
    weights = np.array([CAMPAIGNS[k].weight for k in candidates])
    chosen = np.full(len(day), candidates[0], dtype=np.int64)
    pending = np.arange(len(day))
    for _ in range(40):
        if len(pending) == 0:
            break
        draw = rng.choice(candidates, size=len(pending), p=weights / weights.sum())
        ok = windows.active(draw, day[pending])
        chosen[pending[ok]] = draw[ok]
        pending = pending[~ok]
    return chosen


def _choose_raw(variants: tuple[tuple[str, float], ...], n: int, rng: np.random.Generator):
    codes = np.array([RAW_CODE[raw] for raw, _ in variants])
    weights = np.array([weight for _, weight in variants], dtype=float)
    return rng.choice(codes, size=n, p=weights / weights.sum())


def assign_sources(
    channel: np.ndarray, day: np.ndarray, windows: CampaignWindows, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(raw channel code, campaign index or -1) for touches of canonical `channel` on `day`."""
    n = len(channel)
    raw = np.zeros(n, dtype=np.int64)
    campaign = np.full(n, -1, dtype=np.int64)
    uniform = rng.random(n)
    for name, code in CHANNEL_CODE.items():
        mask = channel == code
        if name in CAMPAIGN_CHANNELS:
            share = EMAIL_CAMPAIGN_SHARE if name == "email" else 1.0
            with_campaign = mask & (uniform < share)
            campaign[with_campaign] = pick_campaigns(name, day[with_campaign], windows, rng)
            mask &= ~with_campaign
        raw[mask] = _choose_raw(GENERIC_RAW[name], int(mask.sum()), rng)
    for k, spec in enumerate(CAMPAIGNS):
        mask = campaign == k
        variants = tuple((raw_string, 1.0) for raw_string in spec.touch_raw)
        raw[mask] = _choose_raw(variants, int(mask.sum()), rng)
    return raw, campaign
