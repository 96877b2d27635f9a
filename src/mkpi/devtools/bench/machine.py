"""Facts about the machine and the software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from mkpi.devtools.bench.process import ask_probe

PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb", "dbt-postgres", "dbt-spark", "pyspark")


def cpu_model(cpuinfo: str | None = None) -> str:
    """The `model name` line of /proc/cpuinfo (else the platform's processor string)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            cpuinfo = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine()


def memory_gib(meminfo: str | None = None) -> float | None:
    """MemTotal of /proc/meminfo in GiB."""
    if meminfo is None:
        try:
            meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        except OSError:
            return None
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / (1024 * 1024)
    return None


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_revision(root: Path) -> str:
    """Short commit of the project checkout, `+dirty` when it has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def calibration_seconds(work_dir: Path) -> float:
    """Seconds DuckDB takes for a fixed hash aggregation (20M rows, 2M groups) right now.

    Not a benchmark of its own: it tells how fast this machine was at the time of the run, so
    runs on a busy and an idle machine (or two machines) can be told apart."""
    return float(ask_probe({"calibration": None}, work_dir))


def facts(root: Path, work_dir: Path) -> dict[str, Any]:
    usable: int | None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in PACKAGES},
        "git": git_revision(root),
        "load_average_at_start": list(os.getloadavg()),
        "calibration_at_start": calibration_seconds(work_dir),
    }
