"""`mkpi benchmark`: time the whole pipeline at several scales against the engine's limit.

For each tier (number of leads; 36 months of history): generate the raw data as Parquet (cached
in the work dir, keyed by leads, months, seed and a fingerprint of the generator), build it with
dbt on DuckDB into a fresh database one stage per dbt invocation (load = seeds + on-run-start raw
registration, staging, intermediate, marts, tests; then `mkpi validate` if the project has it),
measuring each invocation's wall time and peak RSS (os.wait4). Then the same compiled SQL runs
straight in DuckDB (mkpi.devtools.bench.baseline) in another fresh database, and one plain
`dbt build` runs in a third. `--postgres` adds one PostgreSQL row on the 100k tier, `--spark` one
Spark row (dbt-spark `session`: pyspark's JVM in the dbt process's group, a fresh local warehouse).
Results are printed and written to BENCHMARKS.md (between markers; text outside them is kept) and
results.json.

This is a measuring tool, not a test: it never fails on a slow number.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mkpi.devtools.bench import manifest as mf
from mkpi.devtools.bench.machine import calibration_seconds, facts
from mkpi.devtools.bench.process import Measured, ask_probe, run_measured, tail
from mkpi.devtools.bench.report import label as tier_label
from mkpi.devtools.bench.report import render_report, write_report
from mkpi.paths import project_root
from mkpi.spark import spark_settings

DEFAULT_TIERS = (10_000, 100_000, 1_000_000)
POSTGRES_TIER = 100_000
SPARK_TIER = 100_000
DATABASE_NAME = "bench"  # every DuckDB file is bench.duckdb: compiled SQL names this catalog
MODEL_STAGES = ("staging", "intermediate", "marts")
STAGES = ("load", *MODEL_STAGES, "tests")


# ------------------------------------------------------------------------------ arguments
def parse_tiers(text: str) -> list[int]:
    """`10000,100k,1M` -> [10000, 100000, 1000000] (sorted, unique)."""
    tiers = set()
    for part in text.split(","):
        item = part.strip().lower().replace("_", "")
        if not item:
            continue
        factor = 1
        if item[-1] in "km":
            factor = 1_000 if item[-1] == "k" else 1_000_000
            item = item[:-1]
        try:
            value = int(float(item) * factor)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of leads: {part!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"a tier needs at least one lead: {part!r}")
        tiers.add(value)
    if not tiers:
        raise argparse.ArgumentTypeError("no tiers given")
    return sorted(tiers)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tiers",
        type=parse_tiers,
        default=list(DEFAULT_TIERS),
        help="comma-separated numbers of leads (10k, 1M accepted); default 10000,100000,1000000",
    )
    parser.add_argument("--quick", action="store_true", help="only the 10k tier")
    parser.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the generator")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="data cache and databases (default: target/benchmark in the project)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"add a PostgreSQL row on the {POSTGRES_TIER:,}-lead tier (scripts/postgres.sh)",
    )
    parser.add_argument(
        "--pg-database",
        default="marketing_benchmark",
        help="PostgreSQL database the --postgres row uses (created if missing)",
    )
    parser.add_argument(
        "--spark",
        action="store_true",
        help=f"add a Spark row on the {SPARK_TIER:,}-lead tier (dbt-spark session, local JVM)",
    )
    parser.add_argument(
        "--no-single-build",
        action="store_true",
        help="skip the extra one-invocation `dbt build` per tier",
    )
    parser.add_argument(
        "--no-incremental",
        action="store_true",
        help="skip the incremental run (the data before its last day, then the day appended)",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt unit tests in the tests stage and the single build",
    )
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=None,
        help="kill any one step after this many seconds and report it as timed out",
    )
    parser.add_argument(
        "--validation",
        type=Path,
        default=None,
        metavar="DUCKDB_FILE",
        help="only time `mkpi validate` on this built database against --validation-baseline",
    )
    parser.add_argument(
        "--validation-baseline",
        default=None,
        metavar="COMMIT",
        help="git commit of the baseline validate (default: the last pandas + GX one)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="markdown report to update (default: BENCHMARKS.md in the project)",
    )
    parser.add_argument(
        "--ga4-events",
        type=parse_count,
        default=None,
        metavar="N",
        help="only the GA4 sessionisation benchmark: a synthetic nested export of N events"
        " (10M accepted), `dbt run --select contract_ga4__touchpoints` against a plain DuckDB"
        " group-by over the same file",
    )


def parse_count(text: str) -> int:
    """A count like 10000000, 10_000_000, 10M or 500k."""
    value = text.strip().lower().replace("_", "").replace(",", "")
    factor = 1
    if value and value[-1] in "km":
        factor = 1_000 if value[-1] == "k" else 1_000_000
        value = value[:-1]
    try:
        count = int(float(value) * factor)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}") from error
    if count < 1:
        raise argparse.ArgumentTypeError(f"needs at least one: {text!r}")
    return count


# ------------------------------------------------------------------------------ results
@dataclass
class StepResult:
    name: str
    seconds: float | None = None
    cpu_seconds: float | None = None
    max_rss_mib: float | None = None
    returncode: int | None = None
    timed_out: bool = False
    busy_seconds: float | None = None  # union of node intervals (run_results)
    node_seconds: float | None = None  # sum of node execution times
    nodes: int | None = None
    log: str | None = None
    skipped: str | None = None  # why it did not run
    # Spark: the JVM pyspark starts is never waited for by the dbt process, so it is in neither
    # max_rss_mib nor cpu_seconds; these are read from /proc while it runs (process.GroupWatcher)
    jvm_max_rss_mib: float | None = None
    jvm_cpu_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.skipped is None and self.returncode == 0 and not self.timed_out


@dataclass
class IncrementalResult:
    """A full build on the data before its last day, then the day appended and built again."""

    split: StepResult | None = None  # mkpi hold-back (not part of any build)
    before: StepResult | None = None  # dbt build on the data before the last day, fresh database
    run: StepResult | None = None  # dbt run, incremental, on the whole data
    tests: StepResult | None = None  # dbt test after it
    comparison: dict[str, int] | None = None  # its fct_kpis against the single build's


@dataclass
class TierResult:
    leads: int
    data_dir: str
    generation: StepResult | None = None  # None when the data came from the cache
    rows_in: dict[str, int] = field(default_factory=dict)
    rows_out: dict[str, int] = field(default_factory=dict)
    parse: StepResult | None = None
    stages: list[StepResult] = field(default_factory=list)
    validation: StepResult | None = None
    single_build: StepResult | None = None
    baseline: dict[str, Any] | None = None
    node_seconds: dict[str, float] = field(default_factory=dict)  # dbt, per model
    node_info: dict[str, dict[str, str]] = field(default_factory=dict)  # stage, materialized
    python_models: list[str] = field(default_factory=list)
    python_seconds: float = 0.0
    incremental: IncrementalResult | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    root: Path
    work_dir: Path
    months: int
    seed: int
    timeout: float | None
    unit_tests: bool = False
    python: str = sys.executable

    @property
    def dbt(self) -> str:
        candidate = Path(self.python).with_name("dbt")
        return str(candidate) if candidate.exists() else "dbt"


def _step(name: str, measured: Measured) -> StepResult:
    return StepResult(
        name=name,
        seconds=measured.seconds,
        cpu_seconds=measured.cpu_seconds,
        max_rss_mib=measured.max_rss_mib,
        returncode=measured.returncode,
        timed_out=measured.timed_out,
        log=str(measured.log),
        jvm_max_rss_mib=measured.group_max_rss_mib,
        jvm_cpu_seconds=measured.group_cpu_seconds,
    )


def _say(message: str) -> None:
    print(message, flush=True)


def _report_step(prefix: str, step: StepResult) -> None:
    if step.skipped:
        _say(f"{prefix} {step.name}: skipped ({step.skipped})")
        return
    status = (
        "ok" if step.ok else ("TIMED OUT" if step.timed_out else f"FAILED exit {step.returncode}")
    )
    jvm = f" (JVM {step.jvm_max_rss_mib:,.0f} MiB)" if step.jvm_max_rss_mib is not None else ""
    _say(
        f"{prefix} {step.name}: {step.seconds:.1f} s, peak {step.max_rss_mib:,.0f} MiB{jvm},"
        f" {status}"
    )
    if not step.ok and step.log:
        _say(tail(Path(step.log)))


# ------------------------------------------------------------------------------ data
def generator_fingerprint(root: Path | None = None) -> str:
    """Short hash of the generator's source, so a changed generator means new data."""
    package = Path(__file__).resolve().parent
    files = [
        *sorted((package / "sampling").glob("*.py")),
        package / "sample_data.py",
        package.parent / "raw_contract.py",
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    seeds = (root or project_root()) / "seeds" / "fx_rates.csv"
    if seeds.is_file():
        digest.update(seeds.read_bytes())
    return digest.hexdigest()[:10]


def data_key(leads: int, months: int, seed: int, fingerprint: str) -> str:
    return f"leads-{leads}_months-{months}_seed-{seed}_gen-{fingerprint}"


def ensure_data(ctx: Context, leads: int) -> tuple[Path, StepResult | None]:
    """The tier's Parquet directory, generated unless cached; the generation step if it ran."""
    key = data_key(leads, ctx.months, ctx.seed, generator_fingerprint(ctx.root))
    arguments = [
        "sample", "--format", "parquet", "--leads", str(leads), "--months", str(ctx.months),
        "--seed", str(ctx.seed), "--out",
    ]  # fmt: skip
    return cached_output(ctx, ctx.work_dir / "data" / key, arguments, "generate")


def cached_output(
    ctx: Context, target: Path, arguments: list[str], step_name: str
) -> tuple[Path, StepResult | None]:
    """`mkpi <arguments> <folder>` writes a folder once: `target` if a complete one is cached,
    else written to `<target>.partial` and renamed when the command succeeded. Returns the
    folder and the measured step (None when cached)."""
    if (target / ".complete").is_file():
        return target, None
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    measured = run_measured(
        [ctx.python, "-m", "mkpi.cli", *arguments, str(partial)],
        ctx.work_dir / "logs" / f"{step_name}-{target.name}.log", env=_env(ctx), cwd=ctx.root,
        timeout=ctx.timeout,
    )  # fmt: skip
    step = _step(step_name, measured)
    if not measured.ok:
        return partial, step
    (partial / ".complete").write_text("ok\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target, step


# ------------------------------------------------------------------------------ dbt
def _env(ctx: Context, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DBT_TARGET", None)
    env.update(
        {
            "DBT_PROFILES_DIR": str(ctx.root),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DBT_USE_COLORS": "false",
            "MKPI_PROJECT_DIR": str(ctx.root),
        }
    )
    env.update(extra)
    return env


UNIT_TESTS_OUT = ["--exclude-resource-type", "unit_test"]


def stage_selection(stage: str, unit_tests: bool = False) -> list[str]:
    """dbt arguments for one build stage (models outside staging/intermediate go with marts).

    Tests are the data tests; dbt unit tests only with `unit_tests` (their cost does not grow
    with the data, and production runs leave them to CI)."""
    if stage == "load":
        return ["seed"]
    if stage == "tests":
        return ["test"] if unit_tests else ["test", *UNIT_TESTS_OUT]
    if stage in ("staging", "intermediate"):
        return ["run", "--select", f"path:models/{stage}"]
    if stage == "marts":
        return [
            "run", "--select", "path:models",
            "--exclude", "path:models/staging", "path:models/intermediate",
        ]  # fmt: skip
    raise ValueError(f"unknown stage {stage}")


@dataclass(frozen=True)
class DbtRun:
    """How to invoke dbt for one build: target, paths, vars, env."""

    ctx: Context
    target: str
    folder: Path
    env: dict[str, str]
    dbt_vars: dict[str, Any]
    watch_group: bool = False  # Spark: measure the JVM too and wait for it to end

    def command(self, arguments: list[str]) -> list[str]:
        return [
            self.ctx.dbt, *arguments[:1], "--target", self.target,
            "--target-path", str(self.folder / "target"),
            "--log-path", str(self.folder / "logs"),
            "--vars", json.dumps(self.dbt_vars), *arguments[1:],
        ]  # fmt: skip

    def run(self, name: str, arguments: list[str]) -> StepResult:
        measured = run_measured(
            self.command(arguments),
            self.folder / "steps" / f"{name}.log",
            env=self.env,
            cwd=self.ctx.root,
            timeout=self.ctx.timeout,
            watch_group=self.watch_group,
        )
        step = _step(name, measured)
        results_path = self.folder / "target" / "run_results.json"
        if arguments[0] in ("seed", "run", "test", "build") and results_path.is_file():
            keep = self.folder / "steps" / f"run_results-{name}.json"
            shutil.copyfile(results_path, keep)
            results_path.unlink()  # a failed next step must not report this one's results
            timings = mf.node_timings(json.loads(keep.read_text(encoding="utf-8")))
            step.busy_seconds = mf.busy_seconds(timings)
            step.node_seconds = sum(timing.seconds for timing in timings)
            step.nodes = len(timings)
        return step

    def run_results(self, name: str) -> dict[str, Any]:
        path = self.folder / "steps" / f"run_results-{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.folder / "target" / "manifest.json").read_text(encoding="utf-8"))


def validation_available() -> bool:
    return importlib.util.find_spec("mkpi.validate") is not None


def run_stages(
    run: DbtRun, prefix: str, names: tuple[str, ...], failed: str | None
) -> tuple[list[StepResult], str | None]:
    """Run stages in order; after a failed model stage the rest are skipped (tests still run
    when only they failed). Returns the steps and why later work should be skipped, if so."""
    steps: list[StepResult] = []
    for stage in names:
        if failed:
            step = StepResult(name=stage, skipped=failed)
        else:
            step = run.run(stage, stage_selection(stage, run.ctx.unit_tests))
            if not step.ok and stage != "tests":
                failed = f"{stage} failed"
        _report_step(prefix, step)
        steps.append(step)
    return steps, failed


def run_parse(run: DbtRun, prefix: str) -> tuple[StepResult, str | None]:
    parse = run.run("parse", ["parse"])
    _report_step(prefix, parse)
    return parse, None if parse.ok else "dbt parse failed"


def run_validation(run: DbtRun, prefix: str, extra: list[str], ready: bool) -> StepResult:
    if not validation_available():
        return StepResult(name="validation", skipped="no mkpi validate in this project")
    if not ready:
        return StepResult(name="validation", skipped="the build failed")
    measured = run_measured(
        [run.ctx.python, "-m", "mkpi.cli", "validate", *extra],
        run.folder / "steps" / "validation.log",
        env=run.env,
        cwd=run.ctx.root,
        timeout=run.ctx.timeout,
    )
    step = _step("validation", measured)
    _report_step(prefix, step)
    return step


# ------------------------------------------------------------------------------ baseline
def profile_settings(root: Path, output: str = "duckdb") -> dict[str, Any]:
    """The DuckDB settings of the profile's duckdb output (templated values left out)."""
    path = root / "profiles.yml"
    try:
        profiles = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    for profile in profiles.values():
        if not isinstance(profile, dict):
            continue
        settings = (profile.get("outputs", {}).get(output) or {}).get("settings") or {}
        return {
            key: value
            for key, value in settings.items()
            if not (isinstance(value, str) and "{{" in value)
        }
    return {}


def compiled_sql(node: mf.ModelNode, compiled: dict[str, str], target_dir: Path) -> str:
    """A model's compiled SQL: from run_results, else the manifest, else target/compiled."""
    if node.unique_id in compiled:
        return compiled[node.unique_id]
    if node.compiled_code:
        return node.compiled_code
    path = target_dir / "compiled" / node.package_name / node.original_file_path
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no compiled SQL for {node.unique_id} (looked in {path})")


def baseline_spec(
    ctx: Context,
    manifest: dict[str, Any],
    compiled: dict[str, str],
    run: DbtRun,
    database: Path,
    data_dir: Path,
) -> dict[str, Any]:
    nodes = mf.model_nodes(manifest)
    schemas = sorted(
        {node.schema for node in nodes}
        | {seed.schema for seed in mf.seed_specs(manifest)}
        | {source.schema for source in mf.raw_sources(manifest)}
    )
    setup = [f"create schema if not exists {mf.quote_ident(schema)}" for schema in schemas]
    for source in mf.raw_sources(manifest):
        parquet, csv = data_dir / f"{source.name}.parquet", data_dir / f"{source.name}.csv"
        if source.optional and not (parquet.is_file() or csv.is_file()):
            continue  # as the hook: the models fall back to the seed of that name
        setup.append(
            mf.raw_view_statement(
                source,
                str(parquet) if parquet.is_file() else None,
                str(csv) if csv.is_file() else None,
            )
        )
    seeds = [mf.seed_statement(seed, str(ctx.root / seed.path)) for seed in mf.seed_specs(manifest)]
    python_env = {**run.env, "DBT_DUCKDB_PATH": str(database)}
    python_run = DbtRun(ctx, run.target, database.parent, python_env, run.dbt_vars)
    entries = []
    for node in nodes:
        entry: dict[str, Any] = {"unique_id": node.unique_id, "stage": node.stage}
        if node.language == "python":
            entry.update(
                kind="python",
                command=python_run.command(["run", "--select", node.name]),
                env=python_env,
                cwd=str(ctx.root),
            )
        else:
            statement = mf.create_statement(
                node, compiled_sql(node, compiled, run.folder / "target")
            )
            entry.update(kind="sql", sql=statement) if statement else entry.update(kind="ephemeral")
        entries.append(entry)
    return {
        "database": str(database),
        "settings": profile_settings(ctx.root),
        "setup": setup,
        "seeds": seeds,
        "nodes": entries,
    }


def run_baseline(
    ctx: Context, run: DbtRun, data_dir: Path, tier_dir: Path, prefix: str
) -> dict[str, Any]:
    manifest = run.manifest()
    compiled: dict[str, str] = {}
    for stage in ("staging", "intermediate", "marts"):
        compiled.update(mf.compiled_code_by_node(run.run_results(stage)))
    database = tier_dir / "raw-sql" / f"{DATABASE_NAME}.duckdb"
    spec = baseline_spec(ctx, manifest, compiled, run, database, data_dir)
    spec_path = tier_dir / "raw-sql" / "spec.json"
    result_path = tier_dir / "raw-sql" / "result.json"
    spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    measured = run_measured(
        [ctx.python, "-m", "mkpi.devtools.bench.baseline", str(spec_path), str(result_path)],
        tier_dir / "raw-sql" / "baseline.log",
        env=run.env,
        cwd=ctx.root,
        timeout=ctx.timeout,
    )
    step = _step("raw SQL", measured)
    _report_step(prefix, step)
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.is_file() else {}
    result["process"] = asdict(step)
    result["database"] = str(database)
    return result


# ------------------------------------------------------------------------------ outputs
def mart_relations(manifest: dict[str, Any]) -> dict[str, str]:
    """{model name: quoted relation} of every non-ephemeral model in the marts stage."""
    return {
        node.name: node.relation
        for node in mf.model_nodes(manifest)
        if node.stage == "marts" and node.materialized != "ephemeral"
    }


# ------------------------------------------------------------------------------ one tier
def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _measure_baseline(
    ctx: Context, run: DbtRun, result: TierResult, data_dir: Path, tier_dir: Path, prefix: str
) -> None:
    manifest = run.manifest()
    marts = mart_relations(manifest)
    result.rows_out = ask_probe(
        {"relation_rows": [run.env["DBT_DUCKDB_PATH"], marts]}, ctx.work_dir
    )
    for stage in MODEL_STAGES:
        for timing in mf.node_timings(run.run_results(stage)):
            result.node_seconds[timing.unique_id] = timing.seconds
    for node in mf.model_nodes(manifest):
        result.node_info[node.unique_id] = {
            "name": node.name,
            "stage": node.stage,
            "materialized": node.materialized,
            "language": node.language,
        }
        if node.language == "python":
            result.python_models.append(node.name)
            result.python_seconds += result.node_seconds.get(node.unique_id, 0.0)
    baseline = run_baseline(ctx, run, data_dir, tier_dir, prefix)
    baseline["rows_out"] = ask_probe({"relation_rows": [baseline["database"], marts]}, ctx.work_dir)
    baseline["threads"] = ask_probe({"threads": baseline["database"]}, ctx.work_dir)
    result.baseline = baseline
    if baseline.get("error"):
        result.notes.append(f"raw-SQL baseline stopped: {baseline['error']}")
    elif baseline["rows_out"] != result.rows_out:
        result.notes.append("mart row counts differ between the dbt build and the raw-SQL run")


def run_tier(ctx: Context, leads: int, single_build: bool, incremental: bool) -> TierResult:
    prefix = f"[{tier_label(leads)}]"
    _say(f"{prefix} data: {leads:,} leads, {ctx.months} months, seed {ctx.seed}")
    data_dir, generation = ensure_data(ctx, leads)
    result = TierResult(leads=leads, data_dir=str(data_dir), generation=generation)
    if generation:
        _report_step(prefix, generation)
        if not generation.ok:
            result.notes.append(f"data generation failed (log: {generation.log})")
            return result
    else:
        _say(f"{prefix} data: cached in {data_dir}")
    result.rows_in = ask_probe({"raw_rows": str(data_dir)}, ctx.work_dir)

    tier_dir = ctx.work_dir / f"tier-{leads}"
    dbt_dir = fresh_dir(tier_dir / "dbt")
    fresh_dir(tier_dir / "raw-sql")
    database = dbt_dir / f"{DATABASE_NAME}.duckdb"
    run = DbtRun(
        ctx,
        "duckdb",
        dbt_dir,
        _env(ctx, DBT_DUCKDB_PATH=str(database)),
        {"raw_data_dir": str(data_dir)},
    )
    result.parse, failed = run_parse(run, prefix)
    result.stages, failed = run_stages(run, prefix, ("load", *MODEL_STAGES), failed)
    if failed:
        result.notes.append(f"the dbt build failed ({failed}): no raw-SQL baseline")
    else:
        # the raw-SQL run goes right after the models, so both see the machine in the same state
        _measure_baseline(ctx, run, result, data_dir, tier_dir, prefix)
    tests, _ = run_stages(run, prefix, ("tests",), failed)
    result.stages += tests
    if not failed and not tests[0].ok:
        result.notes.append(f"dbt test did not pass (log: {tests[0].log})")
    result.validation = run_validation(run, prefix, [], failed is None)
    if result.validation.log and not result.validation.ok:
        result.notes.append(f"mkpi validate did not pass (log: {result.validation.log})")
    if single_build:
        build_dir = fresh_dir(tier_dir / "build")
        build_run = DbtRun(
            ctx,
            "duckdb",
            build_dir,
            _env(ctx, DBT_DUCKDB_PATH=str(build_dir / f"{DATABASE_NAME}.duckdb")),
            run.dbt_vars,
        )
        result.single_build = build_run.run(
            "dbt build", ["build"] if ctx.unit_tests else ["build", *UNIT_TESTS_OUT]
        )
        _report_step(prefix, result.single_build)
        if incremental and result.single_build.ok:
            full_database = build_dir / f"{DATABASE_NAME}.duckdb"
            result.incremental = run_incremental(ctx, data_dir, tier_dir, full_database, prefix)
            result.notes += incremental_notes(result.incremental)
    return result


# ------------------------------------------------------------------------------ incremental
def run_incremental(
    ctx: Context, data_dir: Path, tier_dir: Path, full_database: Path, prefix: str
) -> IncrementalResult:
    """Build the data before its last day, append the day (and the late rows), run
    incrementally, test, and compare fct_kpis with the single build of the whole data."""
    result = IncrementalResult()
    before_dir, result.split = cached_output(
        ctx,
        data_dir.with_name(data_dir.name + "-before-last-day"),
        ["hold-back", "--raw", str(data_dir), "--before"],
        "split",
    )
    if result.split:
        _report_step(prefix, result.split)
        if not result.split.ok:
            return result
    folder = fresh_dir(tier_dir / "incremental")
    database = folder / f"{DATABASE_NAME}.duckdb"
    env = _env(ctx, DBT_DUCKDB_PATH=str(database))
    before = DbtRun(ctx, "duckdb", folder, env, {"raw_data_dir": str(before_dir)})
    result.before = before.run("incremental-before", ["build", *UNIT_TESTS_OUT])
    _report_step(prefix, result.before)
    if not result.before.ok:
        return result
    after = DbtRun(ctx, "duckdb", folder, env, {"raw_data_dir": str(data_dir)})
    result.run = after.run("incremental-run", ["run"])
    _report_step(prefix, result.run)
    if not result.run.ok:
        return result
    result.tests = after.run("incremental-test", ["test", *UNIT_TESTS_OUT])
    _report_step(prefix, result.tests)
    result.comparison = ask_probe(
        {"compare_kpis": [str(database), str(full_database)]}, ctx.work_dir
    )
    return result


def incremental_notes(result: IncrementalResult) -> list[str]:
    notes = []
    for step in (result.split, result.before, result.run, result.tests):
        if step is not None and not step.ok:
            notes.append(f"incremental: {step.name} did not pass (log: {step.log})")
    comparison = result.comparison or {}
    if comparison and (comparison.get("unmatched") or comparison.get("different")):
        notes.append(f"incremental: fct_kpis differs from the full build: {comparison}")
    return notes


# ------------------------------------------------------------------------------ PostgreSQL
def _load_step(
    ctx: Context,
    prefix: str,
    command: str,
    data_dir: Path,
    folder: Path,
    env: dict[str, str],
    outcome: dict[str, Any],
    watch_group: bool = False,
) -> bool:
    """`mkpi <command> --dir data_dir` (load-postgres, load-spark) as a measured step of
    `outcome`; False (with a note) when it failed."""
    load = _step(
        command,
        run_measured(
            [ctx.python, "-m", "mkpi.cli", command, "--dir", str(data_dir)],
            folder / "steps" / f"{command}.log",
            env=env,
            cwd=ctx.root,
            timeout=ctx.timeout,
            watch_group=watch_group,
        ),
    )
    _report_step(prefix, load)
    outcome["steps"].append(asdict(load))
    if not load.ok:
        outcome["notes"].append(f"mkpi {command} failed (log: {load.log})")
    return load.ok


def _failure_notes(steps: list[StepResult]) -> list[str]:
    return [
        f"{step.name} did not pass (log: {step.log})"
        for step in steps
        if not step.skipped and not step.ok
    ]


def run_postgres(ctx: Context, database: str) -> dict[str, Any]:
    """The 100k tier on PostgreSQL: load time, then the same stages with `--target postgres`.

    Uses its own database (`database`) on the server of scripts/postgres.sh (MKPI_PG_* env), so
    a developer's `marketing` database is left alone; stops the server only if it started it."""
    from mkpi.pg import PgSettings, connect

    prefix = f"[postgres {tier_label(POSTGRES_TIER)}]"
    outcome: dict[str, Any] = {"leads": POSTGRES_TIER, "steps": [], "notes": []}
    data_dir, generation = ensure_data(ctx, POSTGRES_TIER)
    if generation and not generation.ok:
        outcome["notes"].append("data generation failed")
        return outcome
    script = ["bash", str(ctx.root / "scripts" / "postgres.sh")]
    env = _env(ctx, MKPI_PG_DATABASE=database)
    logs = ctx.work_dir / "postgres"
    was_running = run_measured([*script, "status"], logs / "status.log", env=env).ok
    start = run_measured([*script, "start"], logs / "start.log", env=env, cwd=ctx.root)
    if not start.ok:
        outcome["notes"].append(f"could not start PostgreSQL (log: {start.log})")
        _say(f"{prefix} could not start PostgreSQL:\n{tail(start.log, 5)}")
        return outcome
    try:
        settings = PgSettings.from_env(env)
        outcome["server"] = settings.describe()
        connection = connect(settings)
        try:
            with connection.cursor() as cursor:
                cursor.execute("show server_version")
                outcome["server_version"] = cursor.fetchone()[0]
        finally:
            connection.close()
        folder = fresh_dir(logs / "build")
        run = DbtRun(ctx, "postgres", folder, env, {"raw_data_dir": str(data_dir)})
        if not _load_step(ctx, prefix, "load-postgres", data_dir, folder, env, outcome):
            return outcome
        parse, failed = run_parse(run, prefix)
        if not failed:
            _drop_built_schemas(run.manifest(), settings)
        stages, failed = run_stages(run, prefix, STAGES, failed)
        steps = [parse, *stages]
        steps.append(run_validation(run, prefix, ["--target", "postgres"], failed is None))
        outcome["steps"].extend(asdict(step) for step in steps)
        outcome["notes"].extend(_failure_notes(steps))
    finally:
        if not was_running:
            run_measured([*script, "stop"], logs / "stop.log", env=env)
    return outcome


def _drop_built_schemas(manifest: dict[str, Any], settings: Any) -> None:
    """A fresh start: drop every schema dbt builds into (never the raw schema)."""
    from psycopg2 import sql

    from mkpi.pg import connect

    raw = {source.schema for source in mf.raw_sources(manifest)}
    built = {node.schema for node in mf.model_nodes(manifest)}
    built |= {seed.schema for seed in mf.seed_specs(manifest)}
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:
            for schema in sorted(built - raw):
                cursor.execute(
                    sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema))
                )
        connection.commit()
    finally:
        connection.close()


# ------------------------------------------------------------------------------ Spark
SPARK_VALIDATION_SKIPPED = "mkpi validate supports --target duckdb and postgres only"


def java_version() -> str | None:
    """`java -version`'s first line, or None without Java."""
    import subprocess

    try:
        completed = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (completed.stderr or completed.stdout).strip().splitlines()
    return lines[0] if completed.returncode == 0 and lines else None


def run_spark(ctx: Context) -> dict[str, Any]:
    """The 100k tier on Spark: `mkpi load-spark`, then the same stages with `--target spark`.

    dbt-spark's `session` method: pyspark starts a JVM (local[N], Derby metastore) inside each
    dbt invocation. Each run gets a fresh MKPI_SPARK_DIR under the work dir, so no other
    warehouse (and no other process's metastore lock) is touched; every step waits for its JVM
    to end before the next one opens the metastore."""
    prefix = f"[spark {tier_label(SPARK_TIER)}]"
    outcome: dict[str, Any] = {"leads": SPARK_TIER, "steps": [], "notes": []}
    data_dir, generation = ensure_data(ctx, SPARK_TIER)
    if generation and not generation.ok:
        outcome["notes"].append("data generation failed")
        return outcome
    outcome["java"] = java_version()
    if outcome["java"] is None:
        outcome["notes"].append("no Java: run scripts/java.sh (Java 17+) first")
        return outcome
    base = ctx.work_dir / "spark"
    folder = fresh_dir(base / "build")
    spark_dir = fresh_dir(base / "warehouse")
    env = _env(ctx, MKPI_SPARK_DIR=str(spark_dir), MKPI_SPARK_METHOD="session")
    outcome["spark_dir"] = str(spark_dir)
    outcome["settings"] = spark_settings(env, ctx.root)
    if not _load_step(ctx, prefix, "load-spark", data_dir, folder, env, outcome, watch_group=True):
        return outcome
    run = DbtRun(ctx, "spark", folder, env, {"raw_data_dir": str(data_dir)}, watch_group=True)
    parse, failed = run_parse(run, prefix)
    stages, failed = run_stages(run, prefix, STAGES, failed)
    steps = [parse, *stages]
    validation = StepResult(name="validation", skipped=SPARK_VALIDATION_SKIPPED)
    _report_step(prefix, validation)
    steps.append(validation)
    outcome["steps"].extend(asdict(step) for step in steps)
    outcome["notes"].extend(_failure_notes(steps))
    if not failed:
        outcome["node_info"] = {
            node.unique_id: {
                "name": node.name,
                "stage": node.stage,
                "materialized": node.materialized,
                "language": node.language,
            }
            for node in mf.model_nodes(run.manifest())
        }
        outcome["node_seconds"] = {
            timing.unique_id: timing.seconds
            for stage in MODEL_STAGES
            for timing in mf.node_timings(run.run_results(stage))
            if timing.unique_id in outcome["node_info"]  # models, not the on-run-start hooks
        }
    return outcome


# ------------------------------------------------------------------------------ command
LEAN_MARKER = "MKPI_BENCHMARK_LEAN"


def argv_from(args: argparse.Namespace) -> list[str]:
    """Command-line arguments that parse back into `args`."""
    argv = ["--tiers", ",".join(str(tier) for tier in args.tiers)]
    argv += ["--months", str(args.months), "--seed", str(args.seed)]
    argv += ["--pg-database", args.pg_database]
    for flag, value in (
        ("--quick", args.quick),
        ("--postgres", args.postgres),
        ("--spark", args.spark),
        ("--no-single-build", args.no_single_build),
        ("--no-incremental", args.no_incremental),
        ("--unit-tests", args.unit_tests),
    ):
        if value:
            argv.append(flag)
    for option, value in (
        ("--work-dir", args.work_dir),
        ("--output", args.output),
        ("--step-timeout", args.step_timeout),
        ("--validation", args.validation),
        ("--validation-baseline", args.validation_baseline),
        ("--ga4-events", getattr(args, "ga4_events", None)),
    ):
        if value is not None:
            argv += [option, str(value)]
    return argv


def run(args: argparse.Namespace) -> int:
    """Start over as a lean process (`python -m mkpi.devtools.benchmark`) before measuring anything.

    Linux starts a child's ru_maxrss at the high-water mark of the process that spawned it; the
    `mkpi` command has numpy, pandas and DuckDB loaded (~100 MB), which would hide the true peak
    of small steps. The lean process imports none of them."""
    if os.environ.get(LEAN_MARKER) == "1":
        return measure(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ[LEAN_MARKER] = "1"
    os.execv(sys.executable, [sys.executable, "-m", "mkpi.devtools.benchmark", *argv_from(args)])
    return 1  # not reached


def measure(args: argparse.Namespace) -> int:
    root = project_root()
    work_dir = (args.work_dir or root / "target" / "benchmark").resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    if args.validation is not None:
        from mkpi.devtools.bench import validation

        commit = args.validation_baseline or validation.PANDAS_VALIDATE_COMMIT
        return validation.main(root, args.validation.resolve(), work_dir, commit)
    ctx = Context(
        root=root,
        work_dir=work_dir,
        months=args.months,
        seed=args.seed,
        timeout=args.step_timeout,
        unit_tests=args.unit_tests,
    )
    if args.ga4_events is not None:
        return run_ga4(ctx, args.ga4_events)
    tiers = [DEFAULT_TIERS[0]] if args.quick else args.tiers
    incremental = not args.no_incremental and not args.no_single_build
    results: dict[str, Any] = {
        "command": " ".join(["mkpi benchmark", *sys.argv[1:]]),
        "machine": facts(root, work_dir),
        "months": args.months,
        "seed": args.seed,
        "validation_available": validation_available(),
        "unit_tests": args.unit_tests,
        "tiers": [],
        "postgres": None,
        "spark": None,
    }
    for leads in tiers:
        tier = run_tier(ctx, leads, not args.no_single_build, incremental)
        results["tiers"].append(asdict(tier))
        _save(work_dir, results)
    if args.postgres:
        results["postgres"] = run_postgres(ctx, args.pg_database)
        _save(work_dir, results)
    if args.spark:
        results["spark"] = run_spark(ctx)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    results["machine"]["calibration_at_end"] = calibration_seconds(work_dir)
    _save(work_dir, results)
    report = render_report(results)
    output = args.output or root / "BENCHMARKS.md"
    write_report(output, report)
    print()
    print(report)
    _say(f"\nwrote {output} and {work_dir / 'results.json'}")
    problems = [tier for tier in results["tiers"] if tier["notes"]]
    if results["postgres"] and results["postgres"]["notes"]:
        problems.append(results["postgres"])
    if results["spark"] and results["spark"]["notes"]:
        problems.append(results["spark"])
    return 1 if problems else 0


# ------------------------------------------------------------------------------ GA4
GA4_MODEL = "contract_ga4__touchpoints"
GA4_FILES_LEADS = 300  # the other contract tables come from a small sample


def _child(ctx: Context, name: str, log_dir: Path, arguments: list[str]) -> StepResult:
    measured = run_measured(
        [ctx.python, "-m", "mkpi.devtools.bench.ga4", *arguments],
        log_dir / f"{name}.log", env=_env(ctx), cwd=ctx.root, timeout=ctx.timeout,
    )  # fmt: skip
    return _step(name, measured)


def ga4_data(ctx: Context, events: int, folder: Path) -> tuple[Path, list[StepResult]]:
    """`<folder>/data`: the synthetic nested export (cached by events and seed) and `files/`
    from a small contract sample (touchpoints left out: GA4 sends them)."""
    data = folder / "data"
    steps: list[StepResult] = []
    marker = data / "ga4" / f".complete-{events}-{ctx.seed}"
    if not marker.is_file():
        fresh_dir(data / "ga4")
        step = _child(
            ctx, "write events", folder / "logs",
            ["write", str(events), str(ctx.seed), str(data / "ga4" / "events.parquet")],
        )  # fmt: skip
        steps.append(step)
        if not step.ok:
            return data, steps
        marker.write_text("ok\n", encoding="utf-8")
    files = data / "files"
    if not (files / ".complete").is_file():
        fresh_dir(files)
        measured = run_measured(
            [ctx.python, "-m", "mkpi.cli", "sample", "--format", "parquet",
             "--leads", str(GA4_FILES_LEADS), "--months", "12", "--seed", str(ctx.seed),
             "--out", str(files)],
            folder / "logs" / "files.log", env=_env(ctx), cwd=ctx.root, timeout=ctx.timeout,
        )  # fmt: skip
        steps.append(_step("files sample", measured))
        if not measured.ok:
            return data, steps
        (files / "touchpoints.parquet").unlink(missing_ok=True)
        (files / ".complete").write_text("ok\n", encoding="utf-8")
    return data, steps


def run_ga4(ctx: Context, events: int) -> int:
    """Time the GA4 connector model on a synthetic export of `events` events against the floor
    (flatten + one group-by in plain DuckDB over the same file); print and save the figures."""
    prefix = f"[ga4 {events:,} events]"
    folder = ctx.work_dir / "ga4"
    data, steps = ga4_data(ctx, events, folder)
    for step in steps:
        _report_step(prefix, step)
    results: dict[str, Any] = {"events": events, "steps": [asdict(s) for s in steps], "rows": {}}
    if any(not step.ok for step in steps):
        _save_ga4(ctx, results)
        return 1
    events_file = data / "ga4" / "events.parquet"
    baseline = _child(ctx, "baseline group-by", folder / "logs", ["baseline", str(events_file)])
    _report_step(prefix, baseline)
    results["baseline"] = asdict(baseline)
    results["rows"]["baseline"] = ga4_result(baseline).get("rows")
    model = ctx.root / "models" / "staging" / "ga4" / f"{GA4_MODEL}.sql"
    if not model.is_file():
        _say(f"{prefix} dbt: skipped ({model.relative_to(ctx.root)} is not in the project yet)")
        results["dbt"] = asdict(StepResult(name=f"dbt run {GA4_MODEL}", skipped="no model"))
        _print_ga4(prefix, results)
        _save_ga4(ctx, results)
        return 0
    dbt_dir = fresh_dir(folder / "dbt")
    database = dbt_dir / f"{DATABASE_NAME}.duckdb"
    run = DbtRun(
        ctx,
        "duckdb",
        dbt_dir,
        _env(ctx, DBT_DUCKDB_PATH=str(database)),
        {"raw_data_dir": str(data), "raw_inputs": {"touchpoints": ["ga4"]}},
    )
    seeds = run.run("seeds", ["seed"])
    _report_step(prefix, seeds)
    upstream = run.run("upstream", ["run", "--select", f"+{GA4_MODEL}", "--exclude", GA4_MODEL])
    _report_step(prefix, upstream)
    if not (seeds.ok and upstream.ok):
        results["dbt"] = asdict(StepResult(name=f"dbt run {GA4_MODEL}", skipped="setup failed"))
        _save_ga4(ctx, results)
        return 1
    model_step = run.run(f"dbt run {GA4_MODEL}", ["run", "--select", GA4_MODEL])
    _report_step(prefix, model_step)
    results["dbt"] = asdict(model_step)
    node_results = dbt_dir / "steps" / f"run_results-{model_step.name}.json"
    results["model_seconds"] = _node_seconds(node_results)
    counted = _child(ctx, "rows", folder / "logs", ["rows", str(database), GA4_MODEL])
    results["rows"]["dbt"] = ga4_result(counted).get("rows")
    _print_ga4(prefix, results)
    _save_ga4(ctx, results)
    return 0 if model_step.ok else 1


def _node_seconds(run_results: Path) -> float | None:
    """dbt's own time for the model (the sessionisation), without dbt's start-up and hooks."""
    if not run_results.is_file():
        return None
    found = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    models = [row for row in found if str(row.get("unique_id", "")).startswith("model.")]
    return float(models[0]["execution_time"]) if models else None


def ga4_result(step: StepResult) -> dict[str, Any]:
    from mkpi.devtools.bench.ga4 import result_of

    return result_of(Path(step.log)) if step.log else {}


def _print_ga4(prefix: str, results: dict[str, Any]) -> None:
    _say(f"\n{prefix}")
    _say(f"{'step':<44} {'seconds':>9} {'peak MiB':>9} {'rows':>12}")
    for key, label_text in (("dbt", f"dbt run --select {GA4_MODEL}"), ("baseline", "floor")):
        step = results.get(key)
        if not step:
            continue
        if step.get("skipped"):
            _say(f"{label_text:<44} skipped: {step['skipped']}")
            continue
        rows = results["rows"].get(key)
        _say(
            f"{label_text:<44} {step['seconds']:>9.1f} {step['max_rss_mib']:>9,.0f}"
            f" {rows if rows is not None else '-':>12}"
        )
        if key == "dbt" and results.get("model_seconds") is not None:
            _say(f"{'  of which the model (dbt node time)':<44} {results['model_seconds']:>9.1f}")


def _save_ga4(ctx: Context, results: dict[str, Any]) -> None:
    path = ctx.work_dir / "ga4" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    _say(f"wrote {path}")


def _save(work_dir: Path, results: dict[str, Any]) -> None:
    (work_dir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mkpi benchmark", description=__doc__)
    add_arguments(parser)
    return measure(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
