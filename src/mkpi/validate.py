"""`mkpi validate`: run the generated great-expectations suites (expectations/*.json) on the marts.

The suites are GX 1.x suites; validate runs them in the warehouse itself, on DuckDB (file from env
DBT_DUCKDB_PATH, read-only) or PostgreSQL (`--target postgres`), so no mart is ever loaded into
Python (the credits mart has millions of rows). Every expectation type the suites use has one SQL
translation with GX's meaning on dataframes (row condition, NULL handling, element and unexpected
counts; tests/python/test_validate.py holds the SQL to GX's answers on the same rows), and every
derived dataset of a suite's `meta.datasets` (value = numerator / denominator, channels add up to
the total, the complete grid, ...) is one SQL query over the mart. Per dataset one scan counts
the rows and the unexpected rows of up to ROWS_PER_QUERY expectations; a failed expectation
fetches its worst few rows with LIMIT. Validate prints a summary with those rows and writes one
row per expectation into `marts.data_validation_results`. Exit code 1 when any expectation
fails, 2 when the warehouse or a suite cannot be read.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mkpi.paths import duckdb_path, project_root

RESULTS_SCHEMA = "marts"
# DuckDB's memory for validate's queries; bigger aggregations spill to a temporary folder
DUCKDB_MEMORY_LIMIT = "256MB"
RESULTS_TABLE = "data_validation_results"
RESULT_COLUMNS: dict[str, str] = {
    "run_at": "timestamp",
    "target": "text",
    "suite": "text",
    "dataset": "text",
    "expectation": "text",
    "rule": "text",
    "column_name": "text",
    "kpi": "text",
    "success": "boolean",
    "element_count": "bigint",
    "unexpected_count": "bigint",
    "example": "text",
    "description": "text",
}
# Columns that identify a row in any dataset, in the order examples show them.
IDENTIFYING_COLUMNS = (
    "conversion_id",
    "touchpoint_id",
    "kpi",
    "target",
    "month",
    "dimension",
    "dimension_value",
    "attribution_model",
    "source_table",
    "issue_type",
    "issue",
)


# ------------------------------------------------------------------------------ suites
def suites_dir() -> Path:
    return project_root() / "expectations"


def load_suites(
    folder: Path | None = None, names: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    folder = folder or suites_dir()
    wanted = set(names or [])
    suites = []
    for path in sorted(folder.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suite.pop("_generated", None)
        if not wanted or suite["name"] in wanted:
            suites.append(suite)
    missing = wanted - {suite["name"] for suite in suites}
    if missing:
        raise FileNotFoundError(f"no suite named {', '.join(sorted(missing))} in {folder}")
    return suites


# --------------------------------------------------------------------------------- SQL text
def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a value of a suite (text, number, boolean or None)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no SQL literal for {value!r}")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no SQL literal for {value!r} ({type(value).__name__})")


def _value_list(values: Iterable[Any]) -> str:
    return ", ".join(literal(value) for value in values)


def _in(column: str, values: list[Any]) -> str:
    """`column in (values)`, false (never NULL) when the list is empty or the value is NULL."""
    if not values:
        return "false"
    return f"coalesce({column} in ({_value_list(values)}), false)"


DOUBLE = "double precision"
INFINITY = f"cast('Infinity' as {DOUBLE})"


def _double(expression: str) -> str:
    return f"cast({expression} as {DOUBLE})"


# ----------------------------------------------------------------------- derived datasets
# Each suite's `meta.datasets` describes the frames its rules run on besides the mart; here each
# one is a single SQL query over the mart, run in the warehouse (DuckDB and PostgreSQL alike).
def ratio_check(mart: str, spec: dict[str, Any]) -> str:
    numerator, denominator = _double("d.numerator"), _double("d.denominator")
    expected = f"{numerator} / {denominator}"
    return f"""
select
    d.*,
    {expected} as expected_value,
    case
        when d.value is null then {INFINITY}
        else abs({_double("d.value")} - {expected})
            / case when {expected} = 0 then 1.0 else abs({expected}) end
    end as relative_error
