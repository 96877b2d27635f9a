"""An independent classifier of raw channel strings into the ten canonical channels.

Written from the rules below (modelled on Google Analytics 4's "default channel group"), never from
the SQL models, so that a test comparing the two checks the SQL against these rules. It reads the
two seeds of the repository: `seeds/channel_mapping.csv` (raw_channel -> channel overrides) and
`seeds/channel_source_categories.csv` (the site lists). Plain Python (`re`, `csv`) only.

Canonical channels: organic_search, paid_search, paid_social, organic_social, email, referral,
direct, display, affiliate, other (seed `channels.csv`).

`classify(raw)` returns `(channel, is_classified)`. The first step that finds an answer wins:

0. **Trim.** `v` = `raw` without leading and trailing spaces (U+0020 only, as SQL `trim`). `None`
   is treated like an empty string. "Lower-cased" below means `lower(v)`.

1. **Seed overrides** (`channel_mapping`; the seed's `raw_channel` is trimmed too):
   a. `v` equals a seed `raw_channel` exactly -> that row's channel;
   b. `lower(v)` equals `lower(raw_channel)` -> that row's channel; when several seed spellings
      fold to the same key, the one that sorts first by code point wins.
   A seed row mapping to `other` is a classification (`is_classified` true): `(not set)`,
   `OFFLINE`, ... are known values, not surprises.

2. **Canonical names.** `lower(v)` is one of the ten canonical names -> itself (so `Other` is
   classified `other`).

3. **Rules**, on `w = lower(v)`.

   3a. **Pairs.** `w` is a `<source> / <medium>` pair when
       - `' ' + w + ' '` contains `' / '` (space, slash, space): split at its first occurrence
         (so `google /` and `/ email`, trimmed from `google / ` and ` / email`, are pairs too); or
       - `w` contains no space and contains `/` with at least one character on each side of the
         first `/` (`google/cpc`): split at that first `/`.
       Each side is trimmed of spaces; an empty side becomes `(not set)`. A pair is classified by
       the pair rules only, never by the label rules of 3b (`cpc / google` stays unclassified,
       like GA4's "Unassigned").

       **Source categories.** The source `s` is reduced first: a leading `www.`, `m.`, `l.` or
       `lm.` label is removed once when what remains still contains a dot (`l.facebook.com` ->
       `facebook.com`; `m.me` stays `m.me`). A reduced source starting with `mail.` or `webmail.`
       (webmail: `mail.google.com`, `mail.yahoo.com`) belongs to no category. Otherwise `s` is in
       category C when it matches an entry `e` of `channel_source_categories` with category C:
       - an entry containing a dot (`t.co`, `lnkd.in`, `youtu.be`, `shopping.google.com`) matches
         only `s == e`;
       - a bare name `n` (`google`, `facebook`) matches `s == n`, or `s == n + '.' + SUFFIX`, or
         `s` ends with `'.' + n + '.' + SUFFIX`, where SUFFIX is one label of two or more letters
         (`com`, `de`, `tv`), optionally preceded by one label of two or three letters and a dot
         (`co.uk`, `com.br`, `ne.jp`). So `google.de`, `google.co.uk`, `news.google.com` match
         `google`; `facebook.example.com`, `googleadservices.com` and
         `googleads.g.doubleclick.net` do not.
       A source can be in several categories (`shopping.google.com`: shopping and search); each
       rule below asks whether its category is among them.

       **Paid medium**: `medium` matches `^(.*cp.*|ppc|retargeting|paid.*)$` (GA4's regex).

       The pair rules, in GA4's order; the first that holds gives the channel:
        1. Direct: source `(direct)` and medium one of `(none)`, `(not set)`, `none` -> direct.
           (GA4's Cross-network needs the campaign name: skipped.)
        2. Paid social spellings: medium one of `paid_social`, `paid-social`, `paidsocial`,
           `social_paid`, `social-paid`, `paid social`, `social paid` -> paid_social, whatever the
           source (not in GA4: common UTM conventions, `google / paid_social` included).
        3. Paid Shopping: shopping source and paid medium -> paid_search.
        4. Paid Search: search source and paid medium -> paid_search.
        5. Paid Social: social source and paid medium -> paid_social.
        6. Paid Video: video source and paid medium -> display.
        7. Display: medium one of `display`, `banner`, `expandable`, `interstitial`, `cpm`
           -> display. (After the paid rules, as in GA4: `google / cpm` is paid_search,
           `facebook / cpm` paid_social, `dv360 / cpm` display.)
        8. Paid Other: paid medium -> paid_search.
        9. Organic Shopping: shopping source -> referral (a marketplace or price-comparison
           listing links to the site like any other site; it is not a search engine).
       10. Organic Social: social source, or medium one of `social`, `social-network`,
           `social-media`, `sm`, `social network`, `social media` -> organic_social.
       11. Organic Video: video source, or medium containing `video` -> organic_social.
       12. Organic Search: search source, or medium `organic` -> organic_search.
       13. Referral: medium one of `referral`, `app`, `link` -> referral.
       14. Email: source or medium one of `email`, `e-mail`, `e_mail`, `e mail`, `newsletter`
           -> email.
       15. Affiliates: medium `affiliate` or `affiliates` -> affiliate.
       16. Audio: medium `audio` -> other.
       17. SMS: source or medium `sms` -> other.
       18. Mobile push: medium ending in `push`, or containing `mobile` or `notification`, or
           source `firebase` -> other.
       Rules 16-18 are classifications (`is_classified` true) into `other`. Nothing else holds:
       unclassified.

   3b. **Labels** (any `w` that is not a pair). The label is normalised: every run of characters
       other than `a-z` and `0-9` becomes one space, then it is trimmed (`E-Mail` -> `e mail`,
       `Google Ads - Display` -> `google ads display`). A `word` keyword matches when it occurs
       in the normalised label as whole words (`' ' + label + ' '` contains
       `' ' + keyword + ' '`); an `exact` keyword only when it is the whole normalised label. The
       first row of `LABEL_RULES` that matches gives the channel. The groups, in order: display
       wording (GA4 puts a Google Ads display or video campaign in Display / Paid Video, not Paid
       Search: `Google Ads - Display` is display, `YouTube Ads` display); paid social platforms
       (`Facebook Ads CPC` is paid_social); paid search wording and the generic `sem`, `ppc`,
       `cpc`; affiliate; email; organic search; organic social (platform names: `LinkedIn`,
       `YouTube`); referral; direct. `direct` matches only as the whole label, so that `Direct
       Mail` (post) is not direct traffic; so does `organic` (`Organic Social Media` is social).

4. **Nothing found** -> `('other', False)`: unclassified, reported as unmapped.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
SEEDS_DIR = PROJECT_DIR / "seeds"

CANONICAL = (
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
CATEGORIES = ("search", "social", "video", "shopping")

NOT_SET = "(not set)"
PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
DIRECT_MEDIA = {"(none)", "(not set)", "none"}
PAID_SOCIAL_MEDIA = {
    "paid_social",
    "paid-social",
    "paidsocial",
    "social_paid",
    "social-paid",
    "paid social",
    "social paid",
}
DISPLAY_MEDIA = {"display", "banner", "expandable", "interstitial", "cpm"}
SOCIAL_MEDIA = {"social", "social-network", "social-media", "sm", "social network", "social media"}
REFERRAL_MEDIA = {"referral", "app", "link"}
EMAIL_WORDS = {"email", "e-mail", "e_mail", "e mail", "newsletter"}
AFFILIATE_MEDIA = {"affiliate", "affiliates"}

SOURCE_PREFIX = re.compile(r"^(?:www|m|l|lm)\.(.+\..+)$")
WEBMAIL = re.compile(r"^(?:mail|webmail)\.")
SUFFIX = r"(?:[a-z]{2,3}\.)?[a-z]{2,}"

# (keyword, match, channel), first match wins; match is "word" or "exact" (see 3b above). The
# keywords are the seed `channel_label_keywords` (rule_order, keyword, match_type word |
# whole_label, channel): the rule list is data the SQL reads too; the matching here is this
# module's own.
LABEL_RULES: tuple[tuple[str, str, str], ...] = tuple(
    (row["keyword"], "exact" if row["match_type"] == "whole_label" else "word", row["channel"])
    for row in sorted(
        csv.DictReader(
            (SEEDS_DIR / "channel_label_keywords.csv").open(newline="", encoding="utf-8")
        ),
        key=lambda row: int(row["rule_order"]),
    )
)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class Classifier:
    """The rules of the module docstring over one pair of seeds (default: the repository's)."""

    def __init__(
        self,
        mapping_csv: Path = SEEDS_DIR / "channel_mapping.csv",
        categories_csv: Path = SEEDS_DIR / "channel_source_categories.csv",
    ) -> None:
        self.exact: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        rows = [
            (r["raw_channel"].strip(" "), r["channel"].strip(" ").lower())
            for r in _read(mapping_csv)
        ]
        for raw, channel in sorted(rows):
            if channel not in CANONICAL:
                raise ValueError(f"channel_mapping: {raw!r} maps to unknown channel {channel!r}")
            self.exact.setdefault(raw, channel)
            self.folded.setdefault(raw.lower(), channel)
        self.domains: dict[str, set[str]] = {}  # entries with a dot: exact match only
        self.names: list[tuple[re.Pattern[str], str]] = []  # bare names
        for row in _read(categories_csv):
            entry, category = row["source"].strip(" ").lower(), row["category"].strip(" ")
            if category not in CATEGORIES:
                raise ValueError(f"channel_source_categories: {entry!r} has category {category!r}")
            if "." in entry:
                self.domains.setdefault(entry, set()).add(category)
            else:
                name = re.escape(entry)
                pattern = re.compile(rf"(?:{name}|{name}\.{SUFFIX}|.*\.{name}\.{SUFFIX})")
                self.names.append((pattern, category))

    def categories(self, source: str) -> set[str]:
        """The site categories of a (lower-cased, trimmed) pair source."""
        reduced = SOURCE_PREFIX.sub(r"\1", source)
        if WEBMAIL.match(reduced):
            return set()
        found = set(self.domains.get(reduced, ()))
        found.update(category for pattern, category in self.names if pattern.fullmatch(reduced))
        return found

    def classify(self, raw: str | None) -> tuple[str, bool]:
        value = (raw or "").strip(" ")
        if value in self.exact:
            return self.exact[value], True
        lowered = value.lower()
        if lowered in self.folded:
            return self.folded[lowered], True
        if lowered in CANONICAL:
            return lowered, True
        pair = split_pair(lowered)
        channel = self.pair_channel(*pair) if pair else label_channel(lowered)
        return (channel, True) if channel else ("other", False)

    def pair_channel(self, source: str, medium: str) -> str | None:
        """Rule 3a for one lower-cased (source, medium); None when no rule holds."""
        cats = self.categories(source)
        paid = PAID_MEDIUM.match(medium) is not None
        if source == "(direct)" and medium in DIRECT_MEDIA:
            return "direct"
        if medium in PAID_SOCIAL_MEDIA:
            return "paid_social"
        if paid and cats & {"shopping", "search"}:
            return "paid_search"
        if paid and "social" in cats:
            return "paid_social"
        if paid and "video" in cats:
            return "display"
        if medium in DISPLAY_MEDIA:
            return "display"
        if paid:
            return "paid_search"
        if "shopping" in cats:
            return "referral"
        if "social" in cats or medium in SOCIAL_MEDIA:
            return "organic_social"
        if "video" in cats or "video" in medium:
            return "organic_social"
        if "search" in cats or medium == "organic":
            return "organic_search"
        if medium in REFERRAL_MEDIA:
            return "referral"
        if source in EMAIL_WORDS or medium in EMAIL_WORDS:
            return "email"
        if medium in AFFILIATE_MEDIA:
            return "affiliate"
        if medium == "audio" or "sms" in (source, medium):
            return "other"
        if (
            medium.endswith("push")
            or "mobile" in medium
            or "notification" in medium
            or source == "firebase"
        ):
            return "other"
        return None


def split_pair(lowered: str) -> tuple[str, str] | None:
    """(source, medium) of a pair (rule 3a), or None when the value is a plain label."""
    padded = f" {lowered} "
    if " / " in padded:
        source, medium = padded.split(" / ", 1)
    elif " " not in lowered and "/" in lowered:
        source, medium = lowered.split("/", 1)
        if not source or not medium:
            return None
    else:
        return None
    return source.strip(" ") or NOT_SET, medium.strip(" ") or NOT_SET


def normalise_label(lowered: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", lowered).strip(" ")


def label_channel(lowered: str) -> str | None:
    """Rule 3b for a lower-cased label; None when no keyword matches."""
    label = normalise_label(lowered)
    padded = f" {label} "
    for keyword, match, channel in LABEL_RULES:
        if match == "exact" and label == keyword:
            return channel
        if match == "word" and f" {keyword} " in padded:
            return channel
    return None


@cache
def default_classifier() -> Classifier:
    return Classifier()


def classify(raw: str | None) -> tuple[str, bool]:
    """(canonical channel, is_classified) of one raw channel string, by the repository's seeds."""
    return default_classifier().classify(raw)
