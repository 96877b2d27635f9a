"""Reference: a Search Console landing -> `keyword_rankings` rows, in plain Python (no dbt, no SQL).

Written straight from docs/connectors.md (sections 3, 4 and 8). Call

    result = search_console_to_contract(landing_dir, sites=None)

on a directory laid out as the spec's DuckDB files: `<dir>/search_console/
keyword_site_report_by_site.csv|.parquet` (Fivetran's report; its query column may be named
`keyword`), else `<dir>/search_console/searchdata_site_impression...` (the bulk export), plus the
optional `<dir>/files/money_keywords.csv` (else the shipped seed, header only). Values are read as
text, trimmed, `''` = NULL, then typed here. Arithmetic is exact (fractions).

`result.rankings` holds the contract rows (ranked_on date | None, keyword str, position int | None,
is_money_keyword bool, search_volume int | None), `.rejected` the rejected landed rows (one per
landed row, exact copies counted in `rows`), `.reconciliation` the identity of the landed table.
Decisions where the spec leaves room are marked "Decision:" below.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import duckdb

from reference.connectors import (
    ConnectorInputError,
    Reconciliation,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
)
from reference.privacy import mask

INPUT = "search_console"
REPORT = "keyword_site_report_by_site"
BULK = "searchdata_site_impression"
REPORT_COLUMNS = ("date", "site", "country", "device", "impressions", "position")
BULK_COLUMNS = (
    "data_date", "site_url", "query", "is_anonymized_query", "country", "device", "impressions",
    "sum_top_position",
)  # fmt: skip
SEED = Path(__file__).resolve().parents[3] / "seeds" / "money_keywords.csv"

Row = dict[str, str | None]


class RejectedRow(NamedTuple):
    source_table: str
    reason: str
    rows: int  # the landed row and its exact copies


@dataclass(frozen=True)
class SearchConsoleResult:
    landed_table: str
    rankings: list[dict[str, object]]
    rejected: list[RejectedRow]
    reconciliation: Reconciliation

    def ranking(self, ranked_on: date, keyword: str) -> dict[str, object]:
        (row,) = [
            r for r in self.rankings if r["ranked_on"] == ranked_on and r["keyword"] == keyword
        ]
        return row

    def rejected_rows_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rejected:
            counts[row.reason] += row.rows
        return dict(counts)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _path(folder: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        if (folder / f"{table}{suffix}").is_file():
            return folder / f"{table}{suffix}"
    return None


def read_table(path: Path) -> tuple[list[str], list[Row]]:
    """Header (lower-cased) and rows of a landed CSV or Parquet file, values as trimmed text."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = [name.strip().lower() for name in next(reader, [])]
            rows = [
                {name: _clean(value) for name, value in zip(header, record, strict=True)}
                for record in reader
                if record
            ]
        return header, rows
    with duckdb.connect() as connection:
        relation = connection.sql("select * from read_parquet(?)", params=[str(path)])
        names = list(relation.columns)
        casts = ", ".join(f'cast("{name}" as varchar)' for name in names)
        records = connection.execute(f"select {casts} from read_parquet(?)", [str(path)]).fetchall()
    header = [name.lower() for name in names]
    return header, [{n: _clean(v) for n, v in zip(header, r, strict=True)} for r in records]


def _require(table: str, header: list[str], columns: Iterable[str]) -> None:
    for column in columns:
        if column not in header:
            raise ConnectorInputError(f"{INPUT}: table '{table}' is missing column '{column}'")


def money_keywords(landing_dir: Path) -> dict[str, int | None]:
    """keyword (lower-cased, trimmed) -> search volume, from files/money_keywords else the seed.
    Decision: a volume that is no integer is None; a keyword listed with different volumes has
    None."""
    path = _path(landing_dir / "files", "money_keywords") or SEED
    _, rows = read_table(path)
    volumes: dict[str, set[int | None]] = defaultdict(set)
    for row in rows:
        keyword = row.get("keyword")
        if keyword is None:
            continue
        volumes[mask(keyword.lower()) or ""].add(parse_int(row.get("search_volume")))
    out: dict[str, int | None] = {}
    for keyword, found in volumes.items():
        known = found - {None}
        out[keyword] = next(iter(known)) if len(known) == 1 else None
    return out


@dataclass(frozen=True)
class _Landed:
    ranked_on: date | None
    site: str | None
    query: str | None
    anonymised: bool
    search_type: str
    impressions: Fraction | None
    weighted: Fraction | None  # position x impressions (bulk: sum_top_position + impressions)
    position: Fraction | None  # the row's own position (bulk: None without impressions)


def _fraction(text: str | None) -> Fraction | None:
    value = parse_decimal(text)
    return None if value is None else Fraction(value)


