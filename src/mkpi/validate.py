"""`mkpi validate`: run the generated great-expectations suites (expectations/*.json) on the marts.

Each suite names its mart; validate reads it from the warehouse into pandas (DuckDB file from env
DBT_DUCKDB_PATH, read-only; or PostgreSQL with `--target postgres`), derives the frames that rules
GX cannot state directly need (value = numerator / denominator, channels add up to the total, the
complete grid: see the suite's `meta.datasets`), runs GX 1.x on them in an ephemeral context
(no files, no network, no usage statistics), prints a summary with the worst offending rows and
writes one row per expectation into `marts.data_validation_results`. Exit code 1 when any
expectation fails, 2 when the warehouse or a suite cannot be read.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mkpi.paths import duckdb_path, project_root

RESULTS_SCHEMA = "marts"
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


def load_suites(folder: Path | None = None, names: Iterable[str] | None = None) -> list[dict]:
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


# ----------------------------------------------------------------------- derived frames
def _months(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["month"]).dt.normalize()


def ratio_check(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    rows = frame[
        frame["kpi"].isin(spec["kpis"])
        & frame["numerator"].notna()
        & frame["denominator"].notna()
        & (frame["denominator"] != 0)
    ].copy()
    expected = rows["numerator"].astype(float) / rows["denominator"].astype(float)
    error = (rows["value"].astype(float) - expected).abs()
    scale = expected.abs().where(expected != 0, 1.0)
    rows["expected_value"] = expected
    rows["relative_error"] = (error / scale).where(rows["value"].notna(), math.inf)
    return rows.reset_index(drop=True)


def zero_denominator(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    no_denominator = frame["denominator"].isna() | (frame["denominator"] == 0)
    return frame[frame["kpi"].isin(spec["kpis"]) & no_denominator].reset_index(drop=True)


def _model_key(models: pd.Series) -> pd.Series:
    """Attribution model as a join key: NULL becomes ''."""
    return models.astype(object).where(models.notna(), "").astype(str)


def reconciliation(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    months = sorted(_months(frame).unique()) if len(frame) else []
    data = frame.assign(month=_months(frame))
    parts = []
    for pair in spec["pairs"]:
        models: list[Any] = spec["attribution_models"] if pair["attributed"] else [None]
        grid = pd.DataFrame(
            [(month, model) for month in months for model in models],
            columns=["month", "attribution_model"],
        )
        channels = data[(data["kpi"] == pair["kpi"]) & (data["dimension"] == "channel")]
        if not pair["attributed"]:
            channels = channels.assign(attribution_model=None)
        sums = (
            channels.assign(model_key=_model_key(channels["attribution_model"]))
            .groupby(["month", "model_key"])["value"]
            .sum()
            .rename("channel_sum")
            .reset_index()
        )
        totals = (
            data[(data["kpi"] == pair["target"]) & (data["dimension"] == "total")]
            .groupby("month")["value"]
            .sum()
            .rename("total")
            .reset_index()
        )
        grid["model_key"] = _model_key(grid["attribution_model"])
        joined = (
            grid.merge(sums, on=["month", "model_key"], how="left")
            .merge(totals, on="month", how="left")
            .drop(columns="model_key")
        )
        joined = joined.fillna({"channel_sum": 0.0, "total": 0.0})
        joined.insert(0, "kpi", pair["kpi"])
        joined.insert(1, "target", pair["target"])
        joined["abs_difference"] = (joined["channel_sum"] - joined["total"]).abs()
        parts.append(joined)
    columns = ["kpi", "target", "month", "attribution_model", "channel_sum", "total"]
    if not parts:
        return pd.DataFrame(columns=[*columns, "abs_difference"])
    return pd.concat(parts, ignore_index=True)


def grid(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    columns = ["kpi", "dimension", "dimension_value", "expected_rows", "present_rows"]
    if frame.empty:
        return pd.DataFrame(columns=[*columns, "missing_rows"])
    months = _months(frame)
    month_count = len(pd.date_range(months.min(), months.max(), freq="MS"))
    models = set(spec["attribution_models"])
    attributed = set(spec["attributed_kpis"])
    rows = []
    data = frame.assign(month=months)
    for (kpi, dimension, value), group in data.groupby(
        ["kpi", "dimension", "dimension_value"], dropna=False
    ):
        split_by_model = kpi in attributed and dimension != "total"
        expected = month_count * (len(models) if split_by_model else 1)
        if split_by_model:
            present = group[group["attribution_model"].isin(models)]
        else:
            present = group[group["attribution_model"].isna()]
        present_count = len(present[["month", "attribution_model"]].drop_duplicates())
        rows.append((kpi, dimension, value, expected, present_count))
    result = pd.DataFrame(rows, columns=columns)
    result["missing_rows"] = result["expected_rows"] - result["present_rows"]
    return result


def credit_shares(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    sums = (
        frame.groupby(["conversion_id", "attribution_model"])["credit_share"]
        .sum()
        .rename("share_sum")
        .reset_index()
    )
    sums["abs_error"] = (sums["share_sum"] - 1.0).abs()
    return sums


def conversion_models(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    models = set(spec["attribution_models"])
    known = frame[frame["attribution_model"].isin(models)]
    present = known.groupby("conversion_id")["attribution_model"].nunique()
    result = pd.DataFrame({"conversion_id": frame["conversion_id"].dropna().unique()})
    result["present_models"] = result["conversion_id"].map(present).fillna(0).astype(int)
    result["missing_models"] = len(models) - result["present_models"]
    return result


def mrr_bridge(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    result = frame.assign(month=_months(frame)).sort_values("month").reset_index(drop=True)
    closing = (
        result["start_mrr"]
        + result["new_mrr"]
        + result["reactivation_mrr"]
        + result["expansion_mrr"]
        - result["contraction_mrr"]
        - result["churned_mrr"]
    )
    result["bridge_difference"] = (closing - result["mrr"]).abs()
    previous = result["mrr"].shift(1)
    consecutive = result["month"].shift(1) == result["month"] - pd.DateOffset(months=1)
    result["carry_difference"] = (result["start_mrr"] - previous).abs().where(consecutive)
    return result


def row_balance(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    result = frame.copy()
    result["unaccounted_rows"] = (
        result["raw_rows"]
        - result["clean_rows"]
        - result["rejected_rows"]
        - result["collapsed_duplicates"]
    )
    return result


DERIVED: dict[str, Callable[[pd.DataFrame, dict[str, Any]], pd.DataFrame]] = {
    "fct_kpis__ratio_check": ratio_check,
    "fct_kpis__zero_denominator": zero_denominator,
    "fct_kpis__reconciliation": reconciliation,
    "fct_kpis__grid": grid,
    "fct_raw_row_reconciliation__balance": row_balance,
    "fct_attribution_credits__shares": credit_shares,
    "fct_attribution_credits__models": conversion_models,
    "fct_mrr_monthly__bridge": mrr_bridge,
}


def datasets_for(suite: dict[str, Any], mart: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The mart and every frame the suite's expectations run on, derived from it."""
    frames = {}
    for name, spec in suite["meta"]["datasets"].items():
        if name == suite["meta"]["mart"]:
            frames[name] = mart
        else:
            frames[name] = DERIVED[name](mart, spec)
    return frames


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


