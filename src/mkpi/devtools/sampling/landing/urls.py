"""A HubSpot contact's original source: `hs_analytics_source` and the first URL's UTM parameters.

Each lead's canonical channel and campaign must come back from the contact by the connector rules:
the first URL's `<utm_source> / <utm_medium>` when it is a pair of seeds/channel_mapping.csv, else
the HubSpot source enumeration; the campaign from utm_id / utm_campaign (campaign mapping, platform
or campaign id, campaign name in any case). Leads use both ways; some URLs carry a pair that maps
nowhere (the enumeration then decides), some no UTM at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from mkpi.devtools.sampling.landing.campaigns import (
    FACEBOOK_ADS,
    FILES,
    GOOGLE_ADS,
    LINKEDIN_ADS,
    CampaignPlan,
)
from mkpi.devtools.sampling.web import LANDING_PAGES

# (utm_source, utm_medium) pairs per campaign; each is a row of seeds/channel_mapping.csv with the
# campaign's channel.
CAMPAIGN_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "Google Ads - Brand": (("google", "cpc"), ("google", "ppc")),
    "Google Ads - Generic Nordics": (("google", "cpc"), ("google", "ppc")),
    "Google Ads - US Expansion": (("google", "cpc"),),
    "Bing Ads - Brand": (("bing", "cpc"), ("microsoft", "cpc")),
    "Meta - Prospecting": (
        ("facebook", "paid_social"),
        ("facebook", "cpc"),
        ("meta", "paid_social"),
    ),
    "Meta - Retargeting": (("facebook", "paid_social"), ("instagram", "paid_social")),
    "LinkedIn Ads - ABM UK": (("linkedin", "paid"), ("linkedin", "cpc")),
    "LinkedIn Ads - Webinar Series": (("linkedin", "paid"),),
    "Instagram - Shop Promo Norway": (("instagram", "paid_social"), ("instagram", "cpc")),
    "GDN - Retargeting": (("gdn", "display"), ("google", "display")),
    "Programmatic - US Awareness": (("dv360", "display"),),
    "GDN - Awareness Denmark": (("gdn", "display"),),
    "CJ - Partners": (("affiliate", "cj"),),
    "Awin - Nordics": (("awin", "affiliate"),),
    "Creators Programme": (("partnerize", "affiliate"), ("impact", "affiliate")),
    "Newsletter": (("newsletter", "email"), ("mailchimp", "email")),
    "Nurture Sequence": (("hubspot", "email"),),
}
# pairs for leads without a campaign
CHANNEL_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "organic_search": (("google", "organic"), ("bing", "organic"), ("duckduckgo", "organic")),
    "paid_search": (("google", "cpc"),),
    "paid_social": (("facebook", "paid_social"),),
    "organic_social": (("linkedin", "social"), ("twitter", "social"), ("facebook", "social")),
    "email": (("newsletter", "email"), ("mailchimp", "email"), ("hubspot", "email")),
    "referral": (("partner", "referral"), ("g2.com", "referral"), ("capterra", "referral")),
    "display": (("gdn", "display"),),
    "affiliate": (("affiliate", "cj"),),
}
# share of campaign-less leads whose first URL carries a mapped pair
CHANNEL_PAIR_SHARE = {"organic_search": 0.1, "organic_social": 0.3, "email": 0.4, "referral": 0.25}
UNMAPPED_PAIR_SHARE = 0.08
# pairs no rule classifies: the enumeration decides
UNMAPPABLE_PAIRS: tuple[tuple[str, str], ...] = (("foo", "bar"), ("abc", "xyz"))
# HubSpot's hs_analytics_source per canonical channel (first = usual, second = rarer); display and
# affiliate have none
HUBSPOT_SOURCE: dict[str, tuple[str, ...]] = {
    "organic_search": ("ORGANIC_SEARCH",),
    "paid_search": ("PAID_SEARCH",),
    "paid_social": ("PAID_SOCIAL",),
    "organic_social": ("SOCIAL_MEDIA",),
    "email": ("EMAIL_MARKETING",),
    "referral": ("REFERRALS", "AI_REFERRALS"),
    "direct": ("DIRECT_TRAFFIC",),
    "other": ("OTHER_CAMPAIGNS", "OFFLINE"),
}
# utm values of campaign-less leads, empty by the rules; newsletters also carry issue names that
# match no campaign (reported as unmatched, the lead keeps no campaign)
EMPTY_UTM_VALUES = ("(not set)", "(none)")
UNMATCHED_UTM_VALUES = ("weekly-digest", "product-update-2025")
CLICK_ID = {GOOGLE_ADS: "gclid", FACEBOOK_ADS: "fbclid", LINKEDIN_ADS: "li_fat_id"}
FRAGMENTS = ("pricing-table", "demo-form", "top")
HOSTS = ("https://www.example.com", "https://example.com", "http://www.example.com")
UNIFORMS = 28  # random numbers one contact's source uses (the last 8 order the parameters)

PAIR, ENUM_ONLY, BAD_PAIR = range(3)
T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    hs_analytics_source: str | None
    first_url: str | None
    source_data_1: str | None


def _pick(options: Sequence[T], u: float) -> T:
    return options[min(int(u * len(options)), len(options) - 1)]


def _case(value: str, u: float) -> str:
    if u < 0.6:
        return value
    return value.lower() if u < 0.9 else value.upper()


def _token(u: float, length: int) -> str:
    return format(int(u * 16**length), "x").rjust(length, "0")


def _mode(channel: str, has_campaign: bool, u: float) -> int:
    if channel not in HUBSPOT_SOURCE:
        return PAIR  # display, affiliate: only a UTM pair carries them
    if has_campaign:
        return PAIR if u < 0.7 else (ENUM_ONLY if u < 0.85 else BAD_PAIR)
    share = CHANNEL_PAIR_SHARE.get(channel, 0.0)
    if u < share:
        return PAIR
    return BAD_PAIR if u < share + UNMAPPED_PAIR_SHARE else ENUM_ONLY


def _hubspot_source(channel: str, mode: int, u: float) -> str | None:
    usual = HUBSPOT_SOURCE.get(channel)
    if mode == PAIR:  # the pair decides; HubSpot's own guess may differ or be missing
        if usual is not None and u < 0.8:
            return usual[0]
        return None if u > 0.95 else "OTHER_CAMPAIGNS"
    if usual is None:
        raise ValueError(f"channel {channel} has no HubSpot source: it needs a UTM pair")
    if channel == "other" and u > 0.85:
        return None  # no source at all: '(not set)', which is `other` too
    return usual[1] if len(usual) > 1 and u < 0.15 else usual[0]


def _campaign_params(campaign: CampaignPlan, u: np.ndarray) -> list[tuple[str, str]]:
    name = _case(campaign.name, u[4])
    mapped = _case(campaign.mapping_value, u[4])
    if campaign.platform == FILES:
        if u[3] < 0.6:
            return [("utm_campaign", name)]
        if u[3] < 0.9:
            return [("utm_id", campaign.contract_id)]
        return [("utm_campaign", mapped)]
    platform_id = str(campaign.platform_id)
    if u[3] < 0.6:
        return [("utm_campaign", name)]
    if u[3] < 0.8:
        return [("utm_id", platform_id)]
    if u[3] < 0.9:
        return [("utm_id" if u[5] < 0.3 else "utm_campaign", mapped)]
    return [("utm_id", platform_id), ("utm_campaign", name)]


def plan_source(channel: str, campaign: CampaignPlan | None, u: np.ndarray) -> Source:
    """The contact fields that carry a lead's channel and campaign; `u`: UNIFORMS numbers."""
    mode = _mode(channel, campaign is not None, u[0])
    hs_source = _hubspot_source(channel, mode, u[1])
    params: list[tuple[str, str]] = []
    pair: tuple[str, str] | None = None
    if mode == PAIR:
        pairs = CAMPAIGN_PAIRS[campaign.name] if campaign else CHANNEL_PAIRS[channel]
        pair = _pick(pairs, u[2])
    elif mode == BAD_PAIR:
        pair = _pick(UNMAPPABLE_PAIRS, u[2])
    if pair is not None:
        source, medium = pair
        if u[6] < 0.1:
            source, medium = source.title(), medium.upper()
        params += [("utm_source", source), ("utm_medium", medium)]
    if campaign is not None:
        params += _campaign_params(campaign, u)
        if u[7] < 0.3:
            params.append(("utm_content", _pick(("ad variant b", "hero-banner", "carousel"), u[8])))
        if u[9] < 0.6 and campaign.platform in CLICK_ID:
            params.append((CLICK_ID[campaign.platform], _token(u[10], 12)))
    elif channel == "email" and u[3] < 0.3:
        params.append(("utm_campaign", _pick(UNMATCHED_UTM_VALUES, u[4])))
    elif params or u[3] < 0.2:
        value = _pick((None, *EMPTY_UTM_VALUES), u[4])
        if value is not None:
            params.append(("utm_id" if value == "(none)" else "utm_campaign", value))
    if channel == "email" and u[11] < 0.5:
        params.append(("_hsenc", "p2ANqtz-" + _token(u[12], 12)))
    if not params and u[13] < 0.15:
        return Source(hs_source, None, None)  # HubSpot recorded no first page
    params = [params[j] for j in np.argsort(u[20 : 20 + len(params)])]
    if mode == PAIR and u[15] < 0.04:  # a repeated parameter: the first one counts
        params.append(("utm_medium", "retargeting"))
    space = "+" if u[16] < 0.6 else "%20"
    query = "&".join(f"{key}={value.replace(' ', space)}" for key, value in params)
    url = _pick(HOSTS, u[17]) + _pick(LANDING_PAGES, u[18])
    if query:
        url += "?" + query
    if u[19] < 0.1:
        url += "#" + _pick(FRAGMENTS, u[14])
    data_1 = pair[0].lower() if pair is not None and mode == PAIR else None
    return Source(hs_source, url, data_1)
