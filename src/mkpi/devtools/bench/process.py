"""Run one child process and measure it: wall time, CPU time and peak resident memory (os.wait4).

On Linux `ru_maxrss` is in KiB and covers the child and any grandchildren it waited for, so the
peak of a dbt invocation includes the DuckDB engine running inside it. CPU time (user + system)
is the number to compare when other work shares the machine: wall time grows with the load,
CPU time much less.

A grandchild that is never waited for is in neither: pyspark starts Spark's JVM with Popen and
never waits for it (it ends by itself once the Python process is gone and its stdin closes), so
the JVM's memory and CPU are outside dbt's ru_maxrss and CPU time. `watch_group` covers it: the
other processes of the child's process group are polled for their peak RSS (VmHWM, the kernel's
own high-water mark, so only growth in the last poll interval before a process ends is missed),
and the call returns only once they are all gone (the next Spark step needs the metastore lock).
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
    group_max_rss_kib: int | None = None  # largest VmHWM of another process in the group
    group_exit_seconds: float | None = None  # after the child, until the group was gone
    group_cpu_seconds: float | None = None  # CPU of the group's other processes (as polled)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def max_rss_mib(self) -> float:
        return rss_to_mib(self.max_rss_kib)

    @property
    def group_max_rss_mib(self) -> float | None:
        return None if self.group_max_rss_kib is None else self.group_max_rss_kib / 1024


def rss_to_mib(max_rss: int, platform: str = sys.platform) -> float:
    """ru_maxrss in MiB: KiB on Linux, bytes on macOS."""
    return max_rss / (1024 * 1024) if platform == "darwin" else max_rss / 1024


def run_measured(
    command: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    watch_group: bool = False,
) -> Measured:
    """Run `command` with stdout+stderr to `log`; kill its process group after `timeout` s.

    `watch_group` (Linux): also read the peak RSS of the rest of its process group (see the
    module's docstring) and wait, at most GROUP_EXIT_TIMEOUT s, for that group to end."""
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
        watcher = GroupWatcher(process.pid) if watch_group else None
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
        group_exit = None
        if watcher:
            if not watcher.wait_gone(GROUP_EXIT_TIMEOUT):
                _kill_group(process.pid)
            watcher.stop()
            group_exit = time.perf_counter() - started - seconds
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Measured(
        command=tuple(command),
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_kib=int(usage.ru_maxrss),
        returncode=process.returncode,
        timed_out=timed_out.is_set(),
        log=log,
        group_max_rss_kib=watcher.peak_kib if watcher else None,
        group_exit_seconds=group_exit,
        group_cpu_seconds=watcher.cpu_seconds if watcher else None,
    )


GROUP_EXIT_TIMEOUT = 120.0
GROUP_POLL_SECONDS = 0.2


def group_members(pgid: int, proc: Path = Path("/proc")) -> dict[int, float]:
    """{pid: CPU seconds so far (user + system)} of the live processes in process group `pgid`
    (from /proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    members: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        # pid (comm) state ppid pgrp ... utime stime (fields 14, 15); comm may hold spaces
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 12 and fields[2] == str(pgid) and fields[0] != "Z":
            members[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return members


def peak_rss_kib(status: str) -> int | None:
    """VmHWM (peak resident set, KiB) of a /proc/<pid>/status text."""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


class GroupWatcher:
    """Polls the processes of group `pgid` other than its leader for their peak RSS."""

    def __init__(self, pgid: int, proc: Path = Path("/proc")) -> None:
        self.pgid = pgid
        self.proc = proc
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def peak_kib(self) -> int | None:
        return max(self.peaks.values()) if self.peaks else None

    @property
    def cpu_seconds(self) -> float | None:
        """The others' CPU time as last seen (the last poll interval of each is missed)."""
        return sum(self.cpu.values()) if self.cpu else None

    def poll(self) -> dict[int, float]:
        """Read the others' VmHWM and CPU once; return the live members (the leader included)."""
        members = group_members(self.pgid, self.proc)
        for pid, cpu in members.items():
            if pid == self.pgid:
                continue
            self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
            try:
                status = (self.proc / str(pid) / "status").read_text(encoding="utf-8")
            except OSError:
                continue
            peak = peak_rss_kib(status)
            if peak is not None:
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
        return members

    def _run(self) -> None:
        while not self._stop.wait(GROUP_POLL_SECONDS):
            self.poll()

    def wait_gone(self, timeout: float) -> bool:
        """After the leader was reaped: wait until no process of the group is left."""
        deadline = time.monotonic() + timeout
        while self.poll():
            if time.monotonic() > deadline:
                return False
            time.sleep(GROUP_POLL_SECONDS)
        return True

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


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
