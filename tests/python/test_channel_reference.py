"""The channel classifier reference (reference/channels.py) and its corpus of real raw values.

fixtures/channel_values.csv holds raw channel strings as GA4, UTM tags, HubSpot, ad exports and
CRMs spell them, each with the canonical channel worked out by hand from the rules in the
docstring of reference/channels.py (GA4's default channel group mapped to the canonical
channels). `kind` is ga4_pair | utm | hubspot | label | edge; `note` explains subtle rows. For a
row expecting `other`, the note says `unclassified` when the value is to be flagged as not
classified (reported as unmapped); otherwise `other` is a classification (a seed row, or GA4's
Audio / SMS / Mobile push).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from reference.channels import (
    CANONICAL,
    CATEGORIES,
    LABEL_RULES,
    SEEDS_DIR,
    Classifier,
    classify,
    label_channel,
    normalise_label,
    split_pair,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "channel_values.csv"
KINDS = {"ga4_pair", "utm", "hubspot", "label", "edge"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


CORPUS = read_csv(FIXTURE)


def write_seeds(
    tmp_path: Path, mapping: list[tuple[str, str]], categories: list[tuple[str, str]] | None = None
) -> Classifier:
    mapping_csv = tmp_path / "channel_mapping.csv"
    categories_csv = tmp_path / "channel_source_categories.csv"
    for path, header, rows in (
        (mapping_csv, ("raw_channel", "channel"), mapping),
        (categories_csv, ("source", "category"), categories or []),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return Classifier(mapping_csv, categories_csv)


# ---- the corpus ------------------------------------------------------------------------------


def test_corpus_shape() -> None:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["raw_channel", "expected_channel", "kind", "note"]
    raws = [row["raw_channel"] for row in CORPUS]
    assert len(set(raws)) == len(raws), "duplicate raw values"
    assert len(set(raws)) >= 220
    assert {row["expected_channel"] for row in CORPUS} == set(CANONICAL)
    assert {row["kind"] for row in CORPUS} == KINDS
    # both flavours of `other`, and values that only differ in case or surrounding spaces
    others = [row for row in CORPUS if row["expected_channel"] == "other"]
    assert any("unclassified" in row["note"] for row in others)
    assert any("unclassified" not in row["note"] for row in others)
    assert "" in raws and "   " in raws and "  Google Ads  " in raws


def test_canonical_channels_are_the_seed() -> None:
    assert [row["channel"] for row in read_csv(SEEDS_DIR / "channels.csv")] == list(CANONICAL)


def test_classify_agrees_with_every_corpus_row() -> None:
    wrong = []
    for row in CORPUS:
        channel, is_classified = classify(row["raw_channel"])
        expected_flag = row["expected_channel"] != "other" or "unclassified" not in row["note"]
        if (channel, is_classified) != (row["expected_channel"], expected_flag):
            wrong.append(
                f"{row['raw_channel']!r}: expected {row['expected_channel']} ({expected_flag}),"
                f" got {channel} ({is_classified})"
            )
    assert not wrong, "\n".join(wrong)


def test_corpus_exercises_rules_not_only_the_seed() -> None:
    seed = {
        row["raw_channel"].strip().lower() for row in read_csv(SEEDS_DIR / "channel_mapping.csv")
    }
    by_rules = [row for row in CORPUS if row["raw_channel"].strip().lower() not in seed]
    assert len(by_rules) >= 220
    for channel in CANONICAL:
        assert any(row["expected_channel"] == channel for row in by_rules), channel


# ---- the site lists --------------------------------------------------------------------------


def test_source_categories_seed() -> None:
    path = SEEDS_DIR / "channel_source_categories.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["source", "category"]
    rows = [(row["source"], row["category"]) for row in read_csv(path)]
    assert len(rows) >= 100
    assert rows == sorted(rows), "sorted by source, then category"
    assert len(set(rows)) == len(rows)
    assert {category for _, category in rows} == set(CATEGORIES)
    for source, _ in rows:
        assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*", source), source
        assert not re.match(r"(www|m|l|lm)\.[^.]+\.", source), f"{source}: stripped prefix"
    names = {source for source, _ in rows}
    assert {"google", "bing", "facebook", "instagram", "linkedin", "t.co", "lnkd.in"} <= names
    assert {"youtube", "youtu.be", "amazon", "ebay"} <= names
    assert not names & {"chatgpt", "chatgpt.com", "perplexity", "openai", "claude"}


@pytest.mark.parametrize(
    ("source", "categories"),
    [
        ("google", {"search"}),
        ("google.de", {"search"}),
        ("google.com", {"search"}),
        ("google.co.uk", {"search"}),
        ("google.com.br", {"search"}),
        ("www.google.com", {"search"}),
        ("news.google.com", {"search"}),
        ("uk.search.yahoo.com", {"search"}),
        ("yandex.com.tr", {"search"}),
        ("ya.ru", {"search"}),
        ("www.ya.ru", {"search"}),  # www. stripped, then the explicit entry
        ("facebook.com", {"social"}),
        ("l.facebook.com", {"social"}),
        ("lm.facebook.com", {"social"}),
        ("m.facebook.com", {"social"}),
        ("fb", {"social"}),
        ("t.co", {"social"}),
        ("lnkd.in", {"social"}),
        ("x.com", {"social"}),
        ("m.me", {"social"}),  # not stripped: no dot would remain
        ("m.ok.ru", {"social"}),  # stripped to the explicit entry ok.ru
        ("l.wl.co", {"social"}),
        ("youtube.com", {"video"}),
        ("m.youtube.com", {"video"}),
        ("youtu.be", {"video"}),
        ("amazon.de", {"shopping"}),
        ("shopping.google.com", {"shopping", "search"}),
        # no match
        ("mail.google.com", set()),  # webmail
        ("webmail.yandex.ru", set()),
        ("googleadservices.com", set()),  # another registrable name
        ("googleads.g.doubleclick.net", set()),
        ("facebook.example.com", set()),  # example is no suffix label (7 letters)
        ("google.blogspot.com", set()),
        ("com.google.android.gm", set()),
        ("box.com", set()),  # does not end with .x.com
        ("netflix.com", set()),
        ("t.co.uk", set()),  # explicit entries match exactly
        ("www.t.co.evil", set()),
        ("chatgpt.com", set()),
        ("perplexity", set()),
        ("(direct)", set()),
        ("(not set)", set()),
    ],
)
def test_domain_matching(source: str, categories: set[str]) -> None:
    assert Classifier().categories(source) == categories


def test_explicit_entries_match_exactly(tmp_path: Path) -> None:
    classifier = write_seeds(tmp_path, [], [("lnkd.in", "social"), ("google", "search")])
    assert classifier.categories("lnkd.in") == {"social"}
    assert classifier.categories("www.lnkd.in") == {"social"}
    assert classifier.categories("lnkd.in.com") == set()
    assert classifier.categories("x.lnkd.in") == set()
    assert classifier.categories("google.lnkd.in") == set()  # lnkd.in is no suffix of google...
    assert classifier.categories("google.in") == {"search"}  # ...but in is
    assert classifier.categories("googlex.com") == set()
    assert classifier.categories("xgoogle.com") == set()


# ---- pairs and labels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lowered", "pair"),
    [
        ("google / cpc", ("google", "cpc")),
        ("google  /  cpc", ("google", "cpc")),
        ("google / cpc / brand", ("google", "cpc / brand")),
        ("google /", ("google", "(not set)")),
        ("/ email", ("(not set)", "email")),
        ("/", ("(not set)", "(not set)")),
        ("google/cpc", ("google", "cpc")),
        ("a/b/c", ("a", "b/c")),
        ("google/", None),
        ("/cpc", None),
        ("google /cpc", None),
        ("events/trade shows", None),
        ("google ads", None),
        ("", None),
    ],
)
def test_split_pair(lowered: str, pair: tuple[str, str] | None) -> None:
    assert split_pair(lowered) == pair


@pytest.mark.parametrize(
    ("source", "medium", "channel"),
    [
        # paid medium: the source decides the paid channel
        ("google", "cpc", "paid_search"),
        ("google", "ppc", "paid_search"),
        ("google", "paid", "paid_search"),
        ("google", "retargeting", "paid_search"),
        ("google", "cpm", "paid_search"),  # paid rules precede Display
        ("amazon", "cpc", "paid_search"),  # Paid Shopping
        ("facebook", "cpc", "paid_social"),
        ("linkedin.com", "paid", "paid_social"),
        ("youtube", "cpv", "display"),  # Paid Video
        ("newsletter", "cpc", "paid_search"),  # Paid Other
        ("dv360", "cpm", "display"),  # Display precedes Paid Other
        ("dv360", "paid", "paid_search"),
        ("anything", "paid_social", "paid_social"),
        ("google", "social-paid", "paid_social"),
        # the same sources, organic
        ("google", "organic", "organic_search"),
        ("google", "referral", "organic_search"),
        ("amazon", "organic", "referral"),  # Organic Shopping
        ("facebook", "organic", "organic_social"),
        ("youtube", "referral", "organic_social"),
        ("newsletter", "social", "organic_social"),
        ("newsletter", "video", "organic_social"),
        ("blog", "organic", "organic_search"),
        ("blog", "referral", "referral"),
        ("blog", "link", "referral"),
        ("newsletter", "anything", "email"),
        ("e mail", "anything", "email"),
        ("anything", "e_mail", "email"),
        ("awin", "affiliate", "affiliate"),
        ("awin", "affiliates", "affiliate"),
        ("(direct)", "(none)", "direct"),
        ("(direct)", "(not set)", "direct"),
        ("(direct)", "none", "direct"),
        ("(direct)", "referral", "referral"),
        ("direct", "(none)", None),
        ("spotify", "audio", "other"),
        ("sms", "(not set)", "other"),
        ("braze", "push", "other"),
        ("app", "mobile_inbox", "other"),
        ("firebase", "anything", "other"),
        ("cpc", "google", None),
        ("(not set)", "(not set)", None),
    ],
)
def test_pair_rules(source: str, medium: str, channel: str | None) -> None:
    assert Classifier().pair_channel(source, medium) == channel


def test_label_rules_are_well_formed() -> None:
    keywords = [keyword for keyword, _, _ in LABEL_RULES]
    assert len(set(keywords)) == len(keywords)
    for keyword, match, channel in LABEL_RULES:
        assert match in ("word", "exact")
        assert channel in CANONICAL and channel != "other"
        assert normalise_label(keyword) == keyword, "keywords are written normalised"


@pytest.mark.parametrize(
    ("lowered", "channel"),
    [
        ("google ads - display", "display"),  # display wording first
        ("facebook ads cpc", "paid_social"),  # platform before generic cpc
        ("linkedin cpc", "paid_search"),  # ...but a bare platform name comes after cpc
        ("affiliate email", "affiliate"),
        ("partner newsletter", "email"),
        ("seo partner", "organic_search"),
        ("organic", "organic_search"),
        ("organic social media", "organic_social"),
        ("organic google", None),  # organic is exact only
        ("direct", "direct"),
        ("(direct)", "direct"),
        ("direct mail", None),  # direct is exact only
        ("sem", "paid_search"),
        ("seminar", None),  # whole words only
        ("seo-agentur", "organic_search"),
        ("e-mail-marketing", "email"),
        ("socials", None),
        ("", None),
    ],
)
def test_label_rules(lowered: str, channel: str | None) -> None:
    assert label_channel(lowered) == channel


# ---- precedence ------------------------------------------------------------------------------


def test_seed_exact_beats_case_insensitive(tmp_path: Path) -> None:
    classifier = write_seeds(
        tmp_path, [("Email", "email"), ("EMAIL", "other"), (" Web ", "direct")]
    )
    assert classifier.classify("Email") == ("email", True)
    assert classifier.classify("EMAIL") == ("other", True)
    assert classifier.classify("  Email ") == ("email", True)  # trimmed first
    # case-insensitive: of the spellings that fold alike, the first by code point (EMAIL)
    assert classifier.classify("eMail") == ("other", True)
    assert classifier.classify("web") == ("direct", True)  # the seed's raw value is trimmed too


def test_seed_beats_canonical_beats_rules(tmp_path: Path) -> None:
    classifier = write_seeds(
        tmp_path,
        [("email", "other"), ("google / cpc", "display")],
        [("google", "search")],
    )
    assert classifier.classify("Email") == ("other", True)  # seed, not the canonical name
    assert classifier.classify("GOOGLE / CPC") == ("display", True)  # seed, not the rules
    assert classifier.classify("google  /  cpc") == ("paid_search", True)  # rules
    assert classifier.classify("Other") == ("other", True)  # canonical, not unclassified
    assert classifier.classify("Paid_Social") == ("paid_social", True)
    assert classifier.classify("referral") == ("referral", True)


def test_unclassified_is_other_and_flagged() -> None:
    for raw in (None, "", "   ", "Word of mouth", "cpc / google", "(not set) / (not set)"):
        assert classify(raw) == ("other", False), raw
    for raw in ("(not set)", "OFFLINE", "spotify / audio", "twilio / sms", "braze / push"):
        assert classify(raw) == ("other", True), raw
