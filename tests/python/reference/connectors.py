"""Reference: HubSpot and ad-platform landings -> contract rows, in plain Python (no dbt, no SQL).

Written straight from docs/connectors.md (sections 4-6) and raw-data.md, so the
tests can hold the dbt connector models against it. Call

    result = landing_to_contract(landing_dir, Options())

on a directory laid out as the spec's DuckDB files: `<dir>/hubspot/contact.csv|.parquet`,
`<dir>/google_ads/campaign_stats...`, `<dir>/facebook_ads/...`, `<dir>/linkedin_ads/...` and
`<dir>/files/campaigns|costs|campaign_mapping`. Every landed value is read as text (CSV through
the csv module, Parquet through DuckDB cast to text), trimmed, `''` = NULL, then typed here.

`result.leads`, `.deals`, `.campaigns`, `.costs` hold the contract rows made from the connectors
(dicts in the contract's column order; values str / datetime (naive UTC) / date / Decimal / int /
None); `.rejected` the landed rows that did not become contract rows, `.reconciliation` one row
per producing landed table, `.unmatched_campaigns` the UTM values that matched no campaign. The
contract's own staging (types, duplicate keys, orphans) is not applied to the output: a row the
contract will reject is still a contract row here. Only the clean campaigns used by campaign
matching and the clean leads used by deals apply the contract's rules, as the spec says.

Decisions where the spec leaves room are marked "Decision:" below.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from reference.privacy import mask

PROJECT_DIR = Path(__file__).resolve().parents[3]
CHANNEL_MAPPING_SEED = PROJECT_DIR / "seeds" / "channel_mapping.csv"

CONNECTORS = ("hubspot", "google_ads", "facebook_ads", "linkedin_ads")
AD_PLATFORMS = ("google_ads", "facebook_ads", "linkedin_ads")
ALLOWED_INPUTS: dict[str, set[str]] = {
    "campaigns": {*AD_PLATFORMS, "files"},
    "costs": {*AD_PLATFORMS, "files"},
    "leads": {"hubspot", "files"},
    "deals": {"hubspot", "files"},
    "touchpoints": {"ga4", "files"},
    "subscriptions": {"stripe", "files"},
    "orders": {"shopify", "files"},
    "keyword_rankings": {"search_console", "files"},
}
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "leads": [
        "lead_id", "created_at", "email", "original_channel", "original_campaign_id", "mql_at",
        "sql_at", "customer_at",
    ],
    "deals": ["deal_id", "lead_id", "created_at", "closed_at", "stage", "amount", "currency"],
    "campaigns": ["campaign_id", "campaign_name", "channel", "started_on", "ended_on"],
    "costs": [
        "cost_date", "channel", "campaign_id", "cost_category", "amount", "currency",
        "impressions", "clicks",
    ],
}  # fmt: skip
CANONICAL_CHANNELS = (
    "organic_search", "paid_search", "paid_social", "organic_social", "email", "referral",
    "direct", "display", "affiliate", "other",
)  # fmt: skip
DEFAULT_GOOGLE_ADS_CHANNEL_TYPES: dict[str, str] = {
    "SEARCH": "paid_search",
    "SHOPPING": "paid_search",
    "PERFORMANCE_MAX": "paid_search",
    "DISPLAY": "display",
    "VIDEO": "display",
    "DEMAND_GEN": "display",
    "DISCOVERY": "display",
}
GOOGLE_ADS_FALLBACK_CHANNEL = "paid_search"
STATS_TABLES = {
    "google_ads": "campaign_stats",
    "facebook_ads": "basic_ad",
    "linkedin_ads": "ad_analytics_by_campaign",
}
GOOGLE_ADS_NO_END = date(2037, 12, 30)
# section 3: values that count as an empty UTM value (compared trimmed, case-insensitively)
EMPTY_UTM_VALUES = {"(not set)", "(none)", "(direct)", "(organic)", "(referral)"}
LIFECYCLE_COLUMNS = {
    "mql_at": "property_hs_lifecyclestage_marketingqualifiedlead_date",
    "sql_at": "property_hs_lifecyclestage_salesqualifiedlead_date",
    "customer_at": "property_hs_lifecyclestage_customer_date",
}
LIFECYCLE_RANKS = {
    "subscriber": 1,
    "lead": 2,
    "marketingqualifiedlead": 3,
    "salesqualifiedlead": 4,
    "opportunity": 5,
    "customer": 6,
    "evangelist": 7,
}
LIFECYCLE_MIN_RANK = {"mql_at": 3, "sql_at": 4, "customer_at": 6}
NOT_SET = "(not set)"

Row = dict[str, Any]
LandedRow = dict[str, str | None]


# ---------------------------------------------------------------------------------------------
# API


class ConnectorInputError(Exception):
    """A missing table or column, or a bad `raw_inputs` selection (one line, as the spec says)."""


class Rejected(NamedTuple):
    source_table: str  # `<input>.<table>`
    key: str | None
    reason: str


class Reconciliation(NamedTuple):
    input: str
    landed_table: str
    landed_rows: int
    contract_rows: int
    collapsed_rows: int
    rejected_rows: int


class Unmatched(NamedTuple):
    input: str
    utm_id: str | None
    utm_campaign: str | None
    rows: int


def maps_by_seed_or_canonical(value: str) -> bool:
    """Whether a raw channel string "maps" (section 3) with the steps that exist so far.

    The seed `channel_mapping` (exact, then trimmed and case-insensitive), then a canonical
    channel name. GA4-style `<source> / <medium>` rules are not here yet: pass another predicate
    as `Options.channel_maps` to add them.
    """
    exact, normalized = _channel_seed(CHANNEL_MAPPING_SEED)
    key = value.strip().lower()
    return value in exact or key in normalized or key in CANONICAL_CHANNELS


@dataclass(frozen=True)
class Options:
    hubspot_default_currency: str = "EUR"
    google_ads_channel_types: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_GOOGLE_ADS_CHANNEL_TYPES)
    )
    linkedin_ads_cost_currency: str = "local"  # or "usd"
    # the var `raw_inputs` (only leads / deals / campaigns / costs are produced here); None:
    # each input whose source table is landed (`hubspot/contact` -> leads, `hubspot/deal` ->
    # deals, `<ads>/campaign_history` -> campaigns, the stats table -> costs, `files/campaigns`)
    raw_inputs: Mapping[str, Sequence[str]] | None = None
    channel_maps: Callable[[str], bool] = maps_by_seed_or_canonical


@dataclass
class Result:
    leads: list[Row] = field(default_factory=list)
    deals: list[Row] = field(default_factory=list)
    campaigns: list[Row] = field(default_factory=list)
    costs: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    reconciliation: list[Reconciliation] = field(default_factory=list)
    unmatched_campaigns: list[Unmatched] = field(default_factory=list)
    # what campaign matching matched against: clean campaign_id -> campaign_name
    clean_campaigns: dict[str, str] = field(default_factory=dict)
    # the lead ids that deals may point at (emitted leads the contract keeps)
    clean_lead_ids: set[str] = field(default_factory=set)

    def contract(self, table: str) -> list[Row]:
        return {
            "leads": self.leads,
            "deals": self.deals,
            "campaigns": self.campaigns,
            "costs": self.costs,
        }[table]

    def reconciliation_for(self, input_name: str, landed_table: str) -> Reconciliation:
        for row in self.reconciliation:
            if (row.input, row.landed_table) == (input_name, landed_table):
                return row
        raise KeyError(f"{input_name}.{landed_table}")


def landing_to_contract(landing_dir: Path, options: Options | None = None) -> Result:
    """Contract rows, rejects, reconciliation and unmatched campaigns of one landing directory."""
    options = options or Options()
    landing = _Landing(Path(landing_dir))
    selection = _selection(landing, options)
    result = Result()

    # campaigns first: campaign matching of HubSpot contacts needs the clean campaigns
    platform_campaigns: list[Row] = []
    for platform in AD_PLATFORMS:
        makes_campaigns = platform in selection["campaigns"]
        makes_costs = platform in selection["costs"]
        if makes_campaigns or makes_costs:
            campaigns = _AD_BUILDERS[platform](
                landing, options, result, makes_campaigns, makes_costs
            )
            if makes_campaigns:
                platform_campaigns.extend(campaigns)
    result.campaigns = _sorted(platform_campaigns, "campaigns")
    result.costs = _sorted(result.costs, "costs")

    files_campaigns: list[LandedRow] = []
    if "files" in selection["campaigns"]:
        table = landing.read("files", "campaigns", CONTRACT_COLUMNS["campaigns"])
        assert table is not None
        files_campaigns = table.rows
    result.clean_campaigns = _clean_campaigns(platform_campaigns, files_campaigns)

    if "hubspot" in selection["leads"] or "hubspot" in selection["deals"]:
        mapping = landing.read("files", "campaign_mapping", ["utm_value", "campaign_id"], True)
        matcher = CampaignMatcher(result.clean_campaigns, mapping.rows if mapping else [])
        _hubspot(
            landing,
            options,
            result,
            matcher,
            make_leads="hubspot" in selection["leads"],
            make_deals="hubspot" in selection["deals"],
        )
    result.rejected.sort(key=lambda r: (r.source_table, _id_order(r.key), r.reason))
    return result


# ---------------------------------------------------------------------------------------------
# Typing (section 3)

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r" ?(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_bool(text: str | None) -> bool | None:
    """true/false, t/f, 1/0, yes/no in any case; empty or anything else: None (false in rules)."""
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("true", "t", "1", "yes"):
        return True
    if value in ("false", "f", "0", "no"):
        return False
    return None


def parse_timestamp(text: str | None) -> datetime | None:
    """ISO 8601 with `T` or a space, optional fraction and offset -> naive UTC; else None."""
    if text is None:
        return None
    match = _TIMESTAMP.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))  # Decision: beyond microseconds truncated
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            micros,
        )  # fmt: skip
    except ValueError:
        return None
    if offset and offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        value = (value.replace(tzinfo=timezone(sign * shift))).astimezone(UTC).replace(tzinfo=None)
    return value


def parse_date(text: str | None) -> date | None:
    """A date, or the UTC date of a timestamp."""
    value = parse_timestamp(text)
    return value.date() if value else None


def parse_decimal(text: str | None) -> Decimal | None:
    if text is None or not _NUMBER.match(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the pattern already guards
        return None


def parse_int(text: str | None) -> int | None:
    """An integer, also when landed as `12.0` (a Parquet double cast to text)."""
    value = parse_decimal(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def plain_id(text: str | None) -> str | None:
    """An id as text; a numeric one as a plain integer (a landed `123.0` is `123`)."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    number = parse_int(value)
    return str(number) if number is not None else value


