"""Run one child process and measure it: wall time, CPU time and peak resident memory (os.wait4).

On Linux `ru_maxrss` is in KiB and covers the child and any grandchildren it waited for, so the
peak of a dbt invocation includes the DuckDB engine running inside it. CPU time (user + system)
is the number to compare when other work shares the machine: wall time grows with the load,
CPU time much less.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import resource


@dataclass(frozen=True)
class Measured:
    command: tuple[str, ...]
    seconds: float
    cpu_seconds: float  # user + system, the child and the grandchildren it waited for
    max_rss_kib: int
    returncode: int
    timed_out: bool
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def max_rss_mib(self) -> float:
        return rss_to_mib(self.max_rss_kib)


def rss_to_mib(max_rss: int, platform: str = sys.platform) -> float:
    """ru_maxrss in MiB: KiB on Linux, bytes on macOS."""
    return max_rss / (1024 * 1024) if platform == "darwin" else max_rss / 1024


def run_measured(
    command: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run `command` with stdout+stderr to `log`; kill its process group after `timeout` s."""
    log.parent.mkdir(parents=True, exist_ok=True)
    timed_out = threading.Event()
    with log.open("wb") as handle:
        handle.write(("$ " + " ".join(command) + "\n").encode())
        handle.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,  # its own process group, so a timeout ends it and its children
        )

        def stop() -> None:
            timed_out.set()
            _kill_group(process.pid)

        timer = threading.Timer(timeout, stop) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            _, status, usage = _wait4(process.pid)
        except BaseException:
            _kill_group(process.pid)
            _wait4(process.pid)
            raise
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Measured(
        command=tuple(command),
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_kib=int(usage.ru_maxrss),
        returncode=process.returncode,
        timed_out=timed_out.is_set(),
        log=log,
    )


def _wait4(pid: int) -> tuple[int, int, resource.struct_rusage]:
    while True:
        try:
            return os.wait4(pid, 0)
        except InterruptedError:
            continue


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        time.sleep(0.1)
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log, for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def ask_probe(request: dict[str, Any], work_dir: Path, python: str = sys.executable) -> Any:
    """Answer a DuckDB look-up in a child process (mkpi.devtools.bench.probe), keeping this one
    small."""
    work_dir.mkdir(parents=True, exist_ok=True)
    request_path = work_dir / "probe-request.json"
    request_path.write_text(json.dumps(request), encoding="utf-8")
    completed = subprocess.run(
        [python, "-m", "mkpi.devtools.bench.probe", str(request_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"probe {sorted(request)} failed: {completed.stderr.strip()[-500:]}")
    return json.loads(completed.stdout)
