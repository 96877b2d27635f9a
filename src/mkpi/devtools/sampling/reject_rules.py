"""A reference classifier of raw rows: what staging must conclude about each one.

It implements the reject rules of the raw contract (docs/raw-data.md) on text rows, in
their precedence order (first match wins), so the generators can state exact expectations: the
sample data must come out all clean, and the dirty data set's manifests are computed with it and
checked against the reason each bad row was injected for. It is a test oracle for small data, not
part of the pipeline.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from mkpi.raw_contract import Table

# `malformed_row` (a file row with the wrong number of fields) comes before all of these; it is
# found by the file reader, not classified here
REASONS: tuple[str, ...] = (
    "missing_key",
    "duplicate_key",
    "missing_value",
    "bad_timestamp",
    "implausible_date",
    "bad_number",
    "bad_boolean",
    "negative_amount",
    "end_before_start",
    "invalid_stage",
    "invalid_category",
    "unknown_currency",
    "orphan_lead_id",
    "overlapping_version",
)
CLEAN = "clean"
COLLAPSED = "collapsed"
CHANNEL_COLUMNS = frozenset({"channel", "original_channel"})
NON_NEGATIVE = frozenset(
    {
        "amount",
        "revenue",
        "cogs",
        "mrr",
        "impressions",
        "clicks",
        "pageviews",
        "engaged_seconds",
        "search_volume",
    }
)
BOOLEAN_VALUES = frozenset({"true", "false", "t", "f", "1", "0", "yes", "no"})
STAGES = frozenset({"open", "won", "lost"})
CATEGORIES = frozenset({"media", "marketing_other", "sales"})
END_AFTER_START = {
    "campaigns": ("started_on", "ended_on"),
    "deals": ("created_at", "closed_at"),
    "subscriptions": ("valid_from", "valid_to"),
}
CURRENCY_DATE = {
    "costs": ("cost_date",),
    "deals": ("closed_at", "created_at"),
    "subscriptions": ("valid_from",),
    "orders": ("ordered_at",),
}
LEAD_CHILDREN = ("deals", "subscriptions", "orders")
# tables whose lead_id, when filled, must be a clean lead (a touchpoint may have none)
LEAD_REFERENCES = (*LEAD_CHILDREN, "touchpoints")
# plausible dates (vars plausible_dates_from / _until): outside is implausible_date, except an end
# on or after the window's end, which means no end
PLAUSIBLE_FROM = datetime(2000, 1, 1)
PLAUSIBLE_UNTIL = datetime(2100, 1, 1)
OPEN_ENDS = {("campaigns", "ended_on"), ("subscriptions", "valid_to")}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$"
)
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
INT_RE = re.compile(r"^[+-]?\d+(\.0*)?$")  # 12.0 is a whole number
# spellings of "no value" in id columns (macro null_id_spellings): compared trimmed, lower-cased
NULL_ID_SPELLINGS = frozenset(
    {"null", "none", "nil", "nan", "n/a", "na", "#n/a", "(null)", "(none)", "(not set)"}
    | {"undefined"}
)


def clean_id(value: str) -> str:
    """An id cell as staging reads it: a spelling of "no value" is empty."""
    return "" if value.strip().lower() in NULL_ID_SPELLINGS else value


def decimal_point(value: str, decimal_mark: str) -> str:
    """A number written with `decimal_mark` (var decimal_mark) in `.` notation, or "" if it
    uses the other mark."""
    if decimal_mark == ".":
        return value
    return "" if "." in value else value.replace(",", ".")


@dataclass(frozen=True)
class RawTable:
    """A raw table as text: header and rows; an empty string is NULL."""

    header: list[str]
    rows: list[list[str]]


@dataclass
class TableOutcome:
    verdicts: list[str]  # per raw row: CLEAN, COLLAPSED or a reason
    counts: Counter = field(default_factory=Counter)

    @property
    def raw_rows(self) -> int:
        return len(self.verdicts)

    @property
    def clean_rows(self) -> int:
        return self.counts[CLEAN]

    @property
    def collapsed(self) -> int:
        return self.counts[COLLAPSED]

    @property
    def rejected(self) -> int:
        return self.raw_rows - self.clean_rows - self.collapsed

    def rejects(self) -> dict[str, int]:
        return {reason: self.counts[reason] for reason in REASONS if self.counts[reason]}


def parse_timestamp(value: str) -> datetime | None:
    """A UTC naive datetime, or None if the text is not an ISO 8601 date/timestamp."""
    if not TIMESTAMP_RE.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_date(value: str) -> date | None:
    if not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_moment(value: str, data_type: str) -> datetime | None:
    if data_type == "date":
        parsed = parse_date(value)
        return None if parsed is None else datetime(parsed.year, parsed.month, parsed.day)
    return parse_timestamp(value)


def _project(table: Table, raw: RawTable) -> list[dict[str, str]]:
    positions = {name: raw.header.index(name) for name in table.column_names}
    return [
        {name: clean_id(row[i] or "") if name.endswith("_id") else (row[i] or "")
         for name, i in positions.items()}
        for row in raw.rows
    ]  # fmt: skip


def _missing_value(table: Table, row: Mapping[str, str]) -> bool:
    for column in table.columns:
        skip = column.nullable or column.name in table.key or column.name in CHANNEL_COLUMNS
        # an empty lead is no clean lead (orphan_lead_id), an empty stage no stage (invalid_stage)
        skip = skip or (table.name in LEAD_CHILDREN and column.name == "lead_id")
        skip = skip or (table.name == "deals" and column.name == "stage")
        if not skip and column.data_type != "boolean" and row[column.name] == "":
            return True
    return table.name == "deals" and row["stage"].strip().lower() == "won" and not row["closed_at"]


def _bad_timestamp(table: Table, row: Mapping[str, str]) -> bool:
    return any(
        row[c.name] != "" and _parse_moment(row[c.name], c.data_type) is None
        for c in table.columns
        if c.data_type in ("date", "timestamp")
    )


def _implausible(table: Table, row: Mapping[str, str]) -> bool:
    for column in table.columns:
        if column.data_type not in ("date", "timestamp") or row[column.name] == "":
            continue
        moment = _parse_moment(row[column.name], column.data_type)
        if moment is None:
            continue
        too_late = moment >= PLAUSIBLE_UNTIL and (table.name, column.name) not in OPEN_ENDS
        if moment < PLAUSIBLE_FROM or too_late:
            return True
    return False


def _bad_number(table: Table, row: Mapping[str, str], decimal_mark: str = ".") -> bool:
    for column in table.columns:
        value = row[column.name]
        if value == "" or column.data_type not in ("numeric", "int"):
            continue
        pattern = INT_RE if column.data_type == "int" else NUMBER_RE
        value = decimal_point(value, decimal_mark)
        if not pattern.match(value):
            return True
        if table.name == "keyword_rankings" and column.name == "position" and float(value) < 1:
            return True
    return False


def _bad_boolean(table: Table, row: Mapping[str, str]) -> bool:
    return any(
        row[c.name] != "" and row[c.name].strip().lower() not in BOOLEAN_VALUES
        for c in table.columns
        if c.data_type == "boolean"
    )


def _negative(table: Table, row: Mapping[str, str], decimal_mark: str = ".") -> bool:
    return any(
        c.name in NON_NEGATIVE
        and row[c.name] != ""
        and float(decimal_point(row[c.name], decimal_mark)) < 0
        for c in table.columns
    )


def _end_before_start(table: Table, row: Mapping[str, str]) -> bool:
    if table.name not in END_AFTER_START:
        return False
    start_name, end_name = END_AFTER_START[table.name]
    if not row[start_name] or not row[end_name]:
        return False
    start = _parse_moment(row[start_name], table.column(start_name).data_type)
    end = _parse_moment(row[end_name], table.column(end_name).data_type)
    if (table.name, end_name) in OPEN_ENDS and end >= PLAUSIBLE_UNTIL:
        return False  # no end
    return end < start


def _unknown_currency(
    table: Table, row: Mapping[str, str], fx: set[tuple[str, str]], reporting: str
) -> bool:
    if table.name not in CURRENCY_DATE or row["currency"] == reporting:
        return False
    name = next(n for n in CURRENCY_DATE[table.name] if row[n])
    moment = _parse_moment(row[name], table.column(name).data_type)
    return (row["currency"], f"{moment:%Y-%m}") not in fx


def _row_reason(
    table: Table,
    row: Mapping[str, str],
    fx: set[tuple[str, str]],
    clean_leads: set[str] | None,
    reporting: str,
    decimal_mark: str = ".",
) -> str:
    checks = (
        ("missing_value", lambda: _missing_value(table, row)),
        ("bad_timestamp", lambda: _bad_timestamp(table, row)),
        ("implausible_date", lambda: _implausible(table, row)),
        ("bad_number", lambda: _bad_number(table, row, decimal_mark)),
        ("bad_boolean", lambda: _bad_boolean(table, row)),
        ("negative_amount", lambda: _negative(table, row, decimal_mark)),
        ("end_before_start", lambda: _end_before_start(table, row)),
        (
            "invalid_stage",
            lambda: table.name == "deals" and row["stage"].strip().lower() not in STAGES,
        ),
        (
            "invalid_category",
            lambda: table.name == "costs" and row["cost_category"] not in CATEGORIES,
        ),
        ("unknown_currency", lambda: _unknown_currency(table, row, fx, reporting)),
        (
            "orphan_lead_id",
            lambda: (
                clean_leads is not None
                and row["lead_id"] not in clean_leads
                and (table.name != "touchpoints" or row["lead_id"] != "")
            ),
        ),
    )
    return next((reason for reason, failed in checks if failed()), CLEAN)


def _key_verdicts(table: Table, rows: Sequence[Mapping[str, str]]) -> list[str | None]:
    """missing_key, exact-duplicate collapse and duplicate_key; None = go on checking."""
    verdicts: list[str | None] = [None] * len(rows)
    seen: set[tuple[str, ...]] = set()
    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if any(row[name] == "" for name in table.key):
            verdicts[i] = "missing_key"
            continue
        content = tuple(row[name] for name in table.column_names)
        if content in seen:
            verdicts[i] = COLLAPSED
            continue
        seen.add(content)
        if table.key:
            by_key[tuple(row[name] for name in table.key)].append(i)
    for members in by_key.values():
        if len(members) > 1:
            for i in members:
                verdicts[i] = "duplicate_key"
    return verdicts


def classify_table(
    table: Table,
    raw: RawTable,
    fx: set[tuple[str, str]],
    clean_leads: set[str] | None = None,
    reporting: str = "EUR",
    decimal_mark: str = ".",
) -> TableOutcome:
    rows = _project(table, raw)
    verdicts = _key_verdicts(table, rows)
    final = [
        verdict or _row_reason(table, row, fx, clean_leads, reporting, decimal_mark)
        for verdict, row in zip(verdicts, rows, strict=True)
    ]
    if table.name == "subscriptions":
        for i in _overlapping_versions(rows, final):
            final[i] = "overlapping_version"
    return TableOutcome(verdicts=final, counts=Counter(final))


def _validity(row: Mapping[str, str]) -> tuple[date, date | None]:
    """[valid_from, valid_to) of a version that passed the row checks; None = no end."""
    start = _parse_moment(row["valid_from"], "date")
    end = _parse_moment(row["valid_to"], "date") if row["valid_to"] else None
    assert start is not None
    if end is None or end >= PLAUSIBLE_UNTIL:
        return start.date(), None
    return start.date(), end.date()


def _overlapping_versions(rows: Sequence[Mapping[str, str]], verdicts: Sequence[str]) -> set[int]:
    """Clean versions valid on a common day with another clean version of their subscription:
    all of them are rejected (none is picked). A version valid on no day overlaps nothing."""
    by_subscription: dict[str, list[tuple[int, date, date | None]]] = defaultdict(list)
    for i, (row, verdict) in enumerate(zip(rows, verdicts, strict=True)):
        if verdict == CLEAN:
            start, end = _validity(row)
            if end is None or end > start:
                by_subscription[row["subscription_id"]].append((i, start, end))
    overlapping: set[int] = set()
    for versions in by_subscription.values():
        for i, start, end in versions:
            for j, other_start, other_end in versions:
                starts_before_other_ends = other_end is None or start < other_end
                if i != j and starts_before_other_ends and (end is None or other_start < end):
                    overlapping.update({i, j})
    return overlapping


def classify(
    contract: Mapping[str, Table],
    tables: Mapping[str, RawTable],
    fx: set[tuple[str, str]],
    decimal_mark: str = ".",
) -> dict[str, TableOutcome]:
    """Outcome per table; leads first, since children of a rejected lead are orphans.
    `decimal_mark`: var decimal_mark of the files."""
    mark = decimal_mark
    outcomes = {"leads": classify_table(contract["leads"], tables["leads"], fx, decimal_mark=mark)}
    lead_rows = _project(contract["leads"], tables["leads"])
    clean_leads = {
        row["lead_id"]
        for row, verdict in zip(lead_rows, outcomes["leads"].verdicts, strict=True)
        if verdict == CLEAN
    }
    for name, table in contract.items():
        if name != "leads":
            parents = clean_leads if name in LEAD_REFERENCES else None
            outcomes[name] = classify_table(table, tables[name], fx, parents, decimal_mark=mark)
    return {name: outcomes[name] for name in contract}


def load_fx(rows: Iterable[Mapping[str, str]]) -> set[tuple[str, str]]:
    """(currency, 'YYYY-MM') pairs from fx_rates seed rows."""
    return {(row["currency"], row["month"][:7]) for row in rows}
