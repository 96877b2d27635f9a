"""`mkpi benchmark --validation DB`: time `mkpi validate` against an earlier implementation.

Both run as child processes on the same built DuckDB database, one after the other, `--no-write`
(the database is left as it was): the baseline is src/mkpi/validate.py as it is at a git commit
(default: the last one that loaded every mart into pandas for great-expectations), copied into a
temporary folder and run with this checkout's other modules; the current one is `python -m
mkpi.cli validate`. Each is measured for wall time, CPU time and peak RSS (os.wait4), and the
two summaries (expectations and failures per suite) are compared. Figures are printed; nothing
fails on a slow number.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkpi.devtools.bench.process import Measured, run_measured

# the last commit whose `mkpi validate` read each mart into pandas and ran GX on it
PANDAS_VALIDATE_COMMIT = "bd16bff981df3033e7e661e0d8a4e7e2e956efdf"
BASELINE_RUNNER = """\
import argparse, sys
sys.path.insert(0, {folder!r})
import validate_baseline as validate
parser = argparse.ArgumentParser()
validate.add_arguments(parser)
sys.exit(validate.run(parser.parse_args(sys.argv[1:])))
"""
SUITE_LINE = re.compile(r"^suite (\S+): (\d+) expectations, (\d+) failed$", re.MULTILINE)


@dataclass(frozen=True)
class ValidationRun:
    label: str
    measured: Measured
    suites: dict[str, tuple[int, int]]  # suite -> (expectations, failed)


def baseline_source(root: Path, commit: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "show", f"{commit}:src/mkpi/validate.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _suites(log: Path) -> dict[str, tuple[int, int]]:
    text = log.read_text(encoding="utf-8", errors="replace")
    return {name: (int(total), int(failed)) for name, total, failed in SUITE_LINE.findall(text)}


def compare(
    root: Path, database: Path, work_dir: Path, commit: str = PANDAS_VALIDATE_COMMIT
) -> list[ValidationRun]:
    """Run the baseline, then the current `mkpi validate`, on `database`; measure both."""
    env = {**os.environ, "DBT_DUCKDB_PATH": str(database), "MKPI_PROJECT_DIR": str(root)}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    arguments = ["--duckdb-path", str(database), "--no-write"]
    runs = []
    with tempfile.TemporaryDirectory(prefix="mkpi-validate-baseline-") as folder:
        (Path(folder) / "validate_baseline.py").write_text(
            baseline_source(root, commit), encoding="utf-8"
        )
        runner = Path(folder) / "run_baseline.py"
        runner.write_text(BASELINE_RUNNER.format(folder=folder), encoding="utf-8")
        commands = [
            (f"baseline ({commit[:7]}: pandas + GX)", [sys.executable, str(runner)]),
            ("current (checks in the database)", [sys.executable, "-m", "mkpi.cli", "validate"]),
        ]
        for index, (label, command) in enumerate(commands):
            log = work_dir / "logs" / f"validation-{index}.log"
            measured = run_measured([*command, *arguments], log, env=env, cwd=root)
            runs.append(ValidationRun(label, measured, _suites(log)))
    return runs


def report(database: Path, runs: list[ValidationRun]) -> str:
    lines = [
        f"mkpi validate on {database} (--no-write), one run each, in this order:",
        "",
        "| implementation | exit | wall s | CPU s | peak RSS MiB | expectations | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        m = run.measured
        total = sum(count for count, _ in run.suites.values())
        failed = sum(count for _, count in run.suites.values())
        lines.append(
            f"| {run.label} | {m.returncode} | {m.seconds:.2f} | {m.cpu_seconds:.2f} "
            f"| {m.max_rss_mib:,.0f} | {total} | {failed} |"
        )
    if len(runs) == 2:
        before, after = runs
        same = before.suites == after.suites
        b, a = before.measured, after.measured
        lines += [
            "",
            f"Ratio baseline / current: wall {b.seconds / a.seconds:.1f}x,"
            f" CPU {b.cpu_seconds / a.cpu_seconds:.1f}x, peak RSS "
            f"{b.max_rss_mib / a.max_rss_mib:.1f}x.",
            "Per-suite expectations and failures "
            + ("agree." if same else f"DIFFER: {before.suites} vs {after.suites}"),
        ]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines.append(f"Load average (1/5/15 min) at the end: {load}.")
    return "\n".join(lines)


def main(root: Path, database: Path, work_dir: Path, commit: str) -> int:
    if not database.is_file():
        print(f"error: no DuckDB database at {database}", file=sys.stderr)
        return 2
    runs = compare(root, database, work_dir, commit)
    print(report(database, runs))
    return 0 if all(run.measured.ok for run in runs) else 1