def _report_row(row: Row, query_column: str) -> _Landed:
    impressions = _fraction(row.get("impressions"))
    position = _fraction(row.get("position"))
    return _Landed(
        ranked_on=parse_date(row.get("date")),
        site=row.get("site"),
        query=row.get(query_column),
        anonymised=False,
        search_type=(row.get("search_type") or "web").lower(),
        impressions=impressions,
        weighted=None if position is None or impressions is None else position * impressions,
        position=position,
    )


def _bulk_row(row: Row) -> _Landed:
    impressions = _fraction(row.get("impressions"))
    top = _fraction(row.get("sum_top_position"))
    has_both = impressions is not None and top is not None
    return _Landed(
        ranked_on=parse_date(row.get("data_date")),
        site=row.get("site_url"),
        query=row.get("query"),
        anonymised=parse_bool(row.get("is_anonymized_query")) is True,
        search_type=(row.get("search_type") or "web").lower(),
        impressions=impressions,
        weighted=top + impressions if has_both else None,  # type: ignore[operator]
        # Decision: a bulk row without impressions has no position of its own
        position=top / impressions + 1 if has_both and impressions > 0 else None,  # type: ignore[operator]
    )


def _reason(row: _Landed, sites: list[str] | None) -> str | None:
    if row.query is None or row.anonymised:
        return "anonymised_query"
    if row.search_type != "web":
        return "not_web_search"
    # Decision: rows of sites var search_console_sites does not list are rejected
    if sites is not None and (row.site or "").lower() not in {s.strip().lower() for s in sites}:
        return "site_not_selected"
    return None


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _position(rows: list[_Landed]) -> int | None:
    """Impressions-weighted mean rounded half up; rows without impressions weigh nothing; when no
    row has impressions, the plain mean of the rows' positions."""
    weighted = [r for r in rows if r.weighted is not None and r.impressions and r.impressions > 0]
    if weighted:
        total = sum((r.impressions for r in weighted), Fraction(0))  # type: ignore[misc]
        return _half_up(sum((r.weighted for r in weighted), Fraction(0)) / total)  # type: ignore[misc]
    positions = [r.position for r in rows if r.position is not None]
    if not positions:
        return None
    return _half_up(sum(positions, Fraction(0)) / len(positions))


def search_console_to_contract(
    landing_dir: Path, sites: list[str] | None = None
) -> SearchConsoleResult:
    folder = landing_dir / INPUT
    report, bulk = _path(folder, REPORT), _path(folder, BULK)
    if report is None and bulk is None:
        raise ConnectorInputError(f"{INPUT}: neither table '{REPORT}' nor '{BULK}' found")
    if report is not None:
        landed_table = REPORT
        header, raw = read_table(report)
        _require(REPORT, header, REPORT_COLUMNS)
        if "query" not in header and "keyword" not in header:
            _require(REPORT, header, ["query"])
        query_column = "query" if "query" in header else "keyword"
        make = lambda row: _report_row(row, query_column)  # noqa: E731
    else:
        assert bulk is not None
        landed_table = BULK
        header, raw = read_table(bulk)
        _require(BULK, header, BULK_COLUMNS)
        make = _bulk_row
    source_table = f"{INPUT}.{landed_table}"
    # exact copies of a landed row are one row (collapsed into it)
    copies: dict[tuple[str | None, ...], int] = defaultdict(int)
    first: dict[tuple[str | None, ...], Row] = {}
    for row in raw:
        signature = tuple(row.get(name) for name in header)
        copies[signature] += 1
        first.setdefault(signature, row)
    groups: dict[tuple[date | None, str], list[tuple[_Landed, int]]] = defaultdict(list)
    rejected: list[RejectedRow] = []
    for signature, row in first.items():
        landed = make(row)
        reason = _reason(landed, sites)
        if reason is not None:
            rejected.append(RejectedRow(source_table, reason, copies[signature]))
            continue
        keyword = mask((landed.query or "").lower()) or ""
        groups[(landed.ranked_on, keyword)].append((landed, copies[signature]))
    volumes = money_keywords(landing_dir)
    rankings: list[dict[str, object]] = []
    landed_in_groups = 0
    for (ranked_on, keyword), members in groups.items():
        landed_in_groups += sum(n for _, n in members)
        rankings.append(
            {
                "ranked_on": ranked_on,
                "keyword": keyword,
                "position": _position([landed for landed, _ in members]),
                "is_money_keyword": keyword in volumes,
                "search_volume": volumes.get(keyword),
            }
        )
    reconciliation = Reconciliation(
        INPUT,
        landed_table,
        len(raw),
        len(rankings),
        landed_in_groups - len(rankings),
        sum(r.rows for r in rejected),
    )
    return SearchConsoleResult(landed_table, rankings, rejected, reconciliation)