# ---------------------------------------------------------------------------------------------
# Reading landed tables


@dataclass
class LandedTable:
    input: str
    name: str
    columns: list[str]
    rows: list[LandedRow]

    @property
    def source_table(self) -> str:
        return f"{self.input}.{self.name}"


class _Landing:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[tuple[str, str], LandedTable | None] = {}

    def exists(self, input_name: str, table: str) -> bool:
        return self._path(input_name, table) is not None

    def _path(self, input_name: str, table: str) -> Path | None:
        for suffix in (".parquet", ".csv"):
            path = self.directory / input_name / f"{table}{suffix}"
            if path.is_file():
                return path
        return None

    def read(
        self, input_name: str, table: str, required: Iterable[str], optional: bool = False
    ) -> LandedTable | None:
        """The table with every value as trimmed text (`''` = None); None if optional & absent."""
        key = (input_name, table)
        if key not in self._cache:
            path = self._path(input_name, table)
            self._cache[key] = None if path is None else _read_file(path, input_name, table)
        landed = self._cache[key]
        if landed is None:
            if optional:
                return None
            raise ConnectorInputError(f"{input_name}: missing table {table}")
        for column in required:
            if column not in landed.columns:
                raise ConnectorInputError(f"{input_name}.{table}: missing column {column}")
        return landed


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _read_file(path: Path, input_name: str, table: str) -> LandedTable:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [name.strip().lower() for name in next(reader, [])]
            rows = [
                {name: _clean(value) for name, value in zip(header, record, strict=False)}
                for record in reader
                if record
            ]
        for row in rows:
            for name in header:
                row.setdefault(name, None)
        return LandedTable(input_name, table, header, rows)
    connection = duckdb.connect()
    try:
        connection.execute("set TimeZone = 'UTC'")
        relation = connection.sql("select * from read_parquet(?)", params=[str(path)])
        names = list(relation.columns)
        casts = ", ".join(f'cast("{name}" as varchar)' for name in names)
        records = connection.execute(f"select {casts} from read_parquet(?)", [str(path)]).fetchall()
    finally:
        connection.close()
    header = [name.lower() for name in names]
    rows = [
        {name: _clean(value) for name, value in zip(header, record, strict=True)}
        for record in records
    ]
    return LandedTable(input_name, table, header, rows)


