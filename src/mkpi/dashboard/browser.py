"""Drive a headless Chromium over the DevTools protocol on a pipe (stdlib only).

Used by the dashboard's browser test and by `mkpi dashboard --screenshot`: load a page, collect
console errors, uncaught exceptions and failed loads, evaluate expressions, take a screenshot.
Chromium reads protocol messages from fd 3 and writes to fd 4 (`--remote-debugging-pipe`),
each message JSON terminated by a NUL byte.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer."""


def find_chromium() -> str | None:
    """env MKPI_CHROMIUM, else /usr/bin/chromium, else chromium / google-chrome on PATH."""
    configured = os.environ.get("MKPI_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageReport:
    """What happened while the page loaded."""

    console_errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes | None = None


class _Pipe:
    def __init__(self, executable: str, user_data_dir: Path, window: tuple[int, int]) -> None:
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        # move the child's ends above fd 10 so the dup2 onto 3 and 4 cannot clobber them
        child_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_read)
        os.close(from_browser_write)

        def attach_pipe() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={user_data_dir}",
            f"--window-size={window[0]},{window[1]}",
            "about:blank",
        ]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.log,
                preexec_fn=attach_pipe,
                close_fds=False,
            )
        finally:
            os.close(child_read)
            os.close(child_write)
        self.write_fd = to_browser_write
        self.read_fd = from_browser_read
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("timed out waiting for chromium")
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed the pipe: {self.stderr_tail()}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)  # DevTools protocol: one JSON object
        return message

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        message_id = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("method") == method and message.get("sessionId") == session:
                return message
            self.events.append(message)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._receive(deadline))
        except BrowserError:
            return

    def stderr_tail(self) -> str:
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return " | ".join(lines[-5:])

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self.write_fd)
            os.close(self.read_fd)
            self.log.close()


def _console_errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {})
            errors.append("Uncaught " + (exception.get("description") or details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            errors.append("console.error: " + " ".join(texts))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(
                f"{entry.get('source', 'log')}: {entry.get('text', '')} {entry.get('url', '')}"
            )
    return errors


def inspect_page(
    url: str,
    *,
    chromium: str,
    expressions: dict[str, str] | None = None,
    window: tuple[int, int] = (1400, 2400),
    screenshot: bool = False,
    full_page: bool = False,
    settle_seconds: float = 0.5,
    timeout: float = 60.0,
) -> PageReport:
    """Open `url` in headless Chromium and report console errors, values and a screenshot."""
    report = PageReport()
    with tempfile.TemporaryDirectory(prefix="mkpi-chromium-") as profile:
        pipe = _Pipe(chromium, Path(profile), window)
        try:
            target = pipe.call("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
            session = pipe.call(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )["sessionId"]
            for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
                pipe.call(domain, session=session)
            pipe.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            navigation = pipe.call("Page.navigate", {"url": url}, session=session)
            if navigation.get("errorText"):
                raise BrowserError(f"could not open {url}: {navigation['errorText']}")
            pipe.wait_for("Page.loadEventFired", session, timeout=timeout)
            pipe.drain(settle_seconds)
            for name, expression in (expressions or {}).items():
                result = pipe.call(
                    "Runtime.evaluate",
                    {"expression": expression, "returnByValue": True},
                    session=session,
                )
                if "exceptionDetails" in result:
                    raise BrowserError(f"evaluating {name}: {result['exceptionDetails']}")
                report.values[name] = result.get("result", {}).get("value")
            if screenshot:
                params: dict[str, Any] = {"format": "png"}
                if full_page:
                    height = pipe.call(
                        "Runtime.evaluate",
                        {
                            "expression": "document.documentElement.scrollHeight",
                            "returnByValue": True,
                        },
                        session=session,
                    )["result"]["value"]
                    params["captureBeyondViewport"] = True
                    params["clip"] = {
                        "x": 0,
                        "y": 0,
                        "width": window[0],
                        "height": height,
                        "scale": 1,
                    }
                data = pipe.call("Page.captureScreenshot", params, session=session)["data"]
                report.screenshot = base64.b64decode(data)
            pipe.drain(0.1)
        finally:
            report.console_errors = _console_errors(pipe.events)
            pipe.close()
    return report
