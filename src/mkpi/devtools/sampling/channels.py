"""Canonical channels, the raw strings exports use for them, and the campaigns the company runs."""

from __future__ import annotations

from dataclasses import dataclass

CANONICAL_CHANNELS: tuple[str, ...] = (
    "organic_search",
    "paid_search",
    "paid_social",
    "organic_social",
    "email",
    "referral",
    "direct",
    "display",
    "affiliate",
    "other",
)
PAID_CHANNELS: tuple[str, ...] = ("paid_search", "paid_social", "display", "affiliate")
CAMPAIGN_CHANNELS: tuple[str, ...] = (*PAID_CHANNELS, "email")

# A rare raw string deliberately absent from seeds/channel_mapping.csv (staging maps it to `other`
# and reports it as unmapped).
UNMAPPED_RAW_CHANNEL = "Word of mouth"
UNMAPPED_TOUCHPOINTS = 6

# Raw strings used for touches without a campaign, with relative weights.
GENERIC_RAW: dict[str, tuple[tuple[str, float], ...]] = {
    "organic_search": (
        ("google / organic", 6.0),
        ("Organic Search", 3.0),
        ("bing / organic", 0.7),
        ("duckduckgo / organic", 0.3),
    ),
    "paid_search": (("google / cpc", 1.0),),
    "paid_social": (("facebook / paid_social", 1.0),),
    "organic_social": (
        ("LinkedIn", 4.0),
        ("twitter / social", 2.0),
        ("facebook / social", 1.5),
        ("Organic Social", 1.0),
    ),
    "email": (("newsletter / email", 3.0), ("Email", 1.0), ("hubspot / email", 1.0)),
    "referral": (("partner / referral", 3.0), ("Referral", 2.0), ("g2.com / referral", 1.0)),
    "direct": (("(direct) / (none)", 5.0), ("Direct", 2.0)),
    "display": (("gdn / display", 1.0),),
    "affiliate": (("affiliate / cj", 1.0),),
    "other": (("(other)", 2.0), ("(not set)", 3.0)),
}


@dataclass(frozen=True)
class Campaign:
    """A campaign; window fractions are positions in the generated range (None = open end)."""

    name: str
    channel: str
    raw_channel: str
    touch_raw: tuple[str, ...]
    currency: str
    weight: float
    start_frac: float | None
    end_frac: float | None


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign(
        "Google Ads - Brand",
        "paid_search",
        "Google Ads",
        ("google / cpc", "Google Ads"),
        "EUR",
        3.0,
        -0.2,
        None,
    ),
    Campaign(
        "Google Ads - Generic Nordics",
        "paid_search",
        "Google Ads",
        ("google / cpc", "adwords"),
        "SEK",
        2.0,
        -0.1,
        None,
    ),
    Campaign(
        "Google Ads - US Expansion",
        "paid_search",
        "google / cpc",
        ("google / cpc",),
        "USD",
        1.5,
        0.25,
        None,
    ),
    Campaign(
        "Bing Ads - Brand", "paid_search", "bing / cpc", ("bing / cpc",), "EUR", 0.6, 0.0, 0.7
    ),
    Campaign(
        "Meta - Prospecting",
        "paid_social",
        "facebook / paid_social",
        ("facebook / paid_social", "facebook / cpc"),
        "EUR",
        2.5,
        -0.3,
        None,
    ),
    Campaign(
        "Meta - Retargeting",
        "paid_social",
        "Paid Social",
        ("facebook / paid_social", "instagram / paid_social"),
        "EUR",
        1.2,
        0.1,
        None,
    ),
    Campaign(
        "LinkedIn Ads - ABM UK",
        "paid_social",
        "LinkedIn Ads",
        ("LinkedIn Ads", "linkedin / paid"),
        "GBP",
        1.5,
        -0.1,
        None,
    ),
    Campaign(
        "LinkedIn Ads - Webinar Series",
        "paid_social",
        "LinkedIn Ads",
        ("linkedin / paid",),
        "USD",
        0.8,
        0.4,
        0.6,
    ),
    Campaign(
        "Instagram - Shop Promo Norway",
        "paid_social",
        "instagram / paid_social",
        ("instagram / paid_social",),
        "NOK",
        0.7,
        0.45,
        0.55,
    ),
    Campaign(
        "GDN - Retargeting",
        "display",
        "Display",
        ("gdn / display", "Display"),
        "EUR",
        1.5,
        -0.2,
        None,
    ),
    Campaign(
        "Programmatic - US Awareness",
        "display",
        "dv360 / display",
        ("dv360 / display",),
        "USD",
        1.0,
        0.2,
        0.8,
    ),
    Campaign(
        "GDN - Awareness Denmark",
        "display",
        "gdn / display",
        ("gdn / display",),
        "DKK",
        0.8,
        0.5,
        None,
    ),
    Campaign(
        "CJ - Partners", "affiliate", "affiliate / cj", ("affiliate / cj",), "USD", 2.0, -0.3, None
    ),
    Campaign(
        "Awin - Nordics",
        "affiliate",
        "Affiliates",
        ("awin / affiliate", "Affiliates"),
        "NOK",
        1.2,
        0.15,
        None,
    ),
    Campaign(
        "Creators Programme",
        "affiliate",
        "Affiliates",
        ("partnerize / affiliate",),
        "EUR",
        0.8,
        0.6,
        None,
    ),
    Campaign(
        "Newsletter",
        "email",
        "newsletter / email",
        ("newsletter / email", "mailchimp / email"),
        "EUR",
        2.0,
        None,
        None,
    ),
    Campaign(
        "Nurture Sequence",
        "email",
        "hubspot / email",
        ("hubspot / email", "Email"),
        "EUR",
        1.5,
        0.05,
        None,
    ),
)


def raw_channel_strings() -> tuple[str, ...]:
    """Every raw channel string the generator can emit, in a stable order (no duplicates)."""
    strings: list[str] = []
    for variants in GENERIC_RAW.values():
        strings.extend(raw for raw, _ in variants)
    for campaign in CAMPAIGNS:
        strings.append(campaign.raw_channel)
        strings.extend(campaign.touch_raw)
    strings.append(UNMAPPED_RAW_CHANNEL)
    return tuple(dict.fromkeys(strings))
