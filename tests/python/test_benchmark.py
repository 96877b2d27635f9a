"""`mkpi benchmark`'s helpers: manifest order, SQL it renders, timing arithmetic, report file.

Fast: tiny hand-made manifests and run_results; expected values are worked out by hand here.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import pytest

from mkpi.devtools import benchmark
from mkpi.devtools.bench import manifest as mf
from mkpi.devtools.bench import report
from mkpi.devtools.bench.machine import cpu_model, memory_gib
from mkpi.devtools.bench.process import group_members, peak_rss_kib, rss_to_mib, run_measured
from mkpi.spark import spark_settings


def _model(name: str, folder: str, deps: list[str], materialized: str = "table", **extra) -> dict:
    return {
        "unique_id": f"model.proj.{name}",
        "resource_type": "model",
        "name": name,
        "database": "bench",
        "schema": folder,
        "alias": extra.pop("alias", name),
        "config": {"materialized": materialized},
        "language": extra.pop("language", "sql"),
        "fqn": ["proj", folder, "sub", name],
        "depends_on": {"nodes": deps},
        "original_file_path": f"models/{folder}/sub/{name}.sql",
        "package_name": "proj",
        **extra,
    }


FAKE_MANIFEST = {
    "nodes": {
        # listed out of order on purpose
        "model.proj.fct_c": _model(
            "fct_c", "marts", ["model.proj.int_b", "model.proj.stg_a"], compiled_code="select 3"
        ),
        "model.proj.stg_a": _model(
            "stg_a", "staging", ["source.proj.marketing.leads", "seed.proj.map"], "view"
        ),
        "model.proj.int_b": _model("int_b", "intermediate", ["model.proj.stg_a"], "ephemeral"),
        "model.proj.spine": _model("spine", "utilities", [], "incremental", alias="time_spine"),
        "seed.proj.map": {
            "unique_id": "seed.proj.map",
            "resource_type": "seed",
            "name": "map",
            "schema": "seeds",
            "alias": "map",
            "original_file_path": "seeds/map.csv",
            "config": {"column_types": {"code": "varchar", "rate": "decimal(18,6)"}},
        },
        "test.proj.not_null_x": {"unique_id": "test.proj.not_null_x", "resource_type": "test"},
    },
    "sources": {
        "source.proj.marketing.leads": {
            "name": "leads",
            "schema": "raw",
            "source_name": "marketing",
        },
        "source.proj.marketing.mapping": {
            "name": "mapping",
            "schema": "raw",
            "source_name": "marketing",
            "meta": {"optional": True},
        },
        "source.proj.other.thing": {"name": "thing", "schema": "x", "source_name": "other"},
    },
}


# ------------------------------------------------------------------------------ manifest
def test_models_come_in_topological_order_with_ties_by_name():
    names = [node.name for node in mf.model_nodes(FAKE_MANIFEST)]
    # spine and stg_a are ready first (spine < stg_a by id), then int_b, then fct_c
    assert names == ["spine", "stg_a", "int_b", "fct_c"]


def test_topological_order_ignores_outside_dependencies_and_rejects_cycles():
    assert mf.topological_order({"b": ["a", "seed.x"], "a": ["source.y"]}) == ["a", "b"]
    with pytest.raises(ValueError, match="cycle among: a, b"):
        mf.topological_order({"a": ["b"], "b": ["a"], "c": []})


def test_stage_is_the_top_folder_and_other_folders_build_with_the_marts():
    stages = {node.name: node.stage for node in mf.model_nodes(FAKE_MANIFEST)}
    assert stages == {
        "stg_a": "staging",
        "int_b": "intermediate",
        "fct_c": "marts",
        "spine": "marts",
    }


def test_create_statement_follows_the_materialization():
    nodes = {node.name: node for node in mf.model_nodes(FAKE_MANIFEST)}
    assert mf.create_statement(nodes["stg_a"], "select 1\n;\n") == (
        'create or replace view "staging"."stg_a" as\nselect 1\n'
    )
    assert mf.create_statement(nodes["spine"], "select 2 -- trailing comment") == (
        'create or replace table "utilities"."time_spine" as\nselect 2 -- trailing comment\n'
    )
    assert mf.create_statement(nodes["int_b"], "select 3") is None


def test_seed_and_raw_sources_from_the_manifest():
    (seed,) = mf.seed_specs(FAKE_MANIFEST)
    assert (seed.schema, seed.alias, seed.path) == ("seeds", "map", "seeds/map.csv")
    assert seed.column_types == {"code": "varchar", "rate": "decimal(18,6)"}
    # an optional raw table (campaign_mapping) is registered only when its file exists
    assert mf.raw_sources(FAKE_MANIFEST) == [
        mf.RawSource("leads", "raw"),
        mf.RawSource("mapping", "raw", optional=True),
    ]


def test_seed_statement_loads_declared_types_and_detects_the_rest(tmp_path: Path):
    csv = tmp_path / "map.csv"
    csv.write_text("code,rate,count\n007,1.5,3\n", encoding="utf-8")
    (seed,) = mf.seed_specs(FAKE_MANIFEST)
    with duckdb.connect() as connection:
        connection.execute("create schema seeds")
        connection.execute(mf.seed_statement(seed, str(csv)))
        types = dict(
            connection.execute(
                "select column_name, column_type from (describe seeds.map)"
            ).fetchall()
        )
        row = connection.execute("select * from seeds.map").fetchone()
    assert types == {"code": "VARCHAR", "rate": "DECIMAL(18,6)", "count": "BIGINT"}
    assert row[0] == "007"  # declared varchar keeps the leading zeros


def test_raw_view_prefers_parquet_and_reads_csv_as_text():
    source = mf.RawSource("leads", "raw")
    assert mf.raw_view_statement(source, "/d/leads.parquet", "/d/leads.csv") == (
        'create or replace view "raw"."leads" as select *, cast(null as varchar) as '
        "mkpi_malformed_row from (select columns(*)::varchar from read_parquet('/d/leads.parquet'))"
    )
    assert "read_csv('/d/it''s.csv', header = true, all_varchar = true)" in (
        mf.raw_view_statement(source, None, "/d/it's.csv")
    )
    with pytest.raises(ValueError, match="leads"):
        mf.raw_view_statement(source, None, None)


def _result(uid: str, start: str, end: str, secs: float, code: str | None = None) -> dict:
    return {
        "unique_id": uid,
        "status": "success",
        "execution_time": secs,
        "compiled_code": code,
        "timing": [
            {"name": "compile", "started_at": f"2026-01-01T00:00:{start}Z", "completed_at": None},
            {"name": "execute", "started_at": None, "completed_at": f"2026-01-01T00:00:{end}Z"},
        ],
    }


def test_busy_seconds_is_the_union_of_overlapping_node_intervals():
    run_results = {
        "results": [
            _result("a", "00", "02", 2.0),
            _result("b", "01", "03", 2.0),  # overlaps a: together 0..3
            _result("c", "05", "06", 1.0),
        ]
    }
    timings = mf.node_timings(run_results)
    assert mf.busy_seconds(timings) == pytest.approx(4.0)
    assert sum(timing.seconds for timing in timings) == pytest.approx(5.0)


def test_compiled_sql_prefers_run_results_then_manifest_then_the_compiled_file(tmp_path: Path):
    nodes = {node.name: node for node in mf.model_nodes(FAKE_MANIFEST)}
    from_results = mf.compiled_code_by_node(
        {"results": [_result("model.proj.stg_a", "00", "01", 1.0, "select 'run'")]}
    )
    assert benchmark.compiled_sql(nodes["stg_a"], from_results, tmp_path) == "select 'run'"
    assert benchmark.compiled_sql(nodes["fct_c"], from_results, tmp_path) == "select 3"
    compiled = tmp_path / "compiled" / "proj" / "models" / "utilities" / "sub" / "spine.sql"
    compiled.parent.mkdir(parents=True)
    compiled.write_text("select 'file'", encoding="utf-8")
    assert benchmark.compiled_sql(nodes["spine"], from_results, tmp_path) == "select 'file'"
    with pytest.raises(FileNotFoundError):
        benchmark.compiled_sql(nodes["int_b"], from_results, tmp_path)


# ------------------------------------------------------------------------------ command
def test_parse_tiers_accepts_suffixes_and_sorts():
    assert benchmark.parse_tiers("1M, 10k,100000,10000") == [10_000, 100_000, 1_000_000]
    for bad in ("", "ten", "0"):
        with pytest.raises(argparse.ArgumentTypeError):
            benchmark.parse_tiers(bad)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--quick", "--postgres", "--unit-tests", "--no-single-build", "--no-incremental"],
        ["--tiers", "100k", "--spark", "--postgres"],
        [
            "--tiers",
            "5k,2M",
            "--work-dir",
            "/tmp/x",
            "--output",
            "/tmp/B.md",
            "--step-timeout",
            "9",
        ],
    ],
)
def test_arguments_survive_the_restart_as_a_lean_process(argv: list[str]):
    parser = argparse.ArgumentParser()
    benchmark.add_arguments(parser)
    args = parser.parse_args(argv)
    assert parser.parse_args(benchmark.argv_from(args)) == args


def test_stage_selection_covers_every_model_folder_once():
    assert benchmark.stage_selection("load") == ["seed"]
    assert benchmark.stage_selection("tests") == ["test", "--exclude-resource-type", "unit_test"]
    assert benchmark.stage_selection("tests", unit_tests=True) == ["test"]
    assert benchmark.stage_selection("staging") == ["run", "--select", "path:models/staging"]
    assert benchmark.stage_selection("marts") == [
        "run",
        "--select",
        "path:models",
        "--exclude",
        "path:models/staging",
        "path:models/intermediate",
    ]


def test_data_key_changes_with_every_input():
    keys = {
        benchmark.data_key(1000, 36, 42, "abc"),
        benchmark.data_key(1001, 36, 42, "abc"),
        benchmark.data_key(1000, 24, 42, "abc"),
        benchmark.data_key(1000, 36, 7, "abc"),
        benchmark.data_key(1000, 36, 42, "abd"),
    }
    assert len(keys) == 5


def test_spark_session_settings_fill_env_vars_with_their_defaults(tmp_path: Path):
    (tmp_path / "profiles.yml").write_text(
        "p:\n  outputs:\n    spark:\n      type: spark\n      server_side_parameters:\n"
        "        spark.master: \"local[{{ env_var('CORES', '2') }}]\"\n"
        "        spark.sql.warehouse.dir: \"{{ env_var('DIR', 'target/spark') }}/warehouse\"\n",
        encoding="utf-8",
    )
    assert spark_settings({"DIR": "/w/spark"}, tmp_path) == {
        "spark.master": "local[2]",
        "spark.sql.warehouse.dir": "/w/spark/warehouse",
    }


def test_profile_settings_leave_out_templated_values(tmp_path: Path):
    (tmp_path / "profiles.yml").write_text(
        "p:\n  outputs:\n    duckdb:\n      type: duckdb\n      settings:\n"
        "        TimeZone: UTC\n        memory_limit: \"{{ env_var('X') }}\"\n",
        encoding="utf-8",
    )
    assert benchmark.profile_settings(tmp_path) == {"TimeZone": "UTC"}


# ------------------------------------------------------------------------------ report
def _raw_node(uid: str, stage: str, kind: str, wall: float, cpu: float) -> dict:
    return {"unique_id": uid, "stage": stage, "kind": kind, "seconds": wall, "cpu_seconds": cpu}


def _tier() -> dict:
    def step(name, wall, busy, cpu):
        return {
            "name": name,
            "seconds": wall,
            "busy_seconds": busy,
            "cpu_seconds": cpu,
            "returncode": 0,
        }

    return {
        "leads": 1000,
        "stages": [
            step("load", 3.0, 1.0, 2.0),
            step("staging", 10.0, 6.0, 12.0),
            step("intermediate", 5.0, 4.0, 6.0),
            step("marts", 5.0, 2.0, 4.0),
            step("tests", 4.0, 3.0, 5.0),
        ],
        "node_info": {
            "model.p.py": {"name": "py", "stage": "marts", "language": "python"},
            "model.p.s": {"name": "s", "stage": "staging", "language": "sql"},
        },
        "node_seconds": {"model.p.py": 2.0, "model.p.s": 5.0},
        "baseline": {
            "register_seconds": 0.25,
            "seeds_seconds": 0.25,
            "nodes": [
                _raw_node("model.p.s", "staging", "sql", 4.0, 5.0),
                _raw_node("model.p.i", "intermediate", "sql", 2.0, 3.0),
                _raw_node("model.p.m", "marts", "sql", 2.0, 2.0),
                _raw_node("model.p.py", "marts", "python", 3.0, 4.0),
            ],
        },
    }


def test_ratio_leaves_python_models_out_of_both_sides():
    tier = _tier()
    assert report.baseline_by_stage(tier["baseline"]) == {
        "load": 0.5,
        "staging": 4.0,
        "intermediate": 2.0,
        "marts": 2.0,
        "python": 3.0,
    }
    assert report.baseline_by_stage(tier["baseline"], "cpu_seconds") == {
        "staging": 5.0,
        "intermediate": 3.0,
        "marts": 2.0,
        "python": 4.0,
    }
    wall_ratio, busy_ratio, cpu_ratio = report.model_ratio(tier)
    # dbt side minus the Python model's 2 s; raw side SQL models only
    assert wall_ratio == pytest.approx((20.0 - 2.0) / 8.0)
    assert busy_ratio == pytest.approx((12.0 - 2.0) / 8.0)
    assert cpu_ratio == pytest.approx((22.0 - 2.0) / 10.0)
    assert report.build_total(tier) == pytest.approx((27.0, 16.0, 0.0))


def test_ratio_is_unavailable_when_a_stage_failed():
    tier = _tier()
    tier["stages"][2]["returncode"] = 1
    assert report.model_ratio(tier) is None


def test_slowest_models_rank_by_time():
    assert report.slowest_models(_tier(), limit=1) == [("model.p.s", 5.0)]


def test_write_report_replaces_only_the_generated_block(tmp_path: Path):
    path = tmp_path / "BENCHMARKS.md"
    report.write_report(path, "first")
    text = path.read_text(encoding="utf-8")
    assert "first" in text
    path.write_text("intro\n" + text + "\n## Notes by hand\nkeep me\n", encoding="utf-8")
    report.write_report(path, "second")
    text = path.read_text(encoding="utf-8")
    assert "second" in text and "first" not in text
    assert text.startswith("intro\n") and text.endswith("## Notes by hand\nkeep me\n")


def test_table_and_labels():
    assert report.label(10_000) == "10k" and report.label(1_000_000) == "1M"
    assert report.table(["a", "b"], [["x", "1"]]) == "| a | b |\n| --- | ---: |\n| x | 1 |"


# ------------------------------------------------------------------------------ machine, process
def test_machine_facts_parse_proc_files():
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 9B14\n") == "AMD EPYC 9B14"
    assert memory_gib("MemTotal:       24641536 kB\nMemFree: 1 kB\n") == pytest.approx(23.5)


def test_rss_units():
    assert rss_to_mib(2048, "linux") == 2.0
    assert rss_to_mib(2 * 1024 * 1024, "darwin") == 2.0


def test_run_measured_reads_the_child_peak_memory(tmp_path: Path):
    code = "x = bytearray(200 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    measured = run_measured([sys.executable, "-c", code], tmp_path / "child.log")
    assert measured.ok
    assert measured.max_rss_mib >= 200


def test_run_measured_stops_a_child_at_the_timeout(tmp_path: Path):
    measured = run_measured(
        [sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "slow.log", timeout=0.5
    )
    assert measured.timed_out and not measured.ok
    assert measured.seconds < 10


def test_run_measured_reads_the_child_cpu_time(tmp_path: Path):
    code = "import time\nwhile time.process_time() < 0.3:\n    pass"
    measured = run_measured([sys.executable, "-c", code], tmp_path / "busy.log")
    assert measured.cpu_seconds >= 0.3


def test_incremental_section_shares_the_full_build_and_flags_differences():
    def step(wall: float) -> dict:
        return {"name": "x", "seconds": wall, "cpu_seconds": wall, "returncode": 0}

    tier = {
        "leads": 1_000_000,
        "single_build": step(60.0),
        "incremental": {
            "run": step(6.0),
            "tests": step(12.0),
            "comparison": {"rows": 47592, "unmatched": 0, "different": 0},
        },
    }
    text = report.incremental_section([tier])
    row = text.splitlines()[-1]
    # 6 / 60 = 10.0%; (6 + 12) / 60 = 30.0%
    assert "| 10.0% |" in row and "| 30.0% |" in row and "identical: 47,592 rows" in row
    tier["incremental"]["comparison"] = {"rows": 10, "unmatched": 1, "different": 2}
    assert "DIFFERENT: 10 rows, 1 unmatched, 2 different" in report.incremental_section([tier])
    assert "Not measured" in report.incremental_section([{"leads": 10}])


# ------------------------------------------------------------------------------ Spark
def _spark_result() -> dict:
    def step(name, wall, rss, jvm, busy=None, jvm_cpu=None):
        return {
            "name": name,
            "seconds": wall,
            "busy_seconds": busy,
            "max_rss_mib": rss,
            "jvm_max_rss_mib": jvm,
            "jvm_cpu_seconds": jvm_cpu,
            "returncode": 0,
        }

    return {
        "leads": 100_000,
        "java": 'openjdk version "17.0.15"',
        "spark_dir": "/w/spark/warehouse",
        "settings": {"spark.master": "local[2]", "spark.sql.shuffle.partitions": "4"},
        "steps": [
            step("load-spark", 40.0, 350.0, 3500.0, jvm_cpu=60.0),
            step("parse", 20.0, 160.0, None),
            step("load", 30.0, 200.0, 900.0, 10.0, 20.0),
            step("staging", 100.0, 210.0, 2500.0, 80.0, 150.0),
            step("intermediate", 60.0, 220.0, 1800.0, 40.0, 70.0),
            step("marts", 90.0, 230.0, 2100.0, 70.0, 120.0),
            step("tests", 50.0, 190.0, 1200.0, 30.0, 40.0),
            {"name": "validation", "skipped": benchmark.SPARK_VALIDATION_SKIPPED},
        ],
        "node_seconds": {"model.p.slow": 30.0, "model.p.fast": 10.0, "operation.p.hook": 99.0},
        "node_info": {
            "model.p.slow": {"name": "slow", "stage": "marts", "materialized": "table"},
            "model.p.fast": {"name": "fast", "stage": "staging", "materialized": "view"},
        },
        "notes": [],
    }


def test_spark_section_sums_the_build_and_reports_the_jvm_apart():
    duckdb_tier = {"leads": 100_000, "node_seconds": {"model.p.slow": 0.5}}
    text = report.spark_section(_spark_result(), [duckdb_tier])
    lines = text.splitlines()
    assert lines[0] == "### Spark"
    row = next(line for line in lines if line.startswith("| 100k |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # load-spark, parse, seeds, staging, intermediate, marts, tests, validation
    assert cells[1:8] == ["40.0", "20.0", "30.0", "100.0", "60.0", "90.0", "50.0"]
    assert cells[8].startswith("skipped (mkpi validate supports")
    # build = seeds + models + tests = 30 + 100 + 60 + 90 + 50; dbt peak 230; JVM peak 2,500
    # (the dbt invocations': mkpi load-spark's 350 and 3,500 are named in the text)
    assert cells[9:] == ["330.0", "230", "2,500"]
    assert "`mkpi load-spark` peaked at 350 MiB (Python) and 3,500 MiB (JVM)" in text
    busy = next(line for line in lines if line.startswith("| in nodes s"))
    assert "| 230.0 |" in busy  # 10 + 80 + 40 + 70 + 30
    cpu = next(line for line in lines if line.startswith("| JVM CPU s"))
    assert "| 60.0 |" in cpu and "| 400.0 |" in cpu  # load-spark; 20 + 150 + 70 + 120 + 40
    assert "local[2]" in text and "/w/spark/warehouse" in text and "17.0.15" in text
    assert "never waits for it" in text  # what the RSS covers is said
    slow = next(line for line in lines if "`slow`" in line)
    assert slow == "| 1 | `slow` | marts | table | 30.0 | 0.50 | 75% |"  # hooks left out
    fast = next(line for line in lines if "`fast`" in line)
    assert fast.endswith("| 10.0 | – | 25% |")  # no DuckDB time for it


def test_spark_section_without_a_run_and_with_a_failed_stage():
    assert "Not measured" in report.spark_section(None)
    result = _spark_result()
    result["steps"][4] = {"name": "intermediate", "seconds": 5.0, "returncode": 1}
    result["steps"][5] = {"name": "marts", "skipped": "intermediate failed"}
    result["notes"] = ["intermediate did not pass (log: x)"]
    text = report.spark_section(result)
    row = next(line for line in text.splitlines() if line.startswith("| 100k |"))
    assert "5.00 (exit 1)" in row and "skipped (intermediate failed)" in row
    assert "| – | 210 | 2,500 |" in row  # no build total when a stage did not run
    assert "**Note:** intermediate did not pass" in text


def test_report_has_a_spark_section_beside_postgresql():
    text = report.render_report({"tiers": [], "machine": {}, "spark": _spark_result()})
    assert text.index("### PostgreSQL") < text.index("### Spark")
    machine = report.machine_section({"packages": {"dbt-spark": "1.11.0", "pyspark": "4.0.1"}}, {})
    assert "dbt-spark 1.11.0, pyspark 4.0.1" in machine


def test_group_members_and_peak_rss_read_proc_files(tmp_path: Path):
    def process(pid: int, comm: str, pgrp: int, state: str = "S") -> None:
        folder = tmp_path / str(pid)
        folder.mkdir()
        # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
        # stime ...
        stat = f"{pid} ({comm}) {state} 1 {pgrp} {pgrp} 0 -1 0 0 0 0 0 300 100 0 0\n"
        (folder / "stat").write_text(stat, encoding="utf-8")

    process(10, "python", 10)
    process(11, "java (x) y", 10)  # comm with spaces and parentheses
    process(12, "other", 99)
    process(13, "zombie", 10, "Z")
    (tmp_path / "self").mkdir()
    ticks = os.sysconf("SC_CLK_TCK")
    assert group_members(10, tmp_path) == {10: 400 / ticks, 11: 400 / ticks}
    assert peak_rss_kib("Name:\tjava\nVmPeak:\t 9 kB\nVmHWM:\t  4096 kB\n") == 4096
    assert peak_rss_kib("Name:\tkthread\n") is None


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs /proc")
def test_watch_group_sees_a_grandchild_the_child_never_waits_for(tmp_path: Path):
    """As pyspark's JVM: started with Popen, left running when the child exits."""
    grandchild = (
        "import time; x = bytearray(800 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]);"
        " time.sleep(1.0)"
    )
    code = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
        "time.sleep(0.6)\n"
    )
    plain = run_measured([sys.executable, "-c", code], tmp_path / "plain.log")
    watched = run_measured([sys.executable, "-c", code], tmp_path / "watched.log", watch_group=True)
    assert plain.ok and watched.ok
    assert watched.group_max_rss_mib is not None and watched.group_max_rss_mib >= 800
    # the child's ru_maxrss never has the grandchild's 800 MiB (it starts at the forking pytest
    # worker's peak, a few hundred MiB)
    assert plain.max_rss_mib < 800 and watched.max_rss_mib < 800
    assert plain.group_max_rss_kib is None and plain.group_cpu_seconds is None
    assert watched.group_exit_seconds is not None  # it returned only once the grandchild ended