def _without_exact_duplicates(table: LandedTable) -> tuple[list[LandedRow], int]:
    """The landed rows with exact duplicates (all columns equal) collapsed, and how many were."""
    seen: set[tuple[str | None, ...]] = set()
    kept: list[LandedRow] = []
    for row in table.rows:
        signature = tuple(row.get(name) for name in table.columns)
        if signature not in seen:
            seen.add(signature)
            kept.append(row)
    return kept, len(table.rows) - len(kept)


def _selection(landing: _Landing, options: Options) -> dict[str, list[str]]:
    tables = ("leads", "deals", "campaigns", "costs")
    if options.raw_inputs is None:
        # Decision: with no selection given, an input produces a table when the landed table it
        # is made from exists (files: when the files table exists)
        def present(input_name: str, table: str) -> list[str]:
            return [input_name] if landing.exists(input_name, table) else []

        return {
            "leads": present("hubspot", "contact"),
            "deals": present("hubspot", "deal"),
            "campaigns": [
                *(name for name in AD_PLATFORMS if landing.exists(name, "campaign_history")),
                *present("files", "campaigns"),
            ],
            "costs": [
                *(name for name in AD_PLATFORMS if landing.exists(name, STATS_TABLES[name])),
                *present("files", "costs"),
            ],
        }
    selection = {table: ["files"] for table in tables}
    for table, inputs in options.raw_inputs.items():
        if table not in ALLOWED_INPUTS:
            raise ConnectorInputError(f"raw_inputs: unknown table {table}")
        if not inputs:
            raise ConnectorInputError(f"raw_inputs: {table} has no inputs")
        for name in inputs:
            if name not in ALLOWED_INPUTS[table]:
                raise ConnectorInputError(f"raw_inputs: {table} cannot read input {name}")
        if table in selection:
            selection[table] = list(inputs)
    return selection


# ---------------------------------------------------------------------------------------------
# Latest version of `*_history` rows (section 3)


def _latest_versions(
    rows: list[LandedRow], columns: list[str], key_column: str, time_column: str
) -> tuple[list[list[LandedRow]], int]:
    """Per object (id): its current row(s); and how many rows were collapsed as older versions.

    Current = `_fivetran_active` true where that column exists, else the latest `time_column`
    (ties: latest `_fivetran_synced`). Decision: when an object has no active row the active
    rule falls back to the timestamps over all its rows; when several rows tie on both times all
    of them stay (the contract then rejects the key as `duplicate_key`: never pick silently); rows
    without an id are each their own object (the contract rejects them as `missing_key`).
    """
    groups: dict[str, list[LandedRow]] = defaultdict(list)
    objects: list[list[LandedRow]] = []
    for row in rows:
        key = plain_id(row.get(key_column))
        if key is None:
            objects.append([row])
        else:
            if key not in groups:
                objects.append(groups[key])
            groups[key].append(row)
    has_active = "_fivetran_active" in columns
    current: list[list[LandedRow]] = []
    collapsed = 0
    for versions in objects:
        candidates = versions
        if has_active:
            active = [row for row in versions if parse_bool(row.get("_fivetran_active")) is True]
            candidates = active or versions

        def rank(row: LandedRow) -> tuple[datetime, datetime]:
            return (
                parse_timestamp(row.get(time_column)) or datetime.min,
                parse_timestamp(row.get("_fivetran_synced")) or datetime.min,
            )

        best = max(rank(row) for row in candidates)
        winners = [row for row in candidates if rank(row) == best]
        current.append(winners)
        collapsed += len(versions) - len(winners)
    return current, collapsed


