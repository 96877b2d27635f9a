"""Render `mkpi benchmark` results (the dict saved as results.json) as markdown.

BENCHMARKS.md keeps whatever is written outside the generated block, so the analysis a person
writes under it survives a rerun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

BEGIN = "<!-- mkpi benchmark: generated part, rewritten by every run -->"
END = "<!-- mkpi benchmark: end of generated part -->"
MODEL_STAGES = ("staging", "intermediate", "marts")
STAGE_TITLES = {
    "parse": "parse (`dbt parse`, once)",
    "load": "load: seeds + raw registration",
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts (+ other model folders)",
    "tests": "tests (`dbt test`)",
    "validation": "validation (`mkpi validate`)",
}
DASH = "–"

Step = Mapping[str, Any]
Tier = Mapping[str, Any]


# ------------------------------------------------------------------------------ formatting
def seconds(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def mib(value: float | None) -> str:
    return DASH if value is None else f"{value:,.0f}"


def count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def label(leads: int) -> str:
    if leads % 1_000_000 == 0:
        return f"{leads // 1_000_000}M"
    if leads % 1_000 == 0:
        return f"{leads // 1_000}k"
    return str(leads)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A markdown table; `align` has one letter per column (l/r), default left then right."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if letter == "r" else "---" for letter in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def step_ok(step: Step | None) -> bool:
    return (
        bool(step)
        and not step.get("skipped")
        and step.get("returncode") == 0
        and not step.get("timed_out")
    )


def wall(step: Step | None) -> str:
    """Wall seconds, or why there are none."""
    if not step:
        return DASH
    if step.get("skipped"):
        return f"skipped ({step['skipped']})"
    if step.get("timed_out"):
        return f"timed out after {seconds(step.get('seconds'))}"
    text = seconds(step.get("seconds"))
    return text if step.get("returncode") == 0 else f"{text} (exit {step.get('returncode')})"


# ------------------------------------------------------------------------------ numbers
def steps_by_name(tier: Tier) -> dict[str, Step]:
    return {step["name"]: step for step in tier.get("stages") or []}


def baseline_by_stage(
    baseline: Mapping[str, Any] | None, measure: str = "seconds"
) -> dict[str, float]:
    """Wall (`seconds`) or CPU (`cpu_seconds`) of the raw-SQL run per stage: `load` (schemas,
    raw views, seeds; wall only), the model stages (SQL models only) and `python` (Python
    models, run by dbt on both sides)."""
    if not baseline:
        return {}
    totals: dict[str, float] = {}
    if measure == "seconds":
        totals["load"] = baseline.get("register_seconds", 0.0) + baseline.get("seeds_seconds", 0.0)
    for node in baseline.get("nodes", []):
        key = "python" if node.get("kind") == "python" else node["stage"]
        totals[key] = totals.get(key, 0.0) + float(node.get(measure) or 0.0)
    return totals


def python_seconds_by_stage(tier: Tier) -> dict[str, float]:
    """dbt execution seconds of the Python models, per stage."""
    totals: dict[str, float] = {}
    for unique_id, info in (tier.get("node_info") or {}).items():
        if info.get("language") == "python":
            stage = info["stage"]
            totals[stage] = totals.get(stage, 0.0) + (tier.get("node_seconds") or {}).get(
                unique_id, 0.0
            )
    return totals


def model_ratio(tier: Tier) -> tuple[float, float, float | None] | None:
    """dbt / raw SQL over staging + intermediate + marts, Python models left out of both sides:
    (by wall time of the dbt invocations, by the time dbt's nodes were running, by CPU time).

    dbt runs a Python model inside its own process, so its CPU cannot be told apart: its
    execution time is taken off the dbt side's CPU as well."""
    stages = steps_by_name(tier)
    baseline = tier.get("baseline")
    if not baseline or baseline.get("error"):
        return None
    if not all(step_ok(stages.get(stage)) for stage in MODEL_STAGES):
        return None
    raw = sum(baseline_by_stage(baseline).get(stage, 0.0) for stage in MODEL_STAGES)
    if raw <= 0:
        return None
    python = sum(python_seconds_by_stage(tier).values())
    dbt_wall = sum(stages[stage]["seconds"] for stage in MODEL_STAGES) - python
    dbt_busy = sum(stages[stage].get("busy_seconds") or 0.0 for stage in MODEL_STAGES) - python
    raw_cpu = sum(
        baseline_by_stage(baseline, "cpu_seconds").get(stage, 0.0) for stage in MODEL_STAGES
    )
    cpu_values = [stages[stage].get("cpu_seconds") for stage in MODEL_STAGES]
    cpu_ratio = None
    if raw_cpu > 0 and all(value is not None for value in cpu_values):
        cpu_ratio = (sum(cpu_values) - python) / raw_cpu
    return dbt_wall / raw, dbt_busy / raw, cpu_ratio


def build_total(tier: Tier) -> tuple[float, float, float] | None:
    """(wall, node-busy, peak RSS) of load..tests, if every stage ran."""
    stages = [steps_by_name(tier).get(name) for name in ("load", *MODEL_STAGES, "tests")]
    if not all(
        step and not step.get("skipped") and step.get("seconds") is not None for step in stages
    ):
        return None
    return (
        sum(step["seconds"] for step in stages),
        sum(step.get("busy_seconds") or 0.0 for step in stages),
        max(step.get("max_rss_mib") or 0.0 for step in stages),
    )


def slowest_models(tier: Tier, limit: int = 10) -> list[tuple[str, float]]:
    """The models with the longest dbt execution time: [(unique_id, seconds)], slowest first."""
    timings = tier.get("node_seconds") or {}
    info = tier.get("node_info") or {}
    ranked = sorted(
        ((uid, secs) for uid, secs in timings.items() if uid in info),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[:limit]


# ------------------------------------------------------------------------------ sections
def machine_section(machine: Mapping[str, Any], results: Mapping[str, Any]) -> str:
    packages = machine.get("packages", {})
    memory = machine.get("memory_gib")
    start = machine.get("load_average_at_start") or []
    end = machine.get("load_average_at_end") or []
    lines = [
        f"- Run: {machine.get('date')}, `{results.get('command')}`, project commit "
        f"`{machine.get('git')}`",
        f"- CPU: {machine.get('cpu')}, {machine.get('cores')} cores "
        f"({machine.get('usable_cores')} usable); RAM {memory:.1f} GiB; {machine.get('os')}"
        if memory
        else f"- CPU: {machine.get('cpu')}, {machine.get('cores')} cores; {machine.get('os')}",
        f"- Python {machine.get('python')}, duckdb {packages.get('duckdb')}, dbt-core "
        f"{packages.get('dbt-core')}, dbt-duckdb {packages.get('dbt-duckdb')}, dbt-postgres "
        f"{packages.get('dbt-postgres')}, dbt-spark {packages.get('dbt-spark', DASH)}, pyspark "
        f"{packages.get('pyspark', DASH)}",
        f"- Data: `mkpi sample --format parquet --months {results.get('months')} "
        f"--seed {results.get('seed')}` per tier; dbt threads 2, DuckDB TimeZone UTC",
    ]
    if start:
        load_text = "/".join(f"{value:.1f}" for value in start)
        if end:
            load_text += (
                " at the start, " + "/".join(f"{value:.1f}" for value in end) + " at the end"
            )
        lines.append(
            f"- Load average (1/5/15 min): {load_text}. Anything above 0 means other work shared "
            "the CPUs and the times are upper bounds."
        )
    calibration = [machine.get("calibration_at_start"), machine.get("calibration_at_end")]
    if calibration[0] is not None:
        text = " and ".join(seconds(value) for value in calibration if value is not None)
        lines.append(
            f"- DuckDB calibration query (20M-row hash aggregation, 2M groups) at the start and "
            f"end: {text} s; compare it across runs before comparing their times."
        )
    return "\n".join(lines)


def tier_section(tier: Tier) -> str:
    leads = tier["leads"]
    rows_in = tier.get("rows_in") or {}
    title = f"### {label(leads)} leads ({count(rows_in.get('touchpoints'))} touchpoints)"
    parts = [title, ""]
    generation = tier.get("generation")
    if generation:
        parts.append(
            f"Data generated in {wall(generation)} s "
            f"(peak RSS {mib(generation.get('max_rss_mib'))} MiB): `{tier['data_dir']}`."
        )
    else:
        parts.append(f"Data from the cache: `{tier['data_dir']}`.")
    parts.append("")
    stages = steps_by_name(tier)
    raw = baseline_by_stage(tier.get("baseline"))
    raw_cpu = baseline_by_stage(tier.get("baseline"), "cpu_seconds")
    rows = [_stage_row(STAGE_TITLES["parse"], tier.get("parse"))]
    for name in ("load", *MODEL_STAGES, "tests"):
        rows.append(
            _stage_row(STAGE_TITLES[name], stages.get(name), raw.get(name), raw_cpu.get(name))
        )
    rows.append(_stage_row(STAGE_TITLES["validation"], tier.get("validation")))
    total = build_total(tier)
    if total:
        raw_total = sum(raw.get(stage, 0.0) for stage in ("load", *MODEL_STAGES, "python"))
        raw_cpu_total = sum(raw_cpu.get(stage, 0.0) for stage in (*MODEL_STAGES, "python"))
        cpu = [stages[name].get("cpu_seconds") for name in ("load", *MODEL_STAGES, "tests")]
        rows.append(
            [
                "**build: load + models + tests**",
                f"**{seconds(total[0])}**",
                seconds(sum(cpu)) if all(value is not None for value in cpu) else DASH,
                seconds(total[1]),
                seconds(total[0] - total[1]),
                f"**{mib(total[2])}**",
                "",
                f"{seconds(raw_total)} (no tests)" if raw else DASH,
                seconds(raw_cpu_total) if raw_cpu else DASH,
            ]
        )
    single = tier.get("single_build")
    if single:
        rows.append(_stage_row("one `dbt build`, fresh database", single))
    baseline = tier.get("baseline")
    if baseline and baseline.get("process"):
        process = baseline["process"]
        rows.append(
            [
                "raw-SQL process (start-up, all statements)",
                *[DASH] * 4,
                mib(process.get("max_rss_mib")),
                str(sum(1 for node in baseline.get("nodes", []) if node.get("kind") == "sql")),
                wall(process),
                seconds(process.get("cpu_seconds")),
            ]
        )
    header = [
        "stage",
        "dbt wall s",
        "dbt CPU s",
        "in nodes s",
        "dbt overhead s",
        "peak RSS MiB",
        "nodes",
        "raw SQL wall s",
        "raw SQL CPU s",
    ]
    parts += [table(header, rows), "", _ratio_text(tier, raw)]
    for note in tier.get("notes") or []:
        parts.append(f"\n**Note:** {note}")
    return "\n".join(parts)


def _stage_row(
    title: str, step: Step | None, raw_wall: float | None = None, raw_cpu: float | None = None
) -> list[str]:
    if not step:
        return [title, *[DASH] * 6, seconds(raw_wall), seconds(raw_cpu)]
    busy = step.get("busy_seconds")
    overhead = (
        step["seconds"] - busy if busy is not None and step.get("seconds") is not None else None
    )
    return [
        title,
        wall(step),
        seconds(step.get("cpu_seconds")),
        seconds(busy),
        seconds(overhead),
        mib(step.get("max_rss_mib")),
        count(step.get("nodes")),
        seconds(raw_wall),
        seconds(raw_cpu),
    ]


def _ratio_text(tier: Tier, raw: Mapping[str, float]) -> str:
    ratio = model_ratio(tier)
    if not ratio:
        return "dbt / raw SQL: not available (a stage or the raw-SQL run failed)."
    cpu = f", **{ratio[2]:.2f}x by CPU time**" if ratio[2] is not None else ""
    text = (
        f"dbt / raw SQL over staging + intermediate + marts: **{ratio[0]:.2f}x** by wall time of "
        f"the dbt invocations{cpu}, {ratio[1]:.2f}x counting only the time dbt's models were "
        "running (dbt runs two models at once; without start-up, parsing and hooks)."
    )
    python = tier.get("python_models") or []
    if python:
        text += (
            f" Python models ({', '.join(python)}) run through dbt on both sides and are left out"
            f" of the ratio: dbt {seconds(tier.get('python_seconds'))} s, raw side "
            f"{seconds(raw.get('python'))} s (including a dbt start-up)."
        )
    threads = (tier.get("baseline") or {}).get("threads")
    if threads:
        text += f" DuckDB threads: {threads} on both sides."
    return text


def rows_section(tiers: Sequence[Tier]) -> str:
    header = ["table", *[label(tier["leads"]) for tier in tiers]]
    names_in = sorted({name for tier in tiers for name in tier.get("rows_in") or {}})
    rows_in = [
        [name, *[count((t.get("rows_in") or {}).get(name)) for t in tiers]] for name in names_in
    ]
    names_out = sorted({name for tier in tiers for name in tier.get("rows_out") or {}})
    rows_out = [
        [name, *[count((t.get("rows_out") or {}).get(name)) for t in tiers]] for name in names_out
    ]
    matches = []
    for tier in tiers:
        baseline = tier.get("baseline") or {}
        if "rows_out" not in baseline:
            matches.append(f"{label(tier['leads'])}: not compared")
        else:
            same = baseline["rows_out"] == tier.get("rows_out")
            matches.append(f"{label(tier['leads'])}: {'equal' if same else 'DIFFERENT'}")
    return "\n".join(
        [
            "### Rows in (raw) and out (marts)",
            "",
            table(header, rows_in),
            "",
            table(header, rows_out),
            "",
            "Mart row counts of the raw-SQL run against the dbt build: " + ", ".join(matches) + ".",
        ]
    )


def _share(part: Step | None, whole: Step | None) -> str:
    if not (step_ok(part) and step_ok(whole)) or not whole.get("seconds"):
        return DASH
    return f"{100 * part['seconds'] / whole['seconds']:.1f}%"


def incremental_section(tiers: Sequence[Tier]) -> str:
    """The incremental run per tier against the single full build of the same data."""
    measured = [tier for tier in tiers if tier.get("incremental")]
    if not measured:
        return "### Incremental run\n\nNot measured in this run (it needs the single build)."
    header = [
        "tier", "full `dbt build` s", "incremental `dbt run` s", "CPU s", "in nodes s",
        "peak RSS MiB", "share of the full build", "`dbt test` after it s",
        "run + test share", "fct_kpis against the full build",
    ]  # fmt: skip
    rows = []
    for tier in measured:
        incremental = tier["incremental"]
        full, run, tests = (
            tier.get("single_build"),
            incremental.get("run"),
            incremental.get("tests"),
        )
        run = run or {}
        comparison = incremental.get("comparison") or {}
        if comparison:
            same = not comparison["unmatched"] and not comparison["different"]
            verdict = (
                f"{'identical' if same else 'DIFFERENT'}: {count(comparison['rows'])} rows, "
                f"{comparison['unmatched']} unmatched, {comparison['different']} different"
            )
        else:
            verdict = "not compared"
        both = None
        if step_ok(run) and step_ok(tests):
            both = {"seconds": run["seconds"] + tests["seconds"], "returncode": 0}
        rows.append(
            [
                label(tier["leads"]), wall(full), wall(run), seconds(run.get("cpu_seconds")),
                seconds(run.get("busy_seconds")), mib(run.get("max_rss_mib")), _share(run, full),
                wall(tests), _share(both, full), verdict,
            ]
        )  # fmt: skip
    return "\n".join(
        [
            "### Incremental run",
            "",
            "Per tier, `mkpi hold-back` writes the data as it stood at the start of its last day "
            "(later rows left out, later stage dates blank, and every 7th touchpoint and order of "
            "the two days before held back: they arrive late). A fresh database is built on that "
            "with `dbt build`; then the whole data is put in place and `dbt run` builds "
            "incrementally, followed by `dbt test`. *full `dbt build`* is the single build of the "
            "whole data above; fct_kpis of the two is compared key by key, numbers to 1e-9.",
            "",
            table(header, rows),
        ]
    )


def _stage_names(load_command: str) -> list[str]:
    """The steps of a warehouse row in column order: the load command, then dbt's stages."""
    return [load_command, "parse", "load", *MODEL_STAGES, "tests", "validation"]


def _stage_header(load_command: str) -> list[str]:
    """The columns of a warehouse row (PostgreSQL, Spark)."""
    stages = ["parse", "seeds", "staging", "intermediate", "marts", "tests", "validation"]
    return [
        "tier",
        f"`mkpi {load_command}`",
        *stages,
        "build: seeds + models + tests",
        "dbt peak RSS MiB",
    ]


def postgres_section(postgres: Mapping[str, Any] | None) -> str:
    if not postgres:
        return (
            "### PostgreSQL\n\nNot measured in this run (add `--postgres`: starts the local "
            "server with scripts/postgres.sh, loads the 100k tier with `mkpi load-postgres`, "
            "then builds it stage by stage with `--target postgres`)."
        )
    steps = {step["name"]: step for step in postgres.get("steps", [])}
    names = _stage_names("load-postgres")
    peak = max((step.get("max_rss_mib") or 0.0 for step in steps.values()), default=None)
    row = [
        label(postgres["leads"]),
        *[wall(steps.get(name)) for name in names],
        seconds(_build_total(steps)),
        mib(peak),
    ]
    lines = [
        "### PostgreSQL",
        "",
        f"Server: PostgreSQL {postgres.get('server_version', '?')} at `{postgres.get('server')}` "
        "(scripts/postgres.sh settings: fsync off, shared_buffers 256MB, work_mem 32MB). "
        "Peak RSS is the dbt client's; the server's memory is not in it.",
        "",
        table(_stage_header("load-postgres"), [row]),
    ]
    for note in postgres.get("notes", []):
        lines.append(f"\n**Note:** {note}")
    return "\n".join(lines)


def _build_total(steps: Mapping[str, Step], key: str = "seconds") -> float | None:
    """Sum of `key` over seeds + models + tests, if every one of them has it."""
    build = [steps.get(name) for name in ("load", *MODEL_STAGES, "tests")]
    if not all(step and step.get(key) is not None for step in build):
        return None
    return sum(step[key] for step in build if step)


def _load_spark_peaks(step: Step | None) -> str:
    if not step or step.get("max_rss_mib") is None:
        return ""
    return (
        f"; `mkpi load-spark` peaked at {mib(step.get('max_rss_mib'))} MiB (Python) and "
        f"{mib(step.get('jvm_max_rss_mib'))} MiB (JVM)"
    )


def spark_section(spark: Mapping[str, Any] | None, tiers: Sequence[Tier] = ()) -> str:
    """The Spark row: `mkpi load-spark` and the staged dbt invocations with `--target spark`,
    the JVM's peak RSS beside dbt's, and the slowest models against DuckDB's on the same tier."""
    if not spark:
        return (
            "### Spark\n\nNot measured in this run (add `--spark`: loads the 100k tier into a "
            "fresh local warehouse with `mkpi load-spark`, then builds it stage by stage with "
            "`--target spark`, dbt-spark's `session` method)."
        )
    steps = {step["name"]: step for step in spark.get("steps", [])}
    names = _stage_names("load-spark")
    header = [*_stage_header("load-spark"), "JVM peak RSS MiB"]
    dbt_steps = [
        step for name, step in steps.items() if name != "load-spark" and not step.get("skipped")
    ]
    peak = max((step.get("max_rss_mib") or 0.0 for step in dbt_steps), default=None)
    jvm = [step["jvm_max_rss_mib"] for step in dbt_steps if step.get("jvm_max_rss_mib") is not None]
    rows = [
        [
            label(spark["leads"]),
            *[wall(steps.get(name)) for name in names],
            seconds(_build_total(steps)),
            mib(peak),
            mib(max(jvm) if jvm else None),
        ],
        [
            "in nodes s (dbt run_results)",
            DASH,
            DASH,
            *[seconds((steps.get(name) or {}).get("busy_seconds")) for name in names[2:-1]],
            DASH,
            seconds(_build_total(steps, "busy_seconds")),
            "",
            "",
        ],
        [
            "JVM CPU s",
            *[seconds((steps.get(name) or {}).get("jvm_cpu_seconds")) for name in names[:-1]],
            DASH,
            seconds(_build_total(steps, "jvm_cpu_seconds")),
            "",
            "",
        ],
    ]
    settings = spark.get("settings") or {}
    lines = [
        "### Spark",
        "",
        f"dbt-spark `session` method: pyspark starts a local JVM ({spark.get('java') or '?'}) in "
        f"every dbt invocation, master `{settings.get('spark.master', '?')}`, driver memory "
        f"{settings.get('spark.driver.memory', '?')}, "
        f"`spark.sql.shuffle.partitions` {settings.get('spark.sql.shuffle.partitions', '?')}, "
        "tables as Parquet, Derby metastore; a fresh warehouse per run "
        f"(`{spark.get('spark_dir', '?')}`). `mkpi validate` has no Spark target: skipped.",
        "",
        "Peak RSS: *dbt peak RSS* is os.wait4's ru_maxrss of the dbt process, which covers only "
        "children it waited for. pyspark starts the JVM with Popen and never waits for it (the JVM "
        "ends by itself when dbt's Python exits and its stdin closes), so the JVM, where Spark "
        "does all the work, is not in it, nor in dbt's CPU time. *JVM peak RSS* is the largest "
        "VmHWM (the kernel's high-water mark) of the other processes of the step's process group, "
        "polled every 0.2 s from /proc; *JVM CPU* their CPU time as last polled. The two peaks "
        "are of separate processes: together they are at most their sum. Both peak columns are "
        "of the dbt invocations" + _load_spark_peaks(steps.get("load-spark")) + ".",
        "",
        table(header, rows),
    ]
    info = spark.get("node_info") or {}
    timings = {uid: secs for uid, secs in (spark.get("node_seconds") or {}).items() if uid in info}
    if timings:
        duck = next((tier for tier in tiers if tier.get("leads") == spark["leads"]), None)
        duck_seconds = (duck or {}).get("node_seconds") or {}
        total = sum(timings.values()) or 1.0
        ranked = sorted(timings.items(), key=lambda item: (-item[1], item[0]))[:10]
        rows = [
            [
                str(rank),
                f"`{(info.get(uid) or {}).get('name', uid)}`",
                (info.get(uid) or {}).get("stage", DASH),
                (info.get(uid) or {}).get("materialized", DASH),
                seconds(secs),
                seconds(duck_seconds.get(uid)),
                f"{100 * secs / total:.0f}%",
            ]
            for rank, (uid, secs) in enumerate(ranked, start=1)
        ]
        models = len(timings)
        lines += [
            "",
            f"The 10 slowest of the {models} models on Spark (dbt `execution_time`; share = of "
            f"the summed model time, {seconds(sum(timings.values()))} s), against DuckDB on the "
            "same tier:",
            "",
            table(
                ["#", "model", "stage", "materialized", "Spark s", "DuckDB s", "share"],
                rows,
                "rlllrrr",
            ),
        ]
    for note in spark.get("notes", []):
        lines.append(f"\n**Note:** {note}")
    return "\n".join(lines)


def where_the_time_goes(tiers: Sequence[Tier]) -> str:
    measured = [tier for tier in tiers if tier.get("node_seconds")]
    if not measured:
        return "### Where the time goes\n\nNo model timings (no tier built)."
    largest = max(measured, key=lambda tier: tier["leads"])
    info = largest.get("node_info") or {}
    raw_nodes = {
        node["unique_id"]: node.get("seconds")
        for node in (largest.get("baseline") or {}).get("nodes", [])
    }
    model_total = sum(largest["node_seconds"].values()) or 1.0
    header = [
        "#",
        "model",
        "stage",
        "materialized",
        *[f"{label(tier['leads'])} s" for tier in measured],
        f"raw SQL s ({label(largest['leads'])})",
        "share",
    ]
    rows = []
    for rank, (unique_id, secs) in enumerate(slowest_models(largest), start=1):
        node = info[unique_id]
        rows.append(
            [
                str(rank),
                f"`{node['name']}`" + (" (python)" if node.get("language") == "python" else ""),
                node["stage"],
                node["materialized"],
                *[seconds((tier.get("node_seconds") or {}).get(unique_id)) for tier in measured],
                seconds(raw_nodes.get(unique_id)),
                f"{100 * secs / model_total:.0f}%",
            ]
        )
    stages = steps_by_name(largest)
    peaks = [
        (step.get("max_rss_mib") or 0.0, name)
        for name, step in stages.items()
        if step.get("max_rss_mib") is not None
    ]
    lines = [
        "### Where the time goes",
        "",
        f"The 10 slowest models of the {label(largest['leads'])} tier (dbt `execution_time` from "
        "run_results.json; share = of the summed model time of that tier).",
        "",
        table(header, rows, "rlll" + "r" * (len(measured) + 2)),
    ]
    if peaks:
        peak, name = max(peaks)
        lines += [
            "",
            f"Peak memory of the {label(largest['leads'])} tier: {mib(peak)} MiB in `{name}`.",
        ]
    return "\n".join(lines)


def render_report(results: Mapping[str, Any]) -> str:
    tiers = results.get("tiers") or []
    parts = [
        "## Results",
        "",
        machine_section(results.get("machine") or {}, results),
        "",
        "Each stage is its own dbt invocation (so it can be timed and its peak RSS read from "
        "os.wait4): *dbt wall* includes dbt's start-up, partial parse and on-run-start hook; "
        "*in nodes* is the time at least one model, seed or test was running (run_results.json); "
        "*raw SQL* runs the same compiled SQL straight in DuckDB, one `create or replace "
        "table|view ... as` per model in topological order, in a fresh database with the same raw "
        "views, seeds and settings. *one `dbt build`* is the plain single command, for reference.",
    ]
    if not results.get("unit_tests"):
        parts += [
            "",
            "dbt unit tests are left out of *tests* and of the single build "
            "(`--exclude-resource-type unit_test`): their cost does not grow with the data and "
            "`make test` runs them; `--unit-tests` puts them back.",
        ]
    if not results.get("validation_available"):
        parts += ["", "`mkpi validate` does not exist in this project yet: validation skipped."]
    for tier in tiers:
        parts += ["", tier_section(tier)]
    if tiers:
        parts += ["", incremental_section(tiers), "", rows_section(tiers)]
    parts += [
        "",
        postgres_section(results.get("postgres")),
        "",
        spark_section(results.get("spark"), tiers),
        "",
        where_the_time_goes(tiers),
    ]
    return "\n".join(parts) + "\n"


def write_report(path: Path, generated: str) -> None:
    """Put `generated` between the markers of `path`, keeping the rest of the file."""
    block = f"{BEGIN}\n\n{generated.rstrip()}\n\n{END}"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            before, _, rest = text.partition(BEGIN)
            _, _, after = rest.partition(END)
            path.write_text(before + block + after, encoding="utf-8")
            return
        path.write_text(text.rstrip() + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.write_text(
        "# Benchmarks\n\n"
        "How long the whole pipeline takes, and how much memory, at several scales, measured\n"
        "against the same SQL run straight in DuckDB. Rerun: `make benchmark` (or `mkpi\n"
        "benchmark`, see `mkpi benchmark -h`). The part between the markers is rewritten by every\n"
        "run; the rest of this file is kept.\n\n" + block + "\n",
        encoding="utf-8",
    )