_RUNS = itertools.count(1)


@functools.cache
def _gx_context() -> Any:
    """One ephemeral GX context per process: nothing on disk, no usage statistics."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.enable_analytics(False)
    return context


def _format_value(value: Any) -> str:
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return "NULL"
    if isinstance(value, pd.Timestamp | datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _violation(row: dict[str, Any], column: str | None, kwargs: dict[str, Any]) -> float:
    """How far a row lies outside a between-expectation's bounds (for worst-first examples)."""
    value = row.get(column) if column else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return 0.0
    if math.isnan(value):
        return math.inf
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    below = low - value if low is not None else 0.0
    above = value - high if high is not None else 0.0
    return max(below, above, 0.0)


def _examples(
    config: dict[str, Any],
    result: dict[str, Any],
    limit: int,
    identifying: list[str],
    frame: pd.DataFrame,
) -> list[str]:
    kwargs = config["kwargs"]
    column = kwargs.get("column")
    if config["type"].startswith("expect_column_distinct_values"):
        # GX lists only the first few: name them all, from the frame itself
        observed = {str(value) for value in frame[column].dropna().unique()}
        expected = {str(value) for value in kwargs.get("value_set") or []}
        missing = sorted(expected - observed)
        extra = sorted(observed - expected) if "equal" in config["type"] else []
        parts = []
        if missing:
            parts.append(f"missing: {', '.join(map(str, missing))}")
        if extra:
            parts.append(f"unexpected: {', '.join(map(str, extra))}")
        return ["; ".join(parts)] if parts else []
    rows = result.get("unexpected_index_list") or []
    if rows and isinstance(rows[0], dict):
        rows = sorted(rows, key=lambda row: _violation(row, column, kwargs), reverse=True)
        shown = [name for name in identifying if name in rows[0]]
        if column in rows[0] and column not in shown:
            shown.append(column)
        extra_columns = [name for name in rows[0] if name not in shown]
        texts = []
        for row in rows[:limit]:
            cells = [f"{name}={_format_value(row[name])}" for name in shown + extra_columns]
            texts.append(" ".join(cells))
        return texts
    values = result.get("partial_unexpected_list") or []
    return [f"{column}={_format_value(value)}" for value in values[:limit]]


