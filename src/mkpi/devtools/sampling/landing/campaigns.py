"""Which ad platform runs which campaign, and the platform ids campaigns and accounts get there."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.channels import CAMPAIGNS

FILES = "files"
GOOGLE_ADS, FACEBOOK_ADS, LINKEDIN_ADS = "google_ads", "facebook_ads", "linkedin_ads"
PLATFORMS: tuple[str, ...] = (GOOGLE_ADS, FACEBOOK_ADS, LINKEDIN_ADS)

# campaign name -> (platform, Google Ads advertising_channel_type); campaigns not listed stay in
# the files input (Bing Ads, programmatic, affiliate networks, e-mail).
PLACEMENT: dict[str, tuple[str, str | None]] = {
    "Google Ads - Brand": (GOOGLE_ADS, "SEARCH"),
    "Google Ads - Generic Nordics": (GOOGLE_ADS, "SEARCH"),
    "Google Ads - US Expansion": (GOOGLE_ADS, "PERFORMANCE_MAX"),
    "GDN - Retargeting": (GOOGLE_ADS, "DISPLAY"),
    "GDN - Awareness Denmark": (GOOGLE_ADS, "DISPLAY"),
    "Meta - Prospecting": (FACEBOOK_ADS, None),
    "Meta - Retargeting": (FACEBOOK_ADS, None),
    "Instagram - Shop Promo Norway": (FACEBOOK_ADS, None),
    "LinkedIn Ads - ABM UK": (LINKEDIN_ADS, None),
    "LinkedIn Ads - Webinar Series": (LINKEDIN_ADS, None),
}
# digits of a platform's campaign ids and account ids
CAMPAIGN_ID_DIGITS = {GOOGLE_ADS: 10, FACEBOOK_ADS: 13, LINKEDIN_ADS: 9}
ACCOUNT_ID_DIGITS = {GOOGLE_ADS: 10, FACEBOOK_ADS: 15, LINKEDIN_ADS: 9}


@dataclass(frozen=True)
class Account:
    platform: str
    account_id: int
    currency: str


@dataclass(frozen=True)
class CampaignPlan:
    """One contract campaign in the landing: where it lives and its ids there."""

    index: int  # position in CAMPAIGNS (contract id cmp_<index + 1>)
    name: str
    platform: str  # an ad platform or FILES
    platform_id: int | None
    account: Account | None
    channel_type: str | None
    mapping_value: str  # its utm value in files/campaign_mapping

    @property
    def contract_id(self) -> str:
        return f"cmp_{self.index + 1:04d}"

    @property
    def ad_account(self) -> Account:
        """The platform account the campaign runs in (platform campaigns only)."""
        if self.account is None:
            raise ValueError(f"{self.name} runs on no ad platform")
        return self.account

    @property
    def campaign_id(self) -> str:
        """The id the dbt build gives the campaign (section 3 of the connector spec)."""
        if self.platform == FILES:
            return self.contract_id
        return f"{self.platform}:{self.platform_id}"


class IdPool:
    """Distinct random numeric ids of a given number of digits."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[int] = set()

    def draw(self, digits: int) -> int:
        while True:
            value = int(self._rng.integers(10 ** (digits - 1), 10**digits))
            if value not in self._used:
                self._used.add(value)
                return value


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def plan_campaigns(ids: IdPool) -> tuple[CampaignPlan, ...]:
    unknown = set(PLACEMENT) - {c.name for c in CAMPAIGNS}
    if unknown:
        raise ValueError(f"placed campaigns not generated: {sorted(unknown)}")
    accounts: dict[tuple[str, str], Account] = {}
    plans = []
    for index, campaign in enumerate(CAMPAIGNS):
        platform, channel_type = PLACEMENT.get(campaign.name, (FILES, None))
        mapping_value = f"{_slug(campaign.name)}_{2024 + index % 3}"
        if platform == FILES:
            plans.append(CampaignPlan(index, campaign.name, FILES, None, None, None, mapping_value))
            continue
        key = (platform, campaign.currency)
        if key not in accounts:
            accounts[key] = Account(
                platform, ids.draw(ACCOUNT_ID_DIGITS[platform]), campaign.currency
            )
        plans.append(
            CampaignPlan(
                index,
                campaign.name,
                platform,
                ids.draw(CAMPAIGN_ID_DIGITS[platform]),
                accounts[key],
                channel_type,
                mapping_value,
            )
        )
    return tuple(plans)


def accounts_of(plans: tuple[CampaignPlan, ...], platform: str) -> list[Account]:
    """The platform's accounts in order of first use."""
    seen: dict[int, Account] = {}
    for plan in plans:
        if plan.platform == platform and plan.account is not None:
            seen.setdefault(plan.account.account_id, plan.account)
    return list(seen.values())
