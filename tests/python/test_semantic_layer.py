"""The semantic layer on a real build: `mf validate-configs` passes and every `mf query` line of
docs/semantic_layer.md returns rows.

The module fixture builds the project's seeds and models on the bundled sample into a temporary
DuckDB (a temporary project folder that links to this one, so `mf` finds its own
target/semantic_manifest.json and nothing in the checkout changes). Everything is skipped when
fct_kpis has no rows; a query whose KPIs have no rows yet is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

pytestmark = pytest.mark.dbt

PROJECT = Path(__file__).resolve().parents[2]
DOC = PROJECT / "docs" / "semantic_layer.md"
SEMANTIC = PROJECT / "models" / "marts" / "kpis" / "_kpis__semantic.yml"
NOT_LINKED = {".git", ".venv", "target", "logs", "dbt_packages", ".pytest_cache", ".ruff_cache"}
BIN = Path(sys.executable).parent


README = PROJECT / "README.md"


def doc_queries(path: Path = DOC) -> list[str]:
    """Every `mf query ...` line in the fenced sh/bash blocks of a markdown file."""
    lines = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() in ("```sh", "```bash")
            continue
        if inside and line.startswith("mf query "):
            lines.append(line)
    return lines


# the doc's examples and the README's (a new user copies those first)
QUERIES = list(dict.fromkeys(doc_queries(DOC) + doc_queries(README)))


def _metric_kpis() -> dict[str, str]:
    """Metric name -> the catalog KPI it reads (from the generated metrics' meta)."""
    document = yaml.safe_load(SEMANTIC.read_text(encoding="utf-8"))
    return {
        metric["name"]: metric.get("config", {}).get("meta", {}).get("kpi", "")
        for metric in document["metrics"]
    }


def _kpis_of(command: str) -> set[str]:
    arguments = shlex.split(command)
    metrics = arguments[arguments.index("--metrics") + 1].split(",")
    kpis = _metric_kpis()
    found = {kpis[name] for name in metrics if kpis.get(name)}
    where = " ".join(arguments)
    found |= set(re.findall(r"kpi__kpi_name'\) }} = '([a-z0-9_]+)'", where))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], set[str]]:
    folder = tmp_path_factory.mktemp("semantic")
    project = folder / "project"
    project.mkdir()
    for entry in PROJECT.iterdir():
        if entry.name not in NOT_LINKED:
            (project / entry.name).symlink_to(entry)
    database = folder / "kpis.duckdb"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DBT_PROJECT_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH"}
    }
    env |= {
        "DBT_PROFILES_DIR": str(project),
        "DBT_DUCKDB_PATH": str(database),
        "DBT_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    vars_json = '{"raw_data_dir": "' + str(PROJECT / "data" / "sample") + '"}'
    command = [
        str(BIN / "dbt"),
        "build",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        "--vars",
        vars_json,
    ]
    completed = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        kpis = {
            row[0]
            for row in connection.execute("select distinct kpi from marts.fct_kpis").fetchall()
        }
    if not kpis:
        pytest.skip("marts.fct_kpis has no rows yet (KPI families not built)")
    return project, env, kpis


def _run(command: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    arguments = shlex.split(command)
    arguments[0] = str(BIN / arguments[0])
    return subprocess.run(
        arguments, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.mark.parametrize("path", [DOC, README], ids=["doc", "readme"])
def test_the_doc_has_the_headline_queries(path: Path) -> None:
    metrics = " ".join(doc_queries(path))
    for name in ("cac_by_channel", "ltv_cac_ratio", "roas_by_campaign"):
        assert name in metrics


def test_validate_configs(built: tuple[Path, dict[str, str], set[str]]) -> None:
    project, env, _ = built
    completed = _run("mf validate-configs --skip-dw", project, env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert "Successfully validated the semantics of built manifest (ERRORS: 0" in output


@pytest.mark.parametrize("command", QUERIES)
def test_doc_query_returns_rows(built: tuple[Path, dict[str, str], set[str]], command: str) -> None:
    project, env, present = built
    missing = _kpis_of(command) - present
    if missing:
        pytest.skip(f"no fct_kpis rows yet for {', '.join(sorted(missing))}")
    completed = _run(command, project, env)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-3000:]
    lines = completed.stdout.splitlines()
    separator = next(i for i, line in enumerate(lines) if re.fullmatch(r"[- ]+", line.strip()))
    rows = [line for line in lines[separator + 1 :] if line.strip()]
    assert rows, completed.stdout
    number = re.compile(r"\s-?\d+(\.\d+)?(e[-+]?\d+)?\s*$")
    assert any(number.search(row) for row in rows), "no row has a value:\n" + completed.stdout
