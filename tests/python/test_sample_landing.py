"""`mkpi sample --shape connectors`: the sample company as a Fivetran landing.

The contract rows are re-derived here from the landed CSVs with plain Python, by the rules of the
connector spec (HubSpot contacts and deals, the three ad platforms, the files input), and must
equal the contract shape of the same seed with campaign, lead and deal ids mapped.
"""

from __future__ import annotations

import csv
import filecmp
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from mkpi.cli import main
from mkpi.devtools.sample_data import write_sample
from mkpi.devtools.sampling.generator import SampleConfig
from mkpi.devtools.sampling.landing.writer import write_landing
from mkpi.paths import project_root

CONFIG = SampleConfig()  # the bundled sample
Rows = list[dict[str, str]]
EMPTY_UTM = {"", "(not set)", "(none)", "(direct)", "(organic)", "(referral)"}
# connector spec, section 3: HubSpot's source enumeration
HUBSPOT_SOURCES = {
    "ORGANIC_SEARCH": "organic_search",
    "PAID_SEARCH": "paid_search",
    "PAID_SOCIAL": "paid_social",
    "SOCIAL_MEDIA": "organic_social",
    "EMAIL_MARKETING": "email",
    "REFERRALS": "referral",
    "AI_REFERRALS": "referral",
    "DIRECT_TRAFFIC": "direct",
    "OTHER_CAMPAIGNS": "other",
    "OFFLINE": "other",
}
GOOGLE_CHANNELS = {"SEARCH": "paid_search", "PERFORMANCE_MAX": "paid_search", "DISPLAY": "display"}
LIFECYCLE_RANK = {
    "subscriber": 1,
    "lead": 2,
    "marketingqualifiedlead": 3,
    "salesqualifiedlead": 4,
    "opportunity": 5,
    "customer": 6,
    "evangelist": 7,
}