def _one(values: Iterable[Any]) -> Any:
    """The value when all are equal, else None (ambiguous ties decide nothing)."""
    distinct = set(values)
    return next(iter(distinct)) if len(distinct) == 1 else None


def _latest_lookup(
    landing: _Landing, input_name: str, table: str, time_column: str, value_columns: list[str]
) -> dict[str, dict[str, str | None]]:
    """id -> {column: value of the current row} for a lookup history table (not reconciled)."""
    landed = landing.read(input_name, table, ["id", time_column, *value_columns])
    assert landed is not None
    rows, _ = _without_exact_duplicates(landed)
    current, _ = _latest_versions(rows, landed.columns, "id", time_column)
    lookup: dict[str, dict[str, str | None]] = {}
    for winners in current:
        key = plain_id(winners[0].get("id"))
        if key is not None:
            lookup[key] = {
                column: _one(row.get(column) for row in winners) for column in value_columns
            }
    return lookup


# ---------------------------------------------------------------------------------------------
# Campaign matching (section 3)


def clean_utm(value: str | None) -> str | None:
    """Trimmed; NULL, '' and the GA placeholders count as empty (None)."""
    if value is None:
        return None
    text = value.strip()
    if not text or text.lower() in EMPTY_UTM_VALUES:
        return None
    return text


class CampaignMatcher:
    """match_campaign(utm_id, utm_campaign) against the clean campaigns and campaign_mapping."""

    def __init__(self, clean_campaigns: Mapping[str, str], mapping: list[LandedRow]) -> None:
        self.campaigns = dict(clean_campaigns)
        self.mapping: dict[str, set[str]] = defaultdict(set)
        for row in mapping:
            utm_value, campaign_id = row.get("utm_value"), row.get("campaign_id")
            if utm_value and campaign_id:
                self.mapping[utm_value.strip().lower()].add(campaign_id.strip())

    def match(self, utm_id: str | None, utm_campaign: str | None) -> str | None:
        utm_id, utm_campaign = clean_utm(utm_id), clean_utm(utm_campaign)
        # 1. the mapping: utm_id, else utm_campaign (a value mapped to several campaigns: no row).
        # Decision: the mapped campaign_id is taken as written (an explicit mapping wins).
        for value in (utm_id, utm_campaign):
            if value is not None:
                hits = self.mapping.get(value.lower(), set())
                if len(hits) == 1:
                    return next(iter(hits))
        # 2. the platform id (after `<input>:`) or the whole campaign_id, exactly one campaign
        if utm_id is not None:
            hits = {
                campaign_id
                for campaign_id in self.campaigns
                if utm_id in (campaign_id, _platform_id(campaign_id))
            }
            if len(hits) == 1:
                return next(iter(hits))
        # 3. the campaign name, case-insensitively, exactly one campaign
        if utm_campaign is not None:
            hits = {
                campaign_id
                for campaign_id, name in self.campaigns.items()
                if name.strip().lower() == utm_campaign.lower()
            }
            if len(hits) == 1:
                return next(iter(hits))
        return None


def _platform_id(campaign_id: str) -> str | None:
    prefix, separator, rest = campaign_id.partition(":")
    return rest if separator and prefix in AD_PLATFORMS else None


def _campaign_text(row: Row) -> tuple[str | None, ...]:
    """A connector campaign row as the contract reads it: text."""
    texts: list[str | None] = []
    for name in CONTRACT_COLUMNS["campaigns"]:
        value = row[name]
        texts.append(_clean(value.isoformat() if isinstance(value, date) else value))
    return tuple(texts)


def _clean_campaigns(platform_rows: list[Row], files_rows: list[LandedRow]) -> dict[str, str]:
    """campaign_id -> campaign_name of the campaigns contract staging keeps (raw-data.md).

    All campaigns inputs are unioned; exact duplicates are collapsed; then a campaign is dropped
    for a missing key, a key shared by differing rows, a missing name, an unreadable date or an
    end before its start.
    """
    texts = [_campaign_text(row) for row in platform_rows]
    texts += [tuple(row.get(name) for name in CONTRACT_COLUMNS["campaigns"]) for row in files_rows]
    distinct = list(dict.fromkeys(texts))
    per_key = Counter(text[0] for text in distinct)
    clean: dict[str, str] = {}
    for campaign_id, name, _channel, started, ended in distinct:
        if campaign_id is None or per_key[campaign_id] > 1 or name is None:
            continue
        started_on, ended_on = parse_date(started), parse_date(ended)
        if (started is not None and started_on is None) or (ended is not None and ended_on is None):
            continue
        if started_on and ended_on and ended_on < started_on:
            continue
        clean[campaign_id] = name
    return clean


# ---------------------------------------------------------------------------------------------
# Channel strings and first-URL parameters (sections 3 and 4.1)


