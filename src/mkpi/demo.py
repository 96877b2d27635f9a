"""`mkpi demo`: the main job. Build the whole project on DuckDB, validate the marts, write the
dashboard, and say where everything is.

`--connectors` runs the same job on the sample company as Fivetran would land it (HubSpot, Google
Ads, Meta Ads, LinkedIn Ads, GA4's BigQuery export, Search Console, Stripe, Shopify, plus files for
what no connector holds): it writes that landing to target/connector-sample and builds with the
inputs its raw_inputs.yml names. That landing comes
from the developer tools' sample generator (mkpi.devtools.sampling), the one place product code
imports a developer tool: the demo's job is to show the product on sample data, and the bundled
data/sample (written by the same generator) covers the default run without importing it."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from mkpi.paths import duckdb_path, project_root, sample_dir


def dbt_executable() -> str:
    """The project's dbt: the one installed next to this Python."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_step(title: str, command: list[str], env: dict[str, str]) -> None:
    print(f"\n==> {title}\n    $ {' '.join(command)}", flush=True)
    completed = subprocess.run(command, env=env, cwd=project_root(), check=False)
    if completed.returncode != 0:
        raise SystemExit(f"error: step '{title}' failed (exit {completed.returncode})")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--raw-dir", type=Path, default=None, help="raw data folder (default: bundled sample)"
    )
    parser.add_argument("--skip-validate", action="store_true", help="do not run `mkpi validate`")
    parser.add_argument(
        "--connectors",
        action="store_true",
        help=(
            "build on the sample company as a connector landing (HubSpot, Google Ads, Meta Ads,"
            " LinkedIn Ads, GA4, Search Console, Stripe, Shopify)"
        ),
    )


def connector_landing(root: Path) -> tuple[Path, dict[str, Any]]:
    """The sample company written as a connector landing, and the dbt vars that select it."""
    # imported here: only `--connectors` needs the developer tools' generator (see the docstring)
    from mkpi.devtools.sampling.generator import SampleConfig
    from mkpi.devtools.sampling.landing.writer import write_landing

    landing = root / "target" / "connector-sample"
    print(f"\n==> write the sample company as a connector landing to {landing}", flush=True)
    write_landing(SampleConfig(), landing)
    selection = yaml.safe_load((landing / "raw_inputs.yml").read_text(encoding="utf-8"))
    return landing, selection


def run(args: argparse.Namespace) -> int:
    root = project_root()
    database = duckdb_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(root)}
    selection: dict[str, Any] = {}
    if args.connectors:
        raw_dir, selection = connector_landing(root)
    else:
        raw_dir = (args.raw_dir or sample_dir()).resolve()
    dbt_vars = json.dumps({"raw_data_dir": str(raw_dir), **selection})
    # from scratch: the demo may point at another raw directory than the last build did, and an
    # incremental run only re-reads recent rows (DECISIONS.md D16)
    run_step(
        f"dbt build on {raw_dir}",
        [dbt_executable(), "build", "--full-refresh", "--target", "duckdb", "--vars", dbt_vars],
        env,
    )
    python = sys.executable
    if not args.skip_validate:
        run_step("validate the marts", [python, "-m", "mkpi.cli", "validate"], env)
    dashboard = root / "target" / "dashboard" / "index.html"
    run_step(
        "write the dashboard",
        [python, "-m", "mkpi.cli", "dashboard", "--out", str(dashboard)],
        env,
    )
    print(
        "\nDone. Results:\n"
        f"  dashboard (open in a browser):  {dashboard}\n"
        f"  DuckDB database with the marts: {database}\n"
        '    e.g. .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{database}', read_only=True).sql("
        "'select * from marts.fct_kpis limit 10'))\"\n"
        "  marts: marts.fct_kpis (every KPI, long), marts.fct_kpi_scorecard, "
        "marts.fct_acquisition_monthly,\n"
        "         marts.fct_attribution_credits, marts.fct_mrr_monthly, "
        "marts.fct_data_quality_issues\n"
        "  docs:  .venv/bin/dbt docs generate && .venv/bin/dbt docs serve"
    )
    return 0