def _rows(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _instant(text: str | None) -> str | None:
    """A landed timestamp as the contract writes it (UTC, seconds)."""
    if text is None or not text.strip():
        return None
    parsed = datetime.fromisoformat(text.strip())
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S")


def _true(text: str | None) -> bool:
    return (text or "").strip().lower() in {"true", "t", "1", "yes"}


def _latest(rows: Rows, key: str, edited: str) -> dict[str, dict[str, str]]:
    """Current row per `key`: latest `edited` instant, ties: latest _fivetran_synced."""
    current: dict[str, dict[str, str]] = {}
    for row in sorted(rows, key=lambda r: (_instant(r[edited]), _instant(r["_fivetran_synced"]))):
        current[row[key]] = row
    return current


def _sum(values: list[str]) -> int | None:
    present = [int(v) for v in values if v != ""]
    return sum(present) if present else None


class Channels:
    """Raw channel -> canonical channel: the seed (exact, then trimmed case-insensitive),
    HubSpot's enumeration, canonical names."""

    def __init__(self) -> None:
        seed = _rows(project_root() / "seeds" / "channel_mapping.csv")
        self.exact = {row["raw_channel"]: row["channel"] for row in seed}
        self.folded = {k.strip().lower(): v for k, v in self.exact.items()}
        self.folded.update({k.lower(): v for k, v in HUBSPOT_SOURCES.items()})
        self.folded.update({v: v for v in self.exact.values()})

    def get(self, raw: str | None) -> str | None:
        if raw is None:
            return None
        return self.exact.get(raw) or self.folded.get(raw.strip().lower())


def _param(url: str, name: str) -> str | None:
    match = re.search(rf"[?&]{name}=([^&#]*)", url)
    return match.group(1).replace("+", " ").replace("%20", " ").strip() if match else None


class Landing:
    """The contract tables re-derived from a landing folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.channels = Channels()
        self.campaigns = self._campaigns()
        self.mapping = {
            row["utm_value"].lower(): row["campaign_id"]
            for row in _rows(root / "files" / "campaign_mapping.csv")
        }

    def read(self, path: str) -> Rows:
        return _rows(self.root / f"{path}.csv")

    # -- campaigns and costs --------------------------------------------------------------------

    def _campaigns(self) -> dict[str, dict[str, str | None]]:
        out: dict[str, dict[str, str | None]] = {}
        for row in _latest(self.read("google_ads/campaign_history"), "id", "updated_at").values():
            end = row["end_date"] or None
            out[f"google_ads:{row['id']}"] = {
                "campaign_name": row["name"],
                "channel": GOOGLE_CHANNELS[row["advertising_channel_type"]],
                "started_on": row["start_date"] or None,
                "ended_on": None if end is None or end >= "2037-12-30" else end,
            }
        for platform, edited, start, stop in (
            ("facebook_ads", "updated_time", "start_time", "stop_time"),
            ("linkedin_ads", "last_modified_time", "run_schedule_start", "run_schedule_end"),
        ):
            history = self.read(f"{platform}/campaign_history")
            for row in _latest(history, "id", edited).values():
                out[f"{platform}:{row['id']}"] = {
                    "campaign_name": row["name"],
                    "channel": "paid_social",
                    "started_on": (_instant(row[start]) or "")[:10] or None,
                    "ended_on": (_instant(row[stop]) or "")[:10] or None,
                }
        for row in self.read("files/campaigns"):
            out[row["campaign_id"]] = {
                "campaign_name": row["campaign_name"],
                "channel": self.channels.get(row["channel"]),
                "started_on": row["started_on"] or None,
                "ended_on": row["ended_on"] or None,
            }
        return out

    def match_campaign(self, utm_id: str | None, utm_campaign: str | None) -> str | None:
        utm_id = None if (utm_id or "").strip() in EMPTY_UTM else utm_id
        utm_campaign = None if (utm_campaign or "").strip() in EMPTY_UTM else utm_campaign
        for value in (utm_id, utm_campaign):
            if value is not None and value.lower() in self.mapping:
                return self.mapping[value.lower()]
        if utm_id is not None:
            hits = [c for c in self.campaigns if utm_id in (c, c.split(":", 1)[-1])]
            if len(hits) == 1:
                return hits[0]
        if utm_campaign is not None:
            hits = [
                c
                for c, row in self.campaigns.items()
                if str(row["campaign_name"]).lower() == utm_campaign.lower()
            ]
            if len(hits) == 1:
                return hits[0]
        return None

    def media(self) -> dict[tuple[str, str], tuple[Decimal, str, int | None, int | None]]:
        """(campaign_id, cost_date) -> (amount, currency, impressions, clicks)."""
        days: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        currency: dict[tuple[str, str], str] = {}
        google_accounts = _latest(self.read("google_ads/account_history"), "id", "updated_at")
        for row in self.read("google_ads/campaign_stats"):
            key = (f"google_ads:{row['id']}", row["date"])
            days[key]["micros"].append(row["cost_micros"])
            days[key]["impressions"].append(row["impressions"])
            days[key]["clicks"].append(row["clicks"])
            currency[key] = google_accounts[row["customer_id"]]["currency_code"].upper()
        ads = _latest(self.read("facebook_ads/ad_history"), "id", "updated_time")
        meta_accounts = _latest(self.read("facebook_ads/account_history"), "id", "_fivetran_synced")
        for row in self.read("facebook_ads/basic_ad"):
            key = (f"facebook_ads:{ads[row['ad_id']]['campaign_id']}", row["date"])
            days[key]["cents"].append(str(int(Decimal(row["spend"]) * 100)))
            days[key]["impressions"].append(row["impressions"])
            days[key]["clicks"].append(row["inline_link_clicks"])
            currency[key] = meta_accounts[row["account_id"]]["currency"].upper()
        linkedin = _latest(self.read("linkedin_ads/campaign_history"), "id", "last_modified_time")
        linkedin_accounts = _latest(
            self.read("linkedin_ads/account_history"), "id", "last_modified_time"
        )
        for row in self.read("linkedin_ads/ad_analytics_by_campaign"):
            key = (f"linkedin_ads:{row['campaign_id']}", str(_instant(row["day"]))[:10])
            days[key]["cents"].append(str(int(Decimal(row["cost_in_local_currency"]) * 100)))
            days[key]["impressions"].append(row["impressions"])
            days[key]["clicks"].append(row["clicks"])
            account = linkedin[row["campaign_id"]]["account_id"]
            currency[key] = linkedin_accounts[account]["currency"].upper()
        out = {}
        for key, values in days.items():
            if "micros" in values:
                amount = Decimal(_sum(values["micros"]) or 0) / 1_000_000
            else:
                amount = Decimal(_sum(values["cents"]) or 0) / 100
            out[key] = (
                amount,
                currency[key],
                _sum(values["impressions"]),
                _sum(values["clicks"]),
            )
        return out

    # -- leads and deals ------------------------------------------------------------------------

    def contacts(self) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
        """Clean contacts by id, and merged-away id -> surviving id."""
        rows = self.read("hubspot/contact")
        live = [row for row in rows if not _true(row["_fivetran_deleted"])]
        survivor = {
            merged.strip(): row["id"]
            for row in live
            for merged in (row["property_hs_merged_object_ids"] or "").split(";")
            if merged.strip()
        }
        return {row["id"]: row for row in live if row["id"] not in survivor}, survivor

    def original_channel(self, contact: dict[str, str]) -> str | None:
        url = contact["property_hs_analytics_first_url"]
        source = _param(url, "utm_source") if url else None
        medium = _param(url, "utm_medium") if url else None
        if source is not None or medium is not None:
            pair = f"{(source or '(not set)').lower()} / {(medium or '(not set)').lower()}"
            if self.channels.get(pair):
                return self.channels.get(pair)
        return self.channels.get(contact["property_hs_analytics_source"] or "(not set)")

    def leads(self) -> dict[str, dict[str, str | None]]:
        clean, _ = self.contacts()
        out = {}
        for contact_id, row in clean.items():
            url = row["property_hs_analytics_first_url"]
            out[contact_id] = {
                "created_at": _instant(row["property_createdate"]),
                "email": row["property_email"].strip() or None,
                "original_channel": self.original_channel(row),
                "original_campaign_id": (
                    self.match_campaign(_param(url, "utm_id"), _param(url, "utm_campaign"))
                    if url
                    else None
                ),
                "mql_at": _instant(row["property_hs_lifecyclestage_marketingqualifiedlead_date"]),
                "sql_at": _instant(row["property_hs_lifecyclestage_salesqualifiedlead_date"]),
                "customer_at": _instant(row["property_hs_lifecyclestage_customer_date"]),
            }
        return out

    def lifecycle_from_history(self) -> dict[str, tuple[str | None, ...]]:
        first: dict[str, dict[int, str]] = defaultdict(dict)
        for row in self.read("hubspot/contact_property_history"):
            rank = LIFECYCLE_RANK.get(row["value"]) if row["name"] == "lifecyclestage" else None
            if rank is None:
                continue
            when = str(_instant(row["timestamp"]))
            for level in (3, 4, 6):
                if rank >= level and when < first[row["contact_id"]].get(level, "9999"):
                    first[row["contact_id"]][level] = when
        return {c: tuple(first[c].get(level) for level in (3, 4, 6)) for c in first}

    def deals(self) -> dict[str, dict[str, str | None]]:
        clean, survivor = self.contacts()
        stages = {row["stage_id"]: row for row in self.read("hubspot/deal_pipeline_stage")}
        merged_away = {row["merged_deal_id"] for row in self.read("hubspot/merged_deal")}
        contacts: dict[str, set[str]] = defaultdict(set)
        for link in self.read("hubspot/deal_contact"):
            contact = survivor.get(link["contact_id"], link["contact_id"])
            if contact in clean:
                contacts[link["deal_id"]].add(contact)
        out = {}
        for row in self.read("hubspot/deal"):
            deleted = row["is_deleted"] if row["is_deleted"] != "" else row["_fivetran_deleted"]
            if _true(deleted) or row["deal_id"] in merged_away:
                continue
            stage = stages[row["deal_pipeline_stage_id"]]
            won = _true(stage["closed_won"])
            closed = (
                _true(stage["is_closed"])
                if stage["is_closed"] != ""
                else won or float(stage["probability"]) == 0
            )
            leads = sorted(
                contacts[row["deal_id"]],
                key=lambda c: (_instant(clean[c]["property_createdate"]), int(c)),
            )
            state = "won" if won else ("lost" if closed else "open")
            out[row["deal_id"]] = {
                "lead_id": leads[0] if leads else None,
                "created_at": _instant(row["property_createdate"]),
                "closed_at": _instant(row["property_closedate"]) if state != "open" else None,
                "stage": state,
                "amount": str(Decimal(row["property_amount"]).quantize(Decimal("0.01"))),
                "currency": (row["property_deal_currency_code"] or "EUR").upper(),
            }
        return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    contract = tmp_path_factory.mktemp("contract")
    landing = tmp_path_factory.mktemp("landing")
    write_sample(CONFIG, contract, "csv")
    write_landing(CONFIG, landing, "csv")
    return contract, landing


@pytest.fixture(scope="module")
def landing(folders: tuple[Path, Path]) -> Landing:
    return Landing(folders[1])


@pytest.fixture(scope="module")
def contract(folders: tuple[Path, Path]) -> dict[str, Rows]:
    names = ("campaigns", "costs", "leads", "deals", "touchpoints", "subscriptions", "orders")
    return {name: _rows(folders[0] / f"{name}.csv") for name in (*names, "keyword_rankings")}


@pytest.fixture(scope="module")
def ids(folders: tuple[Path, Path]) -> dict[str, dict[str, str]]:
    """Contract id -> landing id, per kind; each map is one-to-one."""
    maps = {}
    for kind in ("campaign", "lead", "deal"):
        rows = _rows(folders[1] / f"{kind}_id_map.csv")
        mapped = {row[f"contract_{kind}_id"]: row[f"{kind}_id"] for row in rows}
        assert len(set(mapped.values())) == len(mapped) == len(rows), kind
        maps[kind] = mapped
    maps["campaign"][""] = ""
    maps["lead"][""] = ""
    return maps


def _all_files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    config = SampleConfig(leads=400, months=4, seed=5)
    write_landing(config, tmp_path / "a", fmt)
    write_landing(config, tmp_path / "b", fmt)
    files = _all_files(tmp_path / "a")
    assert files == _all_files(tmp_path / "b")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files, shallow=False)
    assert not mismatch and not errors


def test_layout_and_raw_inputs(folders: tuple[Path, Path]) -> None:
    root = folders[1]
    assert {str(p) for p in _all_files(root)} == {
        *(f"hubspot/{t}.csv" for t in ("contact", "contact_property_history", "deal")),
        *(f"hubspot/{t}.csv" for t in ("deal_contact", "deal_pipeline_stage", "merged_deal")),
        *(f"google_ads/{t}.csv" for t in ("campaign_stats", "campaign_history", "account_history")),
        *(f"facebook_ads/{t}.csv" for t in ("basic_ad", "ad_history", "campaign_history")),
        "facebook_ads/account_history.csv",
        *(f"linkedin_ads/{t}.csv" for t in ("ad_analytics_by_campaign", "campaign_history")),
        "linkedin_ads/account_history.csv",
        *(f"files/{t}.csv" for t in ("campaigns", "costs")),
        *(f"stripe/{t}.csv" for t in ("invoice_line_item", "invoice", "subscription_history")),
        *(f"stripe/{t}.csv" for t in ("price", "customer")),
        *(f"files/{t}.csv" for t in ("money_keywords", "campaign_mapping")),
        *(f"shopify/{t}.csv" for t in ("order", "order_line", "product_variant", "inventory_item")),
        *(f"shopify/{t}.csv" for t in ("customer", "tax_line", "order_note_attribute")),
        "ga4/events.parquet",
        "ga4/events_flat.csv",
        "touchpoint_id_map.csv",
        "visitor_id_map.csv",
        "search_console/keyword_site_report_by_site.csv",
        "campaign_id_map.csv",
        "lead_id_map.csv",
        "deal_id_map.csv",
        "subscription_id_map.csv",
        "order_id_map.csv",
        "raw_inputs.yml",
    }
    raw_inputs = yaml.safe_load((root / "raw_inputs.yml").read_text(encoding="utf-8"))
    connectors = ["google_ads", "facebook_ads", "linkedin_ads", "files"]
    assert raw_inputs == {
        "raw_inputs": {
            "leads": ["hubspot"],
            "deals": ["hubspot"],
            "campaigns": connectors,
            "costs": connectors,
            "touchpoints": ["ga4"],
            "subscriptions": ["stripe"],
            "orders": ["shopify"],
            "keyword_rankings": ["search_console"],
        }
    }
    header = next(csv.reader((root / "hubspot" / "contact.csv").open(encoding="utf-8")))
    assert {
        "id",
        "_fivetran_deleted",
        "property_hs_merged_object_ids",
        "property_createdate",
        "property_email",
        "property_hs_analytics_source",
        "property_hs_analytics_first_url",
        "property_hs_lifecyclestage_marketingqualifiedlead_date",
        "property_hs_lifecyclestage_salesqualifiedlead_date",
        "property_hs_lifecyclestage_customer_date",
    } <= set(header)


def test_campaign_ids(landing: Landing, ids: dict[str, dict[str, str]]) -> None:
    digits = {"google_ads": 10, "facebook_ads": 13, "linkedin_ads": 9}
    platform_of = {
        "google_ads": {"cmp_0001", "cmp_0002", "cmp_0003", "cmp_0010", "cmp_0012"},
        "facebook_ads": {"cmp_0005", "cmp_0006", "cmp_0009"},
        "linkedin_ads": {"cmp_0007", "cmp_0008"},
    }
    for contract_id, campaign_id in ids["campaign"].items():
        if not contract_id:
            continue
        platform = next((p for p, c in platform_of.items() if contract_id in c), None)
        if platform is None:
            assert campaign_id == contract_id
        else:
            prefix, number = campaign_id.split(":")
            assert prefix == platform and re.fullmatch(
                rf"[1-9]\d{{{digits[platform] - 1}}}", number
            )
    assert set(landing.campaigns) == set(ids["campaign"].values()) - {""}


def test_campaigns_are_recovered(
    landing: Landing, contract: dict[str, Rows], ids: dict[str, dict[str, str]]
) -> None:
    for row in contract["campaigns"]:
        assert landing.campaigns[ids["campaign"][row["campaign_id"]]] == {
            "campaign_name": row["campaign_name"],
            "channel": landing.channels.get(row["channel"]),
            "started_on": row["started_on"] or None,
            "ended_on": row["ended_on"] or None,
        }, row["campaign_id"]


def test_costs_are_recovered(
    landing: Landing, contract: dict[str, Rows], ids: dict[str, dict[str, str]]
) -> None:
    media = landing.media()
    expected_media = {}
    rest = Counter()
    for row in contract["costs"]:
        campaign_id = ids["campaign"][row["campaign_id"]]
        if row["cost_category"] == "media" and ":" in campaign_id:
            expected_media[(campaign_id, row["cost_date"])] = (
                Decimal(row["amount"]),
                row["currency"],
                int(row["impressions"]) if row["impressions"] else None,
                int(row["clicks"]) if row["clicks"] else None,
            )
        else:
            rest[tuple({**row, "campaign_id": campaign_id}.values())] += 1
    assert media == expected_media
    files = Counter(tuple(row.values()) for row in landing.read("files/costs"))
    assert files == rest
    # one account per (platform, currency)
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency, _, _ in media.values():
        per_currency[currency] += amount
    contract_total: dict[str, Decimal] = defaultdict(Decimal)
    for row in contract["costs"]:
        if row["cost_category"] == "media" and ":" in ids["campaign"][row["campaign_id"]]:
            contract_total[row["currency"]] += Decimal(row["amount"])
    assert per_currency == contract_total
    assert set(per_currency) == {"EUR", "SEK", "USD", "DKK", "NOK", "GBP"}


def test_leads_are_recovered(
    landing: Landing, contract: dict[str, Rows], ids: dict[str, dict[str, str]]
) -> None:
    leads = landing.leads()
    assert len(leads) == len(contract["leads"])
    for row in contract["leads"]:
        assert leads[ids["lead"][row["lead_id"]]] == {
            "created_at": row["created_at"],
            "email": row["email"] or None,
            "original_channel": landing.channels.get(row["original_channel"]),
            "original_campaign_id": ids["campaign"][row["original_campaign_id"]] or None,
            "mql_at": row["mql_at"] or None,
            "sql_at": row["sql_at"] or None,
            "customer_at": row["customer_at"] or None,
        }, row["lead_id"]


def test_lifecycle_history_agrees_except_for_direct_buyers(
    landing: Landing, contract: dict[str, Rows], ids: dict[str, dict[str, str]]
) -> None:
    """The fallback finds the same dates, except for buyers who skipped MQL and SQL: the
    history ranks `customer` above both, so there mql_at = sql_at = customer_at."""
    history = landing.lifecycle_from_history()
    direct_buyers = 0
    for row in contract["leads"]:
        derived = history.get(ids["lead"][row["lead_id"]], (None, None, None))
        if row["customer_at"] and not row["mql_at"]:
            direct_buyers += 1
            assert derived == (row["customer_at"],) * 3
        else:
            assert derived == (
                row["mql_at"] or None,
                row["sql_at"] or None,
                row["customer_at"] or None,
            )
    assert direct_buyers > 0


def test_deals_are_recovered(
    landing: Landing, contract: dict[str, Rows], ids: dict[str, dict[str, str]]
) -> None:
    deals = landing.deals()
    assert len(deals) == len(contract["deals"])
    for row in contract["deals"]:
        assert deals[ids["deal"][row["deal_id"]]] == {
            "lead_id": ids["lead"][row["lead_id"]],
            "created_at": row["created_at"],
            "closed_at": row["closed_at"] or None,
            "stage": row["stage"],
            "amount": row["amount"],
            "currency": row["currency"],
        }, row["deal_id"]


def test_warts_are_there(landing: Landing) -> None:
    contacts = landing.read("hubspot/contact")
    clean, survivor = landing.contacts()
    assert sum(_true(c["_fivetran_deleted"]) for c in contacts) >= 3
    assert len(survivor) >= 3 and any(";" in (c["property_hs_merged_object_ids"]) for c in contacts)
    links = landing.read("hubspot/deal_contact")
    per_deal = Counter(link["deal_id"] for link in links)
    assert any(n > 1 for n in per_deal.values())
    only_merged = {link["deal_id"] for link in links if link["contact_id"] in survivor}
    assert only_merged - {link["deal_id"] for link in links if link["contact_id"] in clean}
    deals = landing.read("hubspot/deal")
    assert any(_true(d["is_deleted"]) for d in deals)
    assert any(d["is_deleted"] == "" and _true(d["_fivetran_deleted"]) for d in deals)
    assert landing.read("hubspot/merged_deal")
    assert any(d["property_deal_currency_code"] == "" for d in deals)
    urls = [c["property_hs_analytics_first_url"] for c in contacts]
    for needle in ("utm_source=foo&", "+", "%20", "#", "utm_id=", "utm_campaign=(not+set)"):
        assert any(needle in url for url in urls), needle
    assert any(url == "" for url in urls)
    assert any(url and "utm_" not in url for url in urls)
    formats = {re.sub(r"\d", "9", c["property_createdate"]) for c in contacts}
    assert len(formats) >= 5
    mapped = {v.lower() for v in landing.mapping}
    assert any((_param(u, "utm_campaign") or "").lower() in mapped for u in urls if u)
    google = landing.read("google_ads/campaign_history")
    assert max(Counter(row["id"] for row in google).values()) >= 3
    assert any(row["end_date"] == "2037-12-30" for row in google)
    assert "PERFORMANCE_MAX" in {row["advertising_channel_type"] for row in google}
    stats = Counter((r["id"], r["date"]) for r in landing.read("google_ads/campaign_stats"))
    assert max(stats.values()) >= 3
    moved = Counter(r["id"] for r in landing.read("facebook_ads/ad_history"))
    assert max(moved.values()) >= 2


def test_parquet_landing_matches_csv(tmp_path: Path) -> None:
    config = SampleConfig(leads=300, months=3, seed=11)
    write_landing(config, tmp_path / "csv", "csv")
    write_landing(config, tmp_path / "parquet", "parquet")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    csv_files = _all_files(tmp_path / "csv")
    for path in csv_files:
        parquet = tmp_path / "parquet" / path.with_suffix(".parquet")
        if path.parent == Path(".") or path.suffix == ".parquet":
            # id maps, raw_inputs.yml and GA4's nested export are the same in both
            assert (tmp_path / "parquet" / path).is_file()
            continue
        with (tmp_path / "csv" / path).open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        result = con.execute(f"SELECT * FROM '{parquet}'")
        assert [d[0] for d in result.description] == header, path
        assert len(result.fetchall()) == len(rows), path
    createdate = [
        r[0].strftime("%Y-%m-%dT%H:%M:%S")
        for r in con.execute(
            f"SELECT property_createdate FROM '{tmp_path}/parquet/hubspot/contact.parquet'"
        ).fetchall()
    ]
    csv_rows = _rows(tmp_path / "csv" / "hubspot" / "contact.csv")
    assert createdate == [_instant(row["property_createdate"]) for row in csv_rows]


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["sample", "--shape", "connectors", "--out", str(tmp_path), "--leads", "60"]
    assert main([*args, "--months", "2"]) == 0
    assert (tmp_path / "hubspot" / "contact.csv").is_file()
    assert (tmp_path / "ga4" / "events.parquet").is_file()
    assert not (tmp_path / "files" / "touchpoints.csv").exists()
    assert not (tmp_path / "files" / "leads.csv").exists()
    assert "hubspot/contact" in capsys.readouterr().out