def run_suite(
    suite: dict[str, Any], frames: dict[str, pd.DataFrame], examples: int = 3
) -> list[Outcome]:
    """Run every expectation of `suite` on its dataset in `frames`; one Outcome each."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = _gx_context()
    source = context.data_sources.add_pandas(f"mkpi_{suite['name']}_{next(_RUNS)}")
    outcomes: list[Outcome] = []
    by_dataset: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, config in enumerate(suite["expectations"]):
        by_dataset.setdefault(config["meta"]["dataset"], []).append((index, config))
    found: dict[int, Outcome] = {}
    for dataset, configs in by_dataset.items():
        frame = frames[dataset]
        identifying = [name for name in IDENTIFYING_COLUMNS if name in frame.columns]
        # examples show whole rows: the identifying columns first, then the rest
        index_columns = identifying + [name for name in frame.columns if name not in identifying]
        gx_suite = gx.ExpectationSuite(name=f"{suite['name']}:{dataset}")
        for index, config in configs:
            meta = {**config.get("meta", {}), "index": index}
            gx_suite.add_expectation(
                ExpectationConfiguration(
                    type=config["type"], kwargs=config["kwargs"], meta=meta
                ).to_domain_obj()
            )
        asset = source.add_dataframe_asset(dataset)
        batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame}
        )
        result_format: dict[str, Any] = {"result_format": "COMPLETE"}
        if index_columns:
            result_format["unexpected_index_column_names"] = index_columns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validation = batch.validate(gx_suite, result_format=result_format)
        for item in validation.results:
            meta = item.expectation_config.meta
            config = suite["expectations"][meta["index"]]
            result = item.result or {}
            if item.exception_info and item.exception_info.get("raised_exception"):
                message = item.exception_info.get("exception_message") or "raised an exception"
                failure = [f"error: {str(message).splitlines()[0]}"]
            else:
                failure = (
                    [] if item.success else _examples(config, result, examples, identifying, frame)
                )
            found[meta["index"]] = Outcome(
                suite=suite["name"],
                dataset=dataset,
                expectation=config["type"],
                rule=meta["rule"],
                description=meta["description"],
                column=config["kwargs"].get("column")
                or ",".join(config["kwargs"].get("column_list", [])),
                kpi=meta.get("kpi"),
                success=bool(item.success),
                element_count=result.get("element_count"),
                unexpected_count=result.get("unexpected_count", result.get("missing_count")),
                examples=failure,
            )
    for index in range(len(suite["expectations"])):
        outcomes.append(found[index])
    return outcomes


# ---------------------------------------------------------------------------- warehouse
def _pg_connect() -> Any:
    """A psycopg2 connection from MKPI_PG_* (mkpi.pg when present, else the same defaults)."""
    try:
        from mkpi import pg  # type: ignore[attr-defined]

        return pg.connect()
    except ImportError:
        import psycopg2

        return psycopg2.connect(
            host=os.environ.get("MKPI_PG_HOST", "localhost"),
            port=int(os.environ.get("MKPI_PG_PORT", "55432")),
            user=os.environ.get("MKPI_PG_USER", "postgres"),
            password=os.environ.get("MKPI_PG_PASSWORD", "postgres"),
            dbname=os.environ.get("MKPI_PG_DATABASE", "marketing"),
            connect_timeout=10,
        )


class Warehouse:
    """Reads marts and writes results, on DuckDB or PostgreSQL."""

    def __init__(self, target: str, path: Path | None = None) -> None:
        self.target = target
        self.path = path or duckdb_path()

    def describe(self) -> str:
        return f"duckdb {self.path}" if self.target == "duckdb" else "postgres (MKPI_PG_*)"

    def read(self, schema: str, table: str) -> pd.DataFrame:
        query = f"select * from {schema}.{table}"
        if self.target == "duckdb":
            import duckdb

            if not self.path.is_file():
                raise FileNotFoundError(f"no DuckDB database at {self.path}: run dbt build first")
            with duckdb.connect(str(self.path), read_only=True) as connection:
                frame = connection.execute(query).df()
        else:
            connection = _pg_connect()
            try:
                with connection.cursor() as cursor:
                    cursor.execute(query)
                    names = [column[0] for column in cursor.description]
                    frame = pd.DataFrame(cursor.fetchall(), columns=names)
            finally:
                connection.close()
        return _normalise(frame)

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
        connection = _pg_connect()
        try:
            placeholders = ", ".join("%s" for _ in names)
            with connection.cursor() as cursor:
                cursor.execute(f"create schema if not exists {RESULTS_SCHEMA}")
                cursor.execute(f"create table if not exists {table} ({columns})")
                cursor.executemany(f"insert into {table} values ({placeholders})", rows)
            connection.commit()
        finally:
            connection.close()


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Decimals to floats and dates to timestamps, the same on both warehouses."""
    for name in frame.columns:
        sample = frame[name].dropna()
        if sample.empty:
            continue
        first = sample.iloc[0]
        if type(first).__name__ == "Decimal":
            frame[name] = frame[name].astype(float)
        elif type(first).__name__ == "date":
            frame[name] = pd.to_datetime(frame[name])
    return frame


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
    parser.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    parser.add_argument("--suites-dir", type=Path, default=None, help="default: expectations/")
    parser.add_argument("--examples", type=int, default=3, help="offending rows shown per failure")
    parser.add_argument(
        "--no-write", action="store_true", help=f"do not write {RESULTS_SCHEMA}.{RESULTS_TABLE}"
    )


def run(args: argparse.Namespace) -> int:
    warehouse = Warehouse(args.target, args.duckdb_path)
    run_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        suites = load_suites(args.suites_dir, args.suite)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"mkpi validate: {len(suites)} suites on {warehouse.describe()}")
    outcomes: list[Outcome] = []
    for suite in suites:
        meta = suite["meta"]
        try:
            mart = warehouse.read(meta["schema"], meta["mart"])
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except Exception as error:  # a missing mart is a failed suite, not a crash
            reason = str(error).splitlines()[0]
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
                    examples=[reason],
                )
            )
            continue
        outcomes += run_suite(suite, datasets_for(suite, mart), args.examples)
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