from {mart} as d
where {_in("d.kpi", spec["kpis"])}
    and d.numerator is not null
    and d.denominator is not null
    and d.denominator <> 0"""


def zero_denominator(mart: str, spec: dict[str, Any]) -> str:
    return f"""
select d.*
from {mart} as d
where {_in("d.kpi", spec["kpis"])}
    and (d.denominator is null or d.denominator = 0)"""


def reconciliation(mart: str, spec: dict[str, Any]) -> str:
    parts = []
    for pair in spec["pairs"]:
        kpi, target = literal(pair["kpi"]), literal(pair["target"])
        if pair["attributed"]:
            models = ", ".join(f"({literal(model)})" for model in spec["attribution_models"])
            grid_models = f"(values {models}) as models (attribution_model)"
            sums_key, sums_join = (
                "b.month, b.attribution_model",
                (" and c.attribution_model = g.attribution_model"),
            )
        else:
            grid_models = "(select cast(null as text) as attribution_model) as models"
            sums_key, sums_join = "b.month", ""
        if pair["attributed"] and not spec["attribution_models"]:
            continue
        parts.append(f"""
    select
        {kpi} as kpi,
        {target} as target,
        g.month,
        g.attribution_model,
        coalesce(c.channel_sum, 0) as channel_sum,
        coalesce(t.total, 0) as total,
        abs(coalesce(c.channel_sum, 0) - coalesce(t.total, 0)) as abs_difference
    from (select m.month, models.attribution_model from months as m cross join {grid_models}) as g
    left join (
        select {sums_key}, sum(b.value) as channel_sum
        from base as b
        where b.kpi = {kpi} and b.dimension = 'channel'
        group by {sums_key}
    ) as c on c.month is not distinct from g.month{sums_join}
    left join (
        select b.month, sum(b.value) as total
        from base as b
        where b.kpi = {target} and b.dimension = 'total'
        group by b.month
    ) as t on t.month is not distinct from g.month""")
    if not parts:
        return f"""
select
    cast(null as text) as kpi,
    cast(null as text) as target,
    cast(null as date) as month,
    cast(null as text) as attribution_model,
    cast(null as {DOUBLE}) as channel_sum,
    cast(null as {DOUBLE}) as total,
    cast(null as {DOUBLE}) as abs_difference
from {mart}
where false"""
    return f"""
with base as (
    select
        d.kpi,
        cast(d.month as date) as month,
        d.dimension,
        d.attribution_model,
        {_double("d.value")} as value
    from {mart} as d
),
months as (select distinct b.month from base as b)
{" union all ".join(parts)}"""


def grid(mart: str, spec: dict[str, Any]) -> str:
    models = spec["attribution_models"]
    split = f"({_in('b.kpi', spec['attributed_kpis'])} and b.dimension is distinct from 'total')"
    first, last = "min(b.month)", "max(b.month)"
    return f"""
with base as (
    select
        d.kpi,
        d.dimension,
        d.dimension_value,
        cast(d.month as date) as month,
        d.attribution_model
    from {mart} as d
),
span as (
    select cast(
        (extract(year from {last}) - extract(year from {first})) * 12
        + extract(month from {last}) - extract(month from {first}) + 1
    as bigint) as months
    from base as b
),
present as (
    select p.kpi, p.dimension, p.dimension_value, count(*) as present_rows
    from (
        select distinct b.kpi, b.dimension, b.dimension_value, b.month, b.attribution_model
        from base as b
        where ({split} and {_in("b.attribution_model", models)})
            or (not {split} and b.attribution_model is null)
    ) as p
    group by p.kpi, p.dimension, p.dimension_value
),
expected as (
    select
        g.kpi,
        g.dimension,
        g.dimension_value,
        s.months * case when {split.replace("b.", "g.")} then {len(models)} else 1 end
            as expected_rows
    from (select distinct b.kpi, b.dimension, b.dimension_value from base as b) as g
    cross join span as s
)
select
    e.kpi,
    e.dimension,
    e.dimension_value,
    e.expected_rows,
    coalesce(p.present_rows, 0) as present_rows,
    e.expected_rows - coalesce(p.present_rows, 0) as missing_rows