@cache
def _channel_seed(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        raw = [row["raw_channel"] for row in csv.DictReader(handle) if row.get("raw_channel")]
    return frozenset(raw), frozenset(value.strip().lower() for value in raw)


def url_parameter(url: str | None, name: str) -> str | None:
    """The value of parameter `name` in a URL, as section 4.1 reads it.

    The value runs from after `<name>=` to the next `&` or `#`; the first occurrence wins; `+`
    and `%20` become a space, nothing else is decoded. Decision: `<name>=` counts only right
    after `?` or `&` and before the first `#` (the fragment is not the query); names are
    case-sensitive.
    """
    if url is None:
        return None
    query = url.split("#", 1)[0]
    pattern = re.compile(r"[?&]" + re.escape(name) + r"=([^&#]*)")
    match = pattern.search(query)
    if match is None:
        return None
    return match.group(1).replace("%20", " ").replace("+", " ")


def utm_pair(url: str | None) -> str | None:
    """`<utm_source> / <utm_medium>` lower-cased, a missing one `(not set)`; None when neither.

    Decision: a parameter whose value is empty after trimming counts as missing.
    """
    source = _clean(url_parameter(url, "utm_source"))
    medium = _clean(url_parameter(url, "utm_medium"))
    if source is None and medium is None:
        return None
    return f"{(source or NOT_SET).lower()} / {(medium or NOT_SET).lower()}"


# ---------------------------------------------------------------------------------------------
# HubSpot (section 4.1)


def _hubspot(
    landing: _Landing,
    options: Options,
    result: Result,
    matcher: CampaignMatcher,
    make_leads: bool,
    make_deals: bool,
) -> None:
    contact = landing.read(
        "hubspot",
        "contact",
        [
            "id", "property_hs_merged_object_ids", "property_createdate", "property_email",
            "property_hs_analytics_source", "property_hs_analytics_first_url",
        ],
    )  # fmt: skip
    assert contact is not None
    contacts, collapsed = _without_exact_duplicates(contact)
    deleted = [row for row in contacts if parse_bool(row.get("_fivetran_deleted")) is True]
    live = [row for row in contacts if parse_bool(row.get("_fivetran_deleted")) is not True]

    # old id -> the non-deleted contacts that list it as merged into them (not themselves)
    survivors_of: dict[str, set[str]] = defaultdict(set)
    for row in live:
        own = plain_id(row.get("id"))
        for listed in (row.get("property_hs_merged_object_ids") or "").split(";"):
            old = plain_id(listed)
            if old is not None and old != own and own is not None:
                survivors_of[old].add(own)

    # the lifecycle source is only read when leads are made (deals need created_at only)
    lifecycle = _lifecycle_dates(landing, contact) if make_leads else _no_lifecycle_dates
    leads: list[Row] = []
    rejected: list[Rejected] = []
    for row in deleted:
        rejected.append(Rejected("hubspot.contact", plain_id(row.get("id")), "deleted_in_source"))
    unmatched: Counter[tuple[str | None, str | None]] = Counter()
    for row in live:
        lead_id = plain_id(row.get("id"))
        if lead_id is not None and lead_id in survivors_of:
            rejected.append(Rejected("hubspot.contact", lead_id, "merged_away"))
            continue
        lead = _lead_row(row, lead_id, lifecycle, options, matcher)
        leads.append(lead)
        url = row.get("property_hs_analytics_first_url")
        utm_id = clean_utm(url_parameter(url, "utm_id"))
        utm_campaign = clean_utm(url_parameter(url, "utm_campaign"))
        if (utm_id or utm_campaign) and lead["original_campaign_id"] is None:
            unmatched[(utm_id, utm_campaign)] += 1

    # clean leads: the lead rows the contract keeps (exact copies collapse; an id with differing
    # rows is a duplicate_key; created_at must be there)
    distinct_leads = list({tuple(lead.values()): lead for lead in leads}.values())
    per_id = Counter(lead["lead_id"] for lead in distinct_leads)
    created: dict[str, datetime] = {}
    for lead in distinct_leads:
        if lead["lead_id"] is not None and per_id[lead["lead_id"]] == 1 and lead["created_at"]:
            created[lead["lead_id"]] = lead["created_at"]
    result.clean_lead_ids = set(created)

    if make_leads:
        result.leads = _sorted(leads, "leads")
        result.rejected.extend(rejected)
        result.reconciliation.append(
            Reconciliation(
                "hubspot", "contact", len(contact.rows), len(leads), collapsed, len(rejected)
            )
        )
        result.unmatched_campaigns.extend(
            Unmatched("hubspot", utm_id, utm_campaign, rows)
            for (utm_id, utm_campaign), rows in sorted(
                unmatched.items(), key=lambda item: (item[0][0] or "", item[0][1] or "")
            )
        )
    if make_deals:
        _hubspot_deals(landing, options, result, survivors_of, created)


def _no_lifecycle_dates(_row: LandedRow) -> dict[str, datetime | None]:
    return dict.fromkeys(LIFECYCLE_MIN_RANK)


def _lead_row(
    row: LandedRow,
    lead_id: str | None,
    lifecycle: Callable[[LandedRow], dict[str, datetime | None]],
    options: Options,
    matcher: CampaignMatcher,
) -> Row:
    url = row.get("property_hs_analytics_first_url")
    pair = utm_pair(url)
    if pair is not None and options.channel_maps(pair):
        channel = pair
    else:
        channel = row.get("property_hs_analytics_source") or NOT_SET
    campaign = matcher.match(url_parameter(url, "utm_id"), url_parameter(url, "utm_campaign"))
    dates = lifecycle(row)
    return {
        "lead_id": lead_id,
        "created_at": parse_timestamp(row.get("property_createdate")),
        # personal data: the address leaves contract staging masked (reference/privacy.py)
        "email": mask(row.get("property_email")),
        "original_channel": channel,
        "original_campaign_id": campaign,
        "mql_at": dates["mql_at"],
        "sql_at": dates["sql_at"],
        "customer_at": dates["customer_at"],
    }


def _lifecycle_dates(
    landing: _Landing, contact: LandedTable
) -> Callable[[LandedRow], dict[str, datetime | None]]:
    """The contact columns when all three exist, else the lifecycle-stage history ranks."""
    if all(column in contact.columns for column in LIFECYCLE_COLUMNS.values()):

        def from_columns(row: LandedRow) -> dict[str, datetime | None]:
            return {
                target: parse_timestamp(row.get(column))
                for target, column in LIFECYCLE_COLUMNS.items()
            }

        return from_columns

    history = landing.read(
        "hubspot", "contact_property_history", ["contact_id", "name", "value", "timestamp"]
    )
    assert history is not None
    earliest: dict[str, dict[str, datetime]] = defaultdict(dict)
    for row in history.rows:
        if (row.get("name") or "").lower() != "lifecyclestage":
            continue
        rank = LIFECYCLE_RANKS.get((row.get("value") or "").lower())
        at = parse_timestamp(row.get("timestamp"))
        contact_id = plain_id(row.get("contact_id"))
        if rank is None or at is None or contact_id is None:
            continue
        for target, minimum in LIFECYCLE_MIN_RANK.items():
            if rank >= minimum:
                known = earliest[contact_id].get(target)
                if known is None or at < known:
                    earliest[contact_id][target] = at

    def from_history(row: LandedRow) -> dict[str, datetime | None]:
        found = earliest.get(plain_id(row.get("id")) or "", {})
        return {target: found.get(target) for target in LIFECYCLE_MIN_RANK}

    return from_history


def _hubspot_deals(
    landing: _Landing,
    options: Options,
    result: Result,
    survivors_of: Mapping[str, set[str]],
    clean_created: Mapping[str, datetime],
) -> None:
    deal = landing.read(
        "hubspot",
        "deal",
        [
            "deal_id", "deal_pipeline_stage_id", "property_createdate", "property_closedate",
            "property_amount", "property_deal_currency_code",
        ],
    )  # fmt: skip
    deal_contact = landing.read("hubspot", "deal_contact", ["deal_id", "contact_id"])
    stage_table = landing.read("hubspot", "deal_pipeline_stage", ["stage_id", "closed_won"])
    merged_deal = landing.read("hubspot", "merged_deal", ["deal_id", "merged_deal_id"], True)
    assert deal is not None and deal_contact is not None and stage_table is not None

    merged_ids = {
        plain_id(row.get("merged_deal_id")) for row in (merged_deal.rows if merged_deal else [])
    }
    merged_ids.discard(None)

    def survivor(contact_id: str) -> str:
        seen: set[str] = set()
        while contact_id in survivors_of and contact_id not in seen:
            seen.add(contact_id)
            # Decision: listed by several survivors -> the smallest id
            contact_id = min(survivors_of[contact_id], key=_id_order)
        return contact_id

    contacts_of: dict[str, set[str]] = defaultdict(set)
    for row in deal_contact.rows:
        deal_id, contact_id = plain_id(row.get("deal_id")), plain_id(row.get("contact_id"))
        if deal_id is not None and contact_id is not None:
            contacts_of[deal_id].add(contact_id)

    stage_results: dict[str, set[str]] = defaultdict(set)
    for row in stage_table.rows:
        stage_id = plain_id(row.get("stage_id"))
        if stage_id is not None:
            stage_results[stage_id].add(_stage(row))

    rows, collapsed = _without_exact_duplicates(deal)
    deals: list[Row] = []
    rejected: list[Rejected] = []
    for row in rows:
        deal_id = plain_id(row.get("deal_id"))
        # section 4.1: coalesce(is_deleted, _fivetran_deleted) (Decision: the table's own rule
        # over section 3's "or": is_deleted = false wins over _fivetran_deleted = true)
        is_deleted = parse_bool(row.get("is_deleted"))
        if is_deleted is None:
            is_deleted = parse_bool(row.get("_fivetran_deleted"))
        if is_deleted is True:
            rejected.append(Rejected("hubspot.deal", deal_id, "deleted_in_source"))
            continue
        if deal_id is not None and deal_id in merged_ids:
            rejected.append(Rejected("hubspot.deal", deal_id, "merged_away"))
            continue
        candidates = {
            survivor(contact_id) for contact_id in contacts_of.get(deal_id or "", set())
        } & set(clean_created)
        lead_id = min(candidates, key=lambda c: (clean_created[c], _id_order(c)), default=None)
        stage_id = plain_id(row.get("deal_pipeline_stage_id"))
        stage = _one(stage_results.get(stage_id or "", set()))
        currency = row.get("property_deal_currency_code")
        deals.append(
            {
                "deal_id": deal_id,
                "lead_id": lead_id,
                "created_at": parse_timestamp(row.get("property_createdate")),
                "closed_at": parse_timestamp(row.get("property_closedate"))
                if stage in ("won", "lost")
                else None,
                "stage": stage,
                "amount": parse_decimal(row.get("property_amount")),
                "currency": currency.upper() if currency else options.hubspot_default_currency,
            }
        )
    result.deals = _sorted(deals, "deals")
    result.rejected.extend(rejected)
    result.reconciliation.append(
        Reconciliation("hubspot", "deal", len(deal.rows), len(deals), collapsed, len(rejected))
    )


def _stage(row: LandedRow) -> str:
    won = parse_bool(row.get("closed_won")) is True
    closed = parse_bool(row.get("is_closed"))
    if closed is None:  # NULL or absent (older connections)
        closed = won or parse_decimal(row.get("probability")) == 0
    return "won" if won else "lost" if closed else "open"


# ---------------------------------------------------------------------------------------------
# Ad platforms (section 4.2)


@dataclass
class _StatsRow:
    campaign_id: str | None
    cost_date: date | None
    account_id: str | None
    channel: str
    amount: Decimal | None
    impressions: int | None
    clicks: int | None


def _sum(values: Iterable[Any]) -> Any:
    """SQL sum: NULLs ignored, all NULL -> NULL."""
    present = [value for value in values if value is not None]
    return sum(present[1:], present[0]) if present else None


def _costs(
    input_name: str,
    table: LandedTable,
    rows: list[_StatsRow],
    collapsed_duplicates: int,
    currency_of: Callable[[str | None], str | None],
    result: Result,
) -> None:
    """One cost row per campaign and day (Decision: and account), summed over the other segments.

    Decision: exact duplicate landed stats rows are collapsed before summing (never counted
    twice); a Meta ad without `ad_history` sums with the day's other such ads into one row with
    campaign_id NULL.
    """
    groups: dict[tuple[str | None, date | None, str | None, str], list[_StatsRow]] = {}
    for row in rows:
        key = (row.campaign_id, row.cost_date, row.account_id, row.channel)
        groups.setdefault(key, []).append(row)
    for (campaign_id, cost_date, account_id, channel), members in groups.items():
        result.costs.append(
            {
                "cost_date": cost_date,
                "channel": channel,
                "campaign_id": campaign_id,
                "cost_category": "media",
                "amount": _sum(member.amount for member in members),
                "currency": currency_of(account_id),
                "impressions": _sum(member.impressions for member in members),
                "clicks": _sum(member.clicks for member in members),
            }
        )
    result.reconciliation.append(
        Reconciliation(
            input_name,
            table.name,
            len(table.rows),
            len(groups),
            collapsed_duplicates + len(rows) - len(groups),
            0,
        )
    )


def _campaigns(
    input_name: str,
    table: LandedTable,
    time_column: str,
    make_row: Callable[[LandedRow], Row],
    result: Result,
    reconcile: bool,
) -> tuple[list[Row], dict[str, list[LandedRow]]]:
    """Campaign rows of the current history rows, and the current rows per platform id."""
    rows, duplicates = _without_exact_duplicates(table)
    current, older = _latest_versions(rows, table.columns, "id", time_column)
    campaigns: list[Row] = []
    by_id: dict[str, list[LandedRow]] = {}
    for winners in current:
        platform_id = plain_id(winners[0].get("id"))
        if platform_id is not None:
            by_id[platform_id] = winners
        for winner in winners:
            campaign = make_row(winner)
            campaign["campaign_id"] = _prefixed(input_name, platform_id)
            campaigns.append({name: campaign[name] for name in CONTRACT_COLUMNS["campaigns"]})
    if reconcile:
        result.reconciliation.append(
            Reconciliation(
                input_name, table.name, len(table.rows), len(campaigns), duplicates + older, 0
            )
        )
    return campaigns, by_id


def _prefixed(input_name: str, platform_id: str | None) -> str | None:
    return None if platform_id is None else f"{input_name}:{platform_id}"


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _google_ads(
    landing: _Landing, options: Options, result: Result, campaigns_made: bool, costs: bool
) -> list[Row]:
    history = landing.read(
        "google_ads",
        "campaign_history",
        ["id", "updated_at", "name", "customer_id", "advertising_channel_type", "start_date",
         "end_date"],
    )  # fmt: skip
    assert history is not None

    def channel(channel_type: str | None) -> str:
        key = (channel_type or "").strip().upper()
        return options.google_ads_channel_types.get(key, GOOGLE_ADS_FALLBACK_CHANNEL)

    def make_row(row: LandedRow) -> Row:
        ended = parse_date(row.get("end_date"))
        return {
            "campaign_name": row.get("name"),
            "channel": channel(row.get("advertising_channel_type")),
            "started_on": parse_date(row.get("start_date")),
            "ended_on": None if ended is None or ended >= GOOGLE_ADS_NO_END else ended,
        }

    campaigns, by_id = _campaigns(
        "google_ads", history, "updated_at", make_row, result, reconcile=campaigns_made
    )
    if costs:
        stats = landing.read(
            "google_ads",
            "campaign_stats",
            ["id", "customer_id", "date", "cost_micros", "impressions", "clicks"],
        )
        assert stats is not None
        accounts = _latest_lookup(
            landing, "google_ads", "account_history", "updated_at", ["currency_code"]
        )
        rows, duplicates = _without_exact_duplicates(stats)
        stats_rows = []
        for row in rows:
            platform_id = plain_id(row.get("id"))
            winners = by_id.get(platform_id or "", [])
            channel_type = _one(w.get("advertising_channel_type") for w in winners)
            micros = parse_decimal(row.get("cost_micros"))
            stats_rows.append(
                _StatsRow(
                    campaign_id=_prefixed("google_ads", platform_id),
                    cost_date=parse_date(row.get("date")),
                    account_id=plain_id(row.get("customer_id")),
                    channel=channel(channel_type),
                    amount=None if micros is None else micros.scaleb(-6),
                    impressions=parse_int(row.get("impressions")),
                    clicks=parse_int(row.get("clicks")),
                )
            )
        _costs(
            "google_ads",
            stats,
            stats_rows,
            duplicates,
            lambda account: _upper(accounts.get(account or "", {}).get("currency_code")),
            result,
        )
    return campaigns


def _facebook_ads(
    landing: _Landing, options: Options, result: Result, campaigns_made: bool, costs: bool
) -> list[Row]:
    history = landing.read(
        "facebook_ads",
        "campaign_history",
        ["id", "updated_time", "name", "account_id", "start_time", "stop_time"],
    )
    assert history is not None

    def make_row(row: LandedRow) -> Row:
        return {
            "campaign_name": row.get("name"),
            "channel": "paid_social",
            "started_on": parse_date(row.get("start_time")),
            "ended_on": parse_date(row.get("stop_time")),
        }

    campaigns, _ = _campaigns(
        "facebook_ads", history, "updated_time", make_row, result, reconcile=campaigns_made
    )
    if costs:
        stats = landing.read(
            "facebook_ads",
            "basic_ad",
            ["ad_id", "account_id", "date", "spend", "impressions", "inline_link_clicks"],
        )
        assert stats is not None
        ads = _latest_lookup(landing, "facebook_ads", "ad_history", "updated_time", ["campaign_id"])
        accounts = _latest_lookup(
            landing, "facebook_ads", "account_history", "_fivetran_synced", ["currency"]
        )
        rows, duplicates = _without_exact_duplicates(stats)
        stats_rows = [
            _StatsRow(
                campaign_id=_prefixed(
                    "facebook_ads",
                    plain_id(ads.get(plain_id(row.get("ad_id")) or "", {}).get("campaign_id")),
                ),
                cost_date=parse_date(row.get("date")),
                account_id=plain_id(row.get("account_id")),
                channel="paid_social",
                amount=parse_decimal(row.get("spend")),
                impressions=parse_int(row.get("impressions")),
                clicks=parse_int(row.get("inline_link_clicks")),
            )
            for row in rows
        ]
        _costs(
            "facebook_ads",
            stats,
            stats_rows,
            duplicates,
            lambda account: _upper(accounts.get(account or "", {}).get("currency")),
            result,
        )
    return campaigns


def _linkedin_ads(
    landing: _Landing, options: Options, result: Result, campaigns_made: bool, costs: bool
) -> list[Row]:
    history = landing.read(
        "linkedin_ads",
        "campaign_history",
        ["id", "last_modified_time", "name", "account_id", "run_schedule_start",
         "run_schedule_end"],
    )  # fmt: skip
    assert history is not None

    def make_row(row: LandedRow) -> Row:
        return {
            "campaign_name": row.get("name"),
            "channel": "paid_social",
            "started_on": parse_date(row.get("run_schedule_start")),
            "ended_on": parse_date(row.get("run_schedule_end")),
        }

    campaigns, by_id = _campaigns(
        "linkedin_ads", history, "last_modified_time", make_row, result, reconcile=campaigns_made
    )
    if costs:
        in_usd = options.linkedin_ads_cost_currency.lower() == "usd"
        stats = landing.read(
            "linkedin_ads",
            "ad_analytics_by_campaign",
            ["campaign_id", "day", "cost_in_local_currency", "cost_in_usd", "impressions",
             "clicks"],
        )  # fmt: skip
        assert stats is not None
        accounts = (
            {}
            if in_usd
            else _latest_lookup(
                landing, "linkedin_ads", "account_history", "last_modified_time", ["currency"]
            )
        )
        rows, duplicates = _without_exact_duplicates(stats)
        stats_rows = []
        for row in rows:
            platform_id = plain_id(row.get("campaign_id"))
            winners = by_id.get(platform_id or "", [])
            stats_rows.append(
                _StatsRow(
                    campaign_id=_prefixed("linkedin_ads", platform_id),
                    cost_date=parse_date(row.get("day")),
                    account_id=plain_id(_one(w.get("account_id") for w in winners)),
                    channel="paid_social",
                    amount=parse_decimal(
                        row.get("cost_in_usd" if in_usd else "cost_in_local_currency")
                    ),
                    impressions=parse_int(row.get("impressions")),
                    clicks=parse_int(row.get("clicks")),
                )
            )
        _costs(
            "linkedin_ads",
            stats,
            stats_rows,
            duplicates,
            (lambda _account: "USD")
            if in_usd
            else (lambda account: _upper(accounts.get(account or "", {}).get("currency"))),
            result,
        )
    return campaigns


_AD_BUILDERS: dict[str, Callable[[_Landing, Options, Result, bool, bool], list[Row]]] = {
    "google_ads": _google_ads,
    "facebook_ads": _facebook_ads,
    "linkedin_ads": _linkedin_ads,
}


# ---------------------------------------------------------------------------------------------
# Ordering


def _id_order(value: str | None) -> tuple[int, int, str]:
    """Numeric ids by number, before other ids by text; None last."""
    if value is None:
        return (2, 0, "")
    number = parse_int(value)
    return (0, number, "") if number is not None else (1, 0, value)


def _sort_value(value: Any) -> tuple[bool, str]:
    if value is None:
        return (True, "")
    if isinstance(value, date | datetime):
        return (False, value.isoformat())
    return (False, str(value))


def _sorted(rows: list[Row], table: str) -> list[Row]:
    columns = CONTRACT_COLUMNS[table]
    return sorted(rows, key=lambda row: tuple(_sort_value(row[name]) for name in columns))
