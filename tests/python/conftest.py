"""Shared pytest fixtures."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mkpi.pg import PgSettings, connect

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SCRIPT = PROJECT_ROOT / "scripts" / "postgres.sh"


def _pg_problem(settings: PgSettings) -> str | None:
    """None if we can log in to `settings`, else why not (one line)."""
    try:
        connect(settings, connect_timeout=5).close()
    except Exception as error:
        return (str(error).strip().splitlines() or [type(error).__name__])[0]
    return None


@pytest.fixture(scope="session")
def pg_settings() -> Iterator[PgSettings]:
    """A PostgreSQL server to test against (MKPI_PG_* env, as profiles.yml).

    Uses a running server, else starts the local one with scripts/postgres.sh (and stops it
    again at the end). Skips when there is none, unless MKPI_REQUIRE_POSTGRES=1: then it fails.
    Without that flag the script is not allowed to apt-get install PostgreSQL.
    """
    required = os.environ.get("MKPI_REQUIRE_POSTGRES") == "1"
    settings = PgSettings.from_env()
    started = False
    problem = _pg_problem(settings)
    if problem and settings.host in ("localhost", "127.0.0.1", "::1"):
        env = dict(os.environ)
        if not required:
            env.setdefault("MKPI_PG_INSTALL", "0")
        result = subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), "start"],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )
        if result.returncode == 0:
            started = True
            problem = _pg_problem(settings)
        else:
            lines = result.stderr.strip().splitlines() or result.stdout.strip().splitlines()
            problem = lines[-1] if lines else f"postgres.sh start exited {result.returncode}"
    if problem:
        message = f"PostgreSQL not available at {settings.describe()}: {problem}"
        if required:
            pytest.fail(f"{message} (MKPI_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    yield settings
    if started:
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop"], capture_output=True, check=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Spark builds (several minutes on one worker) first, so the other worker works through
    the rest meanwhile instead of waiting for them at the end (pytest-xdist --dist loadfile)."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("spark") else 1)