from expected as e
left join present as p
    on p.kpi is not distinct from e.kpi
    and p.dimension is not distinct from e.dimension
    and p.dimension_value is not distinct from e.dimension_value"""


def credit_shares(mart: str, spec: dict[str, Any]) -> str:
    share_sum = f"coalesce(sum({_double('d.credit_share')}), 0)"
    return f"""
select
    d.conversion_id,
    d.attribution_model,
    {share_sum} as share_sum,
    abs({share_sum} - 1.0) as abs_error
from {mart} as d
where d.conversion_id is not null and d.attribution_model is not null
group by d.conversion_id, d.attribution_model"""


def conversion_models(mart: str, spec: dict[str, Any]) -> str:
    models = spec["attribution_models"]
    known = f"case when {_in('d.attribution_model', models)} then d.attribution_model end"
    present = f"count(distinct {known})"
    return f"""
select
    d.conversion_id,
    {present} as present_models,
    {len(models)} - {present} as missing_models
from {mart} as d
where d.conversion_id is not null
group by d.conversion_id"""


def mrr_bridge(mart: str, spec: dict[str, Any]) -> str:
    closing = " + ".join(
        _double(f"d.{name}")
        for name in ("start_mrr", "new_mrr", "reactivation_mrr", "expansion_mrr")
    )
    closing += f" - {_double('d.contraction_mrr')} - {_double('d.churned_mrr')}"
    window = "over (order by cast(d.month as date) nulls last)"
    previous_month = f"lag(cast(d.month as date)) {window}"
    month_before = "cast(cast(d.month as date) - interval '1 month' as date)"
    return f"""
select
    d.*,
    abs({closing} - {_double("d.mrr")}) as bridge_difference,
    case
        when {previous_month} = {month_before}
            then abs({_double("d.start_mrr")} - {_double(f"lag(d.mrr) {window}")})
    end as carry_difference
from {mart} as d"""


def row_balance(mart: str, spec: dict[str, Any]) -> str:
    return f"""
select
    d.*,
    d.raw_rows - d.clean_rows - d.rejected_rows - d.collapsed_duplicates as unaccounted_rows
