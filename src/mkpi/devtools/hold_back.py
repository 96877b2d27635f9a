"""`mkpi hold-back`: split a raw directory into "before the last day" and "after it arrived".

Incremental builds are proved (tests/python/test_incremental.py) and timed (`mkpi benchmark`) on a
pair of raw directories:

- *before*: what the sources held at the cutoff (the start of the data's last day): rows dated at
  or after it are left out, lead stages, deal closings and subscription ends after it are blank
  (a deal closed later is still `open`), and a few touchpoints and orders dated within
  `late_days` before the cutoff are held back too: they arrive late, with the next day.
- *after*: the whole directory, plus (`--edge-rows`) rows that test the incremental logic where
  it is hardest: a visitor first identified on the new day (its older anonymous touches move to
  a lead that converted; that conversion's path changes), a new row reusing an older touch's key
  (both become `duplicate_key` rejects), an exact copy of a recent touch (a collapsed
  duplicate), and touches dated long before the re-read window whose `orphan_lead_id` verdict
  changes: their lead arrives on the new day, or is rejected by a conflicting new lead row.

Both keep the input's format (CSV text stays text; Parquet keeps its types).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from mkpi.duckdb_rows import one_row

# table -> the column that says when the row arrived (None: the table is kept whole)
ARRIVAL_COLUMNS: dict[str, str | None] = {
    "campaigns": None,
    "costs": "cost_date",
    "leads": "created_at",
    "touchpoints": "occurred_at",
    "deals": "created_at",
    "subscriptions": "valid_from",
    "orders": "ordered_at",
    "keyword_rankings": "ranked_on",
}
# columns that were still empty at the cutoff when their value lies after it
LATER_VALUES: dict[str, tuple[str, ...]] = {
    "leads": ("mql_at", "sql_at", "customer_at"),
    "subscriptions": ("valid_to",),
    "deals": ("closed_at",),
}
# tables whose rows may arrive late, with their key (a stable pick: hash of the key)
LATE_KEYS: dict[str, str] = {"touchpoints": "touchpoint_id", "orders": "order_id"}


@dataclass(frozen=True)
class Split:
    cutoff: datetime
    rows_before: dict[str, int]
    rows_after: dict[str, int]
    late_rows: dict[str, int]
    edge_rows: tuple[str, ...]


def _file(raw: Path, table: str) -> Path:
    for suffix in (".parquet", ".csv"):
        path = raw / f"{table}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"raw table '{table}' not found in {raw} (.csv or .parquet)")


def _load(connection: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    reader = (
        f"read_parquet('{path}')"
        if path.suffix == ".parquet"
        else f"read_csv('{path}', header = true, all_varchar = true)"
    )
    connection.execute(f"create or replace table {table} as select * from {reader}")


def _write(connection: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    options = "(format parquet)" if path.suffix == ".parquet" else "(header, delimiter ',')"
    connection.execute(f"copy ({query}) to '{path}' {options}")
    return one_row(connection, f"select count(*) from ({query})")[0]


def _time(column: str) -> str:
    return f"try_cast({column} as timestamp)"


def _at(moment: datetime) -> str:
    """A timestamp literal."""
    return f"timestamp '{moment.isoformat(sep=' ')}'"


def cutoff_of(connection: duckdb.DuckDBPyConnection) -> datetime:
    """The start of the last day with touchpoints."""
    last = one_row(connection, f"select max({_time('occurred_at')}) from touchpoints")[0]
    if last is None:
        raise ValueError("raw table 'touchpoints' has no readable occurred_at: nothing to split")
    return datetime(last.year, last.month, last.day)


def _before_query(table: str, cutoff: datetime, late_days: int) -> str:
    arrival = ARRIVAL_COLUMNS[table]
    if arrival is None:
        return f"select * from {table}"
    at = _at(cutoff)
    blanks = []
    for column in LATER_VALUES.get(table, ()):
        blanks.append(f"case when {_time(column)} >= {at} then null else {column} end as {column}")
    if table == "deals":
        blanks.append(f"case when {_time('closed_at')} >= {at} then 'open' else stage end as stage")
    replace = f" replace ({', '.join(blanks)})" if blanks else ""
    condition = f"{_time(arrival)} < {at}"
    if table in LATE_KEYS:
        condition += f" and not ({_late_condition(table, cutoff, late_days)})"
    return f"select *{replace} from {table} where {condition}"


def _late_condition(table: str, cutoff: datetime, late_days: int) -> str:
    """Rows dated within `late_days` before the cutoff that arrive late: every 7th by key hash."""
    at = _at(cutoff)
    arrival = _time(ARRIVAL_COLUMNS[table] or "")
    return (
        f"{arrival} >= {at} - interval {late_days} day and {arrival} < {at}"
        f" and hash({LATE_KEYS[table]}) % 7 = 0"
    )


def _copy_row(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    order_by: str,
    values: dict[str, str],
) -> None:
    """Append to `table` a copy of its first row matching `where` (in `order_by` order), with
    `values` (SQL expressions, cast to each column's type) replacing its columns."""
    column_type = dict(
        connection.execute(f"select column_name, column_type from (describe {table})").fetchall()
    )
    replaced = ", ".join(
        f"cast({expression} as {column_type[column]}) as {column}"
        for column, expression in values.items()
    )
    connection.execute(
        f"insert into {table} select * replace ({replaced})"
        f" from {table} where {where} order by {order_by} limit 1"
    )


def _add_edge_rows(connection: duckdb.DuckDBPyConnection, cutoff: datetime) -> tuple[str, ...]:
    """Append the hard cases to the in-memory touchpoints (see the module docstring)."""
    new_day = _at(cutoff + timedelta(hours=12))

    def copy_touch(where: str, **values: str) -> None:
        """Append a copy of the first touch matching `where`, with `values` replacing its columns;
        every copy is dated on the new day."""
        values.setdefault("occurred_at", new_day)
        _copy_row(connection, "touchpoints", where, "occurred_at, touchpoint_id", values)

    added = []
    identified = connection.execute(
        """
        with anonymous_visitors as (
            select visitor_id from touchpoints group by visitor_id having count(lead_id) = 0
        ),
        conversions as (
            select lead_id, try_cast(ordered_at as timestamp) as converted_at from orders
            union all
            select lead_id, try_cast(closed_at as timestamp) from deals where lower(stage) = 'won'
        )
        select touchpoints.visitor_id, conversions.lead_id
        from touchpoints
        inner join anonymous_visitors on touchpoints.visitor_id = anonymous_visitors.visitor_id
        inner join conversions
            on try_cast(touchpoints.occurred_at as timestamp)
                between conversions.converted_at - interval 80 day and conversions.converted_at
        order by touchpoints.visitor_id, conversions.lead_id
        limit 1
        """
    ).fetchone()
    if identified:
        visitor_id, lead_id = identified
        copy_touch(
            f"visitor_id = '{visitor_id}'",
            touchpoint_id="'tp_edge_identified'",
            lead_id=f"'{lead_id}'",
            created_lead="false",
        )
        added.append(f"visitor {visitor_id} identified as converting lead {lead_id}")
    returning = connection.execute(
        """
        with converting as (
            select lead_id from orders union select lead_id from deals
        )
        select touchpoints.visitor_id, max(touchpoints.channel)
        from touchpoints
        where
            touchpoints.lead_id is not null
            and touchpoints.lead_id not in (select lead_id from converting)
        group by touchpoints.visitor_id
        having count(distinct touchpoints.lead_id) = 1
        order by touchpoints.visitor_id
        limit 1
        """
    ).fetchone()
    if returning:
        visitor_id, channel = returning
        copy_touch(
            f"visitor_id = '{visitor_id}'",
            touchpoint_id="'tp_edge_returning'",
            lead_id="null",
            channel="'Referral'" if channel != "Referral" else "'Display'",
            created_lead="false",
        )
        added.append(f"anonymous touch of visitor {visitor_id}, identified earlier")
    at = _at(cutoff)
    reused = one_row(
        connection,
        "select touchpoint_id from touchpoints"
        f" where {_time('occurred_at')} < {at} - interval 30 day order by touchpoint_id limit 1",
    )[0]
    copy_touch(f"touchpoint_id = '{reused}'")
    added.append(f"new row reusing the key of older touch {reused}")
    copied = one_row(
        connection,
        f"select touchpoint_id from touchpoints where {_time('occurred_at')} >= {at}"
        f" and touchpoint_id not in ('tp_edge_identified', '{reused}')"
        " order by touchpoint_id limit 1",
    )[0]
    connection.execute(
        f"insert into touchpoints select * from touchpoints where touchpoint_id = '{copied}'"
    )
    added.append(f"exact copy of new touch {copied}")
    added.extend(_add_lead_status_edges(connection, cutoff, copy_touch))
    return tuple(added)


def _add_lead_status_edges(
    connection: duckdb.DuckDBPyConnection, cutoff: datetime, copy_touch: Callable[..., None]
) -> list[str]:
    """Touches whose `orphan_lead_id` verdict changes with the new day's leads, dated long before
    the re-read window: one whose lead arrives on the new day (an orphan before, clean after: its
    visitor's anonymous touches move onto that lead), the touches of a converting lead that a
    conflicting new row (`duplicate_key`) rejects, and a touch whose lead never arrives."""
    new_day = _at(cutoff + timedelta(hours=12))

    def copy_lead(where: str, **values: str) -> None:
        values.setdefault("created_at", new_day)
        _copy_row(connection, "leads", where, "lead_id", values)

    at = _at(cutoff)
    old = f"{_time('occurred_at')} < {at} - interval 10 day"
    added = []
    anonymous = connection.execute(
        "select visitor_id from touchpoints group by visitor_id"
        f" having count(lead_id) = 0 and bool_and({old}) order by visitor_id desc limit 1"
    ).fetchone()
    if anonymous:
        copy_touch(
            f"visitor_id = '{anonymous[0]}'",
            touchpoint_id="'tp_edge_lead_later'",
            lead_id="'ld_edge_later'",
            occurred_at="occurred_at",
            created_lead="true",
        )
        copy_lead(
            "true", lead_id="'ld_edge_later'", email="null", mql_at="null", sql_at="null",
            customer_at="null",
        )  # fmt: skip
        added.append(f"touch of visitor {anonymous[0]} whose lead arrives on the new day")
    rejected = connection.execute(
        f"""
        with converting as (
            select lead_id from orders union select lead_id from deals where lower(stage) = 'won'
        )
        select touchpoints.lead_id
        from touchpoints
        inner join converting on touchpoints.lead_id = converting.lead_id
        group by touchpoints.lead_id
        having bool_and({old})
        order by touchpoints.lead_id
        limit 1
        """
    ).fetchone()
    if rejected:
        copy_lead(f"lead_id = '{rejected[0]}'", email="'conflicting.row@example.com'")
        added.append(f"converting lead {rejected[0]} rejected by a conflicting new row")
    copy_touch("true", touchpoint_id="'tp_edge_unknown_lead'", lead_id="'ld_edge_unknown'")
    added.append("touch whose lead never arrives")
    return added


def split(
    raw: Path, before: Path, after: Path | None, late_days: int = 2, edge_rows: bool = False
) -> Split:
    """Write `before` and `after` from `raw` (see the module docstring); without `after`
    (and edge rows) `raw` itself is the data after the last day."""
    if after is None and edge_rows:
        raise ValueError("edge rows need a directory to write the data after the last day to")
    with duckdb.connect() as connection:
        paths = {table: _file(raw, table) for table in ARRIVAL_COLUMNS}
        for table, path in paths.items():
            _load(connection, table, path)
        cutoff = cutoff_of(connection)
        added = _add_edge_rows(connection, cutoff) if edge_rows else ()
        rows_before, rows_after, late = {}, {}, {}
        for table, path in paths.items():
            query = _before_query(table, cutoff, late_days)
            rows_before[table] = _write(connection, query, before / path.name)
            rows_after[table] = (
                _write(connection, f"select * from {table}", after / path.name)
                if after
                else one_row(connection, f"select count(*) from {table}")[0]
            )
            if table in LATE_KEYS:
                late_rows = _late_condition(table, cutoff, late_days)
                late[table] = one_row(
                    connection, f"select count(*) from {table} where {late_rows}"
                )[0]
    return Split(cutoff, rows_before, rows_after, late, added)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", type=Path, required=True, help="the whole raw directory")
    parser.add_argument(
        "--before", type=Path, required=True, help="where to write the snapshot at the cutoff"
    )
    parser.add_argument(
        "--after", type=Path, default=None, help="where to write the whole data (with --edge-rows)"
    )
    parser.add_argument(
        "--late-days",
        type=int,
        default=2,
        help="touches and orders this close to the cutoff may arrive late",
    )
    parser.add_argument("--edge-rows", action="store_true", help="add the hard cases to --after")


def run(args: argparse.Namespace) -> int:
    for folder in (args.before, args.after):
        if folder is None:
            continue
        if folder.resolve() == args.raw.resolve():
            raise SystemExit(f"mkpi hold-back: --before/--after must differ from --raw ({folder})")
        shutil.rmtree(folder, ignore_errors=True)
    result = split(args.raw, args.before, args.after, args.late_days, args.edge_rows)
    print(f"cutoff {result.cutoff:%Y-%m-%d %H:%M} UTC")
    for table, rows in result.rows_after.items():
        late = result.late_rows.get(table, 0)
        print(
            f"{table:17} before {result.rows_before[table]:>10,}  after {rows:>10,}  late {late:,}"
        )
    for line in result.edge_rows:
        print(f"edge row: {line}")
    return 0