from {mart} as d"""


DERIVED: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "fct_kpis__ratio_check": ratio_check,
    "fct_kpis__zero_denominator": zero_denominator,
    "fct_kpis__reconciliation": reconciliation,
    "fct_kpis__grid": grid,
    "fct_raw_row_reconciliation__balance": row_balance,
    "fct_attribution_credits__shares": credit_shares,
    "fct_attribution_credits__models": conversion_models,
    "fct_mrr_monthly__bridge": mrr_bridge,
}


def mart_relation(suite: dict[str, Any]) -> str:
    meta = suite["meta"]
    return f"{quote(meta['schema'])}.{quote(meta['mart'])}"


def dataset_queries(suite: dict[str, Any]) -> dict[str, str]:
    """Every dataset of the suite as a SQL query: the mart itself, or derived from it."""
    mart = mart_relation(suite)
    queries = {}
    for name, spec in suite["meta"]["datasets"].items():
        if name == suite["meta"]["mart"]:
            queries[name] = f"select * from {mart}"
        elif name in DERIVED:
            queries[name] = DERIVED[name](mart, spec)
        else:
            raise ValueError(f"suite {suite['name']}: no derived dataset named {name}")
    return queries


# ------------------------------------------------------------------------ expectations
# One SQL translation per GX expectation type, with GX's meaning on dataframes: a row condition
# first narrows the rows (element_count counts them); column-map expectations ignore NULLs
# except the two NULL rules; unique-expectations count every row of a duplicated key.
ROW_RULES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
}
UNIQUE_RULES = {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
DISTINCT_RULES = {
    "expect_column_distinct_values_to_contain_set",
    "expect_column_distinct_values_to_equal_set",
}
KNOWN_KWARGS = {
    "column",
    "column_list",
    "value_set",
    "min_value",
    "max_value",
    "strict_min",
    "strict_max",
    "row_condition",
    "ignore_row_if",
}
OPERATORS = {"==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def condition_sql(condition: dict[str, Any], columns: set[str]) -> str:
    """A GX row condition as a SQL predicate that is never NULL; pandas' meaning: a comparison
    with a missing value is false, except `!=`, which is true."""
    kind = condition.get("type")
    if kind == "comparison":
        name = condition["column"]["name"]
        columns.add(name)
        column, operator = quote(name), condition["operator"]
        value = literal(condition["parameter"])
        if operator == "!=":
            return f"({column} is distinct from {value})"
        if operator not in OPERATORS:
            raise ValueError(f"unsupported row-condition operator {operator!r}")
        return f"coalesce({column} {OPERATORS[operator]} {value}, false)"
    if kind in ("and", "or"):
        parts = [condition_sql(part, columns) for part in condition["conditions"]]
        return "(" + f" {kind} ".join(parts) + ")" if parts else "true"
    raise ValueError(f"unsupported row condition {json.dumps(condition)}")


@dataclass(frozen=True)
class Check:
    """One expectation of a suite, translated to SQL."""

    index: int
    config: dict[str, Any]
    dataset: str
    family: str  # rows | unique | distinct
    domain: str  # the rows the expectation looks at (its row condition)
    columns: frozenset[str]  # the dataset columns it needs
    unexpected: str = "false"  # rows: a row of the domain that breaks it
    worst_first: str | None = None  # rows: order of examples, worst first
    keys: tuple[str, ...] = ()  # unique: the key columns
    ignored: str = "false"  # unique: domain rows left out of the key comparison

    @property
    def column(self) -> str | None:
        kwargs = self.config["kwargs"]
        return kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or None


def compile_expectation(index: int, config: dict[str, Any], suite_name: str) -> Check:
    kind, kwargs = config["type"], config["kwargs"]
    where = f"suite {suite_name}, expectation {index + 1} ({kind})"
    unknown = set(kwargs) - KNOWN_KWARGS
    if unknown:
        raise ValueError(f"{where}: unsupported arguments {', '.join(sorted(unknown))}")
    columns: set[str] = set()
    domain = "true"
    if kwargs.get("row_condition") is not None:
        domain = condition_sql(kwargs["row_condition"], columns)
    base = {"index": index, "config": config, "dataset": config["meta"]["dataset"]}
    if kind in ROW_RULES or kind in DISTINCT_RULES or kind == "expect_column_values_to_be_unique":
        columns.add(kwargs["column"])
        column = quote(kwargs["column"])
    if kind in ROW_RULES:
        worst_first = None
        if kind == "expect_column_values_to_not_be_null":
            unexpected = f"{column} is null"
        elif kind == "expect_column_values_to_be_null":
            unexpected = f"{column} is not null"
        elif kind == "expect_column_values_to_be_in_set":
            values = [value for value in kwargs["value_set"] if value is not None]
            unexpected = f"{column} is not null and not {_in(column, values)}"
        else:
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            outside, distances = [], []
            if low is not None:
                outside.append(
                    f"{column} {'<=' if kwargs.get('strict_min') else '<'} {literal(low)}"
                )
                distances.append(f"{literal(low)} - {column}")
            if high is not None:
                outside.append(
                    f"{column} {'>=' if kwargs.get('strict_max') else '>'} {literal(high)}"
                )
                distances.append(f"{column} - {literal(high)}")
            if not outside:
                raise ValueError(f"{where}: neither min_value nor max_value")
            unexpected = f"{column} is not null and ({' or '.join(outside)})"
            worst_first = (
                distances[0] if len(distances) == 1 else f"greatest({', '.join(distances)})"
            )
        return Check(
            **base,
            family="rows",
            domain=domain,
            columns=frozenset(columns),
            unexpected=unexpected,
            worst_first=worst_first,
        )
    if kind in UNIQUE_RULES:
        if kind == "expect_column_values_to_be_unique":
            keys, ignore = [kwargs["column"]], "any_value_is_missing"
        else:
            keys = list(kwargs["column_list"])
            ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        columns.update(keys)
        missing = [f"{quote(key)} is null" for key in keys]
        if ignore == "never":
            ignored = "false"
        elif ignore == "all_values_are_missing":
            ignored = "(" + " and ".join(missing) + ")"
        elif ignore == "any_value_is_missing":
            ignored = "(" + " or ".join(missing) + ")"
        else:
            raise ValueError(f"{where}: unsupported ignore_row_if {ignore!r}")
        return Check(
            **base,
            family="unique",
            domain=domain,
            columns=frozenset(columns),
            keys=tuple(keys),
            ignored=ignored,
        )
    if kind in DISTINCT_RULES:
        return Check(**base, family="distinct", domain=domain, columns=frozenset(columns))
    raise ValueError(f"{where}: unsupported expectation type")


def compile_suite(suite: dict[str, Any]) -> tuple[dict[str, str], list[Check]]:
    """(dataset name -> SQL query, one Check per expectation); ValueError if it cannot run."""
    queries = dataset_queries(suite)
    checks = []
    for index, config in enumerate(suite["expectations"]):
        check = compile_expectation(index, config, suite["name"])
        if check.dataset not in queries:
            raise ValueError(
                f"suite {suite['name']}, expectation {index + 1}: unknown dataset {check.dataset}"
            )
        checks.append(check)
    return queries, checks


# ------------------------------------------------------------------------------ running
@dataclass
class Outcome:
    """The result of one expectation."""

    suite: str
    dataset: str
    expectation: str
    rule: str
    description: str
    column: str | None
    kpi: str | None
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    examples: list[str] = field(default_factory=list)

    def record(self, run_at: datetime, target: str) -> dict[str, Any]:
        return {
            "run_at": run_at,
            "target": target,
            "suite": self.suite,
            "dataset": self.dataset,
            "expectation": self.expectation,
            "rule": self.rule,
            "column_name": self.column,
            "kpi": self.kpi,
            "success": self.success,
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
            "example": "; ".join(self.examples) or None,
            "description": self.description,
        }


class Session:
    """One open connection to the warehouse (DuckDB or psycopg2 in autocommit mode)."""

    def __init__(self, connection: Any, target: str, cleanup: str | None = None) -> None:
        self.connection = connection
        self.target = target
        self.cleanup = cleanup  # a spill folder to remove on close

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self.target == "duckdb":
            result = self.connection.execute(sql)
            names = [column[0] for column in result.description]
            return names, result.fetchall()
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            names = [column[0] for column in cursor.description]
            return names, cursor.fetchall()

    def columns(self, sql: str) -> list[str]:
        return self.query(f"select * from ({sql}) as d limit 0")[0]

    def close(self) -> None:
        self.connection.close()
        if self.cleanup:
            shutil.rmtree(self.cleanup, ignore_errors=True)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NULL"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _ordered(columns: list[str], check: Check) -> list[str]:
    """Example columns: the identifying ones first, then the checked column, then the rest."""
    shown = [name for name in IDENTIFYING_COLUMNS if name in columns]
    column = check.config["kwargs"].get("column")
    if column in columns and column not in shown:
        shown.append(column)
    return shown + [name for name in columns if name not in shown]


def _rows_text(names: list[str], rows: list[tuple[Any, ...]]) -> list[str]:
    return [
        " ".join(f"{n}={_format_value(v)}" for n, v in zip(names, row, strict=True)) for row in rows
    ]


def _row_examples(
    session: Session, sql: str, columns: list[str], check: Check, limit: int
) -> list[str]:
    names = _ordered(columns, check)
    identifying = [quote(name) for name in names if name in IDENTIFYING_COLUMNS]
    order = [f"{check.worst_first} desc nulls first"] if check.worst_first else []
    order += [f"{name} nulls first" for name in identifying]
    _, rows = session.query(
        f"select {', '.join(quote(name) for name in names)} from ({sql}) as d "
        f"where {check.domain} and ({check.unexpected}) "
        + (f"order by {', '.join(order)} " if order else "")
        + f"limit {int(limit)}"
    )
    return _rows_text(names, rows)


def _unique_examples(
    session: Session, sql: str, columns: list[str], check: Check, limit: int
) -> list[str]:
    names = _ordered(columns, check)
    keys = ", ".join(quote(key) for key in check.keys)
    order = ", ".join(f"{quote(key)} nulls first" for key in check.keys)
    _, rows = session.query(
        f"select {', '.join(quote(name) for name in names)} from ("
        f"select d.*, count(*) over (partition by {keys}) as mkpi_key_rows from ({sql}) as d "
        f"where {check.domain} and not {check.ignored}) as d "
        f"where mkpi_key_rows > 1 order by {order} "
        f"limit {int(limit)}"
    )
    return _rows_text(names, rows)


def _unique_count(session: Session, sql: str, check: Check) -> int:
    keys = ", ".join(quote(key) for key in check.keys)
    if session.target == "duckdb":
        # equal keys have equal hashes: when no hash repeats, no key does (grouping one 64-bit
        # hash is several times faster than grouping the text columns of millions of rows)
        _, rows = session.query(
            f"select count(*) from (select hash({keys}) as h from ({sql}) as d "
            f"where {check.domain} and not {check.ignored} group by h having count(*) > 1) as g"
        )
        if rows[0][0] == 0:
            return 0
    _, rows = session.query(
        f"select coalesce(sum(g.n), 0) from (select count(*) as n from ({sql}) as d "
        f"where {check.domain} and not {check.ignored} "
        f"group by {keys} having count(*) > 1) as g"
    )
    return int(rows[0][0])


def _distinct(session: Session, sql: str, check: Check) -> tuple[bool, int, list[str]]:
    """(success, unexpected_count as GX reports it, example) of a distinct-values rule."""
    column = quote(check.config["kwargs"]["column"])
    _, rows = session.query(
        f"select distinct {column} from ({sql}) as d where {check.domain} and {column} is not null"
    )
    observed = {str(row[0]) for row in rows}
    expected = {str(value) for value in check.config["kwargs"].get("value_set") or []}
    missing = sorted(expected - observed)
    extra = sorted(observed - expected) if check.config["type"].endswith("equal_set") else []
    parts = []
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    if extra:
        parts.append(f"unexpected: {', '.join(extra)}")
    # GX counts the values outside the set for equal_set, the missing ones for contain_set
    count = len(extra) if check.config["type"].endswith("equal_set") else len(missing)
    return not missing and not extra, count, ["; ".join(parts)] if parts else []


ROWS_PER_QUERY = 100  # expectations counted in one scan of a dataset


def _counts(session: Session, sql: str, checks: list[Check]) -> dict[int, tuple[int, int | None]]:
    """index -> (element_count, unexpected_count or None) in one scan per ROWS_PER_QUERY."""
    found: dict[int, tuple[int, int | None]] = {}
    for start in range(0, len(checks), ROWS_PER_QUERY):
        chunk = checks[start : start + ROWS_PER_QUERY]
        items = []
        for check in chunk:
            items.append(f"count(*) filter (where {check.domain})")
            if check.family == "rows":
                items.append(f"count(*) filter (where {check.domain} and ({check.unexpected}))")
        _, rows = session.query(f"select {', '.join(items)} from ({sql}) as d")
        values = iter(rows[0])
        for check in chunk:
            elements = int(next(values))
            found[check.index] = (
                elements,
                int(next(values)) if check.family == "rows" else None,
            )
    return found


def _evaluate(
    session: Session,
    suite: dict[str, Any],
    sql: str,
    columns: list[str],
    checks: list[Check],
    examples: int,
) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    try:
        counts = _counts(session, sql, [check for check in checks if check.family != "distinct"])
    except Exception:
        if len(checks) == 1:
            raise
        # one bad expectation (a type mismatch, say) must not hide the others: one at a time
        for check in checks:
            try:
                outcomes.update(_evaluate(session, suite, sql, columns, [check], examples))
            except Exception as error:
                outcomes[check.index] = _outcome(
                    suite, check, False, [f"error: {_first_line(error)}"]
                )
        return outcomes
    for check in checks:
        if check.family == "distinct":
            success, wrong_values, listed = _distinct(session, sql, check)
            outcomes[check.index] = _outcome(suite, check, success, listed, None, wrong_values)
            continue
        elements, unexpected = counts[check.index]
        if check.family == "unique":
            unexpected = _unique_count(session, sql, check)
        success = unexpected == 0
        shown: list[str] = []
        if not success:
            show = _row_examples if check.family == "rows" else _unique_examples
            shown = show(session, sql, columns, check, examples)
        outcomes[check.index] = _outcome(suite, check, success, shown, elements, unexpected)
    return outcomes


def _outcome(
    suite: dict[str, Any],
    check: Check,
    success: bool,
    examples: list[str],
    element_count: int | None = None,
    unexpected_count: int | None = None,
) -> Outcome:
    meta = check.config["meta"]
    return Outcome(
        suite=suite["name"],
        dataset=check.dataset,
        expectation=check.config["type"],
        rule=meta["rule"],
        description=meta["description"],
        column=check.column,
        kpi=meta.get("kpi"),
        success=success,
        element_count=element_count,
        unexpected_count=unexpected_count,
        examples=examples,
    )


def run_suite(suite: dict[str, Any], session: Session, examples: int = 3) -> list[Outcome]:
    """Run every expectation of `suite` in the warehouse; one Outcome each, in suite order."""
    queries, checks = compile_suite(suite)
    by_dataset: dict[str, list[Check]] = {}
    for check in checks:
        by_dataset.setdefault(check.dataset, []).append(check)
    found: dict[int, Outcome] = {}
    for dataset, group in by_dataset.items():
        sql = queries[dataset]
        try:
            columns = session.columns(sql)
        except Exception as error:
            for check in group:
                found[check.index] = _outcome(
                    suite, check, False, [f"error: dataset {dataset}: {_first_line(error)}"]
                )
            continue
        runnable = []
        for check in group:
            absent = sorted(check.columns - set(columns))
            if absent:
                message = f"error: no column {', '.join(absent)} in {dataset}"
                found[check.index] = _outcome(suite, check, False, [message])
            else:
                runnable.append(check)
        if runnable:
            found.update(_evaluate(session, suite, sql, columns, runnable, examples))
    return [found[index] for index in range(len(checks))]


# ---------------------------------------------------------------------------- warehouse
class Warehouse:
    """Runs queries on and writes results to DuckDB or PostgreSQL."""

    def __init__(
        self, target: str, path: Path | None = None, memory_limit: str = DUCKDB_MEMORY_LIMIT
    ) -> None:
        self.target = target
        self.path = path or duckdb_path()
        self.memory_limit = memory_limit

    def describe(self) -> str:
        return f"duckdb {self.path}" if self.target == "duckdb" else "postgres (MKPI_PG_*)"

    def open(self) -> Session:
        """A read-only session; FileNotFoundError / ConnectionError when there is no warehouse."""
        if self.target == "duckdb":
            import duckdb

            if not self.path.is_file():
                raise FileNotFoundError(f"no DuckDB database at {self.path}: run dbt build first")
            spill = tempfile.mkdtemp(prefix="mkpi-validate-")
            config: dict[str, str | bool | int | float | list[str]] = {
                "memory_limit": self.memory_limit,
                "temp_directory": spill,
            }
            connection = duckdb.connect(str(self.path), read_only=True, config=config)
            return Session(connection, "duckdb", cleanup=spill)
        from mkpi.pg import PgSettings, connect

        try:
            connection = connect()
        except Exception as error:
            where = PgSettings.from_env().describe()
            raise ConnectionError(
                f"cannot connect to PostgreSQL at {where}: {_first_line(error)}"
            ) from None
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("set time zone 'UTC'")
        return Session(connection, "postgres")

    def write_results(self, records: list[dict[str, Any]]) -> None:
        columns = ", ".join(f"{name} {kind}" for name, kind in RESULT_COLUMNS.items())
        table = f"{RESULTS_SCHEMA}.{RESULTS_TABLE}"
        names = list(RESULT_COLUMNS)
        rows = [tuple(record[name] for name in names) for record in records]
        if self.target == "duckdb":
            import duckdb

            placeholders = ", ".join("?" for _ in names)
            with duckdb.connect(str(self.path)) as connection:
                connection.execute(f"create schema if not exists {RESULTS_SCHEMA}")
                connection.execute(f"create table if not exists {table} ({columns})")
                connection.executemany(f"insert into {table} values ({placeholders})", rows)
            return
        from mkpi.pg import connect

        connection = connect()
        try:
            placeholders = ", ".join("%s" for _ in names)
            with connection.cursor() as cursor:
                cursor.execute(f"create schema if not exists {RESULTS_SCHEMA}")
                cursor.execute(f"create table if not exists {table} ({columns})")
                cursor.executemany(f"insert into {table} values ({placeholders})", rows)
            connection.commit()
        finally:
            connection.close()


# -------------------------------------------------------------------------------- output
def summary(outcomes: list[Outcome], examples: int = 3) -> str:
    lines = []
    suites: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        suites.setdefault(outcome.suite, []).append(outcome)
    for name, items in suites.items():
        failed = [item for item in items if not item.success]
        lines.append(f"suite {name}: {len(items)} expectations, {len(failed)} failed")
        for item in failed:
            if item.kpi:
                subject = f"kpi {item.kpi}"
            elif item.column:
                subject = f"column {item.column}"
            else:
                subject = f"mart {item.dataset}"
            count = (
                f" - {item.unexpected_count} of {item.element_count} rows"
                if item.unexpected_count is not None and item.element_count is not None
                else ""
            )
            lines.append(f"  FAIL [{item.rule}] {subject}: {item.description}{count}")
            for example in item.examples[:examples]:
                lines.append(f"       {example}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------- command
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    parser.add_argument(
        "--duckdb-path", type=Path, default=None, help="default: env DBT_DUCKDB_PATH"
    )
    parser.add_argument(
        "--memory-limit",
        default=DUCKDB_MEMORY_LIMIT,
        help=f"DuckDB memory limit for the checks (default {DUCKDB_MEMORY_LIMIT}; spills beyond)",
    )
    parser.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    parser.add_argument("--suites-dir", type=Path, default=None, help="default: expectations/")
    parser.add_argument("--examples", type=int, default=3, help="offending rows shown per failure")
    parser.add_argument(
        "--no-write", action="store_true", help=f"do not write {RESULTS_SCHEMA}.{RESULTS_TABLE}"
    )


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse(
        args.target, args.duckdb_path, getattr(args, "memory_limit", DUCKDB_MEMORY_LIMIT)
    )
    run_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        suites = load_suites(args.suites_dir, args.suite)
        for suite in suites:
            compile_suite(suite)  # a suite validate cannot run is unreadable: before any query
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"mkpi validate: {len(suites)} suites on {warehouse.describe()}")
    try:
        session = warehouse.open()
    except (FileNotFoundError, ConnectionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    try:
        for suite in suites:
            meta = suite["meta"]
            try:
                session.columns(f"select * from {mart_relation(suite)}")
            except Exception as error:  # a missing mart is a failed suite, not a crash
                outcomes.append(
                    Outcome(
                        suite=suite["name"],
                        dataset=meta["mart"],
                        expectation="mart_readable",
                        rule="mart_readable",
                        description=f"{meta['schema']}.{meta['mart']} can be read",
                        column=None,
                        kpi=None,
                        success=False,
                        examples=[_first_line(error)],
                    )
                )
                continue
            outcomes += run_suite(suite, session, args.examples)
    finally:
        session.close()
    print(summary(outcomes, args.examples))
    failed = sum(not outcome.success for outcome in outcomes)
    if not args.no_write:
        warehouse.write_results([outcome.record(run_at, args.target) for outcome in outcomes])
    where = "" if args.no_write else f"; results in {RESULTS_SCHEMA}.{RESULTS_TABLE}"
    if failed:
        print(f"validate: FAILED - {failed} of {len(outcomes)} expectations failed{where}")
        return 1
    print(f"validate: passed - {len(outcomes)} expectations{where}")
    return 0
